// Xen's own hypercall ABI on arm64 (not SMCCC): HVC #0xEA1 with the hypercall number in X16 and
// arguments in X0..X4, result in X0 (xen/include/public/arch-arm.h). Only what a guest needs to
// identify Xen once the device tree has said it is there: __HYPERVISOR_xen_version.
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import { OEN_VENDOR_HYP, SMCCC_FUNC_CALL_UID, SMCCC_FUNC_REVISION } from "./smccc-owners";
import { SMCCC_RET_NOT_SUPPORTED } from "./smccc-return";
import { XEN_VENDOR_HYP_UID, uuidToRegisters } from "./smccc-uid";

export const XEN_HYPERCALL_TAG = 0xea1;
export const __HYPERVISOR_xen_version = 17;
export const XENVER_version = 0;
/** -ENOSYS as Xen returns it. */
export const XEN_ENOSYS = -38;

export interface XenVersion {
  readonly major: number;
  readonly minor: number;
}

/** Answers one Xen hypercall; returns the value for X0. */
export function xenHypercall(x: readonly bigint[], version: XenVersion): bigint {
  const nr = Number(BigInt.asUintN(64, x[16] ?? 0n));
  const cmd = Number(BigInt.asUintN(64, x[0] ?? 0n));
  if (nr === __HYPERVISOR_xen_version && cmd === XENVER_version) {
    return BigInt((version.major << 16) | version.minor);
  }
  return BigInt.asUintN(64, BigInt(XEN_ENOSYS));
}

// Xen's vendor hypervisor service answers the general queries only: Call UID and Revision
// (xen/arch/arm/vsmc.c, XEN_SMCCC_MAJOR_REVISION 0 / MINOR 1). Xen's real interface is the
// HVC #0xEA1 hypercall above, found through the device tree's /hypervisor node.

export const XEN_HYP_SERVICE_NAME = "Vendor hypervisor service (Xen)";

export function createXenHypService(): SmcccService {
  const uid = uuidToRegisters(XEN_VENDOR_HYP_UID);
  return {
    name: XEN_HYP_SERVICE_NAME,
    ranges: [
      {
        owner: OEN_VENDOR_HYP,
        conventions: ["smc32"],
        first: SMCCC_FUNC_CALL_UID,
        last: SMCCC_FUNC_REVISION,
      },
    ],
    handle(call: SmcccCall): SmcccOutcome {
      switch (call.fields.number) {
        case SMCCC_FUNC_CALL_UID:
          return returns(...uid);
        case SMCCC_FUNC_REVISION:
          return returns(0, 1);
        default:
          return returns(SMCCC_RET_NOT_SUPPORTED);
      }
    },
  };
}
