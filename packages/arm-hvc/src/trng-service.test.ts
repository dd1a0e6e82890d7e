import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
  SeededEntropy,
  createTrngService,
} from "./trng-service";
import { decodeFunctionId } from "./smccc-id";

function setup(seed = 1n) {
  let gen = new SeededEntropy(seed);
  const svc = createTrngService(() => gen);
  const call = (fid: number, args: bigint[] = []) => {
    const o = svc.handle({
      functionId: fid,
      fields: decodeFunctionId(fid),
      args,
      conduit: "hvc",
      vcpu: 0,
    });
    if (o.kind !== "return") throw new Error("expected a return");
    return o.values.map((v) => BigInt.asIntN(64, v));
  };
  return { svc, call, reseed: (s: bigint) => (gen = new SeededEntropy(s)) };
}

describe("TRNG (DEN0098) as KVM offers it", () => {
  test("ids, version, features, UUID", () => {
    expect([
      ARM_SMCCC_TRNG_VERSION,
      ARM_SMCCC_TRNG_FEATURES,
      ARM_SMCCC_TRNG_GET_UUID,
      ARM_SMCCC_TRNG_RND32,
      ARM_SMCCC_TRNG_RND64,
    ]).toEqual([0x84000050, 0x84000051, 0x84000052, 0x84000053, 0xc4000053]);
    const { call } = setup();
    expect(call(ARM_SMCCC_TRNG_VERSION)[0]).toBe(0x10000n);
    for (const fid of [0x84000050, 0x84000051, 0x84000052, 0x84000053, 0xc4000053]) {
      expect(call(ARM_SMCCC_TRNG_FEATURES, [BigInt(fid)])[0]).toBe(0n);
    }
    expect(call(ARM_SMCCC_TRNG_FEATURES, [0x84000000n])[0]).toBe(-1n);
    // KVM's arm_smc_trng_uuid, little-endian words.
    expect(call(ARM_SMCCC_TRNG_GET_UUID)).toEqual([
      0x00e0210dn,
      0xeb118443n,
      0x44527080n,
      0x4c5a4e55n,
    ]);
    expect(call(0xc4000050)[0]).toBe(-1n);
  });

  test("property: RND32/RND64 return exactly N bits, in the documented registers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 192 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (n, seed) => {
          const a = setup(seed);
          const r64 = a.call(ARM_SMCCC_TRNG_RND64, [BigInt(n)]).map((v) => BigInt.asUintN(64, v));
          // X1 = bits 191:128, X2 = 127:64, X3 = 63:0.
          const value = ((r64[1] ?? 0n) << 128n) | ((r64[2] ?? 0n) << 64n) | (r64[3] ?? 0n);
          expect(r64[0]).toBe(0n);
          expect(value >> BigInt(n)).toBe(0n);
          // The same seed gives the same bits.
          const b = setup(seed);
          expect(
            b.call(ARM_SMCCC_TRNG_RND64, [BigInt(n)]).map((v) => BigInt.asUintN(64, v)),
          ).toEqual(r64);
          if (n <= 96) {
            const c = setup(seed);
            const r32 = c.call(ARM_SMCCC_TRNG_RND32, [BigInt(n)]).map((v) => BigInt.asUintN(64, v));
            // W1 = bits 95:64, W2 = 63:32, W3 = 31:0: the same low bits as RND64 gives.
            const v32 = ((r32[1] ?? 0n) << 64n) | ((r32[2] ?? 0n) << 32n) | (r32[3] ?? 0n);
            expect(v32).toBe(value);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test("too many bits is INVALID_PARAMETER (-2)", () => {
    const { call } = setup();
    expect(call(ARM_SMCCC_TRNG_RND32, [97n])).toEqual([-2n, 0n, 0n, 0n]);
    expect(call(ARM_SMCCC_TRNG_RND64, [193n])).toEqual([-2n, 0n, 0n, 0n]);
  });

  test("the generator's state saves and restores", () => {
    const g = new SeededEntropy(42n);
    g.next64();
    const copy = SeededEntropy.restore(g.save());
    expect(copy.next64()).toBe(g.next64());
    // SplitMix64 golden value for seed 0.
    expect(new SeededEntropy(0n).next64()).toBe(0xe220a8397b1dcdafn);
  });
});
