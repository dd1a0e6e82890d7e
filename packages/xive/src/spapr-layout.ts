// Where QEMU's pseries machine puts the XIVE and how it numbers things. apps/sim maps the MMIO
// devices of this package at these guest addresses so a guest sees what it sees under QEMU.

/** Guest address of the source ESB pages ("VC" BAR, SPAPR_XIVE_VC_BASE). */
export const SPAPR_XIVE_VC_BASE = 0x0006_0100_0000_0000;
/** Guest address of the TIMA (SPAPR_XIVE_TM_BASE); its four 64K pages are HW, HV, OS, USER. */
export const SPAPR_XIVE_TM_BASE = 0x0006_0302_0318_0000;
/** TM_SHIFT: each TIMA page (ring view) is 64K. */
export const TM_SHIFT = 16;
/** The sPAPR device tree publishes the USER and OS TIMA pages only (reg = USER, OS). */
export const SPAPR_TIMA_OS_PAGE = SPAPR_XIVE_TM_BASE + (2 << TM_SHIFT);
export const SPAPR_TIMA_USER_PAGE = SPAPR_XIVE_TM_BASE + (3 << TM_SHIFT);
/** QEMU sPAPR sources: two 64K pages each (even trigger, odd management), no StoreEOI. */
export const SPAPR_XIVE_ESB_SHIFT = 17;
/** The single XIVE block of a sPAPR machine. */
export const SPAPR_XIVE_BLOCK_ID = 0;
/** NVT index of vCPU n is 0x400 + n (spapr_xive_target_to_nvt). */
export const SPAPR_XIVE_NVT_BASE = 0x400;

/** The IRQ number space shared by XICS and XIVE on pseries (QEMU docs/specs/ppc-spapr-xive.rst). */
export const SPAPR_IRQ_NR_IRQS = 0x2000;
/** 0x0000-0x0FFF: one IPI per vCPU (XIVE mode only). */
export const SPAPR_IRQ_IPI = 0x0000;
export const SPAPR_IRQ_EPOW = 0x1000;
export const SPAPR_IRQ_HOTPLUG = 0x1001;
/** 0x1100-0x11FF: VIO devices (the vty console is the first). */
export const SPAPR_IRQ_VIO = 0x1100;
export const SPAPR_IRQ_PCI_LSI = 0x1200;
export const SPAPR_IRQ_MSI = 0x1300;

/**
 * The priority KVM reserves for escalation interrupts (QEMU `hv-prio`, default 7): the guest may
 * use 0..6; the device tree says `ibm,plat-res-int-priorities = <7 0xF8>`.
 */
export const SPAPR_XIVE_HV_PRIO = 7;
export const SPAPR_PLAT_RES_INT_PRIORITIES: readonly [number, number] = [
  SPAPR_XIVE_HV_PRIO,
  0xff - SPAPR_XIVE_HV_PRIO,
];
/** `ibm,xive-eq-sizes`: queue sizes (log2 bytes) the platform offers; QEMU lists 64K only. */
export const SPAPR_XIVE_EQ_SIZES: readonly number[] = [16];
/** Queue sizes H_INT_SET_QUEUE_CONFIG accepts (log2 bytes); 0 resets the queue. */
export const SPAPR_XIVE_QSIZES: readonly number[] = [12, 16, 21, 24];

/** True for priorities the guest may not use (spapr_xive_priority_is_reserved). */
export function priorityIsReserved(priority: number): boolean {
  return !(priority >= 0 && priority <= 7) || priority === SPAPR_XIVE_HV_PRIO;
}

/** END index of (server, priority): `server << 3 | priority` (spapr_xive_target_to_end). */
export function endIndexOf(server: number, priority: number): number {
  return (server << 3) | priority;
}
