import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  canonicalFunctionId,
  decodeFunctionId,
  encodeFunctionId,
  fastCallId,
  formatFunctionId,
  isWellFormedFastCall,
} from "./smccc-id";
import type { SmcccFunctionSpec } from "./smccc-id";

/** A BigInt reference for ARM_SMCCC_CALL_VAL with the reserved and SVE-hint fields. */
function reference(s: SmcccFunctionSpec): bigint {
  return (
    (s.type === "fast" ? 1n << 31n : 0n) |
    (s.convention === "smc64" ? 1n << 30n : 0n) |
    (BigInt(s.owner) << 24n) |
    (BigInt(s.reserved ?? 0) << 17n) |
    (s.sveHint === true ? 1n << 16n : 0n) |
    BigInt(s.number)
  );
}

const specArb = fc.record({
  type: fc.constantFrom("fast" as const, "yielding" as const),
  convention: fc.constantFrom("smc32" as const, "smc64" as const),
  owner: fc.integer({ min: 0, max: 63 }),
  number: fc.integer({ min: 0, max: 0xffff }),
  sveHint: fc.boolean(),
  reserved: fc.integer({ min: 0, max: 0x7f }),
});

describe("SMCCC function ids", () => {
  test("golden ids from the specifications", () => {
    expect(fastCallId("smc32", 4, 0)).toBe(0x84000000); // PSCI_VERSION
    expect(fastCallId("smc64", 4, 3)).toBe(0xc4000003); // CPU_ON (SMC64)
    expect(fastCallId("smc32", 0, 0)).toBe(0x80000000); // SMCCC_VERSION
    expect(fastCallId("smc32", 0, 0x8000)).toBe(0x80008000); // WORKAROUND_1
    expect(fastCallId("smc32", 6, 0xff01)).toBe(0x8600ff01); // vendor hyp Call UID
    expect(fastCallId("smc64", 5, 0x20)).toBe(0xc5000020); // PV_TIME_FEATURES
    expect(encodeFunctionId({ type: "yielding", convention: "smc32", owner: 50, number: 1 })).toBe(
      0x32000001,
    );
    expect(
      encodeFunctionId({ type: "fast", convention: "smc64", owner: 4, number: 3, sveHint: true }),
    ).toBe(0xc4010003);
  });

  test("decode splits every field", () => {
    expect(decodeFunctionId(0xc4010003)).toEqual({
      type: "fast",
      convention: "smc64",
      owner: 4,
      number: 3,
      sveHint: true,
      reserved: 0,
    });
    // KVM's PSCI 0.1 base is not SMCCC-shaped: OEN 21, reserved bits set.
    expect(decodeFunctionId(0x95c1ba5e)).toMatchObject({
      owner: 0x15,
      reserved: 0x60,
      number: 0xba5e,
    });
    // Only W0 counts.
    expect(decodeFunctionId(0xffffffff_84000000n)).toEqual(decodeFunctionId(0x84000000));
  });

  test("property: encode equals the BigInt reference and decode inverts it", () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const id = encodeFunctionId(s);
        expect(BigInt(id)).toBe(reference(s));
        expect(decodeFunctionId(id)).toEqual(s);
      }),
    );
  });

  test("property: every 32-bit id re-encodes to itself", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (id) => {
        expect(encodeFunctionId(decodeFunctionId(id))).toBe(id);
        expect(decodeFunctionId(BigInt(id) | (0xdeadn << 40n))).toEqual(decodeFunctionId(id));
      }),
    );
  });

  test("property: canonical ids clear only the SVE hint", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (id) => {
        const c = canonicalFunctionId(id);
        expect(c).toBe((id & ~0x10000) >>> 0);
        expect(canonicalFunctionId(BigInt(id))).toBe(c);
      }),
    );
  });

  test("well-formed fast calls", () => {
    expect(isWellFormedFastCall(0x84000000)).toBe(true);
    expect(isWellFormedFastCall(0x95c1ba5e)).toBe(false);
    expect(isWellFormedFastCall(0x04000000)).toBe(false);
  });

  test("formatting", () => {
    expect(formatFunctionId(0x8600ff01)).toBe("0x8600FF01");
    expect(formatFunctionId(5n)).toBe("0x00000005");
  });

  test("out-of-range fields are refused with the field named", () => {
    expect(() => fastCallId("smc32", 64, 0)).toThrow(/owner 64 is out of range/);
    expect(() => fastCallId("smc32", 0, 0x10000)).toThrow(/function number 65536/);
    expect(() =>
      encodeFunctionId({ type: "fast", convention: "smc32", owner: 0, number: 0, reserved: 0x80 }),
    ).toThrow(/reserved field/);
    expect(() => fastCallId("smc32", 1.5, 0)).toThrow(/integer/);
  });
});
