// Shared fixtures for this package's tests: registers, recording memory, host and guest setups.
import type { MmuRegs } from "./contract";
import type { PhysMem } from "./phys-mem";
import { BumpAllocator } from "./builders/allocator";
import { guestRealView } from "./builders/guest-real-view";
import {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
  type PartitionTable,
  type ProcessTable,
} from "./builders/tables";
import {
  createTree,
  mapRange,
  SHAPE_LINUX_4K,
  type RadixTree,
  type TreeShape,
} from "./builders/tree";
import { RadixMmu, type RadixMmuOptions } from "./radix-mmu";
import { LPCR_GTSE, LPCR_HR, LPCR_UPRT } from "./registers";
import { SparseMemory } from "./sparse-memory";

export function regs(over: Partial<MmuRegs> = {}): MmuRegs {
  return {
    msrHV: true,
    msrPR: false,
    msrIR: true,
    msrDR: true,
    lpidr: 0,
    pidr: 0,
    ptcrHi: 0,
    ptcrLo: 0,
    lpcrHi: 0,
    lpcrLo: LPCR_HR | LPCR_UPRT | LPCR_GTSE,
    amrHi: 0,
    amrLo: 0,
    iamrHi: 0,
    iamrLo: 0,
    ...over,
  };
}

/** Splits a bigint EA into halves. */
export function ea(x: bigint): [number, number] {
  return [Number((x >> 32n) & 0xffffffffn), Number(x & 0xffffffffn)];
}

/** Wraps a PhysMem and records every 32-bit read address. */
export class RecordingMem implements PhysMem {
  log: number[] = [];
  constructor(readonly inner: PhysMem) {}
  read32(addr: number): number {
    this.log.push(addr);
    return this.inner.read32(addr);
  }
  write32(addr: number, value: number): void {
    this.inner.write32(addr, value);
  }
}

export interface HostSetup {
  mem: SparseMemory;
  rec: RecordingMem;
  alloc: BumpAllocator;
  partTable: PartitionTable;
  procTable: ProcessTable;
  /** PID 0 tree (quadrant 3, kernel) and a PID 1 tree (quadrant 0, user). */
  kernel: RadixTree;
  user: RadixTree;
  mmu: RadixMmu;
  regs: MmuRegs;
}

/** Bare-metal host: tables from 1 MiB, PATE[0] = HR | kernel tree, process table with PID 0/1. */
export function hostSetup(
  opts: Partial<RadixMmuOptions> = {},
  shape: TreeShape = SHAPE_LINUX_4K,
): HostSetup {
  const mem = new SparseMemory();
  const rec = new RecordingMem(mem);
  const alloc = new BumpAllocator(mem, 0x100000, 0x1000000);
  const partTable = createPartitionTable(mem, alloc, 0);
  const procTable = createProcessTable(mem, alloc, 0);
  const kernel = createTree(mem, alloc, shape);
  const user = createTree(mem, alloc, shape);
  setPrte(procTable, 0, kernel);
  setPrte(procTable, 1, user);
  setPate(partTable, 0, radixPate(kernel, procTable));
  const mmu = new RadixMmu({ mem: rec, ...opts });
  return {
    mem,
    rec,
    alloc,
    partTable,
    procTable,
    kernel,
    user,
    mmu,
    regs: regs({ ptcrHi: partTable.ptcrHi, ptcrLo: partTable.ptcrLo, pidr: 1 }),
  };
}

export interface GuestSetup extends HostSetup {
  lpid: number;
  /** LPID's partition-scoped tree: guest real [0, 256 MiB) -> host real 0x40000000 + gpa. */
  partTree: RadixTree;
  guestProcTable: ProcessTable;
  /** Guest trees (in guest real memory): PID 0 kernel, PID 5 user. */
  gKernel: RadixTree;
  gUser: RadixTree;
  guestRegs: MmuRegs;
}

export const GUEST_HOST_BASE = 0x40000000;
export const GUEST_RAM = 0x10000000;

/** L0 host with one radix guest (LPID 3) whose partition-scoped tree L0 built in host memory. */
export function guestSetup(
  opts: Partial<RadixMmuOptions> = {},
  partPageShift = 21,
  guestShape: TreeShape = SHAPE_LINUX_4K,
): GuestSetup {
  const h = hostSetup(opts);
  const lpid = 3;
  const partTree = createTree(h.mem, h.alloc);
  // With 4K partition pages only [32 MiB, 112 MiB) is mapped (tables and the data pages the
  // tests use), to keep setup fast; larger pages map all of guest RAM.
  const [start, len] = partPageShift < 21 ? [0x2000000, 0x5000000] : [0, GUEST_RAM];
  mapRange(partTree, start, GUEST_HOST_BASE + start, len, { perm: 7 }, partPageShift);
  const gmem = guestRealView(partTree);
  // Guest tables live in guest real [32 MiB, 64 MiB).
  const galloc = new BumpAllocator(gmem, 0x2000000, 0x4000000);
  const guestProcTable = createProcessTable(gmem, galloc, 0);
  const gKernel = createTree(gmem, galloc, guestShape);
  const gUser = createTree(gmem, galloc, guestShape);
  setPrte(guestProcTable, 0, gKernel);
  setPrte(guestProcTable, 5, gUser);
  setPate(h.partTable, lpid, radixPate(partTree, guestProcTable));
  return {
    ...h,
    lpid,
    partTree,
    guestProcTable,
    gKernel,
    gUser,
    guestRegs: { ...h.regs, msrHV: false, lpidr: lpid, pidr: 5 },
  };
}
