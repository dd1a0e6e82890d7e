/** Highest reads-per-walk value with its own histogram bucket; more lands in the last one. */
export const READS_HISTOGRAM_MAX = 40;

/** What the MMU did, for statistics and the performance model. Plain data; see README. */
export interface MmuCounters {
  /** translate() calls. */
  translations: number;
  /** Real-mode translations (no tree involved). */
  realMode: number;
  /** Process-entry TLB lookups that hit and granted the access. */
  tlbHits: number;
  /** Process-entry TLB lookups that missed. */
  tlbMisses: number;
  /** TLB hits whose cached permissions or R/C did not allow the access: re-walked, as POWER9
   *  re-walks before raising a storage interrupt. */
  tlbUpgradeWalks: number;
  /** Partition-entry (guest real -> host real) TLB lookups that hit / missed. */
  partitionTlbHits: number;
  partitionTlbMisses: number;
  /** translate() calls that walked (TLB miss or upgrade). */
  walks: number;
  /** Individual radix tree walks (process and partition), including nested ones. */
  treeWalks: number;
  /** Memory reads (one per 8-byte entry, one per 16-byte PATE) made by all walks. */
  walkReads: number;
  /** Reads of the most recent walk, and the largest seen. */
  lastWalkReads: number;
  maxWalkReads: number;
  /** readsPerWalk[n] = walks that made n reads (the last bucket collects n >= 40). */
  readsPerWalk: number[];
  /** Page-walk cache hits by the depth of the table they skipped to (index 1..), misses. */
  pwcHitsByLevel: number[];
  pwcMisses: number;
  /** Partition-table-entry and process-table-entry cache hits / misses. */
  pateHits: number;
  pateMisses: number;
  prteHits: number;
  prteMisses: number;
  /** Faults returned. */
  faults: number;
  /** R/C bits written back by the "set in hardware" policy. */
  rcUpdates: number;
  /** Invalidations. */
  tlbie: number;
  tlbiel: number;
  /** By IS: [0 va, 1 pid, 2 lpid, 3 all]; by RIC: [0 tlb, 1 pwc, 2 all]. */
  invalidateByIs: number[];
  invalidateByRic: number[];
  /** Rejected tlbie/tlbiel: invalid forms, privileged, hypervisor-privileged. */
  tlbieInvalidForm: number;
  tlbiePrivileged: number;
  tlbieHvPrivileged: number;
  /** Host-side flushes: flushLpid / flushPid / flushAll. */
  flushLpid: number;
  flushPid: number;
  flushAll: number;
  /** Entries dropped by invalidations. */
  tlbEntriesDropped: number;
  pwcEntriesDropped: number;
}

export function zeroCounters(): MmuCounters {
  return {
    translations: 0,
    realMode: 0,
    tlbHits: 0,
    tlbMisses: 0,
    tlbUpgradeWalks: 0,
    partitionTlbHits: 0,
    partitionTlbMisses: 0,
    walks: 0,
    treeWalks: 0,
    walkReads: 0,
    lastWalkReads: 0,
    maxWalkReads: 0,
    readsPerWalk: new Array<number>(READS_HISTOGRAM_MAX + 1).fill(0),
    pwcHitsByLevel: new Array<number>(8).fill(0),
    pwcMisses: 0,
    pateHits: 0,
    pateMisses: 0,
    prteHits: 0,
    prteMisses: 0,
    faults: 0,
    rcUpdates: 0,
    tlbie: 0,
    tlbiel: 0,
    invalidateByIs: [0, 0, 0, 0],
    invalidateByRic: [0, 0, 0],
    tlbieInvalidForm: 0,
    tlbiePrivileged: 0,
    tlbieHvPrivileged: 0,
    flushLpid: 0,
    flushPid: 0,
    flushAll: 0,
    tlbEntriesDropped: 0,
    pwcEntriesDropped: 0,
  };
}

export function copyCounters(c: MmuCounters): MmuCounters {
  return {
    ...c,
    readsPerWalk: [...c.readsPerWalk],
    pwcHitsByLevel: [...c.pwcHitsByLevel],
    invalidateByIs: [...c.invalidateByIs],
    invalidateByRic: [...c.invalidateByRic],
  };
}
