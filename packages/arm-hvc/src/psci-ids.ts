// PSCI function ids and return codes (Arm DEN0022; Linux include/uapi/linux/psci.h; KVM's
// pre-standard PSCI 0.1 ids from arch/arm/include/uapi/asm/kvm.h).
import { fastCallId } from "./smccc-id";
import { OEN_STANDARD } from "./smccc-owners";

export type PsciFunctionName =
  | "PSCI_VERSION"
  | "CPU_SUSPEND"
  | "CPU_OFF"
  | "CPU_ON"
  | "AFFINITY_INFO"
  | "MIGRATE"
  | "MIGRATE_INFO_TYPE"
  | "MIGRATE_INFO_UP_CPU"
  | "SYSTEM_OFF"
  | "SYSTEM_RESET"
  | "PSCI_FEATURES"
  | "CPU_FREEZE"
  | "CPU_DEFAULT_SUSPEND"
  | "NODE_HW_STATE"
  | "SYSTEM_SUSPEND"
  | "PSCI_SET_SUSPEND_MODE"
  | "PSCI_STAT_RESIDENCY"
  | "PSCI_STAT_COUNT"
  | "SYSTEM_RESET2"
  | "MEM_PROTECT"
  | "MEM_PROTECT_CHECK_RANGE"
  | "SYSTEM_OFF2";

/** A PSCI version as `major<<16 | minor` (the value PSCI_VERSION returns). */
export type PsciVersionWord = number;
export const PSCI_VERSION_0_1: PsciVersionWord = 0x00000001; // KVM_ARM_PSCI_0_1 (not a real PSCI_VERSION answer)
export const PSCI_VERSION_0_2: PsciVersionWord = 0x00000002;
export const PSCI_VERSION_1_0: PsciVersionWord = 0x00010000;
export const PSCI_VERSION_1_1: PsciVersionWord = 0x00010001;

export interface PsciFunction {
  readonly name: PsciFunctionName;
  /** Function number within the standard service, 0x00..0x1F. */
  readonly number: number;
  readonly id32: number;
  /** The SMC64 id, for functions that take a 64-bit address or MPIDR. */
  readonly id64?: number;
  /** The first PSCI version that defines it. */
  readonly since: PsciVersionWord;
}

function fn(
  name: PsciFunctionName,
  number: number,
  has64: boolean,
  since: PsciVersionWord,
): PsciFunction {
  const id32 = fastCallId("smc32", OEN_STANDARD, number);
  return has64
    ? { name, number, id32, id64: fastCallId("smc64", OEN_STANDARD, number), since }
    : { name, number, id32, since };
}

/** Every PSCI function, in function-number order. */
export const PSCI_FUNCTIONS: readonly PsciFunction[] = [
  fn("PSCI_VERSION", 0x00, false, PSCI_VERSION_0_2),
  fn("CPU_SUSPEND", 0x01, true, PSCI_VERSION_0_2),
  fn("CPU_OFF", 0x02, false, PSCI_VERSION_0_2),
  fn("CPU_ON", 0x03, true, PSCI_VERSION_0_2),
  fn("AFFINITY_INFO", 0x04, true, PSCI_VERSION_0_2),
  fn("MIGRATE", 0x05, true, PSCI_VERSION_0_2),
  fn("MIGRATE_INFO_TYPE", 0x06, false, PSCI_VERSION_0_2),
  fn("MIGRATE_INFO_UP_CPU", 0x07, true, PSCI_VERSION_0_2),
  fn("SYSTEM_OFF", 0x08, false, PSCI_VERSION_0_2),
  fn("SYSTEM_RESET", 0x09, false, PSCI_VERSION_0_2),
  fn("PSCI_FEATURES", 0x0a, false, PSCI_VERSION_1_0),
  fn("CPU_FREEZE", 0x0b, false, PSCI_VERSION_1_0),
  fn("CPU_DEFAULT_SUSPEND", 0x0c, true, PSCI_VERSION_1_0),
  fn("NODE_HW_STATE", 0x0d, true, PSCI_VERSION_1_0),
  fn("SYSTEM_SUSPEND", 0x0e, true, PSCI_VERSION_1_0),
  fn("PSCI_SET_SUSPEND_MODE", 0x0f, false, PSCI_VERSION_1_0),
  fn("PSCI_STAT_RESIDENCY", 0x10, true, PSCI_VERSION_1_0),
  fn("PSCI_STAT_COUNT", 0x11, true, PSCI_VERSION_1_0),
  fn("SYSTEM_RESET2", 0x12, true, PSCI_VERSION_1_1),
  fn("MEM_PROTECT", 0x13, false, PSCI_VERSION_1_1),
  fn("MEM_PROTECT_CHECK_RANGE", 0x14, true, PSCI_VERSION_1_1),
  // SYSTEM_OFF2 is PSCI 1.3 (beyond this model's 1.1); listed so the id table is complete.
  fn("SYSTEM_OFF2", 0x15, true, 0x00010003),
];

/** The PSCI function `id` names (32- or 64-bit form), or undefined. */
export function psciFunctionById(id: number): { fn: PsciFunction; is64: boolean } | undefined {
  const w0 = id >>> 0;
  for (const f of PSCI_FUNCTIONS) {
    if (f.id32 === w0) return { fn: f, is64: false };
    if (f.id64 === w0) return { fn: f, is64: true };
  }
  return undefined;
}

export function psciFunction(name: PsciFunctionName): PsciFunction {
  const f = PSCI_FUNCTIONS.find((p) => p.name === name);
  if (f === undefined) throw new Error(`unknown PSCI function ${name}`);
  return f;
}

// Return codes (DEN0022 §5.2.2).
export const PSCI_RET_SUCCESS = 0;
export const PSCI_RET_NOT_SUPPORTED = -1;
export const PSCI_RET_INVALID_PARAMS = -2;
export const PSCI_RET_DENIED = -3;
export const PSCI_RET_ALREADY_ON = -4;
export const PSCI_RET_ON_PENDING = -5;
export const PSCI_RET_INTERNAL_FAILURE = -6;
export const PSCI_RET_NOT_PRESENT = -7;
export const PSCI_RET_DISABLED = -8;
export const PSCI_RET_INVALID_ADDRESS = -9;

const RET_NAMES: Readonly<Record<string, string>> = {
  "0": "SUCCESS",
  "-1": "NOT_SUPPORTED",
  "-2": "INVALID_PARAMETERS",
  "-3": "DENIED",
  "-4": "ALREADY_ON",
  "-5": "ON_PENDING",
  "-6": "INTERNAL_FAILURE",
  "-7": "NOT_PRESENT",
  "-8": "DISABLED",
  "-9": "INVALID_ADDRESS",
};
export function psciReturnName(code: number): string {
  return RET_NAMES[String(code)] ?? `unknown PSCI return ${code}`;
}

// AFFINITY_INFO answers.
export const PSCI_AFFINITY_ON = 0;
export const PSCI_AFFINITY_OFF = 1;
export const PSCI_AFFINITY_ON_PENDING = 2;

// MIGRATE_INFO_TYPE answers: 2 = no Trusted OS needing migration (KVM's answer).
export const PSCI_TOS_UP_MIGRATE = 0;
export const PSCI_TOS_UP_NO_MIGRATE = 1;
export const PSCI_TOS_NOT_PRESENT_MP = 2;

/** SYSTEM_RESET2 reset_type: bit 31 = vendor-specific; architectural type 0 = warm reset. */
export const PSCI_RESET2_TYPE_VENDOR = 0x80000000;
export const PSCI_RESET2_TYPE_SYSTEM_WARM_RESET = 0;

/**
 * KVM's pre-SMCCC PSCI 0.1 ids (`KVM_PSCI_FN_BASE 0x95c1ba5e`): a guest learns them from the
 * `/psci` node's `cpu_suspend`/`cpu_off`/`cpu_on`/`migrate` properties, never from the ids'
 * shape.
 */
export const KVM_PSCI_FN_BASE = 0x95c1ba5e;
export const KVM_PSCI_0_1_IDS = {
  cpu_suspend: KVM_PSCI_FN_BASE + 0,
  cpu_off: KVM_PSCI_FN_BASE + 1,
  cpu_on: KVM_PSCI_FN_BASE + 2,
  migrate: KVM_PSCI_FN_BASE + 3,
} as const;
