// RadixMmu behaviour not covered by the walk/fault/tlbie files: virtual-hypervisor PATEs,
// state save/restore, configuration, TLB sizing, listeners.
import { describe, expect, it } from "vitest";
import { createTree, mapPage, unmapPage } from "./builders/tree";
import { createProcessTable, radixPate, setPrte } from "./builders/tables";
import { BumpAllocator } from "./builders/allocator";
import { RadixMmu, type PateSource } from "./radix-mmu";
import { SparseMemory } from "./sparse-memory";
import { GUEST_HOST_BASE, guestSetup, hostSetup, regs } from "./test-fixtures";
import { read64, read64n, write64n } from "./phys-mem";

function vhyp(flat: boolean, words: [number, number, number, number] | undefined): PateSource {
  return {
    flat,
    getPate(_lpid, out) {
      if (words === undefined) return false;
      out.set(words);
      return true;
    },
  };
}

describe("virtual hypervisor PATE source (QEMU spapr get_pate)", () => {
  it("flat addressing: a pseries guest's process tables and real mode use host real addresses", () => {
    const mem = new SparseMemory();
    const alloc = new BumpAllocator(mem, 0x100000, 0x800000);
    const prt = createProcessTable(mem, alloc, 0);
    const kernel = createTree(mem, alloc);
    setPrte(prt, 0, kernel);
    mapPage(kernel, 0x0, 0x0, 30, { perm: 7, priv: true });
    const mmu = new RadixMmu({ mem, pateSource: vhyp(true, radixPate(undefined, prt)) });
    const guest = regs({ msrHV: false, lpidr: 0 });
    expect(mmu.translate(0xc0000000, 0x123458, 1, guest)).toEqual({
      kind: "ok",
      ra: 0x123458,
      pageShift: 30,
      perm: 7,
    });
    expect(mmu.translate(0xc0000000, 0x123458, 1, guest)).toMatchObject({ ra: 0x123458 });
    expect(mmu.counters().tlbHits).toBe(1);
    // Real mode: EA bits 0:3 ignored, no HRMOR for a guest.
    expect(
      mmu.translate(0xc0000000, 0x5000, 2, { ...guest, msrIR: false, hrmor: 0x1000000 }),
    ).toEqual({
      kind: "ok",
      ra: 0x5000,
      pageShift: 12,
      perm: 7,
    });
  });

  it("non-flat (a nested guest under a virtual hypervisor): the 2-D walk with the supplied PATE", () => {
    const g = guestSetup();
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
    const words = radixPate(g.partTree, g.guestProcTable);
    const mmu = new RadixMmu({ mem: g.mem, pateSource: vhyp(false, words) });
    expect(mmu.translate(0, 0x10000, 0, { ...g.guestRegs, ptcrHi: 0, ptcrLo: 0 })).toMatchObject({
      ra: GUEST_HOST_BASE + 0x5000000,
    });
    const none = new RadixMmu({ mem: g.mem, pateSource: vhyp(false, undefined) });
    expect(none.translate(0, 0x10000, 0, g.guestRegs)).toMatchObject({
      vector: 0xe00,
      dsisr: 0x00080000,
    });
  });
});

describe("state", () => {
  it("save/restore carries the caches, so a missing invalidation behaves the same after migration", () => {
    const g = guestSetup();
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
    mapPage(g.user, 0x10000, 0x900000, 12, { perm: 7 });
    g.mmu.translate(0, 0x10000, 0, g.guestRegs);
    g.mmu.translate(0, 0x10000, 0, g.regs);
    const state = JSON.parse(JSON.stringify(g.mmu.save())) as ReturnType<RadixMmu["save"]>;
    expect(state.version).toBe(1);
    expect(state.tlb.length).toBeGreaterThan(0);
    expect(state.pate.length).toBe(2);
    expect(state.prte.length).toBe(2);
    const copy = new RadixMmu({ mem: g.mem });
    let notified = 0;
    copy.onInvalidate(() => notified++);
    copy.restore(state);
    expect(notified).toBe(1);
    expect(copy.save()).toEqual(state);
    // Unmap without invalidating: both still translate (stale), identically.
    unmapPage(g.gUser, 0x10000);
    unmapPage(g.user, 0x10000);
    for (const m of [g.mmu, copy]) {
      expect(m.translate(0, 0x10008, 0, g.guestRegs)).toMatchObject({
        ra: GUEST_HOST_BASE + 0x5000008,
      });
      expect(m.translate(0, 0x10008, 0, g.regs)).toMatchObject({ ra: 0x900008 });
    }
    expect(() => copy.restore({ ...state, version: 2 as 1 })).toThrow(/version 2 is not supported/);
  });

  it("a PTCR change drops cached PATEs", () => {
    const h = hostSetup();
    mapPage(h.user, 0x10000, 0x900000, 12, { perm: 7 });
    h.mmu.translate(0, 0x10000, 2, h.regs);
    h.mmu.flushPid(0, 1);
    h.mmu.translate(0, 0x10000, 2, { ...h.regs, ptcrLo: h.regs.ptcrLo });
    expect(h.mmu.counters().pateHits).toBe(1);
    // Same table, PTCR with PATS=1 (a different register value): reread.
    h.mmu.flushPid(0, 1);
    h.mmu.translate(0, 0x10000, 2, { ...h.regs, ptcrLo: h.regs.ptcrLo | 1 });
    expect(h.mmu.counters().pateMisses).toBe(2);
  });
});

describe("configuration and caches", () => {
  it("rejects unusable cache sizes with a message", () => {
    const mem = new SparseMemory();
    expect(() => new RadixMmu({ mem, tlbEntries: 100 })).toThrow(/power of two/);
    expect(() => new RadixMmu({ mem, pwcEntries: -1 })).toThrow(/page-walk cache size/);
  });

  it("TLB off: every translation walks; tiny TLB: conflicts evict but stay correct", () => {
    for (const tlbEntries of [0, 2]) {
      const h = hostSetup({ tlbEntries, pwcEntries: 0, tableCache: false });
      for (let i = 0; i < 8; i++)
        mapPage(h.user, 0x10000 + i * 0x1000, 0x900000 + i * 0x1000, 12, { perm: 7 });
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 8; i++) {
          expect(h.mmu.translate(0, 0x10000 + i * 0x1000 + 4, 0, h.regs)).toMatchObject({
            ra: 0x900004 + i * 0x1000,
          });
        }
      }
      const c = h.mmu.counters();
      expect(c.tlbHits + c.tlbMisses).toBe(24);
      if (tlbEntries === 0) expect(c.tlbHits).toBe(0);
      expect(c.walks).toBe(c.tlbMisses);
      expect(c.readsPerWalk[6]).toBe(c.walks);
      expect(c.walkReads).toBe(6 * c.walks);
    }
  });

  it("resetCounters and listener unsubscribe", () => {
    const h = hostSetup();
    h.mmu.translate(0, 0, 0, h.regs);
    expect(h.mmu.counters().translations).toBe(1);
    h.mmu.resetCounters();
    expect(h.mmu.counters().translations).toBe(0);
    let n = 0;
    const off = h.mmu.onInvalidate(() => n++);
    h.mmu.flushAll();
    off();
    h.mmu.flushAll();
    expect(n).toBe(1);
  });

  it("permissive mode still rejects directories of fewer than 5 index bits", () => {
    const h = hostSetup({ treeChecks: "permissive" });
    const t = createTree(h.mem, h.alloc, { treeBits: 52, levels: [13, 9, 9, 4, 5] });
    setPrte(h.procTable, 3, t);
    mapPage(t, 0x20000, 0x20000, 12, { perm: 7 });
    expect(h.mmu.translate(0, 0x20000, 0, { ...h.regs, pidr: 3 })).toMatchObject({
      vector: 0x300,
      dsisr: 0x00080000,
    });
  });
});

describe("SparseMemory and doubleword helpers", () => {
  it("is zero until written, big-endian words, counts traffic, refuses misaligned words", () => {
    const m = new SparseMemory();
    expect(m.read32(0x123450)).toBe(0);
    write64n(m, 0x2_0000_0000, 0x0123456789abcdefn);
    expect(read64(m, 0x2_0000_0000)).toEqual([0x01234567, 0x89abcdef]);
    expect(read64n(m, 0x2_0000_0000)).toBe(0x0123456789abcdefn);
    expect(m.residentBytes).toBe(65536);
    expect(m.writes).toBe(2);
    expect(m.reads).toBe(5);
    expect(() => m.read32(2)).toThrow(/4-byte-aligned/);
    expect(() => m.write32(2 ** 52, 0)).toThrow(/below 2\^52/);
  });
});
