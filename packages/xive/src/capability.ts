// What the host's "KVM" can do for the interrupt controller, and where the controller of a
// pseries machine therefore runs. The rule from the seeds: report the capability false where it
// cannot work, and fail cleanly, with the documented code, when it is used anyway.
//
// KVM registers its XIVE native device (KVM_DEV_TYPE_XIVE) only on a POWER9 host running in
// hypervisor mode with a XIVE. The KVM of a nested L1 runs as a pseries guest of L0
// (kvmhv_on_pseries()): no XIVE native device, KVM_CHECK_EXTENSION(KVM_CAP_PPC_IRQ_XIVE) = 0,
// and KVM_CREATE_DEVICE(KVM_DEV_TYPE_XIVE) fails with -ENODEV (no ops registered for the type).
// QEMU then uses its emulated XIVE, or refuses to start if kernel-irqchip=on was required.

/** KVM_CAP_PPC_IRQ_XIVE (include/uapi/linux/kvm.h). */
export const KVM_CAP_PPC_IRQ_XIVE = 169;
/** KVM_DEV_TYPE_XIVE: the 9th kvm_device_type. */
export const KVM_DEV_TYPE_XIVE = 9;
/** -ENODEV: no such device type registered. */
export const ENODEV = 19;

/** The host KVM the interrupt controller would run in. */
export interface KvmIrqHost {
  /** A POWER9 (or later) host with a XIVE. */
  readonly hasXive: boolean;
  /** This KVM runs in a pseries guest (a nested L1 hypervisor), not on bare metal. */
  readonly onPseries: boolean;
}

/** KVM_CHECK_EXTENSION(KVM_CAP_PPC_IRQ_XIVE): in-kernel XIVE native exploitation available. */
export function checkXiveNativeCapability(host: KvmIrqHost): boolean {
  return host.hasXive && !host.onPseries;
}

export type KvmDeviceResult =
  | { readonly kind: "created" }
  | {
      readonly kind: "error";
      readonly errno: number;
      readonly code: "ENODEV";
      readonly message: string;
    };

/** KVM_CREATE_DEVICE(KVM_DEV_TYPE_XIVE) — fails cleanly with -ENODEV where the capability is false. */
export function createKvmXiveDevice(host: KvmIrqHost): KvmDeviceResult {
  if (checkXiveNativeCapability(host)) return { kind: "created" };
  return {
    kind: "error",
    errno: -ENODEV,
    code: "ENODEV",
    message: host.onPseries
      ? "KVM_CREATE_DEVICE(KVM_DEV_TYPE_XIVE): -ENODEV: XIVE native exploitation is not available to the guests of a nested (pseries) KVM"
      : "KVM_CREATE_DEVICE(KVM_DEV_TYPE_XIVE): -ENODEV: the host has no XIVE",
  };
}

/** QEMU's `-M pseries,ic-mode=` values. */
export type IcMode = "xics" | "xive" | "dual";
/** QEMU's `kernel-irqchip=`: required, refused, (unset) used when possible, or split (x86's
 *  split irqchip, refused on pseries). */
export type KernelIrqchip = "on" | "off" | "allowed" | "split";
/** The interrupt controller a guest ends up with after CAS. */
export type ActiveIntc = "xics" | "xive";

export type Placement =
  | { readonly kind: "kernel" }
  | { readonly kind: "vmm"; readonly warning?: string }
  | { readonly kind: "error"; readonly message: string };

/**
 * Where the active controller runs (spapr_irq's activate): in kernel when allowed and KVM can,
 * else emulated in the VMM (with a warning when it was merely allowed), or an error when
 * kernel-irqchip=on cannot be honoured. XICS in kernel works on every KVM (a nested KVM has the
 * XICS device); XIVE native needs KVM_CAP_PPC_IRQ_XIVE.
 */
export function placeIntc(
  intc: ActiveIntc,
  kernelIrqchip: KernelIrqchip,
  host: KvmIrqHost,
): Placement {
  if (kernelIrqchip === "off") return { kind: "vmm" };
  if (intc === "xics") return { kind: "kernel" };
  const dev = createKvmXiveDevice(host);
  switch (dev.kind) {
    case "created":
      return { kind: "kernel" };
    case "error":
      return kernelIrqchip === "on"
        ? { kind: "error", message: `kernel-irqchip=on: ${dev.message}` }
        : { kind: "vmm", warning: `${dev.message}; falling back to the emulated XIVE` };
  }
}

/**
 * Machine-option checks at startup (QEMU spapr_irq_init / spapr_irq_check), with QEMU's
 * messages; undefined when the machine may start:
 * - `kernel-irqchip=split` is an x86 notion: refused on pseries;
 * - `ic-mode=xive` needs the XIVE native device (QEMU 8.1 on creates no XIVE without
 *   KVM_CAP_PPC_IRQ_XIVE, whatever kernel-irqchip says: no XIVE in a nested guest's tree);
 * - a nested KVM cannot destroy and re-create its XICS device, which switching modes at CAS
 *   needs, so `ic-mode=dual` with `kernel-irqchip=on` is refused there.
 */
export function checkIcMode(
  icMode: IcMode,
  kernelIrqchip: KernelIrqchip,
  host: KvmIrqHost,
): string | undefined {
  if (kernelIrqchip === "split") return "kernel_irqchip split mode not supported on pseries";
  if (icMode === "xive" && !checkXiveNativeCapability(host)) {
    return "XIVE native mode not available, don't use ic-mode=xive (KVM_CAP_PPC_IRQ_XIVE is 0 on this host)";
  }
  if (icMode === "dual" && kernelIrqchip === "on" && host.onPseries) {
    return "KVM is incompatible with ic-mode=dual,kernel-irqchip=on (this can happen with an old KVM or in a KVM nested guest: try without kernel-irqchip or with kernel-irqchip=off)";
  }
  return undefined;
}

/**
 * Does the machine have a XIVE at all? As QEMU 8.1 on: only when ic-mode allows it and the
 * host KVM has the XIVE native device; a dual machine without it runs XICS only (its tree
 * still says both, but CAS never grants exploitation).
 */
export function machineHasXive(icMode: IcMode, host: KvmIrqHost): boolean {
  return icMode !== "xics" && checkXiveNativeCapability(host);
}

/** `/chosen ibm,arch-vec-5-platform-support` byte 23 value for an ic-mode. */
export function ov5PlatformXiveSupport(icMode: IcMode): number {
  switch (icMode) {
    case "xics":
      return 0x00;
    case "xive":
      return 0x40;
    case "dual":
      return 0x80;
  }
}

export type CasIntcResult =
  | { readonly kind: "ok"; readonly intc: ActiveIntc }
  | { readonly kind: "error"; readonly message: string };

/**
 * CAS: the guest's OV5 byte 23 exploitation bit asks for XIVE (set) or XICS (clear); the machine's
 * ic-mode decides whether it can have it (QEMU do_client_architecture_support), and a dual
 * machine without a XIVE (see machineHasXive) grants XICS to a guest that asked for XIVE.
 */
export function casSelectIntc(
  icMode: IcMode,
  guestWantsXive: boolean,
  hasXive = icMode !== "xics",
): CasIntcResult {
  if (guestWantsXive && icMode === "xics") {
    return {
      kind: "error",
      message:
        "Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property",
    };
  }
  if (!guestWantsXive && icMode === "xive") {
    return {
      kind: "error",
      message:
        "Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual",
    };
  }
  return { kind: "ok", intc: guestWantsXive && hasXive ? "xive" : "xics" };
}
