import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFdt } from "./build";
import { FdtError, type FdtErrorCode } from "./errors";
import type { FdtNode } from "./node";
import { parseFdt, parseFdtOrThrow } from "./parse";
import { arbitraryTree } from "./testing/arbitrary-tree";
import { FIXTURES, fixture } from "./testing/fixtures";
import { DeviceTree, bootCpuidOf } from "./tree";
import { bytes, string } from "./values";

// The golden tree of build.test.ts: struct at 0x48 (size 0x70), strings at 0xb8 (0x1b).
function golden(): Uint8Array {
  const t = new DeviceTree().reserve(0x1000, 0x2000);
  t.root.setU32("#size-cells", 2).set("compatible", string("a"));
  t.root
    .addChild("cpus")
    .addChild("cpu@4")
    .setU32("reg", 4)
    .set("cells", bytes([1]));
  return buildFdt(t);
}

function patch(blob: Uint8Array, at: number, word: number): Uint8Array {
  const b = blob.slice();
  new DataView(b.buffer).setUint32(at, word);
  return b;
}

function expectError(blob: Uint8Array, code: FdtErrorCode, offset: number, message?: RegExp) {
  const r = parseFdt(blob);
  if (r.ok) throw new Error(`expected ${code}, parsed fine`);
  expect(r.error).toBeInstanceOf(FdtError);
  expect({ code: r.error.code, offset: r.error.offset }).toEqual({ code, offset });
  expect(r.error.message).toContain(`at offset 0x${offset.toString(16)}`);
  if (message) expect(r.error.message).toMatch(message);
}

describe("parseFdt", () => {
  it("reads the header, the reservation map and the tree", () => {
    const { tree, header, strings } = parseFdtOrThrow(golden());
    expect(header).toEqual({
      magic: 0xd00dfeed,
      totalsize: 0xd3,
      offDtStruct: 0x48,
      offDtStrings: 0xb8,
      offMemRsvmap: 0x28,
      version: 17,
      lastCompVersion: 16,
      bootCpuidPhys: 4,
      sizeDtStrings: 0x1b,
      sizeDtStruct: 0x70,
    });
    expect(tree.reservations).toEqual([{ address: 0x1000n, size: 0x2000n }]);
    expect(tree.bootCpuidPhys).toBe(4);
    expect(tree.node("/cpus/cpu@4")?.getU32("reg")).toBe(4);
    expect(tree.root.getString("compatible")).toBe("a");
    expect(Buffer.from(strings).toString("latin1")).toBe("#size-cells\0compatible\0reg\0");
  });

  it("reads a blob that is a view into a larger buffer", () => {
    const g = golden();
    const big = new Uint8Array(g.length + 13);
    big.set(g, 5);
    const { tree } = parseFdtOrThrow(big.subarray(5, 5 + g.length));
    expect(tree.node("/cpus/cpu@4")?.getU32("reg")).toBe(4);
    expect(tree.reservations).toEqual([{ address: 0x1000n, size: 0x2000n }]);
  });

  it("skips FDT_NOP tokens wherever they are", () => {
    // Replace the "compatible" property (0x60..0x6f) by four NOPs.
    const b = golden();
    for (let at = 0x60; at < 0x70; at += 4) new DataView(b.buffer).setUint32(at, 4);
    const { tree } = parseFdtOrThrow(b);
    expect(tree.root.has("compatible")).toBe(false);
    expect(tree.root.getU32("#size-cells")).toBe(2);
  });

  it("reads a version-16 header (no size_dt_struct) and ignores bytes past totalsize", () => {
    const b = patch(golden(), 20, 16);
    const withTail = new Uint8Array(b.length + 7);
    withTail.set(b);
    const r = parseFdtOrThrow(withTail);
    expect(r.header.sizeDtStruct).toBeUndefined();
    expect(r.tree.node("/cpus/cpu")?.getU32("reg")).toBe(4);
  });

  it("keeps properties that follow subnodes (as dtc does)", () => {
    // root { child {} ; prop }: hand-written structure block
    const words = [1, 0, 1, 0x63000000, 2, 3, 0, 0, 2, 9];
    const struct = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(struct.buffer).setUint32(i * 4, w));
    const b = golden().slice(0, 0x48 + struct.length + 2);
    b.set(struct, 0x48);
    b.set([0x70, 0], 0x48 + struct.length);
    const v = new DataView(b.buffer);
    v.setUint32(4, b.length);
    v.setUint32(12, 0x48 + struct.length);
    v.setUint32(32, 2);
    v.setUint32(36, struct.length);
    const { tree } = parseFdtOrThrow(b);
    expect(tree.root.properties.map((p) => p.name)).toEqual(["p"]);
    expect(tree.root.children.map((c) => c.name)).toEqual(["c"]);
  });
});

describe("parseFdt errors name what is wrong and the offset", () => {
  const g = golden();
  it.each<[string, Uint8Array, FdtErrorCode, number, RegExp?]>([
    ["an empty blob", new Uint8Array(0), "truncated", 0],
    ["a blob cut in the header", g.slice(0, 20), "truncated", 20],
    ["a blob cut before size_dt_struct", g.slice(0, 37), "truncated", 37],
    ["bad magic", patch(g, 0, 0x7f454c46), "bad-magic", 0, /0x7f454c46.*0xd00dfeed/],
    ["version 15", patch(g, 20, 15), "unsupported-version", 20],
    ["last_comp_version 18", patch(g, 24, 18), "unsupported-version", 24],
    ["totalsize above the blob", patch(g, 4, 0x1000), "bad-totalsize", 4, /truncated/],
    ["totalsize below the header", patch(g, 4, 8), "bad-totalsize", 4],
    ["a truncated file", g.slice(0, 0x90), "bad-totalsize", 4],
    ["rsvmap inside the header", patch(g, 16, 8), "block-out-of-range", 16],
    ["struct past totalsize", patch(g, 8, 0xd4), "block-out-of-range", 8],
    ["struct size past totalsize", patch(g, 36, 0xffffffff), "block-out-of-range", 8],
    ["strings size past totalsize", patch(g, 32, 0x1c), "block-out-of-range", 12],
    ["a misaligned rsvmap", patch(g, 16, 0x2c), "misaligned", 16],
    ["a misaligned struct block", patch(g, 8, 0x4a), "misaligned", 8],
    [
      "an rsvmap without terminator",
      patch(patch(g, 16, 0xc8), 12, 0x28),
      "unterminated-rsvmap",
      0xc8,
    ],
    ["a bad token", patch(g, 0x50, 0x7), "bad-token", 0x50, /token 0x7/],
    ["a name offset past the strings", patch(g, 0x58, 0x1b), "bad-string-offset", 0x58],
    ["a value running past the block", patch(g, 0x54, 0x100), "truncated", 0x54],
    ["a struct block cut in a property", patch(g, 36, 0x10), "truncated", 0x50],
    ["a struct block without FDT_END", patch(g, 36, 0x6c), "truncated", 0xb4],
    ["FDT_END inside a node", patch(g, 0xa8, 9), "bad-structure", 0xa8, /not closed/],
    ["END_NODE with no node", patch(g, 0x48, 2), "bad-structure", 0x48],
    ["a property before the root", patch(g, 0x48, 3), "bad-structure", 0x48],
    ["no root at all", patch(g, 0x48, 9), "bad-structure", 0x48, /no root/],
    ["a second root", patch(g, 0xb4, 1), "bad-structure", 0xb4, /second root/],
    ["a property after the root", patch(g, 0xb4, 3), "bad-structure", 0xb4],
  ])("%s", (_name, blob, code, offset, message) => expectError(blob, code, offset, message));

  it("an unterminated node name", () => {
    // "cpus\0" at 0x74: make the struct block end inside it, then overwrite the NUL
    const b = patch(patch(g, 36, 0x30), 0x74, 0x63707573);
    expectError(b, "unterminated-string", 0x74);
  });

  it("an unterminated property name", () => {
    // strings block cut before the NUL of "#size-cells"
    expectError(patch(g, 32, 5), "unterminated-string", 0xb8, /property name/);
  });

  it("nesting deeper than maxDepth", () => {
    const t = new DeviceTree();
    let n: FdtNode = t.root;
    for (let i = 0; i < 70; i++) n = n.addChild("n");
    const r = parseFdt(buildFdt(t));
    expect(r.ok ? "ok" : r.error.code).toBe("too-deep");
    expect(parseFdt(buildFdt(t), { maxDepth: 100 }).ok).toBe(true);
  });

  it("parseFdtOrThrow throws the FdtError", () => {
    expect(() => parseFdtOrThrow(new Uint8Array(3))).toThrow(FdtError);
  });
});

describe("round trip (property)", () => {
  it("parse(build(t)) equals t", () => {
    fc.assert(
      fc.property(arbitraryTree({ withBootCpuid: true }), (t) => {
        expect(parseFdtOrThrow(buildFdt(t)).tree).toEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it("build(parse(b)) equals b, and boot_cpuid_phys defaults to dtc's guess", () => {
    fc.assert(
      fc.property(arbitraryTree(), (t) => {
        const blob = buildFdt(t);
        const parsed = parseFdtOrThrow(blob);
        expect(parsed.tree.bootCpuidPhys).toBe(bootCpuidOf(t));
        expect(buildFdt(parsed.tree)).toEqual(blob);
        expect(buildFdt(parsed.tree, { strings: parsed.strings })).toEqual(blob);
      }),
      { numRuns: 200 },
    );
  });
});

describe("fuzz: mutated blobs end in a tree or an FdtError", () => {
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant("set" as const),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({
      kind: fc.constant("word" as const),
      at: fc.nat(),
      word: fc.constantFrom(0, 1, 2, 3, 4, 9, 0xffffffff, 0x7fffffff, 0x80000000),
    }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  );

  it("never throws anything else and always terminates", () => {
    fc.assert(
      fc.property(arbitraryTree(), fc.array(mutation, { minLength: 1, maxLength: 6 }), (t, ms) => {
        let b = buildFdt(t);
        for (const m of ms) {
          const at = b.length === 0 ? 0 : m.at % b.length;
          if (m.kind === "cut") b = b.slice(0, at);
          else if (m.kind === "set") b[at] = m.byte;
          else if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at & ~3, m.word);
        }
        const r = parseFdt(b);
        if (!r.ok) {
          expect(r.error).toBeInstanceOf(FdtError);
          expect(r.error.offset).toBeGreaterThanOrEqual(0);
          expect(r.error.offset).toBeLessThanOrEqual(b.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("mutations of QEMU's trees", () => {
    const blobs = FIXTURES.map((name) => fixture(name));
    fc.assert(
      fc.property(
        fc.constantFrom(...blobs),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (original, writes) => {
          const b = original.slice();
          for (const [at, byte] of writes) b[at % b.length] = byte;
          const r = parseFdt(b);
          if (!r.ok) expect(r.error).toBeInstanceOf(FdtError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("random bytes behind a valid magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (tail) => {
        const b = new Uint8Array(4 + tail.length);
        b.set([0xd0, 0x0d, 0xfe, 0xed]);
        b.set(tail, 4);
        const r = parseFdt(b);
        if (!r.ok) expect(r.error).toBeInstanceOf(FdtError);
      }),
      { numRuns: 1000 },
    );
  });
});
