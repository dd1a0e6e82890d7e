// `/rtas/ibm,hypertas-functions`: the hcall groups the platform offers, one string each. A
// Linux pseries guest maps them to FW_FEATURE_* bits (arch/powerpc/platforms/pseries/
// firmware.c) and uses an hcall only if its group is listed. QEMU builds the list in
// spapr_dt_rtas (hw/ppc/spapr.c) in this order; hcall-rpt-invalidate appears iff
// cap-rpt-invalidate is on — the guest-visible effect of that cap.

import { capValue, type ResolvedCaps } from "./machine-options";

export interface HypertasOptions {
  /** QEMU lists hcall-multi-tce under TCG, or under KVM when it has in-kernel multi-TCE. */
  readonly multiTce?: boolean;
  /** hcall-hpt-resize unless `resize-hpt=disabled`. */
  readonly hptResize?: boolean;
}

/** The `ibm,hypertas-functions` strings for a resolved cap set, in QEMU's order. */
export function hypertasFunctions(caps: ResolvedCaps, opts: HypertasOptions = {}): string[] {
  const out = [
    "hcall-pft",
    "hcall-term",
    "hcall-dabr",
    "hcall-interrupt",
    "hcall-tce",
    "hcall-vio",
    "hcall-splpar",
    "hcall-join",
    "hcall-bulk",
    "hcall-set-mode",
    "hcall-sprg0",
    "hcall-copy",
    "hcall-debug",
    "hcall-vphn",
  ];
  if (capValue(caps, "rpt-invalidate") !== 0) out.push("hcall-rpt-invalidate");
  if (opts.multiTce ?? true) out.push("hcall-multi-tce");
  if (opts.hptResize ?? true) out.push("hcall-hpt-resize");
  out.push("hcall-watchdog");
  return out;
}

/** `/rtas/qemu,hypertas-functions`: QEMU's private group (KVMPPC_H_LOGICAL_MEMOP). */
export const QEMU_HYPERTAS_FUNCTIONS: readonly string[] = ["hcall-memop1"];
