// The XICS interrupt controller interface (ICP hcalls H_XIRR/H_XIRR_X/H_EOI/H_CPPR/H_IPI/H_IPOLL,
// ICS configuration through RTAS set-xive/get-xive/int-off/int-on) implemented over a XIVE, the
// way KVM's XICS-on-XIVE device does it on a POWER9 host:
//
// - every guest interrupt number is backed by a XIVE source (an "IPI" in KVM's words, here the
//   source of the same number), whose EAS targets END(server, priority) with EISN = the guest
//   number; masking is done with the source PQ, not the EAS;
// - every vCPU has event queues for priorities 0..6 in hypervisor memory (KernelMemory), a
//   thread context whose OS ring signals it, and one more source, its `vp_ipi`, used to signal
//   MFRR changes (routed at priority 0, EISN XICS_IPI);
// - the guest's XICS priority is mapped onto XIVE priorities: 0..5 as is, 0xFF masked, anything
//   else 6 (7 is the escalation priority);
// - per vCPU, software state mirrors the ICP: guest CPPR, the CPPR set in the TIMA (hw_cppr),
//   MFRR and a bitmap of priorities known to have entries in the queues.
import { PQ_OFF, PQ_PENDING, PQ_QUEUED, PQ_RESET, type Pq } from "./esb-pq";
import { EAS_W0_END_INDEX, EAS_W0_VALID, EAS_W1_END_DATA } from "./eas";
import {
  END_W0_BACKLOG,
  END_W0_ENQUEUE,
  END_W0_ESCALATE_CTL,
  END_W0_QSIZE,
  END_W0_UCOND_NOTIFY,
  END_W0_UNCOND_ESCALATE,
  END_W0_VALID,
  END_W1_GENERATION,
  END_W4_ESC_END_BLOCK,
  END_W4_ESC_END_INDEX,
  END_W5_ESC_END_DATA,
  END_W6_NVT_INDEX,
  END_W7_F0_PRIORITY,
} from "./end";
import { dequeueEvent, queueEntries, type QueueCursor } from "./end-queue";
import { arg, ret, type HcallEntry, type HcallResult, type HcallTable } from "./hcall-table";
import { KernelMemory, type KernelMemoryState } from "./kernel-memory";
import {
  H_CPPR,
  H_EOI,
  H_FUNCTION,
  H_IPI,
  H_IPOLL,
  H_PARAMETER,
  H_SUCCESS,
  H_XIRR,
  H_XIRR_X,
  RTAS_OUT_PARAM_ERROR,
  RTAS_OUT_SUCCESS,
  XICS_DUMMY,
  XICS_IPI,
} from "./papr-constants";
import { setField32 } from "./ppc-bit";
import {
  silentLog,
  type EscalationSink,
  type GuestErrorLog,
  type InterruptSink,
  type TimeBase,
} from "./ports";
import { XIVE_ESCALATION_BLOCK, XiveRouter, type PullResult, type RouterState } from "./router";
import {
  endIndexOf,
  SPAPR_IRQ_NR_IRQS,
  SPAPR_XIVE_HV_PRIO,
  SPAPR_XIVE_NVT_BASE,
} from "./spapr-layout";
import { TM_CPPR, TM_PIPR, TM_QW1_NSR_EO, TM_QW1_OS, type TctxState } from "./tctx";
import { XiveSource, type XiveSourceState } from "./xive-source";

/** First XICS interrupt number (QEMU's ICS offset): 0..0xFFF are XIVE IPIs, not XICS sources. */
export const SPAPR_XIRQ_BASE = 0x1000;
/** Priority value meaning masked. */
export const XICS_MASKED = 0xff;
/** Queues are 64K (as KVM provisions them): 16K entries. */
const QUEUE_SHIFT = 16;
/** The priorities that get a queue: 0..6 (7 is escalation). */
const QUEUE_PRIOS = 7;

/** Guest XICS priority to XIVE priority (KVM xive_prio_from_guest). */
export function xivePrioFromGuest(prio: number): number {
  return prio === XICS_MASKED || prio < 6 ? prio : 6;
}

function ffsIndex(bits: number): number {
  return bits === 0 ? 0xff : 31 - Math.clz32(bits & -bits);
}

interface VcpuState {
  cppr: number;
  hwCppr: number;
  mfrr: number;
  /** Bit p: priority p may have entries in its queue. */
  pending: number;
  queues: QueueCursor[];
}

interface IrqState {
  lsi: boolean;
  asserted: boolean;
  /** Server and XIVE priority the source is routed to (actPriority MASKED: never targeted). */
  actServer: number;
  actPriority: number;
  /** Priority the guest set (MASKED when masked). */
  guestPriority: number;
  /** Priority int-on restores. */
  savedPriority: number;
  /** P and Q saved when the source was masked (PQ forced to 10). */
  oldP: boolean;
  oldQ: boolean;
}

export interface XicsOnXiveOptions {
  readonly nrVcpus: number;
  readonly nrIrqs?: number;
  readonly interrupts: InterruptSink;
  readonly escalation?: EscalationSink;
  readonly log?: GuestErrorLog;
  readonly timebase?: TimeBase;
}

export interface XicsSourceState {
  readonly irq: number;
  readonly lsi: boolean;
  readonly asserted: boolean;
  readonly actServer: number;
  readonly actPriority: number;
  readonly guestPriority: number;
  readonly savedPriority: number;
  readonly oldP: boolean;
  readonly oldQ: boolean;
}

export interface XicsIcpState {
  readonly cppr: number;
  readonly hwCppr: number;
  readonly mfrr: number;
  readonly pending: number;
  readonly queues: readonly QueueCursor[];
}

/** State in the migration order: queues (memory, cursors), routing, thread contexts, PQ last. */
export interface XicsOnXiveState {
  readonly version: 1;
  readonly kind: "xics-on-xive";
  readonly nrVcpus: number;
  readonly queueMemory: KernelMemoryState;
  readonly router: RouterState;
  readonly sources: readonly XicsSourceState[];
  readonly icps: readonly XicsIcpState[];
  readonly tctx: readonly TctxState[];
  readonly esb: XiveSourceState;
}

export interface XiveConfig {
  readonly status: number;
  readonly server: number;
  readonly priority: number;
}

export class XicsOnXive {
  readonly nrVcpus: number;
  readonly nrIrqs: number;
  readonly queueMemory = new KernelMemory();
  readonly source: XiveSource;
  readonly router: XiveRouter;
  readonly log: GuestErrorLog;
  /** CAS left the guest in XICS mode and this is the machine's active controller. */
  active = false;
  private readonly timebase: TimeBase;
  private readonly vcpus: VcpuState[];
  private readonly irqs = new Map<number, IrqState>();
  private readonly table: HcallTable;

  constructor(opts: XicsOnXiveOptions) {
    this.nrVcpus = opts.nrVcpus;
    this.nrIrqs = opts.nrIrqs ?? SPAPR_IRQ_NR_IRQS;
    if (this.nrIrqs <= SPAPR_XIRQ_BASE)
      throw new Error(`xics-on-xive: an IRQ space of ${this.nrIrqs} has no XICS sources`);
    this.log = opts.log ?? silentLog;
    this.timebase = opts.timebase ?? { now: () => 0n };
    const total = this.nrIrqs + this.nrVcpus;
    this.router = new XiveRouter({
      nrVcpus: this.nrVcpus,
      nrIrqs: total,
      queueMemory: this.queueMemory,
      interrupts: opts.interrupts,
      escalation: opts.escalation ?? { escalate: () => undefined },
      log: this.log,
    });
    this.source = new XiveSource({
      nrIrqs: total,
      esbShift: 17,
      storeEoi: false,
      notify: (s) => this.router.notify(s),
      log: this.log,
    });
    this.vcpus = Array.from({ length: this.nrVcpus }, () => ({
      cppr: 0,
      hwCppr: 0,
      mfrr: 0xff,
      pending: 0,
      queues: [],
    }));
    this.reset();
    this.table = this.buildHcalls();
  }

  private vpIpi(vcpu: number): number {
    return this.nrIrqs + vcpu;
  }

  private queueAddress(vcpu: number, prio: number): number {
    return (vcpu * 8 + prio) * 2 ** QUEUE_SHIFT;
  }

  /** Machine reset: ICPs (CPPR 0, MFRR 0xFF), queues provisioned and empty, sources masked. */
  reset(): void {
    this.router.reset();
    this.source.reset();
    this.queueMemory.restore({ version: 1, chunks: [] });
    for (let v = 0; v < this.nrVcpus; v++) {
      for (let p = 0; p < QUEUE_PRIOS; p++) this.provisionQueue(v, p);
      Object.assign(this.vcpus[v]!, { cppr: 0, hwCppr: 0, mfrr: 0xff, pending: 0 });
      this.vcpus[v]!.queues = Array.from({ length: QUEUE_PRIOS }, () => ({ index: 0, bit: 0 }));
      const ipi = this.vpIpi(v);
      this.router.setEasValid(ipi, true);
      this.router.setEas(
        ipi,
        EAS_W0_VALID | setField32(EAS_W0_END_INDEX, 0, endIndexOf(v, 0)),
        setField32(EAS_W1_END_DATA, 0, XICS_IPI),
      );
      this.source.setPq(ipi, PQ_RESET);
    }
    for (const [irq, s] of this.irqs) this.resetIrq(irq, s.lsi);
  }

  private provisionQueue(vcpu: number, prio: number): void {
    const i = endIndexOf(vcpu, prio);
    const r = this.router;
    const qaddr = this.queueAddress(vcpu, prio);
    r.setEndWord(
      i,
      0,
      setField32(
        END_W0_QSIZE,
        END_W0_VALID |
          END_W0_ENQUEUE |
          END_W0_UCOND_NOTIFY |
          END_W0_BACKLOG |
          END_W0_ESCALATE_CTL |
          END_W0_UNCOND_ESCALATE,
        QUEUE_SHIFT - 12,
      ),
    );
    r.setEndWord(i, 1, END_W1_GENERATION);
    r.setEndWord(i, 2, Math.floor(qaddr / 2 ** 32));
    r.setEndWord(i, 3, qaddr >>> 0);
    r.setEndWord(
      i,
      4,
      setField32(
        END_W4_ESC_END_INDEX,
        setField32(END_W4_ESC_END_BLOCK, 0, XIVE_ESCALATION_BLOCK),
        vcpu,
      ),
    );
    r.setEndWord(i, 5, setField32(END_W5_ESC_END_DATA, 0, SPAPR_XIVE_HV_PRIO));
    r.setEndWord(i, 6, setField32(END_W6_NVT_INDEX, 0, SPAPR_XIVE_NVT_BASE + vcpu));
    r.setEndWord(i, 7, setField32(END_W7_F0_PRIORITY, 0, prio));
  }

  private resetIrq(irq: number, lsi: boolean): void {
    this.irqs.set(irq, {
      lsi,
      asserted: false,
      actServer: 0,
      actPriority: XICS_MASKED,
      guestPriority: XICS_MASKED,
      savedPriority: XICS_MASKED,
      oldP: false,
      oldQ: false,
    });
    // Created masked: PQ 10 with no saved P or Q (kvmppc_xive_set_source).
    this.source.setPq(irq, PQ_PENDING);
    this.router.setEasValid(irq, true);
  }

  /** Claim a XICS interrupt number for a device (0x1000 <= irq < nrIrqs). */
  claimIrq(irq: number, lsi: boolean): void {
    if (!Number.isInteger(irq) || irq < SPAPR_XIRQ_BASE || irq >= this.nrIrqs) {
      throw new Error(
        `xics-on-xive: IRQ 0x${irq.toString(16)} is outside 0x${SPAPR_XIRQ_BASE.toString(16)}..0x${(this.nrIrqs - 1).toString(16)}`,
      );
    }
    if (this.irqs.has(irq))
      throw new Error(`xics-on-xive: IRQ 0x${irq.toString(16)} is already claimed`);
    this.source.setLsi(irq, false); // the backing source is edge; LSI-ness is emulated
    this.resetIrq(irq, lsi);
  }

  freeIrq(irq: number): void {
    if (this.irqs.delete(irq)) {
      this.source.setPq(irq, PQ_OFF);
      this.router.setEasValid(irq, false);
    }
  }

  isClaimed(irq: number): boolean {
    return this.irqs.has(irq);
  }

  /** A device drives its interrupt: MSI triggers on true; LSI follows the line. */
  setIrq(irq: number, level: boolean): void {
    const s = this.irqs.get(irq);
    if (!s) throw new Error(`xics-on-xive: IRQ 0x${irq.toString(16)} is not claimed`);
    if (!level) {
      s.asserted = false;
      return;
    }
    if (s.lsi) s.asserted = true;
    this.trigger(irq);
  }

  private trigger(lisn: number): void {
    this.source.esbStore(this.source.triggerPageOffset(lisn));
  }

  private setPq(lisn: number, pq: Pq): Pq {
    return Number(this.source.esbLoad(this.source.mgmtPageOffset(lisn) + 0xc00 + (pq << 8))) as Pq;
  }

  /** EOI at the source (xive_vm_source_eoi for an MSI-type source): PQ 00, re-trigger if Q. */
  private sourceEoi(lisn: number): void {
    if (this.setPq(lisn, PQ_RESET) & 1) this.trigger(lisn);
  }

  // --- ICS side (RTAS ibm,set-xive / get-xive / int-off / int-on) ---

  private lockAndMask(s: IrqState, irq: number): number {
    const old = s.guestPriority;
    s.guestPriority = XICS_MASKED;
    if (old === XICS_MASKED) return old;
    const pq = this.setPq(irq, PQ_PENDING);
    s.oldP = (pq & 2) !== 0;
    s.oldQ = (pq & 1) !== 0;
    return old;
  }

  private finishUnmask(s: IrqState, irq: number, prio: number): void {
    if (s.guestPriority === XICS_MASKED) {
      if (s.oldQ) this.setPq(irq, PQ_QUEUED);
      if (!s.oldP) this.sourceEoi(irq);
    }
    s.guestPriority = prio;
  }

  private targetInterrupt(s: IrqState, irq: number, server: number, prio: number): void {
    s.actServer = server;
    s.actPriority = prio;
    this.router.setEas(
      irq,
      EAS_W0_VALID | setField32(EAS_W0_END_INDEX, 0, endIndexOf(server, prio)),
      setField32(EAS_W1_END_DATA, 0, irq),
    );
  }

  /** ibm,set-xive: route irq to server at priority (0xFF masks). Returns an RTAS status. */
  setXive(irq: number, server: number, priority: number): number {
    const s = this.irqs.get(irq);
    if (!s || !(server >= 0 && server < this.nrVcpus) || !(priority >= 0 && priority <= 0xff))
      return RTAS_OUT_PARAM_ERROR;
    const act = priority === XICS_MASKED ? s.actPriority : xivePrioFromGuest(priority);
    if (priority === XICS_MASKED) this.lockAndMask(s, irq);
    if (act !== XICS_MASKED && (s.actServer !== server || s.actPriority !== act))
      this.targetInterrupt(s, irq, server, act);
    if (priority !== XICS_MASKED) this.finishUnmask(s, irq, priority);
    s.savedPriority = priority;
    return RTAS_OUT_SUCCESS;
  }

  /** ibm,get-xive. */
  getXive(irq: number): XiveConfig {
    const s = this.irqs.get(irq);
    if (!s) return { status: RTAS_OUT_PARAM_ERROR, server: 0, priority: 0 };
    return { status: RTAS_OUT_SUCCESS, server: s.actServer, priority: s.guestPriority };
  }

  /** ibm,int-off: mask, remembering the priority for int-on. */
  intOff(irq: number): number {
    const s = this.irqs.get(irq);
    if (!s) return RTAS_OUT_PARAM_ERROR;
    s.savedPriority = this.lockAndMask(s, irq);
    return RTAS_OUT_SUCCESS;
  }

  /** ibm,int-on: unmask at the remembered priority (an untargeted source cannot be). */
  intOn(irq: number): number {
    const s = this.irqs.get(irq);
    if (!s || s.actPriority === XICS_MASKED) return RTAS_OUT_PARAM_ERROR;
    if (s.savedPriority !== XICS_MASKED) this.finishUnmask(s, irq, s.savedPriority);
    return RTAS_OUT_SUCCESS;
  }

  // --- ICP side (hcalls) ---

  private vcpu(v: number): VcpuState {
    const x = this.vcpus[v];
    if (!x) throw new Error(`xics-on-xive: unknown vCPU ${v}`);
    return x;
  }

  private serverOf(a: bigint): number | undefined {
    return a < BigInt(this.nrVcpus) ? Number(a) : undefined;
  }

  /** Collect the priority the presenter signals (ACK_OS_REG) into `pending`. */
  private ackPending(v: number): void {
    const xc = this.vcpu(v);
    const ack = this.router.tctx[v]!.ackOs();
    if (!((ack >> 8) & TM_QW1_NSR_EO)) return;
    const cppr = ack & 0xff;
    if (cppr < 8) xc.pending |= 1 << cppr;
    xc.hwCppr = cppr;
  }

  private setHwCppr(v: number, cppr: number): void {
    this.vcpu(v).hwCppr = cppr;
    this.router.tctx[v]!.setOsCppr(cppr);
  }

  /** Find the next interrupt (KVM scan_interrupts): queues below CPPR, then MFRR. */
  private scan(v: number, pendingIn: number, type: "fetch" | "poll" | "eoi"): number {
    const xc = this.vcpu(v);
    let pending = pendingIn;
    let hirq = 0;
    let prio = 0xff;
    while ((xc.mfrr !== 0xff || pending !== 0) && hirq === 0) {
      prio = ffsIndex(pending);
      if (prio >= xc.cppr || prio > 7) {
        if (xc.mfrr < xc.cppr) {
          prio = xc.mfrr;
          hirq = XICS_IPI;
        }
        break;
      }
      // Priority 7 has no queue (it is the escalation priority): it reads as empty.
      let cur = xc.queues[prio] ?? { index: 0, bit: 0 };
      const qaddr = this.queueAddress(v, prio);
      const entries = queueEntries(QUEUE_SHIFT);
      hirq = 0;
      while (prio < QUEUE_PRIOS) {
        const r = dequeueEvent(this.queueMemory, qaddr, entries, cur);
        hirq = r.data;
        cur = r.cursor;
        if (hirq === XICS_IPI) {
          // An MFRR-change signal: skip it; when fetching, EOI the vp_ipi so it can fire again.
          if (type === "fetch") {
            this.sourceEoi(this.vpIpi(v));
            xc.queues[prio] = cur;
          }
          continue;
        }
        if (hirq === XICS_DUMMY) continue;
        break;
      }
      if (hirq === 0) pending &= ~(1 << prio);
      if (prio >= xc.mfrr && xc.mfrr < xc.cppr) {
        prio = xc.mfrr;
        hirq = XICS_IPI;
        break;
      }
      if (type === "fetch" && prio < QUEUE_PRIOS) xc.queues[prio] = cur;
    }
    if (type === "poll") return hirq;
    xc.pending = pending;
    if (type === "eoi") return hirq;
    if (hirq) xc.cppr = prio;
    if (xc.cppr !== xc.hwCppr) this.setHwCppr(v, xc.cppr);
    return hirq;
  }

  /** Re-signal priorities known pending (and MFRR) through SET_OS_PENDING. */
  private pushPendingToHw(v: number): void {
    const xc = this.vcpu(v);
    let pending = xc.pending;
    if (xc.mfrr !== 0xff) pending |= xc.mfrr < 8 ? 1 << xc.mfrr : 0x80;
    if (!pending) return;
    const t = this.router.tctx[v]!;
    t.osIpbUpdate(1 << (7 - ffsIndex(pending)));
  }

  /** H_CPPR masking more: entries of sources re-routed elsewhere become DUMMY and are re-sent. */
  private scanForReroutedIrqs(v: number): void {
    const xc = this.vcpu(v);
    for (let prio = xc.cppr; prio < QUEUE_PRIOS; prio++) {
      const qaddr = this.queueAddress(v, prio);
      const entries = queueEntries(QUEUE_SHIFT);
      let { index, bit } = xc.queues[prio]!;
      for (;;) {
        const at = qaddr + index * 4;
        const entry = this.queueMemory.load32(at);
        if (entry >>> 31 === bit) break;
        const irq = entry & 0x7fffffff;
        const s = irq === XICS_DUMMY || irq === XICS_IPI ? undefined : this.irqs.get(irq);
        if (s && s.actServer !== v) {
          this.queueMemory.store32(at, ((entry & 0x80000000) | XICS_DUMMY) >>> 0);
          this.setPq(irq, PQ_QUEUED);
          this.sourceEoi(irq);
        }
        index = (index + 1) % entries;
        if (index === 0) bit ^= 1;
      }
    }
  }

  hXirr(v: number): number {
    const xc = this.vcpu(v);
    this.ackPending(v);
    const oldCppr = xc.cppr;
    const hirq = this.scan(v, xc.pending, "fetch");
    return (hirq | (oldCppr << 24)) >>> 0;
  }

  hIpoll(v: number, server: number): { xirr: number; mfrr: number } {
    const target = this.vcpu(server);
    let pending: number;
    if (server !== v) {
      pending = 0xff;
    } else {
      pending = target.pending;
      const pipr = this.router.tctx[v]!.regs[TM_QW1_OS + TM_PIPR]!;
      if (pipr < 8) pending |= 1 << pipr;
    }
    const hirq = this.scan(server, pending, "poll");
    return { xirr: (hirq | (target.cppr << 24)) >>> 0, mfrr: target.mfrr };
  }

  hCppr(v: number, guestCppr: number): void {
    const xc = this.vcpu(v);
    const cppr = xivePrioFromGuest(guestCppr);
    const old = xc.cppr;
    xc.cppr = cppr;
    if (cppr > old) this.pushPendingToHw(v);
    else this.scanForReroutedIrqs(v);
    this.setHwCppr(v, cppr);
  }

  hEoi(v: number, xirr: number): number {
    const xc = this.vcpu(v);
    xc.cppr = xivePrioFromGuest(xirr >>> 24);
    const irq = xirr & 0xffffff;
    let rc = H_SUCCESS;
    if (irq !== XICS_IPI && irq !== 0) {
      const s = this.irqs.get(irq);
      if (!s) {
        rc = H_PARAMETER;
      } else if (s.guestPriority === XICS_MASKED) {
        // Masked meanwhile: forget the saved P so that unmasking performs the EOI.
        s.oldP = false;
      } else {
        this.sourceEoi(irq);
        if (s.lsi && s.asserted) this.trigger(irq);
      }
    }
    this.scan(v, xc.pending, "eoi");
    this.pushPendingToHw(v);
    this.setHwCppr(v, xc.cppr);
    return rc;
  }

  hIpi(server: number, mfrr: number): void {
    const xc = this.vcpu(server);
    xc.mfrr = mfrr;
    if (mfrr < xc.cppr) this.trigger(this.vpIpi(server));
  }

  private buildHcalls(): HcallTable {
    const gate = (body: () => HcallResult): HcallResult => (this.active ? body() : ret(H_FUNCTION));
    const entries: [number, HcallEntry][] = [
      [
        H_XIRR,
        { name: "H_XIRR", handler: (v) => gate(() => ret(H_SUCCESS, BigInt(this.hXirr(v)))) },
      ],
      [
        H_XIRR_X,
        {
          name: "H_XIRR_X",
          handler: (v) => gate(() => ret(H_SUCCESS, BigInt(this.hXirr(v)), this.timebase.now())),
        },
      ],
      [
        H_IPOLL,
        {
          name: "H_IPOLL",
          handler: (v, a) =>
            gate(() => {
              const server = this.serverOf(arg(a, 0));
              if (server === undefined) return ret(H_PARAMETER);
              // R5 = MFRR as PAPR and QEMU return it (KVM's XICS-on-XIVE leaves R5 alone).
              const p = this.hIpoll(v, server);
              return ret(H_SUCCESS, BigInt(p.xirr), BigInt(p.mfrr));
            }),
        },
      ],
      [
        H_CPPR,
        {
          name: "H_CPPR",
          handler: (v, a) => gate(() => (this.hCppr(v, Number(arg(a, 0) & 0xffn)), ret(H_SUCCESS))),
        },
      ],
      [
        H_EOI,
        {
          name: "H_EOI",
          handler: (v, a) => gate(() => ret(this.hEoi(v, Number(arg(a, 0) & 0xffffffffn)))),
        },
      ],
      [
        H_IPI,
        {
          name: "H_IPI",
          handler: (_v, a) =>
            gate(() => {
              const server = this.serverOf(arg(a, 0));
              if (server === undefined) return ret(H_PARAMETER);
              this.hIpi(server, Number(arg(a, 1) & 0xffn));
              return ret(H_SUCCESS);
            }),
        },
      ],
    ];
    return new Map(entries);
  }

  /** H_XIRR, H_XIRR_X, H_EOI, H_CPPR, H_IPI, H_IPOLL; H_FUNCTION while not `active`. */
  hcalls(): HcallTable {
    return this.table;
  }

  pushOsContext(vcpu: number): void {
    this.router.pushOsContext(vcpu);
  }

  /** Undispatch on exit; `pending` also counts an IPI the guest CPPR lets through. */
  pullOsContext(vcpu: number): PullResult {
    const r = this.router.pullOsContext(vcpu);
    const xc = this.vcpu(vcpu);
    return { word2: r.word2, pending: r.pending || xc.mfrr < xc.cppr };
  }

  /** On cede: arm the escalation; false (abort the cede) when something, an IPI included, is pending. */
  rearmEscalation(vcpu: number): boolean {
    const xc = this.vcpu(vcpu);
    if (xc.mfrr < xc.cppr) return false;
    return this.router.rearmEscalation(vcpu);
  }

  /** ICP view for debugging and tests: guest CPPR, MFRR, pending bitmap, TIMA CPPR. */
  icp(vcpu: number): XicsIcpState {
    const x = this.vcpu(vcpu);
    return {
      cppr: x.cppr,
      hwCppr: this.router.tctx[vcpu]!.regs[TM_QW1_OS + TM_CPPR]!,
      mfrr: x.mfrr,
      pending: x.pending,
      queues: [...x.queues],
    };
  }

  save(): XicsOnXiveState {
    return {
      version: 1,
      kind: "xics-on-xive",
      nrVcpus: this.nrVcpus,
      queueMemory: this.queueMemory.save(),
      router: this.router.save(),
      sources: [...this.irqs].sort((a, b) => a[0] - b[0]).map(([irq, s]) => ({ irq, ...s })),
      icps: this.vcpus.map((x) => ({
        cppr: x.cppr,
        hwCppr: x.hwCppr,
        mfrr: x.mfrr,
        pending: x.pending,
        queues: [...x.queues],
      })),
      tctx: this.router.tctx.map((t) => t.save()),
      esb: this.source.save(),
    };
  }

  /** Restore: queue memory and cursors, routing (END, EAS), ICPs and thread contexts, PQ last. */
  restore(state: XicsOnXiveState): void {
    if (state.version !== 1 || state.kind !== "xics-on-xive")
      throw new Error("xics-on-xive: this is not an xics-on-xive v1 state");
    if (
      state.nrVcpus !== this.nrVcpus ||
      state.icps.length !== this.nrVcpus ||
      state.tctx.length !== this.nrVcpus
    ) {
      throw new Error(
        `xics-on-xive: state is for ${state.nrVcpus} vCPUs, this machine has ${this.nrVcpus}`,
      );
    }
    this.queueMemory.restore(state.queueMemory);
    this.router.restoreEnds(state.router);
    this.router.restoreEas(state.router);
    this.irqs.clear();
    for (const { irq, ...s } of state.sources) this.irqs.set(irq, { ...s });
    this.router.restoreNvts(state.router);
    state.icps.forEach((x, v) =>
      Object.assign(this.vcpus[v]!, { ...x, queues: x.queues.map((q) => ({ ...q })) }),
    );
    state.tctx.forEach((t, v) => this.router.tctx[v]!.restore(t));
    this.source.restoreConfig(state.esb);
    state.esb.status.forEach((s, lisn) => {
      const saved = (s & 3) as Pq;
      const old = this.source.setPq(lisn, saved);
      if (saved === PQ_RESET && old === PQ_QUEUED) this.trigger(lisn);
    });
  }
}
