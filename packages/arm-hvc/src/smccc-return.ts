// SMCCC return codes (DEN0028 §7.1; Linux include/linux/arm-smccc.h; TF-A smccc.h). Returned in
// W0/X0 as a signed value; callers compare the low 32 bits for SMC32 functions.

export const SMCCC_RET_SUCCESS = 0;
export const SMCCC_RET_NOT_SUPPORTED = -1;
export const SMCCC_RET_NOT_REQUIRED = -2;
export const SMCCC_RET_INVALID_PARAMETER = -3;
/** TF-A's name for an unknown function id: the same value as NOT_SUPPORTED (`SMC_UNK`). */
export const SMC_UNK = -1;

/** SMCCC_ARCH_FEATURES(WORKAROUND_1/3): "this CPU is unaffected, do not call". */
export const SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED = 1;

/** Sign-extends a 32-bit W register value to a JS number (W0 = 0xFFFFFFFF reads as -1). */
export function w32Signed(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

/** The unsigned low 32 bits of an X register (a W register read). */
export function w32(x: bigint): number {
  return Number(BigInt.asUintN(32, x));
}

/** A signed return code as the 64-bit register value the callee writes (-1 → 0xFFFF…FFFF). */
export function retToX(code: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(code));
}
