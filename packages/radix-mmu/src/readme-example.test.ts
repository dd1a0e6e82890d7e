// The README's worked example, kept runnable: build a tree, translate, invalidate.
import { expect, it } from "vitest";
import {
  BumpAllocator,
  RadixMmu,
  SparseMemory,
  createPartitionTable,
  createProcessTable,
  createTree,
  mapPage,
  radixPate,
  setPate,
  setPrte,
  shiftToAp,
  unmapPage,
  type MmuRegs,
} from "./index";

it("README worked example", () => {
  // --- example start ---
  // Host memory and an allocator for page-table pages in [1 MiB, 16 MiB).
  const mem = new SparseMemory();
  const alloc = new BumpAllocator(mem, 0x100000, 0x1000000);

  // Bare-metal hypervisor tables: partition table (PTCR), process table, PID 1's tree.
  const partitionTable = createPartitionTable(mem, alloc);
  const processTable = createProcessTable(mem, alloc);
  const tree = createTree(mem, alloc); // Linux 4K shape: 52-bit, 13/9/9/9
  setPrte(processTable, 1, tree);
  setPate(partitionTable, 0, radixPate(tree, processTable));

  // Map EA 0x10000 (quadrant 0, PID 1) -> RA 0x900000, read/write, 4 KiB.
  mapPage(tree, 0x10000, 0x900000, 12, { perm: 0b011 });

  const mmu = new RadixMmu({ mem });
  const regs: MmuRegs = {
    msrHV: true,
    msrPR: false,
    msrIR: true,
    msrDR: true,
    lpidr: 0,
    pidr: 1,
    ptcrHi: partitionTable.ptcrHi,
    ptcrLo: partitionTable.ptcrLo,
    lpcrHi: 0,
    lpcrLo: 0,
    amrHi: 0,
    amrLo: 0,
    iamrHi: 0,
    iamrLo: 0,
  };

  const ok = mmu.translate(0, 0x10008, 1, regs); // a store
  // -> { kind: "ok", ra: 0x900008, pageShift: 12, perm: 3 }
  const exec = mmu.translate(0, 0x10008, 2, regs); // an instruction fetch
  // -> { kind: "fault", vector: 0x400, srr1Cause: 0x10000000 (no-execute), ... }

  // Unmap, then invalidate as the OS would: tlbie RB = EA | AP, RS = PID << 32.
  let dropped = 0;
  mmu.onInvalidate(() => dropped++); // the CPU drops its soft TLB here
  const leaf = unmapPage(tree, 0x10000)!;
  mmu.tlbie({
    rbHi: 0,
    rbLo: 0x10000 | (shiftToAp(leaf.pageShift) << 5), // IS=0 (this page)
    rsHi: 1,
    rsLo: 0, // PID 1, LPID 0
    ric: 0,
    prs: 1,
    r: 1,
    local: false,
    regs,
  });
  const gone = mmu.translate(0, 0x10008, 0, regs);
  // -> { kind: "fault", vector: 0x300, dsisr: 0x40000000 (no PTE), eaLo: 0x10008, ... }
  // --- example end ---

  expect(ok).toEqual({ kind: "ok", ra: 0x900008, pageShift: 12, perm: 3 });
  expect(exec).toMatchObject({ kind: "fault", vector: 0x400, srr1Cause: 0x10000000 });
  expect(gone).toMatchObject({ kind: "fault", vector: 0x300, dsisr: 0x40000000, eaLo: 0x10008 });
  expect(dropped).toBe(1);
});
