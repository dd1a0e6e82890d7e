import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  asCells,
  asString,
  asStringList,
  asU32,
  asU64,
  bytes,
  cells,
  cellsOf,
  concat,
  empty,
  string,
  stringList,
  u32,
  u64,
} from "./values";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("value encoders (golden bytes)", () => {
  it("encodes big-endian cells, u64 and strings", () => {
    expect(hex(empty())).toBe("");
    expect(hex(u32(0x2003))).toBe("00002003");
    expect(hex(u64(0x1_2345_6789n))).toBe("0000000123456789");
    expect(hex(u64(0x2000_0000))).toBe("0000000020000000");
    expect(hex(cells([0, 0x1000, 0xffffffff]))).toBe("0000000000001000ffffffff");
    expect(
      hex(
        cellsOf([
          [0x1_0000_0000n, 2],
          [0x1000, 1],
        ]),
      ),
    ).toBe("000000010000000000001000");
    expect(hex(string("qemu,pseries"))).toBe("71656d752c70736572696573" + "00");
    expect(hex(stringList(["a", "", "bc"]))).toBe("6100" + "00" + "626300");
    expect(hex(bytes([0x18, 0x00, 0xf6]))).toBe("1800f6");
    expect(hex(concat([u32(1), string("x")]))).toBe("000000017800");
  });

  it("refuses values that do not fit", () => {
    expect(() => u32(-1)).toThrow(RangeError);
    expect(() => u32(2 ** 32)).toThrow(/0xffffffff/);
    expect(() => u32(1.5)).toThrow(RangeError);
    expect(() => u64(-1n)).toThrow(RangeError);
    expect(() => u64(1n << 64n)).toThrow(RangeError);
    expect(() => cellsOf([[1n << 32n, 1]])).toThrow(/1 cell/);
    expect(() => cellsOf([[-1, 2]])).toThrow(RangeError);
    expect(() => string("a\0b")).toThrow(/NUL/);
    expect(() => bytes([256])).toThrow(/byte 0/);
  });
});

describe("value decoders", () => {
  it("decode what the encoders make", () => {
    expect(asU32(u32(7))).toBe(7);
    expect(asU64(u64(1n << 63n))).toBe(1n << 63n);
    expect(asCells(cells([1, 2, 3]))).toEqual([1, 2, 3]);
    expect(asString(string("hello"))).toBe("hello");
    expect(asStringList(stringList(["ibm,power9", "ibm,power"]))).toEqual([
      "ibm,power9",
      "ibm,power",
    ]);
  });

  it("return undefined for bytes of the wrong shape", () => {
    expect(asU32(u64(1))).toBeUndefined();
    expect(asU64(u32(1))).toBeUndefined();
    expect(asCells(bytes([1, 2, 3]))).toBeUndefined();
    expect(asString(stringList(["a", "b"]))).toBeUndefined();
    expect(asString(bytes([0x61]))).toBeUndefined();
    expect(asStringList(empty())).toBeUndefined();
  });

  it("decodes a subarray view at its own offset", () => {
    const whole = cells([0xdead, 0xbeef, 0x1234]);
    expect(asU32(whole.subarray(4, 8))).toBe(0xbeef);
    expect(asU64(whole.subarray(4, 12))).toBe(0xbeef_0000_1234n);
  });

  it("round-trip u64 through two cells against a BigInt reference", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const [hi, lo] = asCells(u64(v)) as [number, number];
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(v);
        expect(asU64(u64(v))).toBe(v);
      }),
    );
  });

  it("round-trip cells and string lists", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff })), (ws) => {
        expect(asCells(cells(ws))).toEqual(ws);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !s.includes("\0")),
          { minLength: 1 },
        ),
        (l) => {
          expect(asStringList(stringList(l))).toEqual(l);
        },
      ),
    );
  });
});
