// Reference/change bits across the three levels (Linux's __kvmhv_nested_page_fault,
// kvmhv_handle_nested_set_rc and kvmhv_update_nest_rmap_rc_list): a shadow leaf gets R only
// if the L1's PTE and L0's PTE for the L1 page both have it, C only if both have it and the
// fault is a store; a store through a leaf without C faults with SET_RC, and L0 then sets C in
// its own PTE for the L1 page (L0 sees the L1 memory dirtied) and in the shadow leaf.
import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import { lookupLeaf, setPageRc } from "@hvsim/radix-mmu";
import { describe, expect, it } from "vitest";
import {
  L2_BASE,
  L2_CODE,
  PTCR,
  enterAndRun,
  l2State,
  li,
  lis,
  lwz,
  makeL1,
  putState,
  readHv,
  sc1,
  stw,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";

const DATA = 0x20000;
const L1_DATA = L2_BASE + DATA;
const SET_RC = 0x00040000n;
const ISSTORE = 0x02000000n;

/** An L2 that loads from DATA, stores to DATA + 4, then makes an hcall (0xc00 to the L1). */
function setup(rc = true): L1 {
  const l1 = makeL1();
  l1.v.setGpr(4, PTCR);
  l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  for (let p = 0; p < 0x30000; p += 0x10000) l1.map(1, p, L2_BASE + p, { rc: p !== DATA || rc });
  l1.setPate(1, true);
  l1.vm.writeGuest(
    L2_BASE + L2_CODE,
    words([lis(5, 2), lwz(6, 0, 5), stw(5, 4, 5), li(3, 0x58), sc1]),
  );
  start(l1);
  return l1;
}

function start(l1: L1): void {
  const s = l2State(1);
  putState(l1, s.hv, s.regs);
}

function shadowLeaf(l1: L1) {
  const g = l1.nested.guests.list()[0]!;
  return lookupLeaf(g.shadowTree, DATA)!;
}

/** L0's PTE for the L1 page behind the L2's data page. */
function l0Leaf(l1: L1) {
  return lookupLeaf(l1.vm.tree, L1_DATA)!;
}

/** L0 harvests the dirty bit of the L1 page (KVM_GET_DIRTY_LOG): C cleared in its PTE. */
function harvestDirty(l1: L1): void {
  setPageRc(l1.vm.tree, L1_DATA, true, false);
  l1.vm.mmu.flushLpid(l1.vm.lpid);
}

describe("R/C across L0, L1 and the shadow tree", () => {
  it("builds the leaf for a load without C; the first store sets C in the shadow leaf and in L0's PTE, in L0", () => {
    const l1 = setup();
    expect(enterAndRun(l1)).toBe(0xc00n);
    const s = l1.nested.statistics();
    expect(s.l2ExitsInL0["0xe00 R/C set"]).toBe(1);
    expect(s.shadowFaultsReflected).toBe(0);
    expect(shadowLeaf(l1)).toMatchObject({ r: true, c: true });
    expect(l0Leaf(l1)).toMatchObject({ r: true, c: true });
    expect(l1.read64(L1_DATA) >> 32n).toBe(0n); // the word at +4 holds 0x20000
    expect(Number(l1.read64(L1_DATA) & 0xffffffffn)).toBe(DATA);
  });

  it("L0 clearing C reaches the shadow leaf through the rmap, and the L2's next store sets it in L0's PTE again", () => {
    const l1 = setup();
    expect(enterAndRun(l1)).toBe(0xc00n);
    harvestDirty(l1);
    expect(l1.nested.updateNestRmapRc(L1_DATA, { c: true })).toBe(1);
    expect(shadowLeaf(l1)).toMatchObject({ r: true, c: false });
    start(l1);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(l0Leaf(l1).c).toBe(true); // the L2's write is in L0's dirty log
    expect(shadowLeaf(l1).c).toBe(true);
    expect(l1.nested.statistics().l2ExitsInL0["0xe00 R/C set"]).toBe(2);
  });

  it("without the rmap update the L2's store would escape L0's dirty tracking", () => {
    const l1 = setup();
    expect(enterAndRun(l1)).toBe(0xc00n);
    harvestDirty(l1);
    start(l1);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(l0Leaf(l1).c).toBe(false);
  });

  it("clearing R makes the L2's next access set R again (ageing)", () => {
    const l1 = setup();
    expect(enterAndRun(l1)).toBe(0xc00n);
    setPageRc(l1.vm.tree, L1_DATA, false, true);
    l1.vm.mmu.flushLpid(l1.vm.lpid);
    expect(l1.nested.updateNestRmapRc(L1_DATA, { r: true })).toBe(1);
    expect(shadowLeaf(l1).r).toBe(false);
    start(l1);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(l0Leaf(l1).r).toBe(true);
    expect(shadowLeaf(l1).r).toBe(true);
  });

  it("R and C missing in the L1's PTE are the L1's to set: reflected with SET_RC until it does", () => {
    const l1 = setup(false);
    expect(enterAndRun(l1)).toBe(0xe00n); // the load: R
    expect(readHv(l1).hdsisr & (SET_RC | ISSTORE)).toBe(SET_RC);
    expect(readHv(l1).asdr & ~0xfffn).toBe(BigInt(DATA));
    l1.map(1, DATA, L1_DATA, { rc: true }); // the L1 sets R and C in its PTE
    expect(enterAndRun(l1)).toBe(0xc00n); // both SET_RC faults are now handled in L0
    expect(l1.nested.statistics().l2ExitsInL0["0xe00 R/C set"]).toBe(2);
    expect(shadowLeaf(l1)).toMatchObject({ r: true, c: true });
  });

  it("an rmap entry for an L1 page the L2 no longer uses changes nothing", () => {
    const l1 = setup();
    expect(enterAndRun(l1)).toBe(0xc00n);
    // The L1 moves the L2's data page (with the invalidation it owes) and the L2 runs again.
    l1.map(1, DATA, L2_BASE + 0x60000);
    l1.nested.invalidateShadowRange(l1.nested.guests.list()[0]!, DATA, DATA + 0x10000);
    start(l1);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(l1.nested.updateNestRmapRc(L1_DATA, { r: true, c: true })).toBe(0);
    expect(l1.nested.rmapEntries(L2_BASE + 0x60000)).toEqual([`1:${DATA}`]);
    expect(shadowLeaf(l1)).toMatchObject({ r: true, c: true });
  });
});
