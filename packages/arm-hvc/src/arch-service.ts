// The Arm Architecture service (OEN 0): SMCCC_VERSION, SMCCC_ARCH_FEATURES and the Spectre
// workaround calls (DEN0028 §7; KVM arch/arm64/kvm/hypercalls.c; TF-A arm_arch_svc).
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import { OEN_ARM_ARCH } from "./smccc-owners";
import {
  SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED,
  SMCCC_RET_NOT_REQUIRED,
  SMCCC_RET_NOT_SUPPORTED,
  SMCCC_RET_SUCCESS,
} from "./smccc-return";

export const SMCCC_VERSION_FUNC_ID = 0x80000000;
export const SMCCC_ARCH_FEATURES_FUNC_ID = 0x80000001;
export const SMCCC_ARCH_SOC_ID_FUNC_ID = 0x80000002;
export const SMCCC_ARCH_WORKAROUND_1 = 0x80008000;
export const SMCCC_ARCH_WORKAROUND_2 = 0x80007fff;
export const SMCCC_ARCH_WORKAROUND_3 = 0x80003fff;

/** `major<<16 | minor`, the encoding SMCCC_VERSION and PSCI_VERSION share. */
export function versionWord(major: number, minor: number): number {
  return ((major << 16) | minor) >>> 0;
}
export function versionString(word: number): string {
  return `${(word >>> 16) & 0x7fff}.${word & 0xffff}`;
}

/** The host CPU's state for one speculation issue (Linux `enum mitigation_state`). */
export type SpectreState = "vulnerable" | "mitigated" | "unaffected";

export interface ArchServiceConfig {
  /** SMCCC_VERSION's answer; 1.0 firmware does not implement SMCCC_VERSION at all. */
  readonly smcccVersion: { readonly major: number; readonly minor: number };
  /** Spectre-v2 (WORKAROUND_1), Spectre-v4/SSB (WORKAROUND_2), Spectre-BHB (WORKAROUND_3). */
  readonly spectreV2: SpectreState;
  readonly spectreV4: SpectreState;
  readonly spectreBhb: SpectreState;
  /**
   * TF-A answers ARCH_FEATURES(SMCCC_VERSION / ARCH_FEATURES) with SUCCESS; KVM answers only
   * the workaround ids and PV_TIME_FEATURES and says NOT_SUPPORTED to everything else.
   */
  readonly answersSelfQueries: boolean;
  /** ARCH_FEATURES for ids of other services (KVM: PV_TIME_FEATURES when PV time is enabled). */
  readonly otherFeature?: (functionId: number) => number | undefined;
}

export const ARCH_SERVICE_NAME = "Arm architecture service";

function workaroundFeature(state: SpectreState): number {
  switch (state) {
    case "vulnerable":
      return SMCCC_RET_NOT_SUPPORTED;
    case "mitigated":
      return SMCCC_RET_SUCCESS;
    case "unaffected":
      return SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED;
  }
}

/** Answers SMCCC_ARCH_FEATURES(`fid`). */
export function archFeatures(cfg: ArchServiceConfig, fid: number): number {
  switch (fid >>> 0) {
    case SMCCC_ARCH_WORKAROUND_1:
      return workaroundFeature(cfg.spectreV2);
    case SMCCC_ARCH_WORKAROUND_3:
      return workaroundFeature(cfg.spectreBhb);
    case SMCCC_ARCH_WORKAROUND_2:
      // KVM: with SSBS everywhere the guest gets SSBS instead of a firmware call, so a mitigated
      // host reports NOT_REQUIRED, like an unaffected one (hypercalls.c).
      return cfg.spectreV4 === "vulnerable" ? SMCCC_RET_NOT_SUPPORTED : SMCCC_RET_NOT_REQUIRED;
    case SMCCC_VERSION_FUNC_ID:
    case SMCCC_ARCH_FEATURES_FUNC_ID:
      return cfg.answersSelfQueries ? SMCCC_RET_SUCCESS : SMCCC_RET_NOT_SUPPORTED;
    default:
      return cfg.otherFeature?.(fid >>> 0) ?? SMCCC_RET_NOT_SUPPORTED;
  }
}

/** The Arm architecture service over `cfg`. SMCCC v1.0 firmware registers nothing here. */
export function createArchService(cfg: ArchServiceConfig): SmcccService {
  return {
    name: ARCH_SERVICE_NAME,
    ranges: [{ owner: OEN_ARM_ARCH, conventions: ["smc32"], first: 0x0000, last: 0xffff }],
    handle(call: SmcccCall): SmcccOutcome {
      switch (call.functionId >>> 0) {
        case SMCCC_VERSION_FUNC_ID:
          return returns(versionWord(cfg.smcccVersion.major, cfg.smcccVersion.minor));
        case SMCCC_ARCH_FEATURES_FUNC_ID:
          return returns(archFeatures(cfg, Number(BigInt.asUintN(32, call.args[0] ?? 0n))));
        case SMCCC_ARCH_WORKAROUND_1:
        case SMCCC_ARCH_WORKAROUND_2:
        case SMCCC_ARCH_WORKAROUND_3: {
          // The workaround calls do their work as a side effect (flush the branch predictor,
          // toggle the SSB mitigation); nothing here has such state. They succeed when the
          // firmware implements them and are unknown otherwise.
          const f = archFeatures(cfg, call.functionId);
          return returns(f === SMCCC_RET_SUCCESS ? SMCCC_RET_SUCCESS : SMCCC_RET_NOT_SUPPORTED);
        }
        default:
          // SMCCC_ARCH_SOC_ID and everything else: KVM does not implement them.
          return returns(SMCCC_RET_NOT_SUPPORTED);
      }
    },
  };
}
