/** One cached process-table entry (dw0 only: the radix MMU reads nothing else). */
export interface PrteCacheEntry {
  lpid: number;
  pid: number;
  hi: number;
  lo: number;
}

const SIZE = 256;

/**
 * Cache of process-table entries tagged by (LPID, PID), as hardware keeps them; dropped by
 * RIC=2 invalidations. Direct-mapped, 256 entries, typed arrays.
 */
export class ProcessTableCache {
  private readonly valid = new Uint8Array(SIZE);
  private readonly lpid = new Uint32Array(SIZE);
  private readonly pid = new Uint32Array(SIZE);
  readonly hi = new Uint32Array(SIZE);
  readonly lo = new Uint32Array(SIZE);

  private static slot(lpid: number, pid: number): number {
    return (Math.imul(pid ^ (lpid << 11), 0x9e3779b1) >>> 24) & (SIZE - 1);
  }

  lookup(lpid: number, pid: number): number {
    const s = ProcessTableCache.slot(lpid, pid);
    return this.valid[s] === 1 && this.lpid[s] === lpid && this.pid[s] === pid ? s : -1;
  }

  insert(lpid: number, pid: number, hi: number, lo: number): void {
    const s = ProcessTableCache.slot(lpid, pid);
    this.valid[s] = 1;
    this.lpid[s] = lpid;
    this.pid[s] = pid;
    this.hi[s] = hi;
    this.lo[s] = lo;
  }

  /** Drops entries matching lpid / pid when given (all when neither is). */
  invalidate(lpid: number | undefined, pid: number | undefined): void {
    for (let s = 0; s < SIZE; s++) {
      if (lpid !== undefined && this.lpid[s] !== lpid) continue;
      if (pid !== undefined && this.pid[s] !== pid) continue;
      this.valid[s] = 0;
    }
  }

  entries(): PrteCacheEntry[] {
    const out: PrteCacheEntry[] = [];
    for (let s = 0; s < SIZE; s++) {
      if (this.valid[s] !== 1) continue;
      out.push({ lpid: this.lpid[s]!, pid: this.pid[s]!, hi: this.hi[s]!, lo: this.lo[s]! });
    }
    return out;
  }

  load(entries: readonly PrteCacheEntry[]): void {
    this.invalidate(undefined, undefined);
    for (const e of entries) this.insert(e.lpid, e.pid, e.hi, e.lo);
  }
}
