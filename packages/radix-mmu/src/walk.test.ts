// Golden walks over hand-built trees, with every memory read listed, and the worst-case read
// counts of the performance model (isa-mmu.md §1.8): a read is one 8-byte table entry (or the
// 16-byte PATE); caches off = the pure algorithm, as QEMU runs it.
import { describe, expect, it } from "vitest";
import { mapPage, mapRange } from "./builders/tree";
import { ea, GUEST_HOST_BASE, guestSetup, hostSetup } from "./test-fixtures";

const NO_CACHES = { tlbEntries: 0, pwcEntries: 0, tableCache: false };

describe("host walk (MSR[HV]=1, LPID 0)", () => {
  it("reads PATE, PRTE and four levels, in that order, at hand-computed addresses", () => {
    const h = hostSetup();
    // Allocation order from 1 MiB: partition table 0x100000, process table 0x101000,
    // kernel root (64 KiB, 13 bits) 0x110000, user root 0x120000.
    expect([h.partTable.base, h.procTable.base, h.kernel.root, h.user.root]).toEqual([
      0x100000, 0x101000, 0x110000, 0x120000,
    ]);
    // va 0x0123_4567_8000: indices 13/9/9/9 = 0x2, 0x8d, 0x02b, 0x078.
    mapPage(h.kernel, 0x12345678000, 0x7654000, 12, { perm: 3 });
    // mapPage allocated L1 0x130000, L2 0x131000, L3 0x132000.
    const [hi, lo] = ea(0xc000012345678abcn);
    h.rec.log = [];
    const r = h.mmu.translate(hi, lo, 0, h.regs);
    expect(r).toEqual({ kind: "ok", ra: 0x7654abc, pageShift: 12, perm: 3 });
    expect(h.rec.log.map((a) => a.toString(16))).toEqual(
      [
        // PATE[0]: dw0 and dw1
        0x100000,
        0x100004,
        0x100008,
        0x10000c,
        // PRTE[0] dw0
        0x101000,
        0x101004,
        // root[0x2]
        0x110000 + 0x2 * 8,
        0x110004 + 0x2 * 8,
        // L1[0x8d]
        0x130000 + 0x8d * 8,
        0x130004 + 0x8d * 8,
        // L2[0x2b]
        0x131000 + 0x2b * 8,
        0x131004 + 0x2b * 8,
        // L3[0x78] (leaf)
        0x132000 + 0x78 * 8,
        0x132004 + 0x78 * 8,
      ].map((a) => a.toString(16)),
    );
    const c = h.mmu.counters();
    expect(c.lastWalkReads).toBe(6);
    expect(c.tlbMisses).toBe(1);
    // The second access to the page is a TLB hit with no memory traffic.
    h.rec.log = [];
    expect(h.mmu.translate(hi, (lo + 8) >>> 0, 0, h.regs)).toMatchObject({ ra: 0x7654ac4 });
    expect(h.rec.log).toEqual([]);
    expect(h.mmu.counters().tlbHits).toBe(1);
  });

  it("worst case is 6 reads (PATE + PRTE + 4 levels), also with cold caches", () => {
    for (const opts of [NO_CACHES, {}]) {
      const h = hostSetup(opts);
      mapPage(h.user, 0x7000, 0x9000, 12, { perm: 7 });
      expect(h.mmu.translate(0, 0x7010, 2, h.regs)).toMatchObject({ kind: "ok", ra: 0x9010 });
      expect(h.mmu.counters().lastWalkReads).toBe(6);
    }
  });

  it("a warm page-walk cache and PATE/PRTE caches leave one read for a neighbouring page", () => {
    const h = hostSetup();
    mapRange(h.user, 0x10000, 0x20000, 0x2000, { perm: 7 }, 12);
    h.mmu.translate(0, 0x10000, 0, h.regs);
    h.rec.log = [];
    h.mmu.translate(0, 0x11000, 0, h.regs);
    expect(h.mmu.counters().lastWalkReads).toBe(1);
    expect(h.rec.log).toHaveLength(2);
    expect(h.mmu.counters().pwcHitsByLevel[3]).toBe(1);
    expect(h.mmu.counters().pateHits).toBe(1);
    expect(h.mmu.counters().prteHits).toBe(1);
  });
});

describe("guest 2-D walk (MSR[HV]=0)", () => {
  it("worst case with 4K pages in both trees and no caches: 30 reads", () => {
    // 1 PATE + PRTE (4 partition levels + 1) + 4 process levels x (4 + 1) + final 4 = 30.
    const g = guestSetup(NO_CACHES, 12);
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 3 });
    g.rec.log = [];
    const r = g.mmu.translate(0, 0x10008, 1, g.guestRegs);
    expect(r).toEqual({ kind: "ok", ra: GUEST_HOST_BASE + 0x5000008, pageShift: 12, perm: 3 });
    expect(g.mmu.counters().lastWalkReads).toBe(30);
    // Every entry is 2 words, the PATE 4.
    expect(g.rec.log).toHaveLength(30 * 2 + 2);
  });

  it("worst case with 2M leaves in both trees: 20 reads", () => {
    // 1 + (3 + 1) + 3 levels x (3 + 1) + final 3 = 20.
    const g = guestSetup(NO_CACHES, 21);
    mapPage(g.gUser, 0x200000, 0x5000000, 21, { perm: 3 });
    const r = g.mmu.translate(0, 0x234567, 0, g.guestRegs);
    expect(r).toEqual({ kind: "ok", ra: GUEST_HOST_BASE + 0x5034567, pageShift: 21, perm: 3 });
    expect(g.mmu.counters().lastWalkReads).toBe(20);
  });

  it("the TLB entry covers the smaller of the process and partition pages", () => {
    const g = guestSetup({}, 12);
    mapPage(g.gUser, 0x200000, 0x5000000, 21, { perm: 3 });
    expect(g.mmu.translate(0, 0x234567, 0, g.guestRegs)).toMatchObject({ pageShift: 12 });
  });

  it("cold but enabled caches: 16 reads, then 2 for a neighbouring page, then 0", () => {
    const g = guestSetup({}, 12);
    // Guest tables: process table gpa 0x2000000, kernel root 0x2010000, user root 0x2020000,
    // L1/L2/L3 0x2030000..0x2032000, all inside one 2 MiB region of the partition tree.
    mapRange(g.gUser, 0x10000, 0x5000000, 0x2000, { perm: 3 }, 12);
    g.mmu.translate(0, 0x10000, 0, g.guestRegs);
    // PATE 1; PRTE: partition walk 4 + 1; root, L1, L2, L3: each a partition-PWC hit at the
    // last level (1) + the entry (1) = 8; data page: PWC hit on the level-2 directory (2) = 16.
    expect(g.mmu.counters().lastWalkReads).toBe(16);
    // Neighbour: process PWC hit (L3 table), partition TLB hit for that table page, 1 read;
    // data gpa: partition PWC hit at the last level, 1 read.
    g.mmu.translate(0, 0x11000, 0, g.guestRegs);
    expect(g.mmu.counters().lastWalkReads).toBe(2);
    const before = g.mmu.counters().walks;
    g.mmu.translate(0, 0x11ff8, 0, g.guestRegs);
    expect(g.mmu.counters().walks).toBe(before);
  });

  it("quadrant 3 selects the guest's PID 0 tree, quadrant 0 its PIDR tree", () => {
    const g = guestSetup();
    mapPage(g.gKernel, 0x1000, 0x3000, 12, { perm: 7, priv: true });
    mapPage(g.gUser, 0x1000, 0x4000, 12, { perm: 7 });
    const [hi, lo] = ea(0xc000000000001000n);
    expect(g.mmu.translate(hi, lo, 0, g.guestRegs)).toMatchObject({ ra: GUEST_HOST_BASE + 0x3000 });
    expect(g.mmu.translate(0, 0x1000, 0, g.guestRegs)).toMatchObject({
      ra: GUEST_HOST_BASE + 0x4000,
    });
  });

  it("the hypervisor reaches a guest through quadrants 1 (guest PIDR) and 2 (guest PID 0)", () => {
    const g = guestSetup();
    mapPage(g.gKernel, 0x1000, 0x3000, 12, { perm: 7 });
    mapPage(g.gUser, 0x1000, 0x4000, 12, { perm: 7 });
    const hvRegs = { ...g.regs, lpidr: g.lpid, pidr: 5 };
    const [h1, l1] = ea(0x4000000000001000n);
    const [h2, l2] = ea(0x8000000000001000n);
    expect(g.mmu.translate(h1, l1, 0, hvRegs)).toMatchObject({ ra: GUEST_HOST_BASE + 0x4000 });
    expect(g.mmu.translate(h2, l2, 0, hvRegs)).toMatchObject({ ra: GUEST_HOST_BASE + 0x3000 });
  });
});

describe("real mode", () => {
  it("HV real mode ignores EA bits 0:3 and adds HRMOR when EA bit 0 is clear", () => {
    const h = hostSetup();
    const r = { ...h.regs, msrIR: false, msrDR: false, hrmor: 0x10000000 };
    expect(h.mmu.translate(0x0000_0000, 0x1234, 0, r)).toEqual({
      kind: "ok",
      ra: 0x10001234,
      pageShift: 12,
      perm: 7,
    });
    const [hi, lo] = ea(0x8000000000001234n);
    expect(h.mmu.translate(hi, lo, 2, r)).toMatchObject({ ra: 0x1234 });
    expect(h.mmu.translate(0x70000001, 0x1234, 1, { ...r, hrmor: 0 })).toMatchObject({
      ra: 0x100001234,
    });
    expect(h.mmu.counters().realMode).toBe(3);
  });

  it("guest real mode goes through the partition-scoped tree (no VRMA on radix)", () => {
    const g = guestSetup();
    const r = { ...g.guestRegs, msrIR: false, msrDR: false };
    expect(g.mmu.translate(0, 0x345678, 1, r)).toEqual({
      kind: "ok",
      ra: GUEST_HOST_BASE + 0x345678,
      pageShift: 21,
      perm: 7,
    });
    // Quadrant 3 in real mode is the same guest real address.
    const [hi, lo] = ea(0xc000000000345678n);
    expect(g.mmu.translate(hi, lo, 0, r)).toMatchObject({ ra: GUEST_HOST_BASE + 0x345678 });
  });
});
