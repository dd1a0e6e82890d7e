// The Vendor Specific Hypervisor Service (OEN 6) as KVM defines it (Linux
// Documentation/virt/kvm/arm/hypercalls.rst, include/linux/arm-smccc.h): Call UID, the
// KVM_FEATURES bitmap and PTP. Other vendor functions (the async-PF proposal) register their
// own ranges in the same owner; the dispatcher keeps them from overlapping.
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import { OEN_VENDOR_HYP, SMCCC_FUNC_CALL_UID } from "./smccc-owners";
import { SMCCC_RET_NOT_SUPPORTED } from "./smccc-return";
import { uuidToRegisters } from "./smccc-uid";

export const ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID = 0x8600ff01;
export const ARM_SMCCC_KVM_FUNC_FEATURES = 0;
export const ARM_SMCCC_KVM_FUNC_PTP = 1;
export const ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID = 0x86000000;
export const ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID = 0x86000001;
/** Function numbers the KVM_FEATURES bitmap can describe (fn 127 = FEATURES_2, unused). */
export const ARM_SMCCC_KVM_NUM_FUNCS = 128;
export const KVM_PTP_VIRT_COUNTER = 0;
export const KVM_PTP_PHYS_COUNTER = 1;

export const VENDOR_HYP_SERVICE_NAME = "Vendor hypervisor service (KVM)";

/** A consistent (wall clock, counter) pair, read at one instant of simulated time. */
export interface PtpClock {
  /** Host real time in nanoseconds since the Unix epoch (simulated, never the wall clock). */
  realtimeNs(): bigint;
  /** The physical counter (CNTPCT) value. */
  physicalCounter(): bigint;
  /** CNTVOFF: virtual counter = physical counter - offset. */
  virtualOffset(): bigint;
}

export interface VendorHypConfig {
  readonly uid: string;
  /** KVM_FEATURES' W0..W3: the VM's bitmap of available vendor function numbers 0..127. */
  readonly featureWords: () => readonly [number, number, number, number];
  /** Present when this hypervisor implements KVM_PTP. */
  readonly ptp?: PtpClock;
}

function hi(x: bigint): bigint {
  return BigInt.asUintN(32, x >> 32n);
}
function lo(x: bigint): bigint {
  return BigInt.asUintN(32, x);
}

export function createVendorHypService(cfg: VendorHypConfig): SmcccService {
  const uid = uuidToRegisters(cfg.uid);
  return {
    name: VENDOR_HYP_SERVICE_NAME,
    ranges: [
      { owner: OEN_VENDOR_HYP, conventions: ["smc32"], first: 0, last: cfg.ptp ? 1 : 0 },
      {
        owner: OEN_VENDOR_HYP,
        conventions: ["smc32"],
        first: SMCCC_FUNC_CALL_UID,
        last: SMCCC_FUNC_CALL_UID,
      },
    ],
    handle(call: SmcccCall): SmcccOutcome {
      switch (call.functionId >>> 0) {
        case ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID:
          return returns(...uid);
        case ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID:
          return returns(...cfg.featureWords());
        case ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID: {
          const clock = cfg.ptp;
          if (clock === undefined) return returns(SMCCC_RET_NOT_SUPPORTED);
          const sel = Number(BigInt.asUintN(32, call.args[0] ?? 0n));
          let cycles: bigint;
          switch (sel) {
            case KVM_PTP_VIRT_COUNTER:
              cycles = clock.physicalCounter() - clock.virtualOffset();
              break;
            case KVM_PTP_PHYS_COUNTER:
              cycles = clock.physicalCounter();
              break;
            default:
              return returns(SMCCC_RET_NOT_SUPPORTED);
          }
          // KVM: W0/W1 = real time (ns) high/low, W2/W3 = counter high/low. The top bit of W0 is
          // never set for a real time before the year 2262, so W0 never reads as -1.
          const t = clock.realtimeNs();
          return returns(hi(t), lo(t), hi(BigInt.asUintN(64, cycles)), lo(cycles));
        }
        default:
          return returns(SMCCC_RET_NOT_SUPPORTED);
      }
    },
  };
}

/** `kvm_arm_hyp_service_available`: is function number `fn` set in the KVM_FEATURES words? */
export function hypServiceAvailable(
  words: readonly [number, number, number, number],
  fn: number,
): boolean {
  if (fn < 0 || fn >= ARM_SMCCC_KVM_NUM_FUNCS) return false;
  const w = words[fn >> 5] ?? 0;
  return ((w >>> (fn & 31)) & 1) === 1;
}
