// The sPAPR XIVE controller in exploitation mode, as QEMU's spapr-xive device and KVM's XIVE
// native device present it to a pseries guest: one block of sources (the 8K pseries IRQ space),
// an END per (vCPU, priority), an NVT per vCPU, a thread context per vCPU, the ESB and TIMA MMIO
// regions, and the H_INT_* hcalls (see xive-hcalls.ts).
import { PQ_QUEUED, PQ_RESET, type Pq } from "./esb-pq";
import type { HcallTable } from "./hcall-table";
import {
  silentLog,
  type EscalationSink,
  type GuestErrorLog,
  type GuestMemory,
  type InterruptSink,
} from "./ports";
import { XiveRouter, type PullResult, type RouterState } from "./router";
import { SPAPR_IRQ_NR_IRQS, SPAPR_XIVE_ESB_SHIFT, SPAPR_XIVE_VC_BASE } from "./spapr-layout";
import type { TctxState } from "./tctx";
import { TimaDevice } from "./tima";
import { EsbDevice, XiveSource, type XiveSourceState } from "./xive-source";
import { xiveHcalls } from "./xive-hcalls";

/**
 * Where the interrupt controller runs. "kernel": KVM's XIVE native device does the work, and its
 * stricter checks apply (queues of 64K only, ALWAYS_NOTIFY required; other requests fail with
 * H_HARDWARE as QEMU reports a KVM error). "vmm": QEMU's emulated XIVE.
 */
export type IrqchipPlacement = "kernel" | "vmm";

export interface SpaprXiveOptions {
  readonly nrVcpus: number;
  /** Size of the IRQ number space (default 0x2000, the pseries space). */
  readonly nrIrqs?: number;
  readonly guestMemory: GuestMemory;
  readonly interrupts: InterruptSink;
  readonly escalation?: EscalationSink;
  readonly log?: GuestErrorLog;
  readonly placement?: IrqchipPlacement;
  /** Guest address of the ESB region, for H_INT_GET_SOURCE_INFO (default QEMU's). */
  readonly vcBase?: number;
}

/** State in the migration order (§3.4): queues, routing, thread contexts, source PQ last. */
export interface SpaprXiveState {
  readonly version: 1;
  readonly kind: "spapr-xive";
  readonly nrVcpus: number;
  /** END table, EAS table and NVT backlogs. */
  readonly router: RouterState;
  readonly tctx: readonly TctxState[];
  readonly sources: XiveSourceState;
}

export class SpaprXive {
  readonly nrVcpus: number;
  readonly nrIrqs: number;
  readonly placement: IrqchipPlacement;
  readonly vcBase: number;
  readonly source: XiveSource;
  readonly router: XiveRouter;
  /** The source ESB pages (map at vcBase). */
  readonly esb: EsbDevice;
  /** The TIMA, four pages (map at SPAPR_XIVE_TM_BASE). */
  readonly tima: TimaDevice;
  readonly log: GuestErrorLog;
  readonly guestMemory: GuestMemory;
  /**
   * CAS selected XIVE exploitation and this controller is the machine's active one. While false
   * every H_INT_* hcall returns H_FUNCTION.
   */
  active = false;
  private readonly hcallTable: HcallTable;

  constructor(opts: SpaprXiveOptions) {
    this.nrVcpus = opts.nrVcpus;
    this.nrIrqs = opts.nrIrqs ?? SPAPR_IRQ_NR_IRQS;
    if (this.nrVcpus < 1 || this.nrVcpus > this.nrIrqs) {
      throw new Error(
        `spapr-xive: ${this.nrVcpus} vCPUs do not fit an IRQ space of ${this.nrIrqs}`,
      );
    }
    this.placement = opts.placement ?? "vmm";
    this.vcBase = opts.vcBase ?? SPAPR_XIVE_VC_BASE;
    this.log = opts.log ?? silentLog;
    this.guestMemory = opts.guestMemory;
    this.router = new XiveRouter({
      nrVcpus: this.nrVcpus,
      nrIrqs: this.nrIrqs,
      queueMemory: opts.guestMemory,
      interrupts: opts.interrupts,
      escalation: opts.escalation ?? { escalate: () => undefined },
      log: this.log,
    });
    this.source = new XiveSource({
      nrIrqs: this.nrIrqs,
      esbShift: SPAPR_XIVE_ESB_SHIFT,
      storeEoi: false,
      notify: (lisn) => this.router.notify(lisn),
      log: this.log,
    });
    this.esb = new EsbDevice(this.source);
    this.tima = new TimaDevice(this.router, this.log);
    // One IPI per vCPU at LISN 0..nrVcpus-1 (edge), claimed at machine init as QEMU does.
    for (let v = 0; v < this.nrVcpus; v++) this.claimIrq(v, false);
    this.hcallTable = xiveHcalls(this);
  }

  /** Machine reset: sources off (PQ 01), routing and thread contexts reset. Claims are kept. */
  reset(): void {
    this.source.reset();
    this.router.reset();
  }

  /** Claim a LISN for a device (spapr_irq_claim): EAS valid and masked, source off. */
  claimIrq(lisn: number, lsi: boolean): void {
    this.checkLisn(lisn);
    if (this.router.easValid(lisn))
      throw new Error(`spapr-xive: LISN 0x${lisn.toString(16)} is already claimed`);
    this.source.setLsi(lisn, lsi);
    this.router.setEasValid(lisn, true);
  }

  freeIrq(lisn: number): void {
    this.checkLisn(lisn);
    this.router.setEasValid(lisn, false);
  }

  isClaimed(lisn: number): boolean {
    return this.router.easValid(lisn);
  }

  /** A device drives LISN `lisn` (edge: level true triggers; LSI: level is the line). */
  setIrq(lisn: number, level: boolean): void {
    this.checkLisn(lisn);
    this.source.setIrq(lisn, level);
  }

  private checkLisn(lisn: number): void {
    if (!Number.isInteger(lisn) || lisn < 0 || lisn >= this.nrIrqs) {
      throw new Error(`spapr-xive: LISN ${lisn} out of range`);
    }
  }

  /** The H_INT_* hcalls; register them all, they check `active` themselves. */
  hcalls(): HcallTable {
    return this.hcallTable;
  }

  /** kvm-hv-core: the vCPU runs again; see XiveRouter.pushOsContext. */
  pushOsContext(vcpu: number): void {
    this.router.pushOsContext(vcpu);
  }

  /** kvm-hv-core: the vCPU exits; see XiveRouter.pullOsContext. */
  pullOsContext(vcpu: number): PullResult {
    return this.router.pullOsContext(vcpu);
  }

  /** kvm-hv-core: the vCPU cedes (after the pull); false means abort the cede. */
  rearmEscalation(vcpu: number): boolean {
    return this.router.rearmEscalation(vcpu);
  }

  /** Plain-data snapshot (taken with the machine stopped, so it has no side effects). */
  save(): SpaprXiveState {
    return {
      version: 1,
      kind: "spapr-xive",
      nrVcpus: this.nrVcpus,
      router: this.router.save(),
      tctx: this.router.tctx.map((t) => t.save()),
      sources: this.source.save(),
    };
  }

  /**
   * Restore in the order KVM documents and QEMU's post_load follows: 1) END (queue) config,
   * 2) EAS targeting, 3) thread contexts with the NVT backlogs, 4) source PQ, last, through the
   * ESB SET_PQ operation; a source saved at 00 whose set returns QUEUED is re-triggered, as
   * QEMU's VM-run handler does, so no trigger is lost.
   */
  restore(state: SpaprXiveState): void {
    if (state.version !== 1 || state.kind !== "spapr-xive") {
      throw new Error("spapr-xive: this is not a spapr-xive v1 state");
    }
    if (state.nrVcpus !== this.nrVcpus || state.tctx.length !== this.nrVcpus) {
      throw new Error(
        `spapr-xive: state is for ${state.nrVcpus} vCPUs, this machine has ${this.nrVcpus}`,
      );
    }
    this.router.restoreEnds(state.router);
    this.router.restoreEas(state.router);
    this.router.restoreNvts(state.router);
    state.tctx.forEach((t, v) => this.router.tctx[v]!.restore(t));
    this.source.restoreConfig(state.sources);
    state.sources.status.forEach((s, lisn) => {
      const saved = (s & 3) as Pq;
      const old = this.source.setPq(lisn, saved);
      if (saved === PQ_RESET && old === PQ_QUEUED) this.source.setIrq(lisn, true);
    });
  }
}
