import { POW2 } from "./pow2";

export const PWC_PROCESS = 1;
export const PWC_PARTITION = 2;

/** One cached page-directory entry as plain data. */
export interface PwcEntry {
  /** Position in the cache (replacement is round-robin over positions). */
  slot: number;
  scope: "process" | "partition";
  lpid: number;
  pid: number;
  /** Depth of the table this PDE points to (1 = the level below the root). */
  level: number;
  /** The table pointed to covers 2^coverShift bytes of tree address space... */
  coverShift: number;
  /** ...namely the range starting at prefix * 2^coverShift. */
  prefix: number;
  /** Next-level base (real for host/partition trees, guest real for a guest's process tree). */
  nextBase: number;
  /** Next-level size: 2^nextNls entries. */
  nextNls: number;
}

/**
 * Page-walk cache: directory entries (PDEs) tagged by scope, LPID and PID, so a walk can start
 * at the deepest cached level instead of the root. Fully associative with round-robin
 * replacement (deterministic); lookups scan all entries, which is cheap next to the memory
 * reads a hit saves. Size 0 disables it.
 */
export class PageWalkCache {
  readonly size: number;
  private readonly scope: Uint8Array;
  private readonly lpid: Uint32Array;
  private readonly pid: Uint32Array;
  private readonly level: Uint8Array;
  private readonly coverShift: Uint8Array;
  private readonly prefix: Float64Array;
  readonly nextBase: Float64Array;
  readonly nextNls: Uint8Array;
  private next = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0 || size > 4096) {
      throw new Error(`page-walk cache size ${size} is not supported: use 0 (off) to 4096`);
    }
    this.size = size;
    this.scope = new Uint8Array(size);
    this.lpid = new Uint32Array(size);
    this.pid = new Uint32Array(size);
    this.level = new Uint8Array(size);
    this.coverShift = new Uint8Array(size);
    this.prefix = new Float64Array(size);
    this.nextBase = new Float64Array(size);
    this.nextNls = new Uint8Array(size);
  }

  /** The deepest entry covering `va` for (scope, lpid, pid), or -1. */
  lookup(scope: number, lpid: number, pid: number, va: number): number {
    let best = -1;
    let bestShift = 64;
    for (let i = 0; i < this.size; i++) {
      if (this.scope[i] !== scope || this.pid[i] !== pid || this.lpid[i] !== lpid) continue;
      const s = this.coverShift[i]!;
      if (s < bestShift && Math.floor(va / POW2[s]!) === this.prefix[i]) {
        best = i;
        bestShift = s;
      }
    }
    return best;
  }

  levelOf(i: number): number {
    return this.level[i]!;
  }

  coverShiftOf(i: number): number {
    return this.coverShift[i]!;
  }

  insert(
    scope: number,
    lpid: number,
    pid: number,
    level: number,
    coverShift: number,
    va: number,
    nextBase: number,
    nextNls: number,
  ): void {
    if (this.size === 0) return;
    const i = this.next;
    this.next = (i + 1) % this.size;
    this.scope[i] = scope;
    this.lpid[i] = lpid;
    this.pid[i] = pid;
    this.level[i] = level;
    this.coverShift[i] = coverShift;
    this.prefix[i] = Math.floor(va / POW2[coverShift]!);
    this.nextBase[i] = nextBase;
    this.nextNls[i] = nextNls;
  }

  /** Drops entries of `scope` (both if undefined) matching lpid/pid when given. */
  invalidate(scope: number | undefined, lpid: number | undefined, pid: number | undefined): number {
    let dropped = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.scope[i] === 0) continue;
      if (scope !== undefined && this.scope[i] !== scope) continue;
      if (lpid !== undefined && this.lpid[i] !== lpid) continue;
      if (pid !== undefined && this.pid[i] !== pid) continue;
      this.scope[i] = 0;
      dropped++;
    }
    return dropped;
  }

  entries(): PwcEntry[] {
    const out: PwcEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const sc = this.scope[i]!;
      if (sc === 0) continue;
      out.push({
        slot: i,
        scope: sc === PWC_PROCESS ? "process" : "partition",
        lpid: this.lpid[i]!,
        pid: this.pid[i]!,
        level: this.level[i]!,
        coverShift: this.coverShift[i]!,
        prefix: this.prefix[i]!,
        nextBase: this.nextBase[i]!,
        nextNls: this.nextNls[i]!,
      });
    }
    return out;
  }

  /** Next position round-robin replacement will use (part of the state). */
  get nextSlot(): number {
    return this.next;
  }

  /** Restores entries listed by entries() into their positions, and the replacement pointer. */
  load(entries: readonly PwcEntry[], nextSlot: number): void {
    this.invalidate(undefined, undefined, undefined);
    for (const e of entries) {
      if (e.slot >= this.size) continue;
      this.next = e.slot;
      this.insert(
        e.scope === "process" ? PWC_PROCESS : PWC_PARTITION,
        e.lpid,
        e.pid,
        e.level,
        e.coverShift,
        e.prefix * POW2[e.coverShift]!,
        e.nextBase,
        e.nextNls,
      );
    }
    this.next = this.size === 0 ? 0 : nextSlot % this.size;
  }
}
