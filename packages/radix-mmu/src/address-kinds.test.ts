import { describe, expect, it } from "vitest";
import type { EA, GPA, Lpid, Pid, RA } from "./address-kinds";
import { BumpAllocator } from "./builders/allocator";
import {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
} from "./builders/tables";
import { createTree, lookupLeaf, mapPage } from "./builders/tree";
import { SparseMemory } from "./sparse-memory";

// The checks are made by `tsc --noEmit` (pnpm typecheck): each @ts-expect-error line must be
// an error, or the type check fails. The runtime part only shows the calls are ordinary.
describe("address kinds at the builder boundary (soft brands)", () => {
  it("accept plain numbers and their own kind, reject another kind", () => {
    const mem = new SparseMemory();
    const alloc = new BumpAllocator(mem, 0x10000, 0x100000);
    const pt = createPartitionTable(mem, alloc);
    const prt = createProcessTable(mem, alloc);
    const tree = createTree(mem, alloc);
    const ea = 0x200000 as EA;
    const ra = 0x400000 as RA;
    const lpid = 1 as Lpid;
    const pid = 1 as Pid;
    mapPage(tree, 0x1000, 0x5000, 12, { perm: 3 }); // plain numbers: no casts needed
    mapPage(tree, ea, ra, 21, { perm: 3 });
    const gpa: GPA = 0x600000;
    mapPage(tree, gpa, ra + 0x200000, 21, { perm: 3 }); // a partition tree takes a GPA
    setPate(pt, lpid, radixPate(tree, prt));
    setPrte(prt, pid, tree);
    // @ts-expect-error an RA is not a tree address
    lookupLeaf(tree, ra);
    // @ts-expect-error a PID is not an LPID
    setPate(pt, pid, radixPate(tree, prt));
    // @ts-expect-error an LPID is not a PID
    setPrte(prt, lpid, tree);
    // @ts-expect-error an EA is not where a leaf points
    mapPage(tree, 0x800000, ea, 21, { perm: 3 });
    const base: RA = pt.base; // builders return kinds; they widen to number freely
    const n: number = base;
    expect(n).toBe(0x10000);
    expect(lookupLeaf(tree, ea)).toMatchObject({ pa: ra });
  });
});
