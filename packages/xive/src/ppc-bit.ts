// IBM (MSB-0) bit numbering helpers for the 32-bit XIVE structure words (EAS halves, END and NVT
// words, TIMA WORD2). The hardware documents every field as PPC_BITMASK32(first, last), bit 0
// being the most significant; these helpers keep that spelling in the tables of this package.

/** PPC_BIT32(n) = 1 << (31 - n). */
export function ppcBit32(n: number): number {
  return (1 << (31 - n)) >>> 0;
}

/** PPC_BITMASK32(first, last): bits first..last inclusive, IBM numbering. */
export function ppcBitmask32(first: number, last: number): number {
  const width = last - first + 1;
  const ones = width === 32 ? 0xffffffff : (1 << width) - 1;
  return (ones << (31 - last)) >>> 0;
}

function shiftOf(mask: number): number {
  if (mask === 0) throw new Error("ppc-bit: empty field mask");
  return 31 - Math.clz32(mask & -mask);
}

/** Extract a field given its mask (xive_get_field32). */
export function getField32(mask: number, word: number): number {
  return ((word & mask) >>> 0) >>> shiftOf(mask);
}

/** Replace a field given its mask (xive_set_field32). */
export function setField32(mask: number, word: number, value: number): number {
  return ((word & ~mask) | ((value << shiftOf(mask)) & mask)) >>> 0;
}
