// PSCI 0.1 (KVM's pre-standard ids), 0.2, 1.0 and 1.1 over the vCPU power model, following
// KVM's arch/arm64/kvm/psci.c function by function (and TF-A where KVM is silent).
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import { SMCCC_VERSION_FUNC_ID } from "./arch-service";
import type { PsciPowerModel } from "./psci-power";
import { MPIDR_HWID_BITMASK } from "./psci-power";
import type { PsciFunctionName, PsciVersionWord } from "./psci-ids";
import {
  KVM_PSCI_0_1_IDS,
  PSCI_AFFINITY_OFF,
  PSCI_AFFINITY_ON,
  PSCI_AFFINITY_ON_PENDING,
  PSCI_RESET2_TYPE_SYSTEM_WARM_RESET,
  PSCI_RESET2_TYPE_VENDOR,
  PSCI_RET_ALREADY_ON,
  PSCI_RET_DENIED,
  PSCI_RET_INVALID_ADDRESS,
  PSCI_RET_INVALID_PARAMS,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_RET_ON_PENDING,
  PSCI_RET_SUCCESS,
  PSCI_TOS_NOT_PRESENT_MP,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  psciFunctionById,
} from "./psci-ids";
import { OEN_STANDARD } from "./smccc-owners";

export const PSCI_SERVICE_NAME = "PSCI";

export interface PsciServiceConfig {
  /**
   * The VM's PSCI version (KVM_REG_ARM_PSCI_VERSION): 0.1, 0.2, 1.0 or 1.1. A function is read
   * on every call, so a VMM may still change the register before the first run; 0.1 and 0.2+
   * never swap (the PSCI_0_2 vCPU feature decides which family a VM has).
   */
  readonly version: PsciVersionWord | (() => PsciVersionWord);
  readonly power: PsciPowerModel;
  /** SMCCC_VERSION exists (SMCCC >= 1.1): PSCI_FEATURES(SMCCC_VERSION) then answers 0. */
  readonly smcccVersionImplemented: boolean;
  /** SYSTEM_SUSPEND offered (KVM: only with KVM_CAP_ARM_SYSTEM_SUSPEND enabled). */
  readonly systemSuspend: boolean;
  /**
   * Checks an entry point (CPU_ON, SYSTEM_SUSPEND). TF-A refuses addresses outside non-secure
   * memory with INVALID_ADDRESS; KVM checks nothing (leave undefined).
   */
  readonly isValidEntry?: (pc: bigint) => boolean;
}

/** Whether `v` is a PSCI version this model implements (0.1, 0.2, 1.0, 1.1). */
export function isKnownPsciVersion(v: number): boolean {
  return (
    v === PSCI_VERSION_0_1 ||
    v === PSCI_VERSION_0_2 ||
    v === PSCI_VERSION_1_0 ||
    v === PSCI_VERSION_1_1
  );
}

/** `lowest_affinity_level` → the MPIDR bits compared (Linux `psci_affinity_mask`); 0 = invalid. */
export function psciAffinityMask(level: number): bigint {
  if (level < 0 || level > 3) return 0n;
  const shifts = [0n, 8n, 16n, 32n] as const;
  return MPIDR_HWID_BITMASK & ~((1n << (shifts[level] ?? 0n)) - 1n);
}

function arg(call: SmcccCall, n: number): bigint {
  return call.args[n - 1] ?? 0n;
}

export function createPsciService(cfg: PsciServiceConfig): SmcccService {
  const versionNow = typeof cfg.version === "function" ? cfg.version : () => cfg.version as number;
  const initial = versionNow();
  if (!isKnownPsciVersion(initial)) {
    throw new Error(
      `PSCI version 0x${initial.toString(16)} is not one hvsim implements: use 0.1, 0.2, 1.0 or 1.1`,
    );
  }
  const legacyFamily = initial === PSCI_VERSION_0_1;
  const power = cfg.power;
  const entryOk = (pc: bigint) => cfg.isValidEntry === undefined || cfg.isValidEntry(pc);

  function cpuOn(call: SmcccCall, legacy: boolean): SmcccOutcome {
    const target = arg(call, 1);
    if ((target & ~MPIDR_HWID_BITMASK) !== 0n) return returns(PSCI_RET_INVALID_PARAMS);
    const index = power.findByMpidr(target);
    if (index === undefined) return returns(PSCI_RET_INVALID_PARAMS);
    switch (power.power(index)) {
      case "on":
        // KVM: PSCI 0.1 had no ALREADY_ON and reports INVALID_PARAMETERS instead.
        return returns(legacy ? PSCI_RET_INVALID_PARAMS : PSCI_RET_ALREADY_ON);
      case "on-pending":
        return returns(legacy ? PSCI_RET_INVALID_PARAMS : PSCI_RET_ON_PENDING);
      case "off":
        break;
    }
    const pc = arg(call, 2);
    if (!entryOk(pc)) return returns(PSCI_RET_INVALID_ADDRESS);
    // PSCI 0.1 has no context id: KVM starts the target with X0 = 0.
    power.markPending(index, { pc, contextId: legacy ? 0n : arg(call, 3) });
    return returns(PSCI_RET_SUCCESS);
  }

  function affinityInfo(call: SmcccCall): SmcccOutcome {
    const target = arg(call, 1);
    const level = Number(BigInt.asUintN(32, arg(call, 2)));
    if ((target & ~MPIDR_HWID_BITMASK) !== 0n) return returns(PSCI_RET_INVALID_PARAMS);
    const mask = psciAffinityMask(level);
    if (mask === 0n) return returns(PSCI_RET_INVALID_PARAMS);
    let pending = false;
    for (let i = 0; i < power.count; i++) {
      if ((power.mpidr(i) & mask) !== (target & mask)) continue;
      const p = power.power(i);
      if (p === "on") return returns(PSCI_AFFINITY_ON);
      if (p === "on-pending") pending = true;
    }
    return returns(pending ? PSCI_AFFINITY_ON_PENDING : PSCI_AFFINITY_OFF);
  }

  function implemented(name: PsciFunctionName): boolean {
    const v = versionNow();
    switch (name) {
      case "PSCI_VERSION":
      case "CPU_SUSPEND":
      case "CPU_OFF":
      case "CPU_ON":
      case "AFFINITY_INFO":
      case "MIGRATE_INFO_TYPE":
      case "SYSTEM_OFF":
      case "SYSTEM_RESET":
        return v >= PSCI_VERSION_0_2;
      case "PSCI_FEATURES":
        return v >= PSCI_VERSION_1_0;
      case "SYSTEM_SUSPEND":
        return v >= PSCI_VERSION_1_0 && cfg.systemSuspend;
      case "SYSTEM_RESET2":
        return v >= PSCI_VERSION_1_1;
      default:
        // MIGRATE, MIGRATE_INFO_UP_CPU (no Trusted OS to migrate), CPU_FREEZE,
        // CPU_DEFAULT_SUSPEND, NODE_HW_STATE, SET_SUSPEND_MODE, STAT_*, MEM_PROTECT*, SYSTEM_OFF2:
        // not implemented, as in KVM.
        return false;
    }
  }

  function features(fid: number): number {
    if (fid >>> 0 === SMCCC_VERSION_FUNC_ID) {
      return cfg.smcccVersionImplemented ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
    }
    const f = psciFunctionById(fid);
    if (f === undefined) return PSCI_RET_NOT_SUPPORTED;
    // Features of CPU_SUSPEND: bit 1 = extended StateID, bit 0 = OS-initiated mode. KVM offers
    // neither (original format, platform-coordinated), so 0, like every other implemented call.
    return implemented(f.fn.name) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
  }

  function handleStandard(call: SmcccCall): SmcccOutcome {
    if (legacyFamily) return returns(PSCI_RET_NOT_SUPPORTED);
    const v = versionNow();
    const found = psciFunctionById(call.functionId);
    if (found === undefined || !implemented(found.fn.name)) return returns(PSCI_RET_NOT_SUPPORTED);
    switch (found.fn.name) {
      case "PSCI_VERSION":
        return returns(v);
      case "CPU_SUSPEND":
        // KVM treats every CPU_SUSPEND as a standby (WFI) that returns SUCCESS on wake-up; PSCI
        // lets an implementation downgrade a power-down request this way.
        return returns(PSCI_RET_SUCCESS);
      case "CPU_OFF":
        power.powerOff(call.vcpu);
        return { kind: "cpu-off" };
      case "CPU_ON":
        return cpuOn(call, false);
      case "AFFINITY_INFO":
        return affinityInfo(call);
      case "MIGRATE_INFO_TYPE":
        return returns(PSCI_TOS_NOT_PRESENT_MP);
      case "SYSTEM_OFF":
        return { kind: "system-event", event: { type: "shutdown" } };
      case "SYSTEM_RESET":
        return { kind: "system-event", event: { type: "reset" } };
      case "PSCI_FEATURES":
        return returns(features(Number(BigInt.asUintN(32, arg(call, 1)))));
      case "SYSTEM_SUSPEND": {
        for (let i = 0; i < power.count; i++) {
          if (i !== call.vcpu && power.power(i) !== "off") return returns(PSCI_RET_DENIED);
        }
        const entry = arg(call, 1);
        if (!entryOk(entry)) return returns(PSCI_RET_INVALID_ADDRESS);
        return {
          kind: "system-event",
          event: { type: "suspend", entry, contextId: arg(call, 2) },
        };
      }
      case "SYSTEM_RESET2": {
        const type = Number(BigInt.asUintN(32, arg(call, 1)));
        if (type === PSCI_RESET2_TYPE_SYSTEM_WARM_RESET) {
          return { kind: "system-event", event: { type: "warm-reset" } };
        }
        if (type >= PSCI_RESET2_TYPE_VENDOR) {
          return {
            kind: "system-event",
            event: { type: "vendor-reset", resetType: type, cookie: arg(call, 2) },
          };
        }
        return returns(PSCI_RET_INVALID_PARAMS);
      }
      default:
        return returns(PSCI_RET_NOT_SUPPORTED);
    }
  }

  function handleLegacy(call: SmcccCall): SmcccOutcome {
    switch (call.functionId >>> 0) {
      case KVM_PSCI_0_1_IDS.cpu_off:
        power.powerOff(call.vcpu);
        return { kind: "cpu-off" };
      case KVM_PSCI_0_1_IDS.cpu_on:
        return cpuOn(call, true);
      default:
        // KVM's PSCI 0.1 implements CPU_ON and CPU_OFF only.
        return returns(PSCI_RET_NOT_SUPPORTED);
    }
  }

  return {
    name: PSCI_SERVICE_NAME,
    ranges: [{ owner: OEN_STANDARD, conventions: ["smc32", "smc64"], first: 0x00, last: 0x1f }],
    ...(legacyFamily ? { legacyIds: Object.values(KVM_PSCI_0_1_IDS) } : {}),
    handle(call: SmcccCall): SmcccOutcome {
      const legacy =
        legacyFamily &&
        (Object.values(KVM_PSCI_0_1_IDS) as number[]).includes(call.functionId >>> 0);
      return legacy ? handleLegacy(call) : handleStandard(call);
    },
  };
}
