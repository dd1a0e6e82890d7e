// SMCCC function identifiers (Arm DEN0028, "SMC Calling Convention", §2.5).
//
//   bit  31     Type: 1 = Fast call (atomic), 0 = Yielding call (pre-emptible)
//   bit  30     Calling convention: 0 = SMC32/HVC32, 1 = SMC64/HVC64
//   bits 29:24  Owning Entity Number (OEN)
//   bits 23:17  reserved; must be zero in a fast call (TF-A `is_valid_fast_smc`)
//   bit  16     SVE live-state hint (SMCCC v1.3): "no live SVE state" (a hint the callee may
//               use to skip saving Z/P registers; it is not part of the function's identity)
//   bits 15:0   Function number
//
// A function id travels in W0: the upper 32 bits of X0 are ignored by the callee.

/** Fast (atomic) or yielding (pre-emptible) call: bit 31. */
export type SmcccCallType = "fast" | "yielding";
/** SMC32/HVC32 or SMC64/HVC64: bit 30. */
export type SmcccConvention = "smc32" | "smc64";

export const SMCCC_TYPE_SHIFT = 31;
export const SMCCC_CONVENTION_SHIFT = 30;
export const SMCCC_OEN_SHIFT = 24;
export const SMCCC_OEN_MASK = 0x3f;
export const SMCCC_RESERVED_MASK = 0x00fe0000;
export const SMCCC_SVE_HINT = 0x00010000;
export const SMCCC_FUNC_MASK = 0xffff;

/** The fields of a function id. `reserved` is bits 23:17 as they were, shifted down. */
export interface SmcccFunctionFields {
  readonly type: SmcccCallType;
  readonly convention: SmcccConvention;
  /** Owning Entity Number, 0..63. */
  readonly owner: number;
  /** Function number, 0..0xFFFF. */
  readonly number: number;
  readonly sveHint: boolean;
  /** Bits 23:17, shifted to bit 0 (0..0x7F). Zero in every well-formed fast call. */
  readonly reserved: number;
}

/** What an id is made of; `sveHint` and `reserved` default to false/0. */
export interface SmcccFunctionSpec {
  readonly type: SmcccCallType;
  readonly convention: SmcccConvention;
  readonly owner: number;
  readonly number: number;
  readonly sveHint?: boolean;
  readonly reserved?: number;
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(
      `SMCCC ${name} ${value} is out of range: it must be an integer from 0 to ${max}`,
    );
  }
}

/** Builds a 32-bit function id (an unsigned number) from its fields (`ARM_SMCCC_CALL_VAL`). */
export function encodeFunctionId(spec: SmcccFunctionSpec): number {
  checkField("owner", spec.owner, SMCCC_OEN_MASK);
  checkField("function number", spec.number, SMCCC_FUNC_MASK);
  const reserved = spec.reserved ?? 0;
  checkField("reserved field", reserved, 0x7f);
  const id =
    (spec.type === "fast" ? 1 << SMCCC_TYPE_SHIFT : 0) |
    (spec.convention === "smc64" ? 1 << SMCCC_CONVENTION_SHIFT : 0) |
    (spec.owner << SMCCC_OEN_SHIFT) |
    (reserved << 17) |
    (spec.sveHint === true ? SMCCC_SVE_HINT : 0) |
    spec.number;
  return id >>> 0;
}

/** Splits a function id (only its low 32 bits count, as in W0) into its fields. */
export function decodeFunctionId(id: number | bigint): SmcccFunctionFields {
  const w0 = typeof id === "bigint" ? Number(BigInt.asUintN(32, id)) : id >>> 0;
  return {
    type: (w0 >>> SMCCC_TYPE_SHIFT) & 1 ? "fast" : "yielding",
    convention: (w0 >>> SMCCC_CONVENTION_SHIFT) & 1 ? "smc64" : "smc32",
    owner: (w0 >>> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK,
    number: w0 & SMCCC_FUNC_MASK,
    sveHint: (w0 & SMCCC_SVE_HINT) !== 0,
    reserved: (w0 & SMCCC_RESERVED_MASK) >>> 17,
  };
}

/**
 * The id a service is looked up by: the SVE hint cleared (it says something about the caller's
 * state, not which function is meant; SMCCC v1.3 §2.5.1). Everything else is kept.
 */
export function canonicalFunctionId(id: number | bigint): number {
  const w0 = typeof id === "bigint" ? Number(BigInt.asUintN(32, id)) : id >>> 0;
  return (w0 & ~SMCCC_SVE_HINT) >>> 0;
}

/** A fast call whose reserved bits 23:17 are zero (TF-A `is_valid_fast_smc`). */
export function isWellFormedFastCall(id: number | bigint): boolean {
  const f = decodeFunctionId(id);
  return f.type === "fast" && f.reserved === 0;
}

/** `0x84000000`-style rendering used in messages and traces. */
export function formatFunctionId(id: number | bigint): string {
  const w0 = typeof id === "bigint" ? Number(BigInt.asUintN(32, id)) : id >>> 0;
  return `0x${w0.toString(16).toUpperCase().padStart(8, "0")}`;
}

/** A fast-call id: the common case (`ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ...)`). */
export function fastCallId(convention: SmcccConvention, owner: number, number: number): number {
  return encodeFunctionId({ type: "fast", convention, owner, number });
}
