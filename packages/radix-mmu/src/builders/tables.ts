import type { GPA, Lpid, Pid, RA } from "../address-kinds";
import type { PhysMem } from "../phys-mem";
import { PATE_HR_HI, TWO32 } from "../registers";
import type { TableAllocator } from "./allocator";
import { rootEntry, type RadixTree } from "./tree";

/** A partition table in host real memory, named by PTCR. */
export interface PartitionTable {
  readonly mem: PhysMem;
  readonly base: RA;
  /** PATS: the table is 2^(PATS+12) bytes, 2^(PATS+8) entries. */
  readonly pats: number;
  /** The PTCR value that names it (PATB | PATS). */
  readonly ptcrHi: number;
  readonly ptcrLo: number;
}

/** A process table, indexed by PID (lives in guest real memory for a guest). */
export interface ProcessTable {
  readonly mem: PhysMem;
  /** Host real for the host's table, guest real for a guest's. */
  readonly base: RA | GPA;
  /** PRTS: the table is 2^(PRTS+12) bytes, 2^(PRTS+8) entries. */
  readonly prts: number;
}

export function createPartitionTable(
  mem: PhysMem,
  alloc: TableAllocator,
  pats = 0,
): PartitionTable {
  if (!Number.isInteger(pats) || pats < 0 || pats > 24) {
    throw new Error(`PATS ${pats} is out of range: use 0..24 (table of 2^(PATS+12) bytes)`);
  }
  const base = alloc.allocTable(2 ** (pats + 12));
  return {
    mem,
    base,
    pats,
    ptcrHi: Math.floor(base / TWO32) & 0x0fffffff,
    ptcrLo: (((base >>> 0) & 0xfffff000) | pats) >>> 0,
  };
}

export function createProcessTable(mem: PhysMem, alloc: TableAllocator, prts = 0): ProcessTable {
  if (!Number.isInteger(prts) || prts < 0 || prts > 24) {
    throw new Error(`PRTS ${prts} is out of range: use 0..24 (table of 2^(PRTS+12) bytes)`);
  }
  return { mem, base: alloc.allocTable(2 ** (prts + 12)), prts };
}

/**
 * PATE words [dw0 hi, dw0 lo, dw1 hi, dw1 lo] for a radix partition: HR | the partition-scoped
 * tree (omit it for the host's own entry in permissive setups) and the process table (its
 * address in the partition's real space).
 */
export function radixPate(
  partitionTree: RadixTree | undefined,
  processTable: ProcessTable | undefined,
): [number, number, number, number] {
  let dw0Hi = PATE_HR_HI;
  let dw0Lo = 0;
  if (partitionTree !== undefined) {
    const [h, l] = rootEntry(partitionTree);
    dw0Hi = (dw0Hi | h) >>> 0;
    dw0Lo = l;
  }
  let dw1Hi = 0;
  let dw1Lo = 0;
  if (processTable !== undefined) {
    dw1Hi = Math.floor(processTable.base / TWO32) & 0x0fffffff;
    dw1Lo = (((processTable.base >>> 0) & 0xfffff000) | processTable.prts) >>> 0;
  }
  return [dw0Hi >>> 0, dw0Lo >>> 0, dw1Hi >>> 0, dw1Lo >>> 0];
}

/** Writes PATE[lpid]. Invalidate with RIC=2 PRS=0 IS=2 (or RadixMmu.flushLpid) afterwards. */
export function setPate(
  table: PartitionTable,
  lpid: Lpid,
  words: readonly [number, number, number, number],
): void {
  if (!Number.isInteger(lpid) || lpid < 0 || lpid >= 2 ** (table.pats + 8)) {
    throw new Error(`LPID ${lpid} does not fit a partition table of 2^${table.pats + 8} entries`);
  }
  const a = table.base + lpid * 16;
  for (let i = 0; i < 4; i++) table.mem.write32(a + 4 * i, words[i]!);
}

/** Writes PRTE[pid] = the tree's root entry (or zero to make the PID fault). Invalidate with
 *  RIC=2 PRS=1 IS=1 for that PID afterwards. */
export function setPrte(table: ProcessTable, pid: Pid, tree: RadixTree | undefined): void {
  if (!Number.isInteger(pid) || pid < 0 || pid >= 2 ** (table.prts + 8)) {
    throw new Error(`PID ${pid} does not fit a process table of 2^${table.prts + 8} entries`);
  }
  const a = table.base + pid * 16;
  const [hi, lo] = tree === undefined ? [0, 0] : rootEntry(tree);
  table.mem.write32(a, hi);
  table.mem.write32(a + 4, lo);
  table.mem.write32(a + 8, 0);
  table.mem.write32(a + 12, 0);
}
