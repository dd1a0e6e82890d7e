/** POW2[i] = 2^i exactly, for i in 0..63; dividing a number < 2^53 by it is exact. */
export const POW2: Float64Array = (() => {
  const t = new Float64Array(64);
  for (let i = 0; i < 64; i++) t[i] = 2 ** i;
  return t;
})();

/** Largest multiple of 2^shift not above `x` (x a non-negative integer < 2^53). */
export function alignDown(x: number, shift: number): number {
  const p = POW2[shift]!;
  return Math.floor(x / p) * p;
}
