// Property tests against a simple model: random page maps / unmaps / protections through the
// builders, each followed by the invalidation Linux or KVM would issue, interleaved with
// translations that must always agree with the model (no stale translation, ever); and the
// converse: leaving an invalidation out does leave a stale translation (the TLB really caches).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccessKind, MmuRegs, TlbieOp } from "./contract";
import { BumpAllocator } from "./builders/allocator";
import { guestRealView } from "./builders/guest-real-view";
import {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
} from "./builders/tables";
import {
  createTree,
  lookupLeaf,
  mapPage,
  mapRange,
  protectPage,
  unmapPage,
  type RadixTree,
} from "./builders/tree";
import { RadixMmu } from "./radix-mmu";
import { SparseMemory } from "./sparse-memory";
import { hostSetup, regs } from "./test-fixtures";
import { shiftToAp } from "./tlbie";

interface ModelLeaf {
  va: number;
  shift: number;
  pa: number;
  perm: number;
}

/** The model: a list of non-overlapping leaves. */
class Model {
  leaves: ModelLeaf[] = [];
  find(va: number): ModelLeaf | undefined {
    return this.leaves.find((l) => va >= l.va && va < l.va + 2 ** l.shift);
  }
  overlapping(va: number, shift: number): ModelLeaf[] {
    const end = va + 2 ** shift;
    return this.leaves.filter((l) => l.va < end && va < l.va + 2 ** l.shift);
  }
  remove(l: ModelLeaf): void {
    this.leaves = this.leaves.filter((x) => x !== l);
  }
}

type TreeOp =
  | { op: "map"; tree: number; shift: number; slot: number; target: number; perm: number }
  | { op: "unmap"; tree: number; probe: number }
  | { op: "protect"; tree: number; probe: number; perm: number };

const PERM = fc.constantFrom(1, 3, 5, 7, 4);

/** Addresses that collide often: 4K and 2M pages in the first 16 MiB, 1G pages at 0 / 1G. */
function slotVa(shift: number, slot: number): number {
  if (shift === 30) return (slot & 1) * 2 ** 30;
  if (shift === 21) return (slot & 7) * 2 ** 21;
  return (slot & 7) * 2 ** 21 + ((slot >>> 3) & 7) * 4096;
}

interface World {
  trees: RadixTree[];
  models: Model[];
  shifts: number[][];
  /** The invalidation for a leaf of tree i, or for tree i as a whole (RIC=2). */
  invalidateLeaf: (i: number, l: ModelLeaf) => void;
  invalidateAll: (i: number) => void;
  targetOf: (i: number, shift: number, t: number) => number;
  probeSpace: (i: number) => number;
}

function applyOp(w: World, o: TreeOp, invalidate: boolean): void {
  const i = o.tree % w.trees.length;
  const tree = w.trees[i]!;
  const model = w.models[i]!;
  if (o.op === "map") {
    const shifts = w.shifts[i]!;
    const shift = shifts[o.slot % shifts.length]!;
    const va = slotVa(shift, o.slot >>> 2);
    for (const l of model.overlapping(va, shift)) {
      unmapPage(tree, l.va);
      model.remove(l);
      if (invalidate) w.invalidateLeaf(i, l);
    }
    const leaf = { va, shift, pa: w.targetOf(i, shift, o.target), perm: o.perm };
    const res = mapPage(tree, va, leaf.pa, shift, { perm: o.perm });
    model.leaves.push(leaf);
    if (invalidate && res.replacedDirectory) w.invalidateAll(i);
    return;
  }
  const va = o.probe % w.probeSpace(i);
  const l = model.find(va);
  if (l === undefined) return;
  if (o.op === "unmap") {
    expect(unmapPage(tree, va)).toMatchObject({ va: l.va, pageShift: l.shift });
    model.remove(l);
  } else {
    protectPage(tree, va, o.perm);
    l.perm = o.perm;
  }
  if (invalidate) w.invalidateLeaf(i, l);
}

function treeOp(): fc.Arbitrary<TreeOp> {
  return fc.oneof(
    fc.record({
      op: fc.constant("map" as const),
      tree: fc.nat(1),
      shift: fc.nat(),
      slot: fc.nat(4095),
      target: fc.nat(63),
      perm: PERM,
    }),
    fc.record({ op: fc.constant("unmap" as const), tree: fc.nat(1), probe: fc.nat() }),
    fc.record({
      op: fc.constant("protect" as const),
      tree: fc.nat(1),
      probe: fc.nat(),
      perm: PERM,
    }),
  );
}

function hvTlbie(
  r: MmuRegs,
  f: {
    prs: number;
    ric: number;
    is: number;
    addr?: number;
    shift?: number;
    pid?: number;
    lpid: number;
  },
): TlbieOp {
  const addr = f.addr ?? 0;
  const ap = f.shift === undefined ? 0 : shiftToAp(f.shift);
  return {
    rbHi: Math.floor(addr / 2 ** 32),
    rbLo: (((addr >>> 0) & 0xfffff000) | (f.is << 10) | (ap << 5)) >>> 0,
    rsHi: f.pid ?? 0,
    rsLo: f.lpid,
    ric: f.ric,
    prs: f.prs,
    r: 1,
    local: false,
    regs: r,
  };
}

describe("host translation vs model (process trees of PID 1 and PID 2)", () => {
  it(
    "with matching invalidations, every translation agrees with the model",
    { timeout: 120_000 },
    () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              treeOp(),
              fc.array(fc.tuple(fc.nat(), fc.constantFrom<AccessKind>(0, 1, 2)), { maxLength: 6 }),
            ),
            {
              maxLength: 40,
            },
          ),
          (steps) => {
            const h = hostSetup({ tlbEntries: 64, pwcEntries: 8 });
            const t2 = createTree(h.mem, h.alloc);
            setPrte(h.procTable, 2, t2);
            const w: World = {
              trees: [h.user, t2],
              models: [new Model(), new Model()],
              shifts: [
                [12, 21, 30],
                [12, 21, 30],
              ],
              invalidateLeaf: (i, l) =>
                expect(
                  h.mmu.tlbie(
                    hvTlbie(h.regs, {
                      prs: 1,
                      ric: 0,
                      is: 0,
                      addr: l.va,
                      shift: l.shift,
                      pid: i + 1,
                      lpid: 0,
                    }),
                  ),
                ).toEqual({
                  kind: "done",
                }),
              invalidateAll: (i) =>
                h.mmu.tlbie(hvTlbie(h.regs, { prs: 1, ric: 2, is: 1, pid: i + 1, lpid: 0 })),
              targetOf: (_i, shift, t) => (t + 1) * 2 ** shift,
              probeSpace: () => 2 ** 31,
            };
            for (const [o, probes] of steps) {
              applyOp(w, o, true);
              for (const [p, access] of probes) {
                const i = p & 1;
                // Probe mapped pages most of the time, random addresses otherwise.
                const m = w.models[i]!;
                const l =
                  m.leaves.length > 0 && p % 4 !== 0
                    ? m.leaves[(p >>> 2) % m.leaves.length]!
                    : undefined;
                const va =
                  l !== undefined
                    ? l.va + ((p >>> 5) % 2 ** l.shift) - ((p >>> 5) % 8)
                    : p % 2 ** 31;
                const r = h.mmu.translate(0, va, access, { ...h.regs, pidr: i + 1 });
                const ml = m.find(va);
                if (ml === undefined) {
                  expect(r).toMatchObject({ kind: "fault", vector: access === 2 ? 0x400 : 0x300 });
                } else if ((ml.perm & [1, 2, 4][access]!) === 0) {
                  expect(r).toMatchObject({ kind: "fault", vector: access === 2 ? 0x400 : 0x300 });
                } else {
                  expect(r).toEqual({
                    kind: "ok",
                    ra: ml.pa + (va - ml.va),
                    pageShift: ml.shift,
                    perm: ml.perm,
                  });
                }
              }
            }
            // And the tree matches the model leaf for leaf.
            for (let i = 0; i < 2; i++) {
              for (const l of w.models[i]!.leaves) {
                expect(lookupLeaf(w.trees[i]!, l.va)).toMatchObject({
                  pa: l.pa,
                  pageShift: l.shift,
                  perm: l.perm,
                });
              }
            }
          },
        ),
        { numRuns: 60, seed: 0x5eed },
      );
    },
  );
});

/** A guest (LPID 3, PID 5) whose partition tree maps its tables; random process and
 *  partition mappings over guest real [0, 32 MiB). */
function guestWorld() {
  const mem = new SparseMemory();
  const alloc = new BumpAllocator(mem, 0x100000, 0x1000000);
  const pt = createPartitionTable(mem, alloc, 0);
  const part = createTree(mem, alloc);
  mapRange(part, 0x2000000, 0x40000000, 0x2000000, { perm: 7 }, 21);
  const galloc = new BumpAllocator(guestRealView(part), 0x2000000, 0x4000000);
  const gpt = createProcessTable(guestRealView(part), galloc, 0);
  const proc = createTree(guestRealView(part), galloc);
  setPrte(gpt, 5, proc);
  setPate(pt, 3, radixPate(part, gpt));
  const mmu = new RadixMmu({ mem, tlbEntries: 64, pwcEntries: 8 });
  const hv = regs({ ptcrHi: pt.ptcrHi, ptcrLo: pt.ptcrLo });
  const guest = { ...hv, msrHV: false, lpidr: 3, pidr: 5 };
  return { mem, part, proc, mmu, hv, guest };
}

/** The fixed partition mapping of the guest's table area (guestWorld): 16 linear 2M leaves. */
const TABLES: ModelLeaf = { va: 0x2000000, shift: 21, pa: 0x40000000, perm: 7 };

describe("guest 2-D translation vs composed model", () => {
  it(
    "with matching invalidations (PRS=1 for process, PRS=0 for partition changes), no stale translation",
    { timeout: 120_000 },
    () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              treeOp(),
              fc.array(fc.tuple(fc.nat(), fc.constantFrom<AccessKind>(0, 1, 2)), { maxLength: 6 }),
            ),
            {
              maxLength: 40,
            },
          ),
          (steps) => {
            const g = guestWorld();
            const proc = new Model();
            const part = new Model();
            const w: World = {
              trees: [g.proc, g.part],
              models: [proc, part],
              shifts: [
                [12, 21, 30],
                [12, 21],
              ],
              invalidateLeaf: (i, l) =>
                g.mmu.tlbie(
                  i === 0
                    ? hvTlbie(g.hv, {
                        prs: 1,
                        ric: 0,
                        is: 0,
                        addr: l.va,
                        shift: l.shift,
                        pid: 5,
                        lpid: 3,
                      })
                    : hvTlbie(g.hv, { prs: 0, ric: 0, is: 0, addr: l.va, shift: l.shift, lpid: 3 }),
                ),
              invalidateAll: (i) =>
                g.mmu.tlbie(
                  i === 0
                    ? hvTlbie(g.hv, { prs: 1, ric: 2, is: 1, pid: 5, lpid: 3 })
                    : hvTlbie(g.hv, { prs: 0, ric: 2, is: 2, lpid: 3 }),
                ),
              // Process leaves point into guest real [0, 32 MiB); partition leaves to host memory.
              targetOf: (i, shift, t) =>
                i === 0
                  ? shift === 30
                    ? 0
                    : (t * 2 ** shift) % 0x2000000
                  : 0x80000000 + t * 2 ** shift,
              probeSpace: (i) => (i === 0 ? 2 ** 31 : 0x2000000),
            };
            for (const [o, probes] of steps) {
              applyOp(w, o, true);
              for (const [p, access] of probes) {
                const l =
                  proc.leaves.length > 0 && p % 4 !== 0
                    ? proc.leaves[(p >>> 2) % proc.leaves.length]!
                    : undefined;
                const va =
                  l !== undefined
                    ? l.va + ((p >>> 5) % 2 ** l.shift) - ((p >>> 5) % 8)
                    : p % 2 ** 31;
                const r = g.mmu.translate(0, va, access, g.guest);
                const bit = [1, 2, 4][access]!;
                const pl = proc.find(va);
                if (pl === undefined || (pl.perm & bit) === 0) {
                  expect(r).toMatchObject({ kind: "fault", vector: access === 2 ? 0x400 : 0x300 });
                  continue;
                }
                const gpa = pl.pa + (va - pl.va);
                const ql =
                  part.find(gpa) ?? (gpa >= 0x2000000 && gpa < 0x4000000 ? TABLES : undefined);
                if (ql === undefined || (ql.perm & bit) === 0) {
                  expect(r).toMatchObject({
                    kind: "fault",
                    vector: access === 2 ? 0xe20 : 0xe00,
                    asdr: gpa,
                  });
                  continue;
                }
                expect(r).toEqual({
                  kind: "ok",
                  ra: ql.pa + (gpa - ql.va),
                  pageShift: Math.min(pl.shift, ql.shift),
                  perm: pl.perm & ql.perm,
                });
              }
            }
          },
        ),
        { numRuns: 40, seed: 0x2d },
      );
    },
  );
});

describe("missing invalidations", () => {
  it("unmapping without tlbie leaves a stale translation; the matching tlbie removes it", () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 21, 30), fc.nat(7), fc.nat(63), (shift, slot, target) => {
        const h = hostSetup();
        const va = slotVa(shift, slot << 3);
        const pa = (target + 1) * 2 ** shift;
        mapPage(h.user, va, pa, shift, { perm: 7 });
        expect(h.mmu.translate(0, va + 8, 0, h.regs)).toMatchObject({ kind: "ok", ra: pa + 8 });
        unmapPage(h.user, va);
        // Stale: the TLB still has it.
        expect(h.mmu.translate(0, va + 8, 0, h.regs)).toMatchObject({ kind: "ok", ra: pa + 8 });
        h.mmu.tlbie(hvTlbie(h.regs, { prs: 1, ric: 0, is: 0, addr: va, shift, pid: 1, lpid: 0 }));
        expect(h.mmu.translate(0, va + 8, 0, h.regs)).toMatchObject({
          kind: "fault",
          vector: 0x300,
        });
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("a partition-scoped unmap needs a PRS=0 invalidation: PRS=1 alone leaves the combined entry", () => {
    fc.assert(
      fc.property(fc.nat(15), (slot) => {
        const g = guestWorld();
        const gpa = slot * 0x200000;
        mapPage(g.part, gpa, 0x80000000 + gpa, 21, { perm: 7 });
        mapPage(g.proc, 0x10000, gpa + 0x3000, 12, { perm: 7 });
        expect(g.mmu.translate(0, 0x10008, 1, g.guest)).toMatchObject({
          kind: "ok",
          ra: 0x80003008 + gpa,
        });
        unmapPage(g.part, gpa);
        // A process-scoped flush of an unrelated PID does not help...
        g.mmu.tlbie(hvTlbie(g.hv, { prs: 1, ric: 0, is: 1, pid: 6, lpid: 3 }));
        expect(g.mmu.translate(0, 0x10008, 1, g.guest)).toMatchObject({
          kind: "ok",
          ra: 0x80003008 + gpa,
        });
        // ...the partition-scoped invalidation of the guest real page does.
        g.mmu.tlbie(hvTlbie(g.hv, { prs: 0, ric: 0, is: 0, addr: gpa, shift: 21, lpid: 3 }));
        expect(g.mmu.translate(0, 0x10008, 1, g.guest)).toMatchObject({
          kind: "fault",
          vector: 0xe00,
          asdr: gpa + 0x3008,
        });
      }),
      { numRuns: 16, seed: 11 },
    );
  });

  it("the property test above fails when invalidations are skipped (it can fail)", () => {
    const h = hostSetup();
    const w: World = {
      trees: [h.user],
      models: [new Model()],
      shifts: [[12]],
      invalidateLeaf: () => {},
      invalidateAll: () => {},
      targetOf: (_i, shift, t) => (t + 1) * 2 ** shift,
      probeSpace: () => 2 ** 31,
    };
    applyOp(w, { op: "map", tree: 0, shift: 0, slot: 0, target: 1, perm: 7 }, false);
    expect(h.mmu.translate(0, 0, 0, h.regs)).toMatchObject({ ra: 0x2000 });
    applyOp(w, { op: "unmap", tree: 0, probe: 0 }, false);
    expect(w.models[0]!.find(0)).toBeUndefined();
    expect(h.mmu.translate(0, 0, 0, h.regs)).toMatchObject({ kind: "ok", ra: 0x2000 });
  });
});
