// @hvsim/radix-mmu: the POWER9 radix MMU (process- and partition-scoped translation, the
// two-dimensional nested walk, TLB and page-walk cache tagged by LPID/PID, tlbie/tlbiel) and
// builders for radix trees in any memory. See README.md.
export type {
  AccessKind,
  MmuFault,
  MmuRegs,
  TlbieOp,
  TlbieOutcome,
  TranslationOk,
  Translator,
} from "./contract";
export type { EA, GPA, Lpid, Pid, RA, TreeInput, TreeOutput } from "./address-kinds";
export type { PhysMem } from "./phys-mem";
export { physMemOverBus, read64, read64n, write64, write64n } from "./phys-mem";
export type { SizedBus } from "./phys-mem";
export { SparseMemory } from "./sparse-memory";
export { RadixMmu } from "./radix-mmu";
export type { PateSource, RadixMmuOptions, RadixMmuState } from "./radix-mmu";
export type { MmuCounters } from "./counters";
export { decodeTlbie, apToShift, shiftToAp } from "./tlbie";
export type { Invalidation, InvalidationTarget, TlbieDecode } from "./tlbie";
export type { TlbEntry } from "./tlb";
export type { PwcEntry } from "./page-walk-cache";
export type { PrteCacheEntry } from "./process-table-cache";
export * as bits from "./registers";
export { BumpAllocator } from "./builders/allocator";
export type { TableAllocator } from "./builders/allocator";
export {
  SHAPE_LINUX_4K,
  SHAPE_LINUX_64K,
  SHAPE_MICROWATT_39,
  createTree,
  eaaBits,
  encodePde,
  encodePte,
  lookupLeaf,
  mapPage,
  mapRange,
  pageShifts,
  protectPage,
  rootEntry,
  setPageRc,
  unmapPage,
} from "./builders/tree";
export type { Leaf, LeafFlags, MapResult, RadixTree, TreeShape } from "./builders/tree";
export {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
} from "./builders/tables";
export type { PartitionTable, ProcessTable } from "./builders/tables";
export { guestRealView } from "./builders/guest-real-view";
