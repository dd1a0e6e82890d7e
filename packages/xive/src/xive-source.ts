// The XIVE source engine (IVSE): one PQ state per interrupt source plus, for level-sensitive
// sources, an "asserted" flag; and the ESB MMIO pages through which software drives them.
//
// ESB page layout: a source has one page (trigger and management together) or two (even page =
// trigger only, odd page = management). `esbShift` is log2 of the per-source span: 12 (4K, one
// page), 13 (two 4K pages), 16 (64K, one page), 17 (two 64K pages, QEMU's and KVM's default).
//
// Management page offsets (8-byte big-endian accesses; only the low 12 bits select the op):
//   0x000-0x7FF load  EOI, returns 1 if the EOI forwarded a coalesced event (LOAD_EOI)
//   0x000-0x3FF store trigger
//   0x400-0x7FF store StoreEOI (sources with the StoreEOI flag only)
//   0x800-0xBFF load  PQ, no side effect (GET)
//   0xC00/0xD00/0xE00/0xF00 (+0xFF) load: return old PQ and set 00/01/10/11; store: set
import {
  asPq,
  esbEoi,
  esbTrigger,
  PQ_OFF,
  PQ_PENDING,
  PQ_QUEUED,
  PQ_RESET,
  type Pq,
} from "./esb-pq";
import type { AccessSize, GuestErrorLog, MmioDevice } from "./ports";

export type EsbShift = 12 | 13 | 16 | 17;

export const XIVE_ESB_LOAD_EOI = 0x000;
export const XIVE_ESB_STORE_EOI = 0x400;
export const XIVE_ESB_GET = 0x800;
export const XIVE_ESB_SET_PQ_00 = 0xc00;
export const XIVE_ESB_SET_PQ_01 = 0xd00;
export const XIVE_ESB_SET_PQ_10 = 0xe00;
export const XIVE_ESB_SET_PQ_11 = 0xf00;

/** Status byte: PQ in bits 0-1 and, for LSIs, this "asserted" flag (QEMU XIVE_STATUS_ASSERTED). */
const STATUS_ASSERTED = 0x4;

/** What an invalid ESB load returns (all ones, as QEMU). */
export const ESB_INVALID_LOAD = 0xffff_ffff_ffff_ffffn;

export interface XiveSourceOptions {
  readonly nrIrqs: number;
  readonly esbShift: EsbShift;
  /** Sources support StoreEOI (QEMU's sPAPR default: no, "in sync with KVM"). */
  readonly storeEoi: boolean;
  /** Called when an event leaves the source for the router (the old PQ was 00, or an EOI of 11). */
  readonly notify: (srcno: number) => void;
  readonly log: GuestErrorLog;
}

export interface XiveSourceState {
  readonly version: 1;
  readonly nrIrqs: number;
  /** Per source: PQ | ASSERTED<<2, as QEMU's `xive-source` status bytes. */
  readonly status: readonly number[];
  /** Per source: level-sensitive. */
  readonly lsi: readonly boolean[];
}

export class XiveSource {
  readonly nrIrqs: number;
  readonly esbShift: EsbShift;
  readonly storeEoi: boolean;
  private readonly status: Uint8Array;
  private readonly lsi: Uint8Array;
  private readonly notify: (srcno: number) => void;
  private readonly log: GuestErrorLog;

  constructor(opts: XiveSourceOptions) {
    this.nrIrqs = opts.nrIrqs;
    this.esbShift = opts.esbShift;
    this.storeEoi = opts.storeEoi;
    this.status = new Uint8Array(opts.nrIrqs);
    this.lsi = new Uint8Array(opts.nrIrqs);
    this.notify = opts.notify;
    this.log = opts.log;
    this.reset();
  }

  /** Reset: every PQ = 01 ("ints off"); the LSI configuration is kept. */
  reset(): void {
    this.status.fill(PQ_OFF);
  }

  get twoPage(): boolean {
    return this.esbShift === 13 || this.esbShift === 17;
  }

  /** Size of one ESB page: the span for one-page layouts, half of it for two-page ones. */
  get pageSize(): number {
    return 2 ** (this.twoPage ? this.esbShift - 1 : this.esbShift);
  }

  /** Offset of the trigger page of a source, within the ESB region. */
  triggerPageOffset(srcno: number): number {
    return srcno * 2 ** this.esbShift;
  }

  /** Offset of the management (EOI) page of a source, within the ESB region. */
  mgmtPageOffset(srcno: number): number {
    return this.triggerPageOffset(srcno) + (this.twoPage ? this.pageSize : 0);
  }

  get esbLength(): number {
    return this.nrIrqs * 2 ** this.esbShift;
  }

  private check(srcno: number): void {
    if (!Number.isInteger(srcno) || srcno < 0 || srcno >= this.nrIrqs) {
      throw new Error(`xive-source: source ${srcno} out of range 0..${this.nrIrqs - 1}`);
    }
  }

  isLsi(srcno: number): boolean {
    this.check(srcno);
    return this.lsi[srcno] === 1;
  }

  setLsi(srcno: number, lsi: boolean): void {
    this.check(srcno);
    this.lsi[srcno] = lsi ? 1 : 0;
  }

  pq(srcno: number): Pq {
    this.check(srcno);
    return asPq(this.status[srcno]!);
  }

  /** Set PQ, returning the old value (the ESB SET_PQ_xx ops). */
  setPq(srcno: number, pq: Pq): Pq {
    const old = this.pq(srcno);
    this.status[srcno] = (this.status[srcno]! & ~3) | pq;
    return old;
  }

  asserted(srcno: number): boolean {
    this.check(srcno);
    return (this.status[srcno]! & STATUS_ASSERTED) !== 0;
  }

  /** PQ trigger; returns true when the event must go to the router. */
  private trigger(srcno: number): boolean {
    const t = esbTrigger(this.pq(srcno));
    this.setPq(srcno, t.pq);
    if (this.isLsi(srcno) && t.pq === PQ_QUEUED) {
      this.log.guestError(`XIVE: queued an event on LSI source ${srcno}`);
    }
    return t.forward;
  }

  /** LSI trigger: mark asserted, forward only from PQ 00 (the Q bit is not used for LSIs). */
  private lsiTrigger(srcno: number): boolean {
    const old = this.pq(srcno);
    this.status[srcno] = this.status[srcno]! | STATUS_ASSERTED;
    if (old === PQ_RESET) {
      this.setPq(srcno, PQ_PENDING);
      return true;
    }
    return false;
  }

  /** PQ EOI; an LSI still asserted afterwards is re-triggered. */
  private eoi(srcno: number): boolean {
    const t = esbEoi(this.pq(srcno));
    this.setPq(srcno, t.pq);
    if (this.isLsi(srcno) && this.asserted(srcno)) return this.lsiTrigger(srcno);
    return t.forward;
  }

  /** A device drives the source's input (QEMU xive_source_set_irq). MSIs trigger on a 1. */
  setIrq(srcno: number, level: boolean): void {
    let forward = false;
    if (this.isLsi(srcno)) {
      if (level) forward = this.lsiTrigger(srcno);
      else this.status[srcno] = this.status[srcno]! & ~STATUS_ASSERTED;
    } else if (level) {
      forward = this.trigger(srcno);
    }
    if (forward) this.notify(srcno);
  }

  private isTriggerPage(offset: number): boolean {
    return this.twoPage && Math.floor(offset / this.pageSize) % 2 === 0;
  }

  /** An 8-byte load from the ESB region at `offset`. */
  esbLoad(offset: number): bigint {
    const srcno = Math.floor(offset / 2 ** this.esbShift);
    this.check(srcno);
    if (this.isTriggerPage(offset)) {
      this.log.guestError(
        `XIVE: invalid load on IRQ ${srcno} trigger page at 0x${offset.toString(16)}`,
      );
      return ESB_INVALID_LOAD;
    }
    const op = offset & 0xfff;
    if (op < 0x800) {
      const forward = this.eoi(srcno);
      if (forward) this.notify(srcno);
      return forward ? 1n : 0n;
    }
    if (op < 0xc00) return BigInt(this.pq(srcno));
    return BigInt(this.setPq(srcno, asPq(op >> 8)));
  }

  /** An 8-byte store to the ESB region at `offset`. */
  esbStore(offset: number): void {
    const srcno = Math.floor(offset / 2 ** this.esbShift);
    this.check(srcno);
    const op = offset & 0xfff;
    let forward = false;
    if (this.isTriggerPage(offset) || op < 0x400) {
      forward = this.trigger(srcno);
    } else if (op < 0x800) {
      if (!this.storeEoi) {
        this.log.guestError(`XIVE: invalid Store EOI for IRQ ${srcno}`);
        return;
      }
      forward = this.eoi(srcno);
    } else if (op >= 0xc00) {
      this.setPq(srcno, asPq(op >> 8));
    } else {
      this.log.guestError(`XIVE: invalid ESB write at 0x${offset.toString(16)} (IRQ ${srcno})`);
      return;
    }
    if (forward) this.notify(srcno);
  }

  save(): XiveSourceState {
    return {
      version: 1,
      nrIrqs: this.nrIrqs,
      status: [...this.status],
      lsi: [...this.lsi].map((v) => v === 1),
    };
  }

  /** Restore the LSI configuration and the ASSERTED flags; PQ is restored separately, last. */
  restoreConfig(state: XiveSourceState): void {
    if (state.version !== 1)
      throw new Error(`xive-source: unknown state version ${String(state.version)}`);
    if (state.nrIrqs !== this.nrIrqs) {
      throw new Error(
        `xive-source: state has ${state.nrIrqs} sources, this machine ${this.nrIrqs}`,
      );
    }
    state.lsi.forEach((l, i) => (this.lsi[i] = l ? 1 : 0));
    state.status.forEach(
      (s, i) => (this.status[i] = (this.status[i]! & 3) | (s & STATUS_ASSERTED)),
    );
  }
}

/**
 * The ESB pages of a range of sources as an MMIO region (8-byte accesses only). Offset 0 is the
 * first page of source `first`; by default the range is every source of the XiveSource.
 */
export class EsbDevice implements MmioDevice {
  readonly accessSizes: readonly AccessSize[] = [8];
  readonly size: number;
  private readonly base: number;

  constructor(
    private readonly source: XiveSource,
    first = 0,
    count = source.nrIrqs - first,
  ) {
    if (first < 0 || count < 1 || first + count > source.nrIrqs) {
      throw new Error(
        `esb: sources ${first}..${first + count - 1} are not all in 0..${source.nrIrqs - 1}`,
      );
    }
    this.base = source.triggerPageOffset(first);
    this.size = count * 2 ** source.esbShift;
  }

  private at(offset: number): number {
    if (offset < 0 || offset + 8 > this.size)
      throw new Error(`esb: offset 0x${offset.toString(16)} outside the region`);
    return this.base + offset;
  }

  /** An 8-byte load; the accessing CPU does not matter to an ESB. */
  read(offset: number, _size: AccessSize = 8, _cpu = 0): bigint {
    return this.source.esbLoad(this.at(offset));
  }

  /** An 8-byte store; the data is ignored (a trigger or EOI is the access itself). */
  write(offset: number, _size: AccessSize = 8, _value = 0n, _cpu = 0): void {
    this.source.esbStore(this.at(offset));
  }
}
