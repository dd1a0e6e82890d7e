// Faults as values: the exact DSI/ISI/HDSI/HISI/segment information QEMU's radix model
// produces (target/ppc/mmu-radix64.c), for each cause.
import { describe, expect, it } from "vitest";
import {
  lookupLeaf,
  mapPage,
  protectPage,
  setPageRc,
  unmapPage,
  SHAPE_LINUX_64K,
  SHAPE_MICROWATT_39,
} from "./builders/tree";
import { createTree, encodePde, rootEntry } from "./builders/tree";
import { radixPate, setPate, setPrte } from "./builders/tables";
import { ea, GUEST_HOST_BASE, guestSetup, hostSetup } from "./test-fixtures";
import { write64 } from "./phys-mem";
import { PTE_V_HI } from "./registers";

const DSI = 0x300;
const DSEG = 0x380;
const ISI = 0x400;
const ISEG = 0x480;
const HDSI = 0xe00;
const HISI = 0xe20;

function fault(
  vector: number,
  dsisr: number,
  srr1Cause: number,
  eaHi: number,
  eaLo: number,
  asdr = 0,
) {
  return { kind: "fault", vector, dsisr, srr1Cause, eaHi, eaLo, asdr };
}

describe("segment interrupts", () => {
  it("EA bits 2:11 nonzero raise data / instruction segment interrupts", () => {
    const h = hostSetup();
    expect(h.mmu.translate(0x00100000, 0, 0, h.regs)).toEqual(fault(DSEG, 0, 0, 0x00100000, 0));
    expect(h.mmu.translate(0x00100000, 0, 2, h.regs)).toEqual(fault(ISEG, 0, 0, 0x00100000, 0));
    // kvm-unit-tests' "dseg" test uses EA -4.
    expect(h.mmu.translate(0xffffffff, 0xfffffffc, 1, h.regs)).toMatchObject({ vector: DSEG });
  });

  it("a guest has no quadrants 1 and 2", () => {
    const g = guestSetup();
    const [h1, l1] = ea(0x4000000000001000n);
    const [h2, l2] = ea(0x8000000000001000n);
    expect(g.mmu.translate(h1, l1, 0, g.guestRegs)).toMatchObject({ vector: DSEG });
    expect(g.mmu.translate(h2, l2, 2, g.guestRegs)).toMatchObject({ vector: ISEG });
    // Also with relocation off.
    expect(g.mmu.translate(h1, l1, 0, { ...g.guestRegs, msrDR: false })).toMatchObject({
      vector: DSEG,
    });
  });
});

describe("process-scoped faults (DSI / ISI)", () => {
  it("no valid PTE: DSISR NOPTE (+ ISSTORE on a store), SRR1 NOPTE on a fetch", () => {
    const h = hostSetup();
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toEqual(fault(DSI, 0x40000000, 0, 0, 0x5000));
    expect(h.mmu.translate(0, 0x5000, 1, h.regs)).toEqual(fault(DSI, 0x42000000, 0, 0, 0x5000));
    expect(h.mmu.translate(0, 0x5000, 2, h.regs)).toEqual(fault(ISI, 0, 0x40000000, 0, 0x5000));
    expect(h.mmu.counters().faults).toBe(3);
  });

  it("EAA denies: PROTFAULT for data, NOEXEC_GUARD for fetch", () => {
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 1 });
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toMatchObject({ kind: "ok", perm: 1 });
    expect(h.mmu.translate(0, 0x5000, 1, h.regs)).toEqual(fault(DSI, 0x0a000000, 0, 0, 0x5000));
    expect(h.mmu.translate(0, 0x5000, 2, h.regs)).toEqual(fault(ISI, 0, 0x10000000, 0, 0x5000));
  });

  it("a privileged page is inaccessible to MSR[PR]=1", () => {
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7, priv: true });
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toMatchObject({ kind: "ok", perm: 7 });
    const pr = { ...h.regs, msrPR: true };
    expect(h.mmu.translate(0, 0x5000, 0, pr)).toEqual(fault(DSI, 0x08000000, 0, 0, 0x5000));
    expect(h.mmu.translate(0, 0x5000, 2, pr)).toEqual(fault(ISI, 0, 0x10000000, 0, 0x5000));
  });

  it("AMR/IAMR key 0 limit privileged access to non-privileged pages (KUAP/KUEP)", () => {
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7 });
    mapPage(h.user, 0x6000, 0xa000, 12, { perm: 7, priv: true });
    const noWrite = { ...h.regs, amrHi: 0x80000000 };
    expect(h.mmu.translate(0, 0x5000, 0, noWrite)).toMatchObject({ kind: "ok", perm: 5 });
    expect(h.mmu.translate(0, 0x5000, 1, noWrite)).toEqual(fault(DSI, 0x0a000000, 0, 0, 0x5000));
    const noRead = { ...h.regs, amrHi: 0x40000000 };
    expect(h.mmu.translate(0, 0x5000, 0, noRead)).toEqual(fault(DSI, 0x08000000, 0, 0, 0x5000));
    const noExec = { ...h.regs, iamrHi: 0x40000000 };
    expect(h.mmu.translate(0, 0x5000, 2, noExec)).toEqual(fault(ISI, 0, 0x10000000, 0, 0x5000));
    // Not applied to privileged pages, nor to problem state.
    expect(h.mmu.translate(0, 0x6000, 1, noWrite)).toMatchObject({ kind: "ok" });
    expect(h.mmu.translate(0, 0x5000, 1, { ...noWrite, msrPR: true })).toMatchObject({
      kind: "ok",
    });
  });

  it("non-idempotent I/O (ATT=0b10) is guarded: no instruction fetch", () => {
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7, att: 0x20 });
    expect(h.mmu.translate(0, 0x5000, 1, h.regs)).toMatchObject({ kind: "ok", perm: 3 });
    expect(h.mmu.translate(0, 0x5000, 2, h.regs)).toEqual(fault(ISI, 0, 0x10000000, 0, 0x5000));
  });

  it("fault-on-R/C (default): R clear faults any access, C clear a store", () => {
    const h = hostSetup();
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7, r: false, c: false });
    mapPage(h.user, 0x6000, 0xa000, 12, { perm: 7, c: false });
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toEqual(fault(DSI, 0x00040000, 0, 0, 0x5000));
    expect(h.mmu.translate(0, 0x5000, 2, h.regs)).toEqual(fault(ISI, 0, 0x00040000, 0, 0x5000));
    // C clear: a load succeeds but the page is not reported writable...
    expect(h.mmu.translate(0, 0x6000, 0, h.regs)).toMatchObject({ kind: "ok", perm: 5 });
    // ...so the CPU sends the store back, and it faults (microwatt's expected 0x02040000).
    expect(h.mmu.translate(0, 0x6000, 1, h.regs)).toEqual(fault(DSI, 0x02040000, 0, 0, 0x6000));
    // After the OS sets C the store succeeds without an invalidation (the MMU re-walks).
    setPageRc(h.user, 0x6000, true, true);
    expect(h.mmu.translate(0, 0x6000, 1, h.regs)).toMatchObject({ kind: "ok", perm: 7 });
    // Both stores hit the load's TLB entry (C clear) and re-walked.
    expect(h.mmu.counters().tlbUpgradeWalks).toBe(2);
  });

  it("R/C set in hardware (option): R on any access, C on a store, written to the PTE", () => {
    const h = hostSetup({ rc: "set" });
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7, r: false, c: false });
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toMatchObject({ kind: "ok", perm: 5 });
    expect(lookupLeaf(h.user, 0x5000)).toMatchObject({ r: true, c: false });
    expect(h.mmu.translate(0, 0x5000, 1, h.regs)).toMatchObject({ kind: "ok", perm: 7 });
    expect(lookupLeaf(h.user, 0x5000)).toMatchObject({ r: true, c: true });
    expect(h.mmu.counters().rcUpdates).toBe(2);
  });
});

describe("process table and PATE faults", () => {
  it("a zero PRTE is BADCONFIG; a PID beyond the table is NOPTE", () => {
    const h = hostSetup();
    expect(h.mmu.translate(0, 0x5000, 0, { ...h.regs, pidr: 7 })).toEqual(
      fault(DSI, 0x00080000, 0, 0, 0x5000),
    );
    expect(h.mmu.translate(0, 0x5000, 2, { ...h.regs, pidr: 256 })).toEqual(
      fault(ISI, 0, 0x40000000, 0, 0x5000),
    );
  });

  it("a process table not aligned to its size is BADCONFIG", () => {
    const h = hostSetup();
    const words = radixPate(h.kernel, h.procTable);
    words[3] = (words[3] + 0x1000) >>> 0; // PRTB off by 4 KiB for a 4 KiB table is fine...
    words[3] = (words[3] | 1) >>> 0; // ...but PRTS=1 wants 8 KiB alignment.
    setPate(h.partTable, 0, words);
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toEqual(fault(DSI, 0x00080000, 0, 0, 0x5000));
  });

  it("an invalid PATE is an HDSI/HISI with BADCONFIG", () => {
    const g = guestSetup();
    // HR clear.
    setPate(g.partTable, g.lpid, [0, 0, 0, 0]);
    expect(g.mmu.translate(0, 0x5000, 0, g.guestRegs)).toEqual(
      fault(HDSI, 0x00080000, 0, 0, 0x5000, 0x5000),
    );
    expect(g.mmu.translate(0, 0x5000, 2, g.guestRegs)).toEqual(
      fault(HISI, 0, 0x00080000, 0, 0x5000, 0x5000),
    );
    // A guest (MSR[HV]=0) with LPID 0.
    expect(g.mmu.translate(0, 0x5000, 0, { ...g.guestRegs, lpidr: 0 })).toMatchObject({
      vector: HDSI,
      dsisr: 0x00080000,
    });
    // LPID beyond a PATS=0 table (256 entries).
    expect(g.mmu.translate(0, 0x5000, 1, { ...g.guestRegs, lpidr: 256 })).toMatchObject({
      vector: HDSI,
      dsisr: 0x02080000,
    });
    // RPDS < 5.
    setPate(g.partTable, 4, [0x80000000, 4, 0, 0]);
    expect(g.mmu.translate(0, 0x5000, 0, { ...g.guestRegs, lpidr: 4 })).toMatchObject({
      vector: HDSI,
      dsisr: 0x00080000,
    });
  });
});

describe("tree shapes", () => {
  it("POWER9-strict rejects microwatt's 39-bit tree with BADCONFIG; permissive accepts it", () => {
    for (const treeChecks of ["power9", "permissive"] as const) {
      const h = hostSetup({ treeChecks }, SHAPE_MICROWATT_39);
      mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7 });
      const r = h.mmu.translate(0, 0x5000, 0, h.regs);
      if (treeChecks === "power9") expect(r).toEqual(fault(DSI, 0x00080000, 0, 0, 0x5000));
      else expect(r).toMatchObject({ kind: "ok", ra: 0x9000, pageShift: 12 });
    }
  });

  it("permissive mode takes microwatt's host PATE without dw0 (no HR)", () => {
    for (const treeChecks of ["power9", "permissive"] as const) {
      const h = hostSetup({ treeChecks }, SHAPE_MICROWATT_39);
      setPate(
        h.partTable,
        0,
        radixPate(undefined, h.procTable).map((w, i) => (i < 2 ? 0 : w)) as [
          number,
          number,
          number,
          number,
        ],
      );
      mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7 });
      const r = h.mmu.translate(0, 0x5000, 0, h.regs);
      expect(r.kind).toBe(treeChecks === "power9" ? "fault" : "ok");
    }
  });

  it("Linux 64K pages (13/9/9/5), 2M and 1G leaves", () => {
    const h = hostSetup({}, SHAPE_LINUX_64K);
    mapPage(h.user, 0x10000, 0x90000, 16, { perm: 7 });
    mapPage(h.user, 0x200000, 0x400000, 21, { perm: 7 });
    mapPage(h.user, 0x40000000, 0x80000000, 30, { perm: 7 });
    expect(h.mmu.translate(0, 0x1fffc, 0, h.regs)).toMatchObject({ ra: 0x9fffc, pageShift: 16 });
    expect(h.mmu.translate(0, 0x3ffffc, 0, h.regs)).toMatchObject({ ra: 0x5ffffc, pageShift: 21 });
    expect(h.mmu.translate(0, 0x7ffffffc, 0, h.regs)).toMatchObject({
      ra: 0xbffffffc,
      pageShift: 30,
    });
  });

  it("a root directory that is not 13 bits is BADCONFIG in POWER9-strict mode", () => {
    const h = hostSetup();
    const bad = createTree(h.mem, h.alloc, { treeBits: 52, levels: [12, 10, 9, 9] });
    setPrte(h.procTable, 2, bad);
    mapPage(bad, 0x5000, 0x9000, 12, { perm: 7 });
    expect(h.mmu.translate(0, 0x5000, 0, { ...h.regs, pidr: 2 })).toMatchObject({
      vector: DSI,
      dsisr: 0x00080000,
    });
  });

  it("a misaligned directory base is logged as a guest error and masked", () => {
    const errors: string[] = [];
    const h = hostSetup({ onGuestError: (m) => errors.push(m) });
    mapPage(h.user, 0x5000, 0x9000, 12, { perm: 7 });
    // Point root[0] at its L1 table + 8 (misaligned); hardware ignores the low bits.
    const [hi, lo] = [h.mem.read32(h.user.root), h.mem.read32(h.user.root + 4)];
    const base = (hi & 0x0fffffff) * 2 ** 32 + (lo & 0xffffff00);
    const [ph, pl] = encodePde(base + 0x100, 9);
    write64(h.mem, h.user.root, ph, pl);
    expect(h.mmu.translate(0, 0x5000, 0, h.regs)).toMatchObject({ kind: "ok", ra: 0x9000 });
    expect(errors.some((e) => e.includes("misaligned"))).toBe(true);
    expect(rootEntry(h.user)[1] & 0x1f).toBe(13);
    expect(PTE_V_HI).toBe(0x80000000);
  });
});

describe("partition-scoped faults (HDSI / HISI)", () => {
  it("a guest real address outside the partition tree: HDSI with HDAR = EA and ASDR = guest RA", () => {
    const g = guestSetup();
    mapPage(g.gUser, 0x10000, 0x20000000, 12, { perm: 7 });
    expect(g.mmu.translate(0, 0x10008, 0, g.guestRegs)).toEqual(
      fault(HDSI, 0x40000000, 0, 0, 0x10008, 0x20000008),
    );
    expect(g.mmu.translate(0, 0x10008, 1, g.guestRegs)).toEqual(
      fault(HDSI, 0x42000000, 0, 0, 0x10008, 0x20000008),
    );
    expect(g.mmu.translate(0, 0x10008, 2, g.guestRegs)).toEqual(
      fault(HISI, 0, 0x40000000, 0, 0x10008, 0x20000008),
    );
  });

  it("a table address the partition tree does not map: HDSI with PRTABLE_FAULT, as a load, even for fetches", () => {
    const g = guestSetup({}, 12);
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
    // The user root directory lives at guest real 0x2020000; L0 takes that page away.
    expect(unmapPage(g.partTree, 0x2020000)).toBeDefined();
    for (const access of [0, 1, 2] as const) {
      expect(g.mmu.translate(0, 0x10000, access, g.guestRegs)).toEqual(
        fault(HDSI, 0x40020000, 0, 0, 0x10000, 0x2020000),
      );
    }
    // The process table page too.
    unmapPage(g.partTree, 0x2000000);
    g.mmu.flushAll();
    expect(g.mmu.translate(0, 0x10000, 0, g.guestRegs)).toEqual(
      fault(HDSI, 0x40020000, 0, 0, 0x10000, 0x2000000 + 5 * 16),
    );
  });

  it("partition EAA: read-only pages fault stores, non-executable pages fault fetches", () => {
    const g = guestSetup({}, 12);
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
    protectPage(g.partTree, 0x5000000, 1);
    expect(g.mmu.translate(0, 0x10000, 0, g.guestRegs)).toMatchObject({ kind: "ok", perm: 1 });
    expect(g.mmu.translate(0, 0x10000, 1, g.guestRegs)).toEqual(
      fault(HDSI, 0x0a000000, 0, 0, 0x10000, 0x5000000),
    );
    expect(g.mmu.translate(0, 0x10000, 2, g.guestRegs)).toEqual(
      fault(HISI, 0, 0x10000000, 0, 0x10000, 0x5000000),
    );
    // EAA[priv] and AMR do not apply to partition-scoped translation.
    protectPage(g.partTree, 0x5000000, 7, true);
    g.mmu.flushAll();
    expect(
      g.mmu.translate(0, 0x10000, 1, { ...g.guestRegs, msrPR: true, amrHi: 0xc0000000 }),
    ).toMatchObject({ kind: "ok" });
  });

  it("partition R/C: ATOMIC_RC in an HDSI; on a table page without PRTABLE_FAULT", () => {
    const g = guestSetup({}, 12);
    mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
    setPageRc(g.partTree, 0x5000000, true, false);
    expect(g.mmu.translate(0, 0x10000, 0, g.guestRegs)).toMatchObject({ kind: "ok", perm: 5 });
    expect(g.mmu.translate(0, 0x10000, 1, g.guestRegs)).toEqual(
      fault(HDSI, 0x02040000, 0, 0, 0x10000, 0x5000000),
    );
    setPageRc(g.partTree, 0x2020000, false, false);
    g.mmu.flushAll();
    expect(g.mmu.translate(0, 0x10000, 1, g.guestRegs)).toEqual(
      fault(HDSI, 0x00040000, 0, 0, 0x10000, 0x2020000),
    );
  });

  it("guest real mode faults are HDSI/HISI on the guest real address", () => {
    const g = guestSetup();
    const r = { ...g.guestRegs, msrIR: false, msrDR: false };
    expect(g.mmu.translate(0, 0x20000000, 1, r)).toEqual(
      fault(HDSI, 0x42000000, 0, 0, 0x20000000, 0x20000000),
    );
    expect(g.mmu.translate(0, 0x20000000, 2, r)).toEqual(
      fault(HISI, 0, 0x40000000, 0, 0x20000000, 0x20000000),
    );
    expect(g.mmu.translate(0, 0x1000, 0, { ...r, lpidr: 9 })).toMatchObject({
      vector: HDSI,
      dsisr: 0x00080000,
    });
  });

  it("L0 fixes an HDSI by mapping the page, and the retry succeeds", () => {
    const g = guestSetup();
    mapPage(g.gUser, 0x10000, 0x20000000, 12, { perm: 7 });
    const f = g.mmu.translate(0, 0x10000, 1, g.guestRegs);
    expect(f).toMatchObject({ vector: HDSI, asdr: 0x20000000 });
    mapPage(g.partTree, 0x20000000, 0x90000000, 21, { perm: 7 });
    expect(g.mmu.translate(0, 0x10000, 1, g.guestRegs)).toMatchObject({
      kind: "ok",
      ra: 0x90000000,
    });
    expect(GUEST_HOST_BASE).toBe(0x40000000);
  });
});
