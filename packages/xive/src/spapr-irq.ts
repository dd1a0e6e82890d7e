// The pseries interrupt controller as QEMU's spapr_irq composes it: with ic-mode=dual both a XICS
// and a XIVE exist, IRQ claims go to both, and only the active one (chosen at CAS) receives
// device interrupts and answers hcalls. Before CAS the active controller is XICS (or XIVE for an
// ic-mode=xive machine).
//
// Hcalls: H_INT_* return H_FUNCTION unless XIVE is active; the XICS hcalls return H_HARDWARE
// when XIVE is active (QEMU's check_emulated_xics) and H_FUNCTION on a XIVE-only machine.
import type { ActiveIntc, IcMode } from "./capability";
import { ret, type HcallEntry, type HcallTable } from "./hcall-table";
import {
  H_CPPR,
  H_EOI,
  H_FUNCTION,
  H_HARDWARE,
  H_IPI,
  H_IPOLL,
  H_XIRR,
  H_XIRR_X,
} from "./papr-constants";
import type { EscalationSink, GuestErrorLog, GuestMemory, InterruptSink, TimeBase } from "./ports";

import { SpaprXive, type IrqchipPlacement, type SpaprXiveState } from "./spapr-xive";
import { XicsOnXive, type XicsOnXiveState } from "./xics-on-xive";

const XICS_HCALLS = [H_EOI, H_CPPR, H_IPI, H_IPOLL, H_XIRR, H_XIRR_X];

export interface SpaprIrqOptions {
  readonly icMode: IcMode;
  readonly nrVcpus: number;
  readonly guestMemory: GuestMemory;
  readonly interrupts: InterruptSink;
  readonly escalation?: EscalationSink;
  readonly log?: GuestErrorLog;
  readonly timebase?: TimeBase;
  /** Where the XIVE runs (affects KVM-only restrictions of H_INT_SET_QUEUE_CONFIG). */
  readonly xivePlacement?: IrqchipPlacement;
}

export interface SpaprIrqState {
  readonly version: 1;
  readonly icMode: IcMode;
  readonly active: ActiveIntc;
  readonly xics?: XicsOnXiveState;
  readonly xive?: SpaprXiveState;
}

export class SpaprIrq {
  readonly icMode: IcMode;
  readonly xics?: XicsOnXive;
  readonly xive?: SpaprXive;
  private activeIntc: ActiveIntc;
  private readonly table: HcallTable;

  constructor(opts: SpaprIrqOptions) {
    this.icMode = opts.icMode;
    // Only the active controller drives the vCPU lines (the other one's MMIO is unmapped and its
    // hcalls refused, but a device may still have left it with something pending).
    const gated = (intc: ActiveIntc): InterruptSink => ({
      setExternal: (v, level) => {
        if (this.activeIntc === intc) opts.interrupts.setExternal(v, level);
      },
    });
    this.activeIntc = opts.icMode === "xive" ? "xive" : "xics";
    if (opts.icMode !== "xive") {
      this.xics = new XicsOnXive({
        nrVcpus: opts.nrVcpus,
        interrupts: gated("xics"),
        escalation: opts.escalation,
        log: opts.log,
        timebase: opts.timebase,
      });
    }
    if (opts.icMode !== "xics") {
      this.xive = new SpaprXive({
        nrVcpus: opts.nrVcpus,
        guestMemory: opts.guestMemory,
        interrupts: gated("xive"),
        escalation: opts.escalation,
        log: opts.log,
        placement: opts.xivePlacement,
      });
    }
    this.applyActive();
    this.table = this.buildTable();
  }

  get active(): ActiveIntc {
    return this.activeIntc;
  }

  /** spapr_irq_update_active_intc: called at reset (XICS unless XIVE-only), after CAS, after restore. */
  setActive(intc: ActiveIntc): void {
    if ((intc === "xics" && !this.xics) || (intc === "xive" && !this.xive)) {
      throw new Error(`spapr-irq: ic-mode=${this.icMode} has no ${intc} controller`);
    }
    if (intc === this.activeIntc) {
      this.applyActive();
      return;
    }
    // The vCPUs' external lines now belong to the new controller: the old one lets go while it
    // still owns them, the new one re-asserts what it has pending.
    const [from, to] = intc === "xive" ? [this.xics, this.xive] : [this.xive, this.xics];
    from?.router.tctx.forEach((t) => t.releaseLine());
    this.activeIntc = intc;
    this.applyActive();
    to?.router.tctx.forEach((t) => t.resync());
  }

  private applyActive(): void {
    if (this.xics) this.xics.active = this.activeIntc === "xics";
    if (this.xive) this.xive.active = this.activeIntc === "xive";
  }

  /** Machine reset: both controllers reset, the active one back to its pre-CAS choice. */
  reset(): void {
    this.xics?.reset();
    this.xive?.reset();
    this.setActive(this.icMode === "xive" ? "xive" : "xics");
  }

  /** Claim a device IRQ (>= 0x1000) in every controller that exists. */
  claimIrq(irq: number, lsi: boolean): void {
    this.xics?.claimIrq(irq, lsi);
    this.xive?.claimIrq(irq, lsi);
  }

  freeIrq(irq: number): void {
    this.xics?.freeIrq(irq);
    this.xive?.freeIrq(irq);
  }

  /** A device drives its IRQ; only the active controller sees it. */
  setIrq(irq: number, level: boolean): void {
    if (this.activeIntc === "xive") this.xive!.setIrq(irq, level);
    else this.xics!.setIrq(irq, level);
  }

  /** Every XICS and XIVE hcall, each answering for the active mode. */
  hcalls(): HcallTable {
    return this.table;
  }

  private buildTable(): HcallTable {
    const entries: [number, HcallEntry][] = [];
    const xicsTable = this.xics?.hcalls();
    for (const nr of XICS_HCALLS) {
      const e = xicsTable?.get(nr);
      const name = e?.name ?? `0x${nr.toString(16)}`;
      entries.push([
        nr,
        {
          name,
          handler: (v, a) => {
            if (!e) return ret(H_FUNCTION);
            return this.activeIntc === "xics" ? e.handler(v, a) : ret(H_HARDWARE);
          },
        },
      ]);
    }
    for (const [nr, e] of this.xive?.hcalls() ?? []) entries.push([nr, e]);
    return new Map(entries);
  }

  pushOsContext(vcpu: number): void {
    if (this.activeIntc === "xive") this.xive!.pushOsContext(vcpu);
    else this.xics!.pushOsContext(vcpu);
  }

  pullOsContext(vcpu: number): { readonly word2: number; readonly pending: boolean } {
    return this.activeIntc === "xive"
      ? this.xive!.pullOsContext(vcpu)
      : this.xics!.pullOsContext(vcpu);
  }

  /** On cede, after the pull: arm the escalation; false means abort the cede. */
  rearmEscalation(vcpu: number): boolean {
    return this.activeIntc === "xive"
      ? this.xive!.rearmEscalation(vcpu)
      : this.xics!.rearmEscalation(vcpu);
  }

  save(): SpaprIrqState {
    return {
      version: 1,
      icMode: this.icMode,
      active: this.activeIntc,
      xics: this.xics?.save(),
      xive: this.xive?.save(),
    };
  }

  /** Restore both controllers, then make the saved one active (QEMU's post_load order). */
  restore(state: SpaprIrqState): void {
    if (state.version !== 1)
      throw new Error(`spapr-irq: unknown state version ${String(state.version)}`);
    if (state.icMode !== this.icMode) {
      throw new Error(
        `spapr-irq: the stream is from an ic-mode=${state.icMode} machine, this one is ic-mode=${this.icMode}`,
      );
    }
    if (state.xics) this.xics!.restore(state.xics);
    if (state.xive) this.xive!.restore(state.xive);
    this.setActive(state.active);
  }
}
