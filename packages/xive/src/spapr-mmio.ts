// The MMIO regions of a sPAPR XIVE at QEMU's guest addresses, for apps/sim to map (and to unmap
// while the XIVE is not the active controller, as QEMU disables them).
import type { MmioDevice } from "./ports";
import { SPAPR_XIVE_TM_BASE } from "./spapr-layout";
import type { SpaprXive } from "./spapr-xive";

export interface MmioRegion {
  readonly name: string;
  /** Guest real address of offset 0 of the device. */
  readonly base: number;
  readonly device: MmioDevice;
}

/** ESB pages at the VC base, then the four TIMA pages at the TM base. */
export function spaprXiveMmioRegions(
  xive: SpaprXive,
  tmBase = SPAPR_XIVE_TM_BASE,
): readonly MmioRegion[] {
  return [
    { name: "xive.esb", base: xive.vcBase, device: xive.esb },
    { name: "xive.tima", base: tmBase, device: xive.tima },
  ];
}
