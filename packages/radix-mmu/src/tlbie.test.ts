// tlbie / tlbiel: privilege and invalid-form rules, and the invalidation matrix -- each form
// drops exactly the TLB entries it names, listed by hand.
import { describe, expect, it } from "vitest";
import type { MmuRegs, TlbieOp } from "./contract";
import { mapPage } from "./builders/tree";
import { radixPate, setPate } from "./builders/tables";
import { guestSetup, type GuestSetup } from "./test-fixtures";
import { apToShift, decodeTlbie, shiftToAp } from "./tlbie";
import { LPCR_GTSE, LPCR_HR } from "./registers";

function op(
  regs: MmuRegs,
  f: {
    ric?: number;
    prs?: number;
    r?: number;
    is?: number;
    ap?: number;
    addr?: number;
    pid?: number;
    lpid?: number;
    set?: number;
    local?: boolean;
  },
): TlbieOp {
  const addr = f.addr ?? 0;
  const rbLo =
    ((addr >>> 0) & 0xfffff000) | ((f.set ?? 0) << 12) | ((f.is ?? 0) << 10) | ((f.ap ?? 0) << 5);
  return {
    rbHi: Math.floor(addr / 2 ** 32),
    rbLo: rbLo >>> 0,
    rsHi: f.pid ?? 0,
    rsLo: f.lpid ?? 0,
    ric: f.ric ?? 0,
    prs: f.prs ?? 1,
    r: f.r ?? 1,
    local: f.local ?? false,
    regs,
  };
}

describe("tlbie decoding", () => {
  const hv = { msrHV: true, msrPR: false, lpidr: 0, lpcrLo: LPCR_HR | LPCR_GTSE } as MmuRegs;
  const guest = { ...hv, msrHV: false, lpidr: 7 } as MmuRegs;

  it("privilege: PR=1 privileged; guest PRS=0 or (tlbie without GTSE) hypervisor-privileged", () => {
    expect(decodeTlbie(op({ ...hv, msrPR: true }, { is: 2 }))).toEqual({ kind: "privileged" });
    expect(decodeTlbie(op(guest, { prs: 0, is: 2 }))).toEqual({ kind: "hv-privileged" });
    const noGtse = { ...guest, lpcrLo: LPCR_HR };
    expect(decodeTlbie(op(noGtse, { is: 2 }))).toEqual({ kind: "hv-privileged" });
    expect(decodeTlbie(op(noGtse, { is: 2, local: true })).kind).toBe("invalidate");
    expect(decodeTlbie(op(guest, { is: 2 })).kind).toBe("invalidate");
  });

  it("invalid forms (QEMU helper_tlbie_isa300)", () => {
    const bad = (f: Parameters<typeof op>[1]) => decodeTlbie(op(hv, f)).kind;
    expect(bad({ ric: 3, is: 2 })).toBe("invalid-form");
    expect(bad({ ric: 1, is: 0 })).toBe("invalid-form");
    expect(bad({ ric: 2, is: 0 })).toBe("invalid-form");
    expect(bad({ prs: 0, is: 1 })).toBe("invalid-form");
    expect(bad({ is: 0, ap: 3 })).toBe("invalid-form");
    expect(bad({ is: 0, ap: 7 })).toBe("invalid-form");
    expect(bad({ ric: 1, is: 2, set: 5, local: true })).toBe("invalid-form");
    expect(bad({ ric: 1, is: 2, set: 5, local: false })).toBe("invalidate");
    expect(bad({ ric: 2, is: 3, set: 0, local: true })).toBe("invalidate");
  });

  it("R=0 (HPT form) flushes everything; in a guest the effective R is LPCR[HR]", () => {
    expect(decodeTlbie(op(hv, { r: 0, is: 0, ap: 3 })).kind).toBe("everything");
    expect(decodeTlbie(op({ ...guest, lpcrLo: LPCR_GTSE }, { r: 1, is: 2 })).kind).toBe(
      "everything",
    );
    expect(decodeTlbie(op(guest, { r: 0, is: 2 })).kind).toBe("invalidate");
  });

  it("operands: EPN aligned to AP, PID from RS 0:31, LPID from RS 32:63 (LPIDR in a guest)", () => {
    expect(decodeTlbie(op(hv, { is: 0, ap: 1, addr: 0x12345678000, pid: 9, lpid: 4 }))).toEqual({
      kind: "invalidate",
      inv: {
        ric: "tlb",
        scope: "process",
        target: { is: "va", lpid: 4, pid: 9, addr: 0x12345600000, pageShift: 21 },
      },
    });
    expect(decodeTlbie(op(guest, { is: 1, pid: 9, lpid: 4 }))).toMatchObject({
      inv: { target: { is: "pid", lpid: 7, pid: 9 } },
    });
    expect(decodeTlbie(op(guest, { is: 3 }))).toMatchObject({
      inv: { target: { is: "lpid", lpid: 7 } },
    });
    expect(decodeTlbie(op(hv, { is: 3, prs: 0, ric: 2 }))).toMatchObject({
      inv: { ric: "all", scope: "partition", target: { is: "all" } },
    });
  });

  it("AP codes", () => {
    expect([0, 5, 1, 2].map(apToShift)).toEqual([12, 16, 21, 30]);
    expect([12, 16, 21, 30].map(shiftToAp)).toEqual([0, 5, 1, 2]);
    expect(() => shiftToAp(13)).toThrow(/no tlbie AP/);
  });
});

/** Labels the TLB's entries so the matrix can list them by hand. */
function labels(g: GuestSetup): string[] {
  return g.mmu.tlb
    .entries()
    .map((e) =>
      e.kind === "process"
        ? `proc l${e.lpid} p${e.pid} ${e.base.toString(16)}`
        : `part l${e.lpid} ${e.base.toString(16)}`,
    )
    .sort();
}

const ALL = [
  "part l3 2000000",
  "part l3 5000000",
  "part l3 6000000",
  "part l4 2000000",
  "part l4 5000000",
  "proc l0 p0 20000",
  "proc l0 p1 10000",
  "proc l3 p0 20000",
  "proc l3 p5 10000",
  "proc l3 p5 11000",
  "proc l4 p5 10000",
];

/** Host user + kernel pages, guest LPID 3 (PID 5: two pages, PID 0: one), guest LPID 4. */
function populated(): GuestSetup {
  const g = guestSetup({ tlbEntries: 4096 });
  setPate(g.partTable, 4, radixPate(g.partTree, g.guestProcTable));
  mapPage(g.user, 0x10000, 0x900000, 12, { perm: 7 });
  mapPage(g.kernel, 0x20000, 0xa00000, 12, { perm: 7 });
  mapPage(g.gUser, 0x10000, 0x5000000, 12, { perm: 7 });
  mapPage(g.gUser, 0x11000, 0x5001000, 12, { perm: 7 });
  mapPage(g.gKernel, 0x20000, 0x6000000, 12, { perm: 7 });
  const t = (hi: number, lo: number, r: MmuRegs) =>
    expect(g.mmu.translate(hi, lo, 0, r)).toMatchObject({ kind: "ok" });
  t(0, 0x10000, g.regs);
  t(0xc0000000, 0x20000, g.regs);
  t(0, 0x10000, g.guestRegs);
  t(0, 0x11000, g.guestRegs);
  t(0xc0000000, 0x20000, g.guestRegs);
  t(0, 0x10000, { ...g.guestRegs, lpidr: 4 });
  expect(labels(g)).toEqual(ALL);
  return g;
}

describe("invalidation matrix", () => {
  const cases: { name: string; f: Parameters<typeof op>[1]; guest?: boolean; dropped: string[] }[] =
    [
      {
        name: "RIC0 PRS1 IS0 4K page of (3,5)",
        f: { is: 0, ap: 0, addr: 0x10000, pid: 5, lpid: 3 },
        dropped: ["proc l3 p5 10000"],
      },
      {
        name: "RIC0 PRS1 IS0 2M page of (3,5) covers both 4K entries",
        f: { is: 0, ap: 1, addr: 0, pid: 5, lpid: 3 },
        dropped: ["proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "RIC0 PRS1 IS0 ignores quadrant bits of the EPN",
        f: { is: 0, ap: 0, addr: 0x20000, pid: 0, lpid: 0 },
        dropped: ["proc l0 p0 20000"],
      },
      {
        name: "RIC0 PRS1 IS1 PID (3,5)",
        f: { is: 1, pid: 5, lpid: 3 },
        dropped: ["proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "RIC0 PRS1 IS1 PID (0,1) host user",
        f: { is: 1, pid: 1, lpid: 0 },
        dropped: ["proc l0 p1 10000"],
      },
      {
        name: "RIC0 PRS1 IS2 LPID 3 (process-scoped only)",
        f: { is: 2, lpid: 3 },
        dropped: ["proc l3 p0 20000", "proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "RIC0 PRS1 IS3 all process-scoped",
        f: { is: 3 },
        dropped: ALL.filter((l) => l.startsWith("proc")),
      },
      {
        name: "RIC0 PRS0 IS0 2M guest real page of LPID 3: partition entry and combined entries from it",
        f: { prs: 0, is: 0, ap: 1, addr: 0x5000000, lpid: 3 },
        dropped: ["part l3 5000000", "proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "RIC0 PRS0 IS0 4K guest real page: only the combined entry built on it",
        f: { prs: 0, is: 0, ap: 0, addr: 0x5001000, lpid: 3 },
        dropped: ["part l3 5000000", "proc l3 p5 11000"],
      },
      {
        name: "RIC0 PRS0 IS2 LPID 3",
        f: { prs: 0, is: 2, lpid: 3 },
        dropped: [
          "part l3 2000000",
          "part l3 5000000",
          "part l3 6000000",
          "proc l3 p0 20000",
          "proc l3 p5 10000",
          "proc l3 p5 11000",
        ],
      },
      {
        name: "RIC0 PRS0 IS3 all partition-scoped and combined",
        f: { prs: 0, is: 3 },
        dropped: ALL.filter((l) => !l.startsWith("proc l0")),
      },
      { name: "RIC1 PRS1 IS1 PWC only", f: { ric: 1, is: 1, pid: 5, lpid: 3 }, dropped: [] },
      { name: "RIC1 PRS0 IS3 PWC only", f: { ric: 1, prs: 0, is: 3 }, dropped: [] },
      {
        name: "RIC2 PRS1 IS1 (3,5)",
        f: { ric: 2, is: 1, pid: 5, lpid: 3 },
        dropped: ["proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "RIC2 PRS0 IS2 LPID 4",
        f: { ric: 2, prs: 0, is: 2, lpid: 4 },
        dropped: ["part l4 2000000", "part l4 5000000", "proc l4 p5 10000"],
      },
      {
        name: "guest tlbie uses LPIDR, not RS[LPID]",
        guest: true,
        f: { is: 0, ap: 0, addr: 0x10000, pid: 5, lpid: 4 },
        dropped: ["proc l3 p5 10000"],
      },
      {
        name: "guest IS=3 is limited to its own partition",
        guest: true,
        f: { is: 3 },
        dropped: ["proc l3 p0 20000", "proc l3 p5 10000", "proc l3 p5 11000"],
      },
      {
        name: "tlbiel RIC0 PRS1 IS2 LPID 3 (same selection as tlbie)",
        f: { is: 2, lpid: 3, local: true },
        dropped: ["proc l3 p0 20000", "proc l3 p5 10000", "proc l3 p5 11000"],
      },
      { name: "R=0 (HPT form) drops everything", f: { r: 0, is: 0 }, dropped: ALL },
    ];

  for (const c of cases) {
    it(c.name, () => {
      const g = populated();
      let notified = 0;
      g.mmu.onInvalidate(() => notified++);
      const outcome = g.mmu.tlbie(op(c.guest === true ? g.guestRegs : g.regs, c.f));
      expect(outcome).toEqual({ kind: "done" });
      expect(notified).toBe(1);
      expect(labels(g)).toEqual(ALL.filter((l) => !c.dropped.includes(l)));
    });
  }

  it("a guest's HPT-form tlbie (LPCR[HR]=0) drops its own partition's entries only", () => {
    const g = populated();
    expect(g.mmu.tlbie(op({ ...g.guestRegs, lpcrLo: LPCR_GTSE }, { is: 3, r: 0 }))).toEqual({
      kind: "done",
    });
    expect(labels(g)).toEqual(ALL.filter((l) => !l.includes(" l3 ")));
    expect(g.mmu.counters().flushLpid).toBe(0);
  });

  it("RIC=1 drops the page-walk cache of the selected scope, not the TLB", () => {
    const g = populated();
    const before = g.mmu.pwc.entries();
    expect(before.some((e) => e.scope === "process" && e.lpid === 3 && e.pid === 5)).toBe(true);
    g.mmu.tlbie(op(g.regs, { ric: 1, is: 1, pid: 5, lpid: 3 }));
    const after = g.mmu.pwc.entries();
    expect(after.some((e) => e.scope === "process" && e.lpid === 3 && e.pid === 5)).toBe(false);
    expect(after).toEqual(
      before.filter((e) => !(e.scope === "process" && e.lpid === 3 && e.pid === 5)),
    );
    g.mmu.tlbie(op(g.regs, { ric: 1, prs: 0, is: 2, lpid: 3 }));
    expect(g.mmu.pwc.entries().some((e) => e.scope === "partition" && e.lpid === 3)).toBe(false);
    expect(g.mmu.pwc.entries().some((e) => e.scope === "partition" && e.lpid === 4)).toBe(true);
  });

  it("RIC=2 also drops cached PRTEs (PRS=1) and PATEs (PRS=0): the next walk rereads them", () => {
    const g = populated();
    // RIC=0 keeps the cached PRTE...
    g.mmu.tlbie(op(g.regs, { ric: 0, is: 1, pid: 5, lpid: 3 }));
    const c0 = g.mmu.counters();
    g.mmu.translate(0, 0x10000, 0, g.guestRegs);
    expect(g.mmu.counters().prteHits).toBe(c0.prteHits + 1);
    // ...RIC=2 drops it.
    g.mmu.tlbie(op(g.regs, { ric: 2, is: 1, pid: 5, lpid: 3 }));
    g.mmu.translate(0, 0x11000, 0, g.guestRegs);
    expect(g.mmu.counters().prteMisses).toBe(c0.prteMisses + 1);
    const c1 = g.mmu.counters();
    g.mmu.tlbie(op(g.regs, { ric: 2, prs: 0, is: 2, lpid: 3 }));
    g.mmu.translate(0, 0x11000, 0, g.guestRegs);
    expect(g.mmu.counters().pateMisses).toBe(c1.pateMisses + 1);
  });

  it("rejected forms change nothing and notify nobody; counters record every kind", () => {
    const g = populated();
    let notified = 0;
    g.mmu.onInvalidate(() => notified++);
    expect(g.mmu.tlbie(op(g.regs, { ric: 3, is: 2 }))).toMatchObject({ kind: "invalid-form" });
    expect(g.mmu.tlbie(op({ ...g.regs, msrPR: true }, { is: 2 }))).toEqual({ kind: "privileged" });
    expect(g.mmu.tlbie(op({ ...g.guestRegs, lpcrLo: LPCR_HR }, { is: 2 }))).toEqual({
      kind: "hv-privileged",
    });
    expect(labels(g)).toEqual(ALL);
    expect(notified).toBe(0);
    g.mmu.tlbie(op(g.regs, { is: 2, lpid: 9 }));
    g.mmu.tlbie(op(g.regs, { is: 1, lpid: 9, local: true, ric: 2 }));
    const c = g.mmu.counters();
    expect([c.tlbieInvalidForm, c.tlbiePrivileged, c.tlbieHvPrivileged, c.tlbie, c.tlbiel]).toEqual(
      [1, 1, 1, 1, 1],
    );
    expect(c.invalidateByIs).toEqual([0, 1, 1, 0]);
    expect(c.invalidateByRic).toEqual([1, 0, 1]);
  });

  it("flushLpid / flushPid / flushAll", () => {
    const g = populated();
    g.mmu.flushPid(3, 5);
    expect(labels(g)).toEqual(ALL.filter((l) => !l.startsWith("proc l3 p5")));
    g.mmu.flushLpid(3);
    expect(labels(g)).toEqual(ALL.filter((l) => !l.includes(" l3 ")));
    g.mmu.flushAll();
    expect(labels(g)).toEqual([]);
    expect(g.mmu.pwc.entries()).toEqual([]);
    const c = g.mmu.counters();
    expect([c.flushPid, c.flushLpid, c.flushAll]).toEqual([1, 1, 1]);
  });
});
