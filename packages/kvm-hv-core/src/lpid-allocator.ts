// LPIDs: one per VM (and, for kvm-nested, one per shadow partition), from one pool. LPID 0 is
// the host's. Allocation is lowest-free, so it is deterministic.

export class LpidAllocator {
  private readonly used = new Set<number>([0]);

  /** `count`: LPIDs the partition table has room for (2^(PATS+8)). */
  constructor(readonly count: number) {}

  alloc(): number {
    for (let l = 1; l < this.count; l++) {
      if (!this.used.has(l)) {
        this.used.add(l);
        return l;
      }
    }
    throw new Error(`all ${this.count - 1} guest LPIDs are in use: destroy a VM first`);
  }

  free(lpid: number): void {
    if (lpid === 0 || !this.used.delete(lpid)) {
      throw new Error(`LPID ${lpid} is not allocated`);
    }
  }

  inUse(): number[] {
    return [...this.used].filter((l) => l !== 0).sort((a, b) => a - b);
  }
}
