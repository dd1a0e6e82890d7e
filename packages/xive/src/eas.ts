// Event Assignment Structure (EAS, formerly IVE): one 64-bit entry per LISN telling the router
// which END receives the source's events and with which data (the EISN the OS sees in its
// queue). Kept as two 32-bit words, w0 = bits 0-31 and w1 = bits 32-63 (IBM numbering).
//
//   bit 0      VALID
//   bits 4-7   END block
//   bits 8-31  END index
//   bit 32     MASKED        (w1 bit 0)
//   bits 33-63 END data      (w1 bits 1-31)
import { ppcBit32, ppcBitmask32 } from "./ppc-bit";

export const EAS_W0_VALID = ppcBit32(0);
export const EAS_W0_END_BLOCK = ppcBitmask32(4, 7);
export const EAS_W0_END_INDEX = ppcBitmask32(8, 31);
export const EAS_W1_MASKED = ppcBit32(0);
export const EAS_W1_END_DATA = ppcBitmask32(1, 31);

/** The whole EAS as the 64-bit value QEMU migrates (`eat[]` u64). */
export function easToU64(w0: number, w1: number): bigint {
  return (BigInt(w0 >>> 0) << 32n) | BigInt(w1 >>> 0);
}

export function easFromU64(value: bigint): { w0: number; w1: number } {
  return { w0: Number((value >> 32n) & 0xffffffffn), w1: Number(value & 0xffffffffn) };
}
