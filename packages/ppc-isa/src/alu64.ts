// 64-bit integer helpers on hi/lo u32 halves (DESIGN §5: no BigInt on hot paths). Results that
// are 64-bit land in OUT[0] (high word) and OUT[1] (low word).

export const OUT = new Uint32Array(2);

/** Unsigned 64x64 -> 128 multiply. Writes the high 64 bits to OUT128[0..1], low to OUT128[2..3]. */
export const OUT128 = new Uint32Array(4);

export function mulu128(aHi: number, aLo: number, bHi: number, bLo: number): void {
  // 16-bit limbs, little-endian limb order; every partial product is < 2^32 and column sums
  // stay far below 2^53, so plain doubles are exact.
  const a0 = aLo & 0xffff,
    a1 = aLo >>> 16,
    a2 = aHi & 0xffff,
    a3 = aHi >>> 16;
  const b0 = bLo & 0xffff,
    b1 = bLo >>> 16,
    b2 = bHi & 0xffff,
    b3 = bHi >>> 16;
  let c = a0 * b0;
  const r0 = c % 65536;
  c = Math.floor(c / 65536) + a0 * b1 + a1 * b0;
  const r1 = c % 65536;
  c = Math.floor(c / 65536) + a0 * b2 + a1 * b1 + a2 * b0;
  const r2 = c % 65536;
  c = Math.floor(c / 65536) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const r3 = c % 65536;
  c = Math.floor(c / 65536) + a1 * b3 + a2 * b2 + a3 * b1;
  const r4 = c % 65536;
  c = Math.floor(c / 65536) + a2 * b3 + a3 * b2;
  const r5 = c % 65536;
  c = Math.floor(c / 65536) + a3 * b3;
  const r6 = c % 65536;
  const r7 = Math.floor(c / 65536) % 65536;
  OUT128[0] = (r7 * 65536 + r6) >>> 0;
  OUT128[1] = (r5 * 65536 + r4) >>> 0;
  OUT128[2] = (r3 * 65536 + r2) >>> 0;
  OUT128[3] = (r1 * 65536 + r0) >>> 0;
}

/** Low 64 bits of a*b (signedness does not matter) -> OUT. */
export function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  // aLo*bLo from 16-bit halves (every partial product is exact in a double and below 2^32),
  // plus the cross terms' low 32 bits into the high word. Word-sized intermediates only, so
  // V8 keeps all of it in 32-bit integer registers.
  const a0 = aLo & 0xffff,
    a1 = aLo >>> 16;
  const b0 = bLo & 0xffff,
    b1 = bLo >>> 16;
  const p01 = a0 * b1,
    p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  OUT[0] =
    (a1 * b1 +
      (p01 >>> 16) +
      (p10 >>> 16) +
      (mid >>> 16) +
      Math.imul(aHi, bLo) +
      Math.imul(aLo, bHi)) >>>
    0;
  OUT[1] = Math.imul(aLo, bLo) >>> 0;
}

/** Signed high 64 bits of a*b -> OUT. */
export function mulhs64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  mulu128(aHi, aLo, bHi, bLo);
  // signed correction: high -= (a<0 ? b : 0) + (b<0 ? a : 0)
  let hHi = OUT128[0]!,
    hLo = OUT128[1]!;
  if (aHi & 0x80000000) {
    const s = hLo - bLo;
    hLo = s >>> 0;
    hHi = (hHi - bHi - (s < 0 ? 1 : 0)) >>> 0;
  }
  if (bHi & 0x80000000) {
    const s = hLo - aLo;
    hLo = s >>> 0;
    hHi = (hHi - aHi - (s < 0 ? 1 : 0)) >>> 0;
  }
  OUT[0] = hHi;
  OUT[1] = hLo;
}

/** Rotate left 64 by n (0..63) -> OUT. */
export function rotl64(hi: number, lo: number, n: number): void {
  n &= 63;
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    OUT[0] = hi;
    OUT[1] = lo;
    return;
  }
  OUT[0] = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  OUT[1] = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}

/** Word of ones at IBM bits >= b, restricted to the high (bits 0-31) or low (32-63) word. */
function fromMb(b: number, hiWord: boolean): number {
  if (hiWord) return b >= 32 ? 0 : b === 0 ? 0xffffffff : 0xffffffff >>> b;
  return b <= 32 ? 0xffffffff : 0xffffffff >>> (b - 32);
}
/** Word of ones at IBM bits <= e, restricted to the high or low word. */
function toMe(e: number, hiWord: boolean): number {
  if (hiWord) return e >= 31 ? 0xffffffff : ~(0xffffffff >>> (e + 1)) >>> 0;
  if (e < 32) return 0;
  return e >= 63 ? 0xffffffff : ~(0xffffffff >>> (e - 31)) >>> 0;
}

/**
 * MASK(mb, me) in IBM numbering (bit 0 = MSB), wrapping when mb > me -> OUT. The helpers are
 * module functions, not closures: this runs for every 64-bit rotate, and closures allocated
 * per call showed up in the interpreter's profile.
 */
export function mask64(mb: number, me: number): void {
  // ones from bit mb to bit 63, and ones from bit 0 to bit me
  const aHi = fromMb(mb, true),
    aLo = fromMb(mb, false);
  const bHi = toMe(me, true),
    bLo = toMe(me, false);
  if (mb <= me) {
    OUT[0] = (aHi & bHi) >>> 0;
    OUT[1] = (aLo & bLo) >>> 0;
  } else {
    OUT[0] = (aHi | bHi) >>> 0;
    OUT[1] = (aLo | bLo) >>> 0;
  }
}

/** 32-bit MASK(mb+32, me+32) for the word rotates. */
export function mask32(mb: number, me: number): number {
  const a = 0xffffffff >>> mb;
  const b = me >= 31 ? 0xffffffff : ~(0xffffffff >>> (me + 1)) >>> 0;
  return (mb <= me ? a & b : a | b) >>> 0;
}

export function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

export function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

export function popcnt32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export const toBig = (hi: number, lo: number): bigint =>
  (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

export function fromBig(v: bigint): void {
  const u = BigInt.asUintN(64, v);
  OUT[0] = Number(u >> 32n);
  OUT[1] = Number(u & 0xffffffffn);
}
