// PAPR hcall return codes (the value an hcall leaves in r3).
//
// Sources: Linux arch/powerpc/include/asm/hvcall.h (the full list, including the nested-v2
// codes -79..-87 added by "KVM: PPC: Add support for nestedv2 guests") and QEMU
// include/hw/ppc/spapr.h (a subset; `inQemu` marks it). Positive values are "partial success"
// conditions, negative values are errors, 9900..9905 is the long-busy range.

/** How one return code is described. The table below is append-only. */
export interface ReturnCodeInfo {
  readonly name: string;
  readonly value: number;
  /** Other spellings of the same code (QEMU's `H_RESCINDEND`, range markers). */
  readonly aliases: readonly string[];
  /** QEMU spapr.h defines it too. */
  readonly inQemu: boolean;
  readonly description: string;
}

export const H_SUCCESS = 0;
export const H_BUSY = 1;
export const H_CLOSED = 2;
export const H_NOT_AVAILABLE = 3;
export const H_CONSTRAINED = 4;
export const H_PARTIAL = 5;
export const H_IN_PROGRESS = 14;
export const H_PAGE_REGISTERED = 15;
export const H_PARTIAL_STORE = 16;
export const H_PENDING = 17;
export const H_CONTINUE = 18;
export const H_LONG_BUSY_START_RANGE = 9900;
export const H_LONG_BUSY_ORDER_1_MSEC = 9900;
export const H_LONG_BUSY_ORDER_10_MSEC = 9901;
export const H_LONG_BUSY_ORDER_100_MSEC = 9902;
export const H_LONG_BUSY_ORDER_1_SEC = 9903;
export const H_LONG_BUSY_ORDER_10_SEC = 9904;
export const H_LONG_BUSY_ORDER_100_SEC = 9905;
export const H_LONG_BUSY_END_RANGE = 9905;
/** KVM-internal: "let userspace do it". Never returned to a guest. */
export const H_TOO_HARD = 9999;
export const H_HARDWARE = -1;
export const H_FUNCTION = -2;
export const H_PRIVILEGE = -3;
export const H_PARAMETER = -4;
export const H_BAD_MODE = -5;
export const H_PTEG_FULL = -6;
export const H_NOT_FOUND = -7;
export const H_RESERVED_DABR = -8;
export const H_NO_MEM = -9;
export const H_AUTHORITY = -10;
export const H_PERMISSION = -11;
export const H_DROPPED = -12;
export const H_SOURCE_PARM = -13;
export const H_DEST_PARM = -14;
export const H_REMOTE_PARM = -15;
export const H_RESOURCE = -16;
export const H_ADAPTER_PARM = -17;
export const H_RH_PARM = -18;
export const H_RCQ_PARM = -19;
export const H_SCQ_PARM = -20;
export const H_EQ_PARM = -21;
export const H_RT_PARM = -22;
export const H_ST_PARM = -23;
export const H_SIGT_PARM = -24;
export const H_TOKEN_PARM = -25;
export const H_MLENGTH_PARM = -27;
export const H_MEM_PARM = -28;
export const H_MEM_ACCESS_PARM = -29;
export const H_ATTR_PARM = -30;
export const H_PORT_PARM = -31;
export const H_MCG_PARM = -32;
export const H_VL_PARM = -33;
export const H_TSIZE_PARM = -34;
export const H_TRACE_PARM = -35;
export const H_MASK_PARM = -37;
export const H_MCG_FULL = -38;
export const H_ALIAS_EXIST = -39;
export const H_P_COUNTER = -40;
export const H_TABLE_FULL = -41;
export const H_ALT_TABLE = -42;
export const H_MR_CONDITION = -43;
export const H_NOT_ENOUGH_RESOURCES = -44;
export const H_R_STATE = -45;
export const H_RESCINDED = -46;
export const H_ABORTED = -54;
export const H_P2 = -55;
export const H_P3 = -56;
export const H_P4 = -57;
export const H_P5 = -58;
export const H_P6 = -59;
export const H_P7 = -60;
export const H_P8 = -61;
export const H_P9 = -62;
export const H_NOOP = -63;
export const H_TOO_BIG = -64;
export const H_UNSUPPORTED = -67;
export const H_OVERLAP = -68;
export const H_INTERRUPT = -69;
export const H_BAD_DATA = -70;
export const H_NOT_ACTIVE = -71;
export const H_SG_LIST = -72;
export const H_OP_MODE = -73;
export const H_COP_HW = -74;
export const H_STATE = -75;
export const H_IN_USE = -77;
export const H_INVALID_ELEMENT_ID = -79;
export const H_INVALID_ELEMENT_SIZE = -80;
export const H_INVALID_ELEMENT_VALUE = -81;
export const H_INPUT_BUFFER_NOT_DEFINED = -82;
export const H_INPUT_BUFFER_TOO_SMALL = -83;
export const H_OUTPUT_BUFFER_NOT_DEFINED = -84;
export const H_OUTPUT_BUFFER_TOO_SMALL = -85;
export const H_PARTITION_PAGE_TABLE_NOT_DEFINED = -86;
export const H_GUEST_VCPU_STATE_NOT_HV_OWNED = -87;
/** First of the "unsupported flag" codes: -256 - n names flag bit n (IBM numbering). */
export const H_UNSUPPORTED_FLAG_START = -256;
export const H_UNSUPPORTED_FLAG_END = -511;
/** QEMU's name for the first code of the range. */
export const H_UNSUPPORTED_FLAG = -256;
export const H_MULTI_THREADS_ACTIVE = -9005;
export const H_OUTSTANDING_COP_OPS = -9006;

function rc(
  name: string,
  value: number,
  inQemu: boolean,
  description: string,
  aliases: readonly string[] = [],
): ReturnCodeInfo {
  return { name, value, aliases, inQemu, description };
}

/** Every return code, in value order as the headers list them. Append-only. */
export const RETURN_CODES: readonly ReturnCodeInfo[] = [
  rc("H_SUCCESS", H_SUCCESS, true, "success"),
  rc("H_BUSY", H_BUSY, true, "hardware busy, retry later"),
  rc("H_CLOSED", H_CLOSED, true, "resource closed"),
  rc("H_NOT_AVAILABLE", H_NOT_AVAILABLE, true, "not available (e.g. no partition table)"),
  rc("H_CONSTRAINED", H_CONSTRAINED, true, "request constrained to the maximum allowed"),
  rc("H_PARTIAL", H_PARTIAL, true, "partial success"),
  rc("H_IN_PROGRESS", H_IN_PROGRESS, true, "in progress (kind of like busy)"),
  rc("H_PAGE_REGISTERED", H_PAGE_REGISTERED, true, "page registered"),
  rc("H_PARTIAL_STORE", H_PARTIAL_STORE, true, "partial store"),
  rc("H_PENDING", H_PENDING, true, "pending (H_POLL_PENDING)"),
  rc("H_CONTINUE", H_CONTINUE, true, "continue (H_JOIN success)"),
  rc("H_LONG_BUSY_ORDER_1_MSEC", 9900, true, "long busy, retry in about 1 ms", [
    "H_LONG_BUSY_START_RANGE",
  ]),
  rc("H_LONG_BUSY_ORDER_10_MSEC", 9901, true, "long busy, retry in about 10 ms"),
  rc("H_LONG_BUSY_ORDER_100_MSEC", 9902, true, "long busy, retry in about 100 ms"),
  rc("H_LONG_BUSY_ORDER_1_SEC", 9903, true, "long busy, retry in about 1 s"),
  rc("H_LONG_BUSY_ORDER_10_SEC", 9904, true, "long busy, retry in about 10 s"),
  rc("H_LONG_BUSY_ORDER_100_SEC", 9905, true, "long busy, retry in about 100 s", [
    "H_LONG_BUSY_END_RANGE",
  ]),
  rc("H_TOO_HARD", H_TOO_HARD, false, "KVM-internal: handled in userspace; never seen by a guest"),
  rc("H_HARDWARE", H_HARDWARE, true, "hardware error"),
  rc("H_FUNCTION", H_FUNCTION, true, "function not supported"),
  rc("H_PRIVILEGE", H_PRIVILEGE, true, "caller not privileged"),
  rc("H_PARAMETER", H_PARAMETER, true, "parameter invalid, out of range or conflicting"),
  rc("H_BAD_MODE", H_BAD_MODE, true, "illegal MSR value"),
  rc("H_PTEG_FULL", H_PTEG_FULL, true, "PTEG is full"),
  rc("H_NOT_FOUND", H_NOT_FOUND, true, "not found"),
  rc("H_RESERVED_DABR", H_RESERVED_DABR, true, "DABR address reserved by the hypervisor"),
  rc("H_NO_MEM", H_NO_MEM, true, "out of memory"),
  rc("H_AUTHORITY", H_AUTHORITY, true, "no authority"),
  rc("H_PERMISSION", H_PERMISSION, true, "permission denied"),
  rc("H_DROPPED", H_DROPPED, true, "dropped"),
  rc("H_SOURCE_PARM", H_SOURCE_PARM, true, "bad source parameter"),
  rc("H_DEST_PARM", H_DEST_PARM, true, "bad destination parameter"),
  rc("H_REMOTE_PARM", H_REMOTE_PARM, true, "bad remote parameter"),
  rc("H_RESOURCE", H_RESOURCE, true, "resource problem"),
  rc("H_ADAPTER_PARM", H_ADAPTER_PARM, true, "bad adapter parameter"),
  rc("H_RH_PARM", H_RH_PARM, true, "bad resource handle parameter"),
  rc("H_RCQ_PARM", H_RCQ_PARM, true, "bad receive completion queue parameter"),
  rc("H_SCQ_PARM", H_SCQ_PARM, true, "bad send completion queue parameter"),
  rc("H_EQ_PARM", H_EQ_PARM, true, "bad event queue parameter"),
  rc("H_RT_PARM", H_RT_PARM, true, "bad RT parameter"),
  rc("H_ST_PARM", H_ST_PARM, true, "bad ST parameter"),
  rc("H_SIGT_PARM", H_SIGT_PARM, true, "bad SIGT parameter"),
  rc("H_TOKEN_PARM", H_TOKEN_PARM, true, "bad token parameter"),
  rc("H_MLENGTH_PARM", H_MLENGTH_PARM, true, "bad length parameter"),
  rc("H_MEM_PARM", H_MEM_PARM, true, "bad memory parameter"),
  rc("H_MEM_ACCESS_PARM", H_MEM_ACCESS_PARM, true, "bad memory access parameter"),
  rc("H_ATTR_PARM", H_ATTR_PARM, true, "bad attribute parameter"),
  rc("H_PORT_PARM", H_PORT_PARM, true, "bad port parameter"),
  rc("H_MCG_PARM", H_MCG_PARM, true, "bad multicast group parameter"),
  rc("H_VL_PARM", H_VL_PARM, true, "bad VL parameter"),
  rc("H_TSIZE_PARM", H_TSIZE_PARM, true, "bad size parameter"),
  rc("H_TRACE_PARM", H_TRACE_PARM, true, "bad trace parameter"),
  rc("H_MASK_PARM", H_MASK_PARM, true, "bad mask parameter"),
  rc("H_MCG_FULL", H_MCG_FULL, true, "multicast group full"),
  rc("H_ALIAS_EXIST", H_ALIAS_EXIST, true, "alias exists"),
  rc("H_P_COUNTER", H_P_COUNTER, true, "bad P counter"),
  rc("H_TABLE_FULL", H_TABLE_FULL, true, "table full"),
  rc("H_ALT_TABLE", H_ALT_TABLE, true, "alternate table"),
  rc("H_MR_CONDITION", H_MR_CONDITION, true, "memory region condition"),
  rc("H_NOT_ENOUGH_RESOURCES", H_NOT_ENOUGH_RESOURCES, true, "not enough resources"),
  rc("H_R_STATE", H_R_STATE, true, "bad resource state"),
  rc("H_RESCINDED", H_RESCINDED, true, "rescinded", ["H_RESCINDEND"]),
  rc("H_ABORTED", H_ABORTED, false, "aborted"),
  rc("H_P2", H_P2, true, "parameter 2 (r5) invalid"),
  rc("H_P3", H_P3, true, "parameter 3 (r6) invalid"),
  rc("H_P4", H_P4, true, "parameter 4 (r7) invalid"),
  rc("H_P5", H_P5, true, "parameter 5 (r8) invalid"),
  rc("H_P6", H_P6, true, "parameter 6 (r9) invalid"),
  rc("H_P7", H_P7, true, "parameter 7 (r10) invalid"),
  rc("H_P8", H_P8, true, "parameter 8 (r11) invalid"),
  rc("H_P9", H_P9, true, "parameter 9 (r12) invalid"),
  rc("H_NOOP", H_NOOP, true, "no operation performed"),
  rc("H_TOO_BIG", H_TOO_BIG, false, "too big"),
  rc("H_UNSUPPORTED", H_UNSUPPORTED, true, "unsupported (e.g. H_RPT_INVALIDATE from a hash guest)"),
  rc("H_OVERLAP", H_OVERLAP, true, "overlap"),
  rc("H_INTERRUPT", H_INTERRUPT, false, "interrupted"),
  rc("H_BAD_DATA", H_BAD_DATA, false, "bad data"),
  rc("H_NOT_ACTIVE", H_NOT_ACTIVE, false, "not active"),
  rc("H_SG_LIST", H_SG_LIST, false, "bad scatter/gather list"),
  rc("H_OP_MODE", H_OP_MODE, false, "bad operation mode"),
  rc("H_COP_HW", H_COP_HW, false, "coprocessor hardware error"),
  rc("H_STATE", H_STATE, true, "wrong state for this call"),
  rc("H_IN_USE", H_IN_USE, true, "in use"),
  rc(
    "H_INVALID_ELEMENT_ID",
    H_INVALID_ELEMENT_ID,
    false,
    "nested-v2: unknown guest state element id",
  ),
  rc("H_INVALID_ELEMENT_SIZE", H_INVALID_ELEMENT_SIZE, false, "nested-v2: bad element size"),
  rc("H_INVALID_ELEMENT_VALUE", H_INVALID_ELEMENT_VALUE, true, "nested-v2: bad element value"),
  rc("H_INPUT_BUFFER_NOT_DEFINED", H_INPUT_BUFFER_NOT_DEFINED, false, "nested-v2: no input buffer"),
  rc(
    "H_INPUT_BUFFER_TOO_SMALL",
    H_INPUT_BUFFER_TOO_SMALL,
    false,
    "nested-v2: input buffer too small",
  ),
  rc(
    "H_OUTPUT_BUFFER_NOT_DEFINED",
    H_OUTPUT_BUFFER_NOT_DEFINED,
    false,
    "nested-v2: no output buffer",
  ),
  rc(
    "H_OUTPUT_BUFFER_TOO_SMALL",
    H_OUTPUT_BUFFER_TOO_SMALL,
    false,
    "nested-v2: output buffer too small",
  ),
  rc(
    "H_PARTITION_PAGE_TABLE_NOT_DEFINED",
    H_PARTITION_PAGE_TABLE_NOT_DEFINED,
    false,
    "nested-v2: no partition-scoped page table",
  ),
  rc(
    "H_GUEST_VCPU_STATE_NOT_HV_OWNED",
    H_GUEST_VCPU_STATE_NOT_HV_OWNED,
    false,
    "nested-v2: vCPU state not owned by the hypervisor",
  ),
  rc("H_UNSUPPORTED_FLAG_START", -256, true, "unsupported flag (IBM bit 0 of the flags)", [
    "H_UNSUPPORTED_FLAG",
  ]),
  rc("H_UNSUPPORTED_FLAG_END", -511, false, "unsupported flag (IBM bit 255; end of range)"),
  rc("H_MULTI_THREADS_ACTIVE", H_MULTI_THREADS_ACTIVE, true, "other threads active"),
  rc("H_OUTSTANDING_COP_OPS", H_OUTSTANDING_COP_OPS, false, "coprocessor operations outstanding"),
];

const byValue = new Map<number, ReturnCodeInfo>();
const byName = new Map<string, ReturnCodeInfo>();
for (const info of RETURN_CODES) {
  if (byValue.has(info.value)) throw new Error(`duplicate return code ${info.value}`);
  byValue.set(info.value, info);
  for (const n of [info.name, ...info.aliases]) {
    if (byName.has(n)) throw new Error(`duplicate return code name ${n}`);
    byName.set(n, info);
  }
}

/** H_IS_LONG_BUSY: 9900 ≤ rc ≤ 9905. */
export function isLongBusy(code: number): boolean {
  return code >= H_LONG_BUSY_START_RANGE && code <= H_LONG_BUSY_END_RANGE;
}

/** The retry hint (milliseconds) Linux derives from a long-busy code (get_longbusy_msecs). */
export function longBusyMsecs(code: number): number {
  switch (code) {
    case H_LONG_BUSY_ORDER_10_MSEC:
      return 10;
    case H_LONG_BUSY_ORDER_100_MSEC:
      return 100;
    case H_LONG_BUSY_ORDER_1_SEC:
      return 1000;
    case H_LONG_BUSY_ORDER_10_SEC:
      return 10000;
    case H_LONG_BUSY_ORDER_100_SEC:
      return 100000;
    default:
      return 1;
  }
}

/** True inside the H_UNSUPPORTED_FLAG range (-256 … -511). */
export function isUnsupportedFlag(code: number): boolean {
  return code <= H_UNSUPPORTED_FLAG_START && code >= H_UNSUPPORTED_FLAG_END;
}

/**
 * The return code with this value. Values inside the unsupported-flag range that have no row
 * of their own are described as `H_UNSUPPORTED_FLAG_START - n` (flag bit n).
 */
export function returnCodeByValue(value: number): ReturnCodeInfo | undefined {
  const hit = byValue.get(value);
  if (hit !== undefined) return hit;
  if (isUnsupportedFlag(value)) {
    const bit = H_UNSUPPORTED_FLAG_START - value;
    return {
      name: `H_UNSUPPORTED_FLAG_START - ${bit}`,
      value,
      aliases: [],
      inQemu: false,
      description: `unsupported flag (IBM bit ${bit} of the flags)`,
    };
  }
  return undefined;
}

/** The return code with this name (or alias), case-insensitive. */
export function returnCodeByName(name: string): ReturnCodeInfo | undefined {
  return byName.get(name.toUpperCase());
}

/** `H_PARAMETER` for -4; the number as text when the code is unknown. */
export function returnCodeName(value: number): string {
  return returnCodeByValue(value)?.name ?? String(value);
}
