import { POW2 } from "./pow2";

export const PWC_PROCESS = 1;
export const PWC_PARTITION = 2;

/** Deepest directory level the cache distinguishes. */
const MAX_LEVEL = 7;

/** One cached page-directory entry as plain data. */
export interface PwcEntry {
  /** Position in the cache (direct-mapped by a hash of the tag). */
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
 * Page-walk cache: directory entries (PDEs) tagged by scope, LPID, PID and depth, so a walk
 * can start at the deepest cached level instead of the root. Direct-mapped by a hash of the
 * tag (deterministic; a conflict evicts, which only costs reads). A lookup probes each depth
 * from the deepest, once per table size seen at that depth (one, for the POWER9 shapes).
 * Size 0 disables it.
 */
export class PageWalkCache {
  readonly size: number;
  private readonly hashShift: number;
  private readonly scope: Uint8Array;
  private readonly lpid: Uint32Array;
  private readonly pid: Uint32Array;
  private readonly level: Uint8Array;
  private readonly coverShift: Uint8Array;
  private readonly prefix: Float64Array;
  readonly nextBase: Float64Array;
  readonly nextNls: Uint8Array;
  /** coverShifts[level]: the table sizes (as cover shifts) inserted at that depth. */
  private coverShifts: number[][] = emptyShifts();

  constructor(size: number) {
    if (size !== 0 && (size < 2 || (size & (size - 1)) !== 0 || size > 1 << 16)) {
      throw new Error(
        `page-walk cache size ${size} is not supported: use 0 (off) or a power of two in 2..65536`,
      );
    }
    this.size = size;
    this.hashShift = size === 0 ? 0 : 32 - Math.log2(size);
    this.scope = new Uint8Array(size);
    this.lpid = new Uint32Array(size);
    this.pid = new Uint32Array(size);
    this.level = new Uint8Array(size);
    this.coverShift = new Uint8Array(size);
    this.prefix = new Float64Array(size);
    this.nextBase = new Float64Array(size);
    this.nextNls = new Uint8Array(size);
  }

  private slotOf(scope: number, lpid: number, pid: number, level: number, prefix: number): number {
    const h =
      (prefix >>> 0) ^
      Math.imul(pid, 0x27d4eb2d) ^
      (lpid << 11) ^
      (level << 26) ^
      (scope << 30) ^
      Math.floor(prefix / 4294967296);
    return Math.imul(h, 0x9e3779b1) >>> this.hashShift;
  }

  /** The deepest entry covering `va` for (scope, lpid, pid), or -1. */
  lookup(scope: number, lpid: number, pid: number, va: number): number {
    if (this.size === 0) return -1;
    for (let level = MAX_LEVEL; level >= 1; level--) {
      const shifts = this.coverShifts[level]!;
      for (let k = 0; k < shifts.length; k++) {
        const s = shifts[k]!;
        const prefix = Math.floor(va / POW2[s]!);
        const i = this.slotOf(scope, lpid, pid, level, prefix);
        if (
          this.scope[i] === scope &&
          this.prefix[i] === prefix &&
          this.level[i] === level &&
          this.coverShift[i] === s &&
          this.pid[i] === pid &&
          this.lpid[i] === lpid
        ) {
          return i;
        }
      }
    }
    return -1;
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
    if (this.size === 0 || level > MAX_LEVEL) return;
    const prefix = Math.floor(va / POW2[coverShift]!);
    const i = this.slotOf(scope, lpid, pid, level, prefix);
    this.scope[i] = scope;
    this.lpid[i] = lpid;
    this.pid[i] = pid;
    this.level[i] = level;
    this.coverShift[i] = coverShift;
    this.prefix[i] = prefix;
    this.nextBase[i] = nextBase;
    this.nextNls[i] = nextNls;
    const shifts = this.coverShifts[level]!;
    if (!shifts.includes(coverShift)) {
      shifts.push(coverShift);
      shifts.sort((a, b) => a - b);
    }
  }

  /** Drops entries of `scope` (both if undefined) matching lpid/pid when given. */
  invalidate(scope: number | undefined, lpid: number | undefined, pid: number | undefined): number {
    let dropped = 0;
    let remaining = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.scope[i] === 0) continue;
      if (
        (scope !== undefined && this.scope[i] !== scope) ||
        (lpid !== undefined && this.lpid[i] !== lpid) ||
        (pid !== undefined && this.pid[i] !== pid)
      ) {
        remaining++;
        continue;
      }
      this.scope[i] = 0;
      dropped++;
    }
    if (remaining === 0) this.coverShifts = emptyShifts();
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

  /** Restores entries listed by entries() (into a cache of the same size: same positions). */
  load(entries: readonly PwcEntry[]): void {
    this.invalidate(undefined, undefined, undefined);
    for (const e of entries) {
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
  }
}

function emptyShifts(): number[][] {
  return Array.from({ length: MAX_LEVEL + 1 }, () => []);
}
