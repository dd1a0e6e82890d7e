import { describe, expect, it } from "vitest";
import { read64n } from "../phys-mem";
import { SparseMemory } from "../sparse-memory";
import { BumpAllocator } from "./allocator";
import { guestRealView } from "./guest-real-view";
import { createPartitionTable, createProcessTable, radixPate, setPate, setPrte } from "./tables";
import {
  createTree,
  eaaBits,
  encodePde,
  encodePte,
  lookupLeaf,
  mapPage,
  mapRange,
  pageShifts,
  protectPage,
  rootEntry,
  setPageRc,
  SHAPE_LINUX_4K,
  SHAPE_LINUX_64K,
  SHAPE_MICROWATT_39,
  unmapPage,
} from "./tree";

function setup() {
  const mem = new SparseMemory();
  const alloc = new BumpAllocator(mem, 0x10000, 0x800000);
  return { mem, alloc, tree: createTree(mem, alloc) };
}

const hex = (w: [number, number]) => ((BigInt(w[0]) << 32n) | BigInt(w[1])).toString(16);

describe("entry encodings (golden)", () => {
  it("PTE: V | L | RPN | R | C | ATT | EAA", () => {
    // Linux PAGE_KERNEL_X-like: V L, RPN 0x12345000, R C, EAA priv|rw|x.
    expect(hex(encodePte(0x12345000, { perm: 7, priv: true }))).toBe("c00000001234518b");
    expect(hex(encodePte(0x1_0000_0000, { perm: 1, r: false, c: false, att: 0x30 }))).toBe(
      "c000000100000034",
    );
    expect(hex(encodePte(0x200000, { perm: 4, c: false }))).toBe("c000000000200101");
  });

  it("PDE: V | NLB | NLS", () => {
    expect(hex(encodePde(0x1234000, 9))).toBe("8000000001234009");
  });

  it("root entry: RTS 21 (52-bit) = RTS1 0b10, RTS2 0b101; microwatt RTS 8 = 0b01, 0b000", () => {
    const { mem, tree } = setup();
    expect(tree.shape).toBe(SHAPE_LINUX_4K);
    expect(tree.root).toBe(0x10000);
    expect(hex(rootEntry(tree))).toBe("40000000000100ad");
    const mw = createTree(mem, new BumpAllocator(mem, 0x1234000, 0x2000000), SHAPE_MICROWATT_39);
    expect(mw.root).toBe(0x1234000);
    expect(hex(rootEntry(mw))).toBe("2000000001234009");
  });

  it("PATE and PTCR", () => {
    const { mem, alloc, tree } = setup();
    const pt = createPartitionTable(mem, alloc, 1);
    expect(pt.base).toBe(0x20000);
    expect([pt.ptcrHi, pt.ptcrLo]).toEqual([0, 0x20001]);
    const prt = createProcessTable(mem, alloc, 0);
    expect(prt.base).toBe(0x22000);
    const w = radixPate(tree, prt);
    expect(w.map((x) => x.toString(16))).toEqual(["c0000000", "100ad", "0", "22000"]);
    setPate(pt, 5, w);
    expect(read64n(mem, 0x20000 + 5 * 16).toString(16)).toBe("c0000000000100ad");
    expect(read64n(mem, 0x20000 + 5 * 16 + 8).toString(16)).toBe("22000");
    setPrte(prt, 3, tree);
    expect(read64n(mem, 0x22000 + 48).toString(16)).toBe("40000000000100ad");
    setPrte(prt, 3, undefined);
    expect(read64n(mem, 0x22000 + 48)).toBe(0n);
    expect(radixPate(undefined, undefined)).toEqual([0x80000000, 0, 0, 0]);
    expect(() => setPate(pt, 512, w)).toThrow(/does not fit/);
    expect(() => setPrte(prt, 256, tree)).toThrow(/does not fit/);
    expect(() => createPartitionTable(mem, alloc, 25)).toThrow(/PATS/);
    expect(() => createProcessTable(mem, alloc, -1)).toThrow(/PRTS/);
  });

  it("EAA bits", () => {
    expect([0, 1, 3, 4, 5, 7].map((p) => eaaBits(p))).toEqual([0, 4, 2, 1, 5, 3]);
    expect(eaaBits(7, true)).toBe(0xb);
  });
});

describe("tree builder", () => {
  it("page sizes per shape", () => {
    expect(pageShifts(SHAPE_LINUX_4K)).toEqual([39, 30, 21, 12]);
    expect(pageShifts(SHAPE_LINUX_64K)).toEqual([39, 30, 21, 16]);
    expect(pageShifts(SHAPE_MICROWATT_39)).toEqual([30, 21, 12]);
  });

  it("map, look up, protect, set R/C, unmap", () => {
    const { tree } = setup();
    expect(mapPage(tree, 0x200000, 0x400000, 21, { perm: 3 })).toEqual({
      replacedDirectory: false,
    });
    expect(lookupLeaf(tree, 0x2abcde)).toEqual({
      va: 0x200000,
      pa: 0x400000,
      pageShift: 21,
      perm: 3,
      priv: false,
      att: 0,
      r: true,
      c: true,
      entryAddr: expect.any(Number),
    });
    protectPage(tree, 0x200000, 5, true);
    expect(lookupLeaf(tree, 0x200000)).toMatchObject({ perm: 5, priv: true });
    setPageRc(tree, 0x200000, false, false);
    expect(lookupLeaf(tree, 0x200000)).toMatchObject({ perm: 5, r: false, c: false });
    expect(unmapPage(tree, 0x3fffff)).toMatchObject({ va: 0x200000 });
    expect(lookupLeaf(tree, 0x200000)).toBeUndefined();
    expect(unmapPage(tree, 0x200000)).toBeUndefined();
    expect(() => protectPage(tree, 0x200000, 7)).toThrow(/not mapped/);
  });

  it("refuses conflicting sizes until the range is empty, then replaces the emptied directory", () => {
    const { tree } = setup();
    mapPage(tree, 0x200000, 0x400000, 21, { perm: 3 });
    expect(() => mapPage(tree, 0x201000, 0x1000, 12, { perm: 3 })).toThrow(/larger page/);
    unmapPage(tree, 0x200000);
    mapPage(tree, 0x201000, 0x1000, 12, { perm: 3 });
    expect(() => mapPage(tree, 0x200000, 0x400000, 21, { perm: 3 })).toThrow(/smaller pages/);
    unmapPage(tree, 0x201000);
    expect(mapPage(tree, 0x200000, 0x400000, 21, { perm: 3 })).toEqual({ replacedDirectory: true });
    // Same size over an existing leaf replaces it.
    mapPage(tree, 0x200000, 0x600000, 21, { perm: 1 });
    expect(lookupLeaf(tree, 0x200000)).toMatchObject({ pa: 0x600000, perm: 1 });
  });

  it("user errors say what was wrong", () => {
    const { mem, alloc, tree } = setup();
    expect(() => mapPage(tree, 0x1000, 0x1000, 13, { perm: 1 })).toThrow(
      /page shift 13 is not available/,
    );
    expect(() => mapPage(tree, 0x1800, 0x1000, 12, { perm: 1 })).toThrow(/not aligned/);
    expect(() => mapPage(tree, 2 ** 52, 0x1000, 12, { perm: 1 })).toThrow(
      /outside this 52-bit tree/,
    );
    expect(() => mapPage(tree, 0x1000, 0x1800, 12, { perm: 1 })).toThrow(/target/);
    expect(() => createTree(mem, alloc, { treeBits: 40, levels: [20, 10] })).toThrow(/not usable/);
    expect(() => mapRange(tree, 0, 0, 0x1800, { perm: 1 })).toThrow(/multiple/);
    expect(() => mapRange(tree, 0x1000, 0x1800, 0x1000, { perm: 1 }, 12)).toThrow(/aligned/);
    expect(() => new BumpAllocator(mem, 0, 0x1000).allocTable(0x2000)).toThrow(/exhausted/);
    expect(() => alloc.allocTable(12)).toThrow(/power of two/);
  });

  it("mapRange picks the largest pages alignment allows", () => {
    const { tree, alloc } = setup();
    // [1M, 2G + 4M): 4K up to 2M, 2M pages up to 1G, one 1G page, then two 2M pages.
    const n = mapRange(tree, 0x100000, 0x100000, 0x80300000, { perm: 7 });
    expect(n).toBe(256 + 511 + 1 + 2);
    expect(lookupLeaf(tree, 0x1ff000)).toMatchObject({ pageShift: 12 });
    expect(lookupLeaf(tree, 0x200000)).toMatchObject({ pageShift: 21 });
    expect(lookupLeaf(tree, 0x40000000)).toMatchObject({ pageShift: 30 });
    expect(lookupLeaf(tree, 0x80200000)).toMatchObject({ pageShift: 21, pa: 0x80200000 });
    expect(alloc.used).toBeGreaterThan(0x10000);
  });

  it("guest real view translates through the partition tree and refuses unmapped addresses", () => {
    const { mem, tree } = setup();
    mapPage(tree, 0x200000, 0x600000, 21, { perm: 7 });
    const g = guestRealView(tree);
    g.write32(0x200010, 0xdeadbeef);
    expect(mem.read32(0x600010)).toBe(0xdeadbeef);
    expect(g.read32(0x200010)).toBe(0xdeadbeef);
    expect(() => g.read32(0x400000)).toThrow(/not mapped/);
  });
});
