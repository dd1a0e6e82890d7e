// Properties of the 32-bit-halves arithmetic helpers against BigInt.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OUT, OUT128, mul64, mulhs64, mulu128 } from "./alu64";

const M64 = (1n << 64n) - 1n;
const big = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);
/** u32 words with the edge values (0, 1, 2^31, 2^32 - 1, 0xffff, 0x10000) made likely. */
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0x10000),
);

describe("alu64", () => {
  it("mul64 is the low doubleword of the product", () => {
    fc.assert(
      fc.property(word, word, word, word, (aHi, aLo, bHi, bLo) => {
        mul64(aHi, aLo, bHi, bLo);
        expect(big(OUT[0]!, OUT[1]!)).toBe((big(aHi, aLo) * big(bHi, bLo)) & M64);
      }),
      { numRuns: 20_000 },
    );
  });

  it("mulu128 and mulhs64 are the unsigned and signed high doublewords", () => {
    fc.assert(
      fc.property(word, word, word, word, (aHi, aLo, bHi, bLo) => {
        const a = big(aHi, aLo),
          b = big(bHi, bLo);
        mulu128(aHi, aLo, bHi, bLo);
        expect(big(OUT128[0]!, OUT128[1]!)).toBe((a * b) >> 64n);
        expect(big(OUT128[2]!, OUT128[3]!)).toBe((a * b) & M64);
        mulhs64(aHi, aLo, bHi, bLo);
        const s = BigInt.asIntN(64, a) * BigInt.asIntN(64, b);
        expect(big(OUT[0]!, OUT[1]!)).toBe(BigInt.asUintN(64, s >> 64n));
      }),
      { numRuns: 20_000 },
    );
  });
});
