import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import type { Vm } from "@hvsim/kvm-hv-core";
import {
  BumpAllocator,
  SHAPE_LINUX_64K,
  createTree,
  lookupLeaf,
  mapPage,
  setPrte,
} from "@hvsim/radix-mmu";
import type { PhysMem, ProcessTable } from "@hvsim/radix-mmu";
import { describe, expect, it } from "vitest";
import { IsolationChecker, IsolationViolation } from "./isolation-checker";
import type { IsolationViolationInfo } from "./isolation-checker";
import {
  L2_BASE,
  L2_CODE,
  PTCR,
  enterAndRun,
  l2State,
  lis,
  lwz,
  li,
  makeL1,
  putState,
  sc1,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";

/** MSR[DR]: data relocation (the L2's load goes through its process-scoped tree). */
const MSR_DR = 1n << 4n;
/** L2 guest-physical layout: its process table (PRTS 0: 4 KiB) and tree pages. */
const L2_PRTB = 0x30000;
const L2_TREES = 0x40000;
const DATA = 0x20000;

/** L2 guest-physical memory as a PhysMem (the L1 writes it at L2_BASE + gpa). */
function l2Mem(vm: Vm): PhysMem {
  return {
    read32: (a) => {
      const b = vm.readGuest(L2_BASE + a, 4)!;
      return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
    },
    write32: (a, v) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, v >>> 0, false);
      vm.writeGuest(L2_BASE + a, b);
    },
  };
}

interface World {
  checker: IsolationChecker;
  l1: L1;
  /** A second VM on the same host, whose RAM and tables the L1's L2 must never reach. */
  other: Vm;
  otherRam: number;
  violations: IsolationViolationInfo[];
}

/**
 * An L1 whose L2 (LPID 1) runs with data relocation: a process table at L2 0x30000 and a
 * process-scoped tree mapping EA 0x20000 -> L2 0x20000; the L2 loads from 0x20000 and makes
 * an hcall (0xc00 to the L1). A second VM shares the host.
 */
function world(record = false): World {
  const violations: IsolationViolationInfo[] = [];
  const checker = new IsolationChecker(record ? { onViolation: (v) => violations.push(v) } : {});
  const l1 = makeL1({ hostMemory: checker.memory });
  const other = l1.kvm.createVm();
  const otherRam = l1.kvm.allocGuestRam(0x100000);
  other.setUserMemoryRegion({ slot: 0, gpa: 0, size: 0x100000, hostAddr: otherRam });
  other.writeGuest(0, new Uint8Array(64).fill(0xaa));
  checker.watch(l1.vm, l1.kvm.partitionTable, l1.nested);
  checker.watch(other, l1.kvm.partitionTable);

  l1.v.setGpr(4, PTCR);
  l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  for (let p = 0; p < 0x80000; p += 0x10000) l1.map(1, p, L2_BASE + p);
  const mem = l2Mem(l1.vm);
  const alloc = new BumpAllocator(mem, L2_TREES, L2_TREES + 0x30000);
  const tree = createTree(mem, alloc, SHAPE_LINUX_64K);
  mapPage(tree, DATA, DATA, 16, { perm: 7 });
  const prt = { mem, base: L2_PRTB, prts: 0 } as ProcessTable;
  setPrte(prt, 0, tree);
  l1.setPate(1, true, BigInt(L2_PRTB));
  l1.vm.writeGuest(L2_BASE + L2_CODE, words([lis(5, 2), lwz(6, 0, 5), li(3, 0x58), sc1]));
  return { checker, l1, other, otherRam, violations };
}

function startL2(w: World): void {
  const s = l2State(1);
  s.regs.msr |= MSR_DR;
  putState(w.l1, s.hv, s.regs);
}

function run(w: World): bigint {
  return w.checker.actingFor(w.l1.vm, () => enterAndRun(w.l1));
}

/** Run the L2; the violation that stopped it. */
function firstViolation(w: World): IsolationViolationInfo | undefined {
  try {
    run(w);
  } catch (e) {
    if (e instanceof IsolationViolation) return e.info;
    throw e;
  }
  return undefined;
}

/** The shadow leaf of L2 page `gpa`, repointed at host address `hpa` (an L0 bug). */
function corruptShadow(w: World, gpa: number, hpa: number): void {
  const g = w.l1.nested.guests.list()[0]!;
  expect(lookupLeaf(g.shadowTree, gpa)).toBeDefined();
  w.checker.actingFor(null, () => {
    mapPage(g.shadowTree, gpa, hpa, 16, { perm: 7 });
    w.l1.vm.mmu.flushLpid(g.shadowLpid);
  });
}

describe("isolation checker", () => {
  it("passes a real L2 run: shadow faults, the 2-D walk, hv_guest_state copies", () => {
    const w = world();
    startL2(w);
    expect(run(w)).toBe(0xc00n);
    expect(w.checker.checked.data).toBeGreaterThan(0);
    expect(w.checker.checked["page-table"]).toBeGreaterThan(0);
  });

  it("catches an MMU read through a shadow leaf pointing at another VM's RAM", () => {
    const w = world();
    startL2(w);
    expect(run(w)).toBe(0xc00n);
    // The L2's process table page now (wrongly) lives in the other VM's RAM.
    corruptShadow(w, L2_PRTB, w.otherRam);
    startL2(w);
    let caught: unknown;
    try {
      run(w);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IsolationViolation);
    const v = (caught as IsolationViolation).info;
    expect(v).toMatchObject({
      lpid: w.l1.vm.lpid,
      port: "page-table",
      write: false,
      hostAddr: w.otherRam,
      target: `the RAM of LPID ${w.other.lpid}`,
    });
    expect((caught as Error).message).toMatch(/MMU walk or L0 page-table code/);
  });

  it("without the checker the same broken leaf goes unnoticed (the L2 reads the other VM's memory)", () => {
    const l1 = makeL1();
    const other = l1.kvm.createVm();
    const otherRam = l1.kvm.allocGuestRam(0x100000);
    other.setUserMemoryRegion({ slot: 0, gpa: 0, size: 0x100000, hostAddr: otherRam });
    l1.v.setGpr(4, PTCR);
    l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
    for (let p = 0; p < 0x80000; p += 0x10000) l1.map(1, p, L2_BASE + p);
    const mem = l2Mem(l1.vm);
    const tree = createTree(
      mem,
      new BumpAllocator(mem, L2_TREES, L2_TREES + 0x30000),
      SHAPE_LINUX_64K,
    );
    mapPage(tree, DATA, DATA, 16, { perm: 7 });
    setPrte({ mem, base: L2_PRTB, prts: 0 } as ProcessTable, 0, tree);
    l1.setPate(1, true, BigInt(L2_PRTB));
    l1.vm.writeGuest(L2_BASE + L2_CODE, words([lis(5, 2), lwz(6, 0, 5), li(3, 0x58), sc1]));
    const s = l2State(1);
    s.regs.msr |= MSR_DR;
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
    const g = l1.nested.guests.list()[0]!;
    mapPage(g.shadowTree, L2_PRTB, otherRam, 16, { perm: 7 });
    l1.vm.mmu.flushLpid(g.shadowLpid);
    putState(l1, s.hv, s.regs);
    expect(() => enterAndRun(l1)).not.toThrow();
  });

  it("catches a shadow leaf pointing at host memory no VM owns", () => {
    const w = world();
    startL2(w);
    expect(run(w)).toBe(0xc00n);
    corruptShadow(w, L2_PRTB, 0x80_0000_0000);
    startL2(w);
    expect(firstViolation(w)).toMatchObject({
      port: "page-table",
      hostAddr: 0x80_0000_0000,
      target: "host memory no VM owns",
    });
  });

  it("catches a shadow PATE naming another VM's partition-scoped tree", () => {
    const w = world();
    startL2(w);
    expect(run(w)).toBe(0xc00n);
    const g = w.l1.nested.guests.list()[0]!;
    // Shadow PATE dw0 -> the other VM's tree (its PATE dw0 copied): an L0 LPID mix-up.
    const t = w.l1.kvm.partitionTable;
    w.checker.actingFor(null, () => {
      for (let i = 0; i < 8; i += 4) {
        w.l1.kvm.mem.write32(
          t.base + g.shadowLpid * 16 + i,
          w.l1.kvm.mem.read32(t.base + w.other.lpid * 16 + i),
        );
      }
      w.l1.vm.mmu.flushLpid(g.shadowLpid);
    });
    startL2(w);
    expect(firstViolation(w)).toMatchObject({
      port: "page-table",
      write: false,
      target: `page-table memory of LPID ${w.other.lpid}`,
    });
  });

  it("catches L0 copying another VM's memory on this VM's behalf (data port)", () => {
    const w = world(true);
    w.checker.actingFor(w.l1.vm, () => w.l1.kvm.mem.read(w.otherRam + 8, 8));
    expect(w.violations).toEqual([
      {
        lpid: w.l1.vm.lpid,
        port: "data",
        write: false,
        hostAddr: w.otherRam + 8,
        length: 8,
        target: `the RAM of LPID ${w.other.lpid}`,
      },
    ]);
  });

  it("lets L0 build tables (zero-filled before they are linked) and checks nothing it does for itself", () => {
    const w = world(true);
    w.checker.actingFor(null, () => w.l1.kvm.mem.read(w.otherRam, 8));
    startL2(w);
    expect(run(w)).toBe(0xc00n);
    expect(w.violations).toEqual([]);
  });
});
