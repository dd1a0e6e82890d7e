import { POW2 } from "./pow2";

/** Entry kinds. A process entry maps an EA (tree address) of (LPID, PID); when the LPID's
 *  translation also went through the partition-scoped tree it is a combined (2-D) entry and
 *  remembers the guest real page it came from. A partition entry maps a guest real address. */
export const TLB_PROCESS = 1;
export const TLB_PARTITION = 2;

/** One TLB entry as plain data (listing, save/restore). */
export interface TlbEntry {
  slot: number;
  kind: "process" | "partition";
  lpid: number;
  pid: number;
  pageShift: number;
  /** First address of the page: a tree address (process) or guest real address (partition). */
  base: number;
  /** Real address of the page's first byte. */
  raBase: number;
  /** Process-scoped PTE attribute bits (EAA, ATT, R, C; low word of the PTE), -1 if none. */
  procAttr: number;
  /** Partition-scoped PTE attribute bits, -1 if the translation had no partition part. */
  partAttr: number;
  /** Guest real address of the page (combined entries), else 0. */
  gpaBase: number;
}

/**
 * A direct-mapped TLB in typed arrays, tagged by kind, LPID, PID and page size. Any page size
 * may be cached; lookups probe each page size present (usually one or two). Direct-mapped
 * with a multiplicative hash: a conflict evicts, which only costs a walk. Size 0 disables it.
 */
export class Tlb {
  readonly size: number;
  private readonly hashShift: number;
  private readonly kind: Uint8Array;
  private readonly lpid: Uint32Array;
  private readonly pid: Uint32Array;
  private readonly shift: Uint8Array;
  private readonly vpn: Float64Array;
  /** Public for the MMU's hit path. */
  readonly raBase: Float64Array;
  readonly procAttr: Int32Array;
  readonly partAttr: Int32Array;
  private readonly gpaBase: Float64Array;
  /** Page shifts inserted since the last full clear, probed in order on lookup. */
  private shifts: number[] = [];
  /** Shift and page base (tree / guest real address) of the entry found by the last
   *  successful lookup. */
  hitShift = 0;
  hitBase = 0;

  constructor(size: number) {
    if (size !== 0 && (size < 2 || (size & (size - 1)) !== 0 || size > 1 << 20)) {
      throw new Error(
        `TLB size ${size} is not supported: use 0 (off) or a power of two in 2..2^20`,
      );
    }
    this.size = size;
    this.hashShift = size === 0 ? 0 : 32 - Math.log2(size);
    this.kind = new Uint8Array(size);
    this.lpid = new Uint32Array(size);
    this.pid = new Uint32Array(size);
    this.shift = new Uint8Array(size);
    this.vpn = new Float64Array(size);
    this.raBase = new Float64Array(size);
    this.procAttr = new Int32Array(size);
    this.partAttr = new Int32Array(size);
    this.gpaBase = new Float64Array(size);
  }

  private slotOf(kind: number, lpid: number, pid: number, vpn: number, shift: number): number {
    const h = (vpn >>> 0) ^ Math.imul(pid, 0x27d4eb2d) ^ (lpid << 9) ^ (shift << 26) ^ (kind << 30);
    return Math.imul(h, 0x9e3779b1) >>> this.hashShift;
  }

  /** Index of the entry mapping `va` for (kind, lpid, pid), or -1. */
  lookup(kind: number, lpid: number, pid: number, va: number): number {
    const shifts = this.shifts;
    for (let i = 0; i < shifts.length; i++) {
      const s = shifts[i]!;
      const p = POW2[s]!;
      const vpn = Math.floor(va / p);
      const slot = this.slotOf(kind, lpid, pid, vpn, s);
      if (
        this.kind[slot] === kind &&
        this.vpn[slot] === vpn &&
        this.shift[slot] === s &&
        this.pid[slot] === pid &&
        this.lpid[slot] === lpid
      ) {
        this.hitShift = s;
        this.hitBase = vpn * p;
        return slot;
      }
    }
    return -1;
  }

  /** Page-base tree/guest address of entry `slot`. */
  base(slot: number): number {
    return this.vpn[slot]! * POW2[this.shift[slot]!]!;
  }

  insert(
    kind: number,
    lpid: number,
    pid: number,
    shift: number,
    va: number,
    raBase: number,
    procAttr: number,
    partAttr: number,
    gpaBase: number,
  ): void {
    if (this.size === 0) return;
    const vpn = Math.floor(va / POW2[shift]!);
    const slot = this.slotOf(kind, lpid >>> 0, pid >>> 0, vpn, shift);
    this.kind[slot] = kind;
    this.lpid[slot] = lpid;
    this.pid[slot] = pid;
    this.shift[slot] = shift;
    this.vpn[slot] = vpn;
    this.raBase[slot] = raBase;
    this.procAttr[slot] = procAttr;
    this.partAttr[slot] = partAttr;
    this.gpaBase[slot] = gpaBase;
    if (!this.shifts.includes(shift)) {
      this.shifts.push(shift);
      this.shifts.sort((a, b) => a - b);
    }
  }

  /**
   * Drops entries selected by a tlbie-style match and returns how many were dropped.
   * scope "process": process entries of (lpid, pid) / lpid / all, optionally only those
   * overlapping [addr, addr + 2^addrShift) in tree-address space.
   * scope "partition": partition entries, and combined process entries (whose translation
   * used the partition-scoped tree), of lpid / all, optionally only those overlapping the
   * guest real range [addr, addr + 2^addrShift).
   */
  invalidate(
    scope: "process" | "partition",
    lpid: number | undefined,
    pid: number | undefined,
    addr: number | undefined,
    addrShift: number,
  ): number {
    let dropped = 0;
    const end = addr === undefined ? 0 : addr + POW2[addrShift]!;
    for (let i = 0; i < this.size; i++) {
      const k = this.kind[i]!;
      if (k === 0) continue;
      if (lpid !== undefined && this.lpid[i] !== lpid) continue;
      const size = POW2[this.shift[i]!]!;
      if (scope === "process") {
        if (k !== TLB_PROCESS) continue;
        if (pid !== undefined && this.pid[i] !== pid) continue;
        if (addr !== undefined) {
          const b = this.vpn[i]! * size;
          if (!(b < end && addr < b + size)) continue;
        }
      } else {
        let b: number;
        if (k === TLB_PARTITION) b = this.vpn[i]! * size;
        else if (this.partAttr[i]! >= 0) b = this.gpaBase[i]!;
        else continue;
        if (addr !== undefined && !(b < end && addr < b + size)) continue;
      }
      this.kind[i] = 0;
      dropped++;
    }
    return dropped;
  }

  clear(): number {
    let dropped = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.kind[i] !== 0) dropped++;
      this.kind[i] = 0;
    }
    this.shifts = [];
    return dropped;
  }

  /** Valid entries, in slot order. */
  entries(): TlbEntry[] {
    const out: TlbEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const k = this.kind[i]!;
      if (k === 0) continue;
      out.push({
        slot: i,
        kind: k === TLB_PROCESS ? "process" : "partition",
        lpid: this.lpid[i]!,
        pid: this.pid[i]!,
        pageShift: this.shift[i]!,
        base: this.base(i),
        raBase: this.raBase[i]!,
        procAttr: this.procAttr[i]!,
        partAttr: this.partAttr[i]!,
        gpaBase: this.gpaBase[i]!,
      });
    }
    return out;
  }

  /** Restores entries listed by entries() (into a TLB of the same size). */
  load(entries: readonly TlbEntry[]): void {
    this.clear();
    for (const e of entries) {
      this.insert(
        e.kind === "process" ? TLB_PROCESS : TLB_PARTITION,
        e.lpid,
        e.pid,
        e.pageShift,
        e.base,
        e.raBase,
        e.procAttr,
        e.partAttr,
        e.gpaBase,
      );
    }
  }
}
