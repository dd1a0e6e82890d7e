// The table layouts real software builds: kvm-unit-tests (powernv), Linux's kernel map in
// quadrant 3, and a CPU-side bus as the memory port.
import { describe, expect, it } from "vitest";
import { createTree, mapPage, mapRange, SHAPE_LINUX_64K } from "./builders/tree";
import { radixPate, setPate, setPrte } from "./builders/tables";
import { physMemOverBus, type SizedBus } from "./phys-mem";
import { RadixMmu } from "./radix-mmu";
import { SparseMemory } from "./sparse-memory";
import { ea, hostSetup } from "./test-fixtures";

describe("kvm-unit-tests (powernv): 64K pages, PID 1, identity map, page 0 unmapped", () => {
  it("translates the identity map in quadrants 0 and 3 and faults on page 0", () => {
    const h = hostSetup({}, SHAPE_LINUX_64K);
    const tree = createTree(h.mem, h.alloc, SHAPE_LINUX_64K);
    setPrte(h.procTable, 1, tree);
    setPrte(h.procTable, 0, undefined);
    // KUT uses PID 1 "because PID=0 is also mapped in quadrant 3"; PATE[0] = its tree | HR.
    setPate(h.partTable, 0, radixPate(tree, h.procTable));
    mapRange(tree, 0x10000, 0x10000, 0x4000000 - 0x10000, { perm: 7, priv: true }, 16);
    const r = { ...h.regs, pidr: 1 };
    expect(h.mmu.translate(0, 0x400100, 2, r)).toEqual({
      kind: "ok",
      ra: 0x400100,
      pageShift: 16,
      perm: 7,
    });
    expect(h.mmu.translate(0, 0x8, 0, r)).toMatchObject({ vector: 0x300, dsisr: 0x40000000 });
    // Quadrant 3 with PIDR=1 still uses PID 0, whose PRTE KUT leaves zero: BADCONFIG.
    const [hi, lo] = ea(0xc000000000400100n);
    expect(h.mmu.translate(hi, lo, 0, r)).toMatchObject({ vector: 0x300, dsisr: 0x00080000 });
  });
});

describe("Linux: linear map and vmalloc in quadrant 3 (PID 0)", () => {
  it("maps 0xc000... with 1G pages and 0xc008... with 4K pages", () => {
    const h = hostSetup();
    mapRange(h.kernel, 0, 0, 0x80000000, { perm: 7, priv: true }, 30);
    mapPage(h.kernel, 0x0008000000001000, 0x12345000, 12, { perm: 3, priv: true });
    const [h1, l1] = ea(0xc000000076543210n);
    expect(h.mmu.translate(h1, l1, 1, h.regs)).toEqual({
      kind: "ok",
      ra: 0x76543210,
      pageShift: 30,
      perm: 7,
    });
    const [h2, l2] = ea(0xc008000000001ff8n);
    expect(h.mmu.translate(h2, l2, 0, h.regs)).toEqual({
      kind: "ok",
      ra: 0x12345ff8,
      pageShift: 12,
      perm: 3,
    });
    // User mode cannot touch kernel pages.
    expect(h.mmu.translate(h2, l2, 0, { ...h.regs, msrPR: true })).toMatchObject({
      vector: 0x300,
      dsisr: 0x08000000,
    });
  });
});

describe("physMemOverBus", () => {
  it("reads big-endian words through a sized bus; holes read zero and fault the walk", () => {
    const backing = new SparseMemory();
    const loads: boolean[] = [];
    const bus: SizedBus = {
      load(ra, _size, le, out) {
        loads.push(le);
        if (ra >= 0x40000000) return false;
        out[0] = 0;
        out[1] = backing.read32(ra);
        return true;
      },
      store(ra, _size, _le, _hi, lo) {
        if (ra >= 0x40000000) return false;
        backing.write32(ra, lo);
        return true;
      },
    };
    const mem = physMemOverBus(bus);
    mem.write32(0x1000, 0xcafef00d);
    expect(mem.read32(0x1000)).toBe(0xcafef00d);
    expect(mem.read32(0x40000000)).toBe(0);
    mem.write32(0x40000000, 1);
    expect(loads.every((le) => !le)).toBe(true);
    // An MMU over it walks a tree built in the backing store.
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7 });
    const mmu = new RadixMmu({
      mem: physMemOverBus({
        load: (ra, s, le, out) => ((out[1] = h.mem.read32(ra)), true),
        store: () => true,
      }),
    });
    expect(mmu.translate(0, 0x5000, 0, h.regs)).toMatchObject({ kind: "ok", ra: 0x9000 });
  });
});
