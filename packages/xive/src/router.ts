// The XIVE routing and presentation engines for one block: the EAS table (LISN -> END), the END
// table with its event queues, the NVT table, and the presenter, which CAM-matches NVTs against
// the OS ring of each vCPU's thread context.
//
// trigger -> [source PQ] -> EAS (valid? masked?) -> END: enqueue {gen, EISN}
//   -> ESn PQ (unless `n`) -> NVT dispatched on a thread? -> IPB |= prio, exception if PIPR < CPPR
//   -> not dispatched: NVT backlog IPB |= prio (replayed at push) and, if `e`, escalate:
//      ESe PQ (unless `u`) -> END w4/w5 used as an EAS -> escalation END.
//
// Escalation ENDs live in a separate block (XIVE_ESCALATION_BLOCK), one per vCPU, like KVM's
// "single escalation" interrupt on priority 7. Where hardware would present the escalation END
// to the hypervisor's own thread context, this model calls the EscalationSink port: the
// hypervisor is TypeScript, not a guest running on a HW thread.
import { asPq, esbTrigger, PQ_OFF, PQ_RESET, type Pq } from "./esb-pq";
import {
  EAS_W0_END_BLOCK,
  EAS_W0_END_INDEX,
  EAS_W0_VALID,
  EAS_W1_END_DATA,
  EAS_W1_MASKED,
} from "./eas";
import {
  END_W0_BACKLOG,
  END_W0_ENQUEUE,
  END_W0_ESCALATE_CTL,
  END_W0_QSIZE,
  END_W0_SILENT_ESCALATE,
  END_W0_UCOND_NOTIFY,
  END_W0_UNCOND_ESCALATE,
  END_W0_VALID,
  END_W1_ESE,
  END_W1_ESN,
  END_W1_GENERATION,
  END_W1_PAGE_OFF,
  END_W4_ESC_END_BLOCK,
  END_W4_ESC_END_INDEX,
  END_W5_ESC_END_DATA,
  END_W6_FORMAT_BIT,
  END_W6_NVT_BLOCK,
  END_W6_NVT_INDEX,
  END_W7_F0_PRIORITY,
  END_WORDS,
  endQueueAddress,
} from "./end";
import { enqueueEvent } from "./end-queue";
import { getField32, setField32 } from "./ppc-bit";
import { NVT_W0_VALID, NVT_W4_IPB, NVT_WORDS, nvtCamLine } from "./nvt";
import type { EscalationSink, GuestErrorLog, GuestMemory, InterruptSink } from "./ports";
import { SPAPR_XIVE_BLOCK_ID, SPAPR_XIVE_HV_PRIO, SPAPR_XIVE_NVT_BASE } from "./spapr-layout";
import {
  ipbToPipr,
  priorityToIpb,
  ThreadContext,
  TM_QW1W2_VO,
  TM_QW1_OS,
  TM_CPPR,
  TM_IPB,
} from "./tctx";

/** Block of the per-vCPU escalation ENDs (hypervisor-owned, never visible to the guest). */
export const XIVE_ESCALATION_BLOCK = 1;

export interface XiveRouterOptions {
  readonly nrVcpus: number;
  readonly nrIrqs: number;
  /** Where END queues live (guest RAM for XIVE native; hypervisor memory for XICS-on-XIVE). */
  readonly queueMemory: GuestMemory;
  readonly interrupts: InterruptSink;
  readonly escalation: EscalationSink;
  readonly log: GuestErrorLog;
}

/** An EAS as its two 32-bit halves (IBM bits 0-31 and 32-63). */
export interface EasWords {
  readonly w0: number;
  readonly w1: number;
}

/** An END as its eight words. */
export interface EndWords {
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly w4: number;
  readonly w5: number;
  readonly w6: number;
  readonly w7: number;
}

const END_WORD_NAMES = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"] as const;

export interface RouterState {
  readonly version: 1;
  /** EAS per LISN. */
  readonly eat: readonly EasWords[];
  /** END per index (block 0). */
  readonly endt: readonly EndWords[];
  /** Escalation END per vCPU (block 1). */
  readonly escEndt: readonly EndWords[];
  /** NVT w4 (backlog IPB) per vCPU. */
  readonly nvtW4: readonly number[];
}

/** What pulling a vCPU's OS context found (see XiveRouter.pullOsContext). */
export interface PullResult {
  /** The OS ring WORD2 before the pull. */
  readonly word2: number;
  /** Something deliverable is pending (IPB or NVT backlog below CPPR). */
  readonly pending: boolean;
}

export class XiveRouter {
  readonly nrVcpus: number;
  readonly nrIrqs: number;
  readonly nrEnds: number;
  readonly eat: Uint32Array;
  readonly endt: Uint32Array;
  readonly escEndt: Uint32Array;
  readonly nvtt: Uint32Array;
  readonly tctx: readonly ThreadContext[];
  private readonly mem: GuestMemory;
  private readonly escalation: EscalationSink;
  private readonly log: GuestErrorLog;

  constructor(opts: XiveRouterOptions) {
    this.nrVcpus = opts.nrVcpus;
    this.nrIrqs = opts.nrIrqs;
    this.nrEnds = opts.nrVcpus * 8;
    this.eat = new Uint32Array(opts.nrIrqs * 2);
    this.endt = new Uint32Array(this.nrEnds * END_WORDS);
    this.escEndt = new Uint32Array(opts.nrVcpus * END_WORDS);
    this.nvtt = new Uint32Array(opts.nrVcpus * NVT_WORDS);
    this.mem = opts.queueMemory;
    this.escalation = opts.escalation;
    this.log = opts.log;
    const sink = opts.interrupts;
    this.tctx = Array.from(
      { length: opts.nrVcpus },
      (_, v) => new ThreadContext(v, (cpu, l) => sink.setExternal(cpu, l)),
    );
    this.reset();
  }

  /**
   * Reset: ENDs cleared with ESn/ESe off, EAS of claimed sources VALID|MASKED, NVTs valid with an
   * empty backlog, thread contexts reset and the OS context of every vCPU pushed (as QEMU's
   * sPAPR CPU reset does; kvm-hv-core may pull/push around cede).
   */
  reset(): void {
    this.resetRouting();
    this.resetContexts();
  }

  /** EAS of claimed sources back to VALID|MASKED, every END reset (H_INT_RESET's scope). */
  resetRouting(): void {
    for (let lisn = 0; lisn < this.nrIrqs; lisn++) {
      const valid = (this.eat[lisn * 2]! & EAS_W0_VALID) !== 0;
      this.eat[lisn * 2] = valid ? EAS_W0_VALID : 0;
      this.eat[lisn * 2 + 1] = valid ? EAS_W1_MASKED : 0;
    }
    for (let i = 0; i < this.nrEnds; i++) this.resetEnd(i);
  }

  /** NVTs, escalation ENDs and thread contexts to their reset state, OS contexts pushed. */
  resetContexts(): void {
    for (let v = 0; v < this.nrVcpus; v++) {
      this.nvtt.fill(0, v * NVT_WORDS, (v + 1) * NVT_WORDS);
      this.nvtt[v * NVT_WORDS] = NVT_W0_VALID;
      this.resetEscalationEnd(v);
      const t = this.tctx[v]!;
      t.reset();
      t.pushOs((TM_QW1W2_VO | this.camOf(v)) >>> 0, 0);
    }
  }

  /** END reset (spapr_xive_end_reset): all zero but ESn and ESe off (PQ 01). */
  resetEnd(index: number): void {
    const b = index * END_WORDS;
    this.endt.fill(0, b, b + END_WORDS);
    this.endt[b + 1] = setField32(END_W1_ESE, setField32(END_W1_ESN, 0, PQ_OFF), PQ_OFF);
  }

  private resetEscalationEnd(vcpu: number): void {
    const b = vcpu * END_WORDS;
    this.escEndt.fill(0, b, b + END_WORDS);
    this.escEndt[b] = END_W0_VALID;
    // Masked while the vCPU's context is dispatched, as KVM masks its escalation interrupt.
    this.escEndt[b + 1] = setField32(END_W1_ESE, setField32(END_W1_ESN, 0, PQ_OFF), PQ_OFF);
    this.escEndt[b + 6] = setField32(END_W6_NVT_INDEX, 0, SPAPR_XIVE_NVT_BASE + vcpu);
    this.escEndt[b + 7] = setField32(END_W7_F0_PRIORITY, 0, SPAPR_XIVE_HV_PRIO);
  }

  /** OS CAM line of a vCPU's NVT. */
  camOf(vcpu: number): number {
    return nvtCamLine(SPAPR_XIVE_BLOCK_ID, SPAPR_XIVE_NVT_BASE + vcpu);
  }

  private nvtVcpu(block: number, index: number): number | undefined {
    const v = index - SPAPR_XIVE_NVT_BASE;
    return block === SPAPR_XIVE_BLOCK_ID && v >= 0 && v < this.nrVcpus ? v : undefined;
  }

  // --- EAS ---

  easValid(lisn: number): boolean {
    return lisn >= 0 && lisn < this.nrIrqs && (this.eat[lisn * 2]! & EAS_W0_VALID) !== 0;
  }

  /** Make the EAS valid (claimed) or invalid (freed); a newly valid EAS is masked. */
  setEasValid(lisn: number, valid: boolean): void {
    this.eat[lisn * 2] = valid ? EAS_W0_VALID : 0;
    this.eat[lisn * 2 + 1] = valid ? EAS_W1_MASKED : 0;
  }

  getEas(lisn: number): { w0: number; w1: number } {
    return { w0: this.eat[lisn * 2]!, w1: this.eat[lisn * 2 + 1]! };
  }

  setEas(lisn: number, w0: number, w1: number): void {
    this.eat[lisn * 2] = w0 >>> 0;
    this.eat[lisn * 2 + 1] = w1 >>> 0;
  }

  // --- END words ---

  endWord(index: number, word: number): number {
    return this.endt[index * END_WORDS + word]!;
  }

  setEndWord(index: number, word: number, value: number): void {
    this.endt[index * END_WORDS + word] = value >>> 0;
  }

  private table(block: number): Uint32Array | undefined {
    if (block === SPAPR_XIVE_BLOCK_ID) return this.endt;
    if (block === XIVE_ESCALATION_BLOCK) return this.escEndt;
    return undefined;
  }

  /** ESn PQ of an END (notification coalescing), e.g. for escalation arm/mask. */
  escalationEsn(vcpu: number): Pq {
    return asPq(getField32(END_W1_ESN, this.escEndt[vcpu * END_WORDS + 1]!));
  }

  private setEscalationEsn(vcpu: number, pq: Pq): Pq {
    const i = vcpu * END_WORDS + 1;
    const old = asPq(getField32(END_W1_ESN, this.escEndt[i]!));
    this.escEndt[i] = setField32(END_W1_ESN, this.escEndt[i]!, pq);
    return old;
  }

  // --- routing ---

  /** An event left source `lisn` (xive_router_notify). */
  notify(lisn: number): void {
    if (!this.easValid(lisn)) {
      this.log.guestError(`XIVE: invalid LISN 0x${lisn.toString(16)}`);
      return;
    }
    const { w0, w1 } = this.getEas(lisn);
    // Masked: the notification completes here; the source PQ stays set until the OS EOIs.
    if (w1 & EAS_W1_MASKED) return;
    this.endNotify(
      getField32(EAS_W0_END_BLOCK, w0),
      getField32(EAS_W0_END_INDEX, w0),
      getField32(EAS_W1_END_DATA, w1),
    );
  }

  /** An event for END (block, index) with data (xive_router_end_notify). */
  endNotify(block: number, index: number, data: number): void {
    const t = this.table(block);
    if (!t || index >= t.length / END_WORDS) {
      this.log.guestError(`XIVE: no END ${block}/0x${index.toString(16)}`);
      return;
    }
    const b = index * END_WORDS;
    const w0 = t[b]!;
    if (!(w0 & END_W0_VALID)) {
      this.log.guestError(`XIVE: END ${block}/0x${index.toString(16)} is invalid`);
      return;
    }
    if (w0 & END_W0_ENQUEUE) this.enqueue(t, b, data);

    if (!(w0 & END_W0_SILENT_ESCALATE)) {
      const format = getField32(END_W6_FORMAT_BIT, t[b + 6]!);
      const priority = getField32(END_W7_F0_PRIORITY, t[b + 7]!);
      if (format !== 0) {
        // F=1 (user-level EBB, logical server) is a PowerNV feature sPAPR never configures.
        this.log.guestError(
          `XIVE: END ${block}/0x${index.toString(16)} has format 1, not modelled`,
        );
        return;
      }
      if (priority === 0xff) return; // END masked
      if (!(w0 & END_W0_UCOND_NOTIFY)) {
        const tr = esbTrigger(asPq(getField32(END_W1_ESN, t[b + 1]!)));
        t[b + 1] = setField32(END_W1_ESN, t[b + 1]!, tr.pq);
        if (!tr.forward) return; // coalesced; the OS re-arms through the END ESB
      }
      const nvtBlock = getField32(END_W6_NVT_BLOCK, t[b + 6]!);
      const nvtIndex = getField32(END_W6_NVT_INDEX, t[b + 6]!);
      const vcpu = this.nvtVcpu(nvtBlock, nvtIndex);
      if (vcpu === undefined || !(this.nvtt[vcpu * NVT_WORDS]! & NVT_W0_VALID)) {
        this.log.guestError(
          `XIVE: END ${block}/0x${index.toString(16)} targets no valid NVT ${nvtBlock}/0x${nvtIndex.toString(16)}`,
        );
        return;
      }
      if (block === XIVE_ESCALATION_BLOCK) {
        this.escalation.escalate(vcpu);
        return;
      }
      const tctx = this.tctx[vcpu]!;
      if (tctx.osCam === this.camOf(vcpu)) {
        tctx.osIpbUpdate(priorityToIpb(priority));
        return;
      }
      // Not dispatched on any thread: record the priority in the NVT (replayed at push).
      if (w0 & END_W0_BACKLOG) {
        const n = vcpu * NVT_WORDS + 4;
        this.nvtt[n] = setField32(
          NVT_W4_IPB,
          this.nvtt[n]!,
          getField32(NVT_W4_IPB, this.nvtt[n]!) | priorityToIpb(priority),
        );
      }
    }
    if (!(w0 & END_W0_ESCALATE_CTL)) return;
    if (!(w0 & END_W0_UNCOND_ESCALATE)) {
      const tr = esbTrigger(asPq(getField32(END_W1_ESE, t[b + 1]!)));
      t[b + 1] = setField32(END_W1_ESE, t[b + 1]!, tr.pq);
      if (!tr.forward) return;
    }
    if (block === XIVE_ESCALATION_BLOCK) {
      throw new Error("xive-router: an escalation END escalates again (broken escalation wiring)");
    }
    this.endNotify(
      getField32(END_W4_ESC_END_BLOCK, t[b + 4]!),
      getField32(END_W4_ESC_END_INDEX, t[b + 4]!),
      getField32(END_W5_ESC_END_DATA, t[b + 5]!),
    );
  }

  private enqueue(t: Uint32Array, b: number, data: number): void {
    const qaddr = endQueueAddress(t[b + 2]!, t[b + 3]!);
    const entries = 2 ** (getField32(END_W0_QSIZE, t[b]!) + 10);
    const at = {
      index: getField32(END_W1_PAGE_OFF, t[b + 1]!),
      bit: getField32(END_W1_GENERATION, t[b + 1]!),
    };
    if (!this.mem.isRam(qaddr + at.index * 4, 4)) {
      this.log.guestError(
        `XIVE: failed to write END data @0x${(qaddr + at.index * 4).toString(16)}`,
      );
      return;
    }
    const next = enqueueEvent(this.mem, qaddr, entries, at, data);
    t[b + 1] = setField32(
      END_W1_GENERATION,
      setField32(END_W1_PAGE_OFF, t[b + 1]!, next.index),
      next.bit,
    );
  }

  // --- dispatch (kvmppc_xive_push_vcpu / pull_vcpu) ---

  /**
   * Dispatch a vCPU's OS context on its thread: CAM with VO, merging the NVT backlog IPB, and mask
   * its escalation (the vCPU sees its interrupts directly while it runs).
   */
  pushOsContext(vcpu: number): void {
    const n = vcpu * NVT_WORDS + 4;
    const backlog = getField32(NVT_W4_IPB, this.nvtt[n]!);
    this.nvtt[n] = setField32(NVT_W4_IPB, this.nvtt[n]!, 0);
    this.setEscalationEsn(vcpu, PQ_OFF);
    this.tctx[vcpu]!.pushOs((TM_QW1W2_VO | this.camOf(vcpu)) >>> 0, backlog);
  }

  /**
   * Undispatch a vCPU on any exit (kvmppc_xive_pull_vcpu): invalidate its OS CAM so that new events
   * go to its NVT backlog. The escalation stays masked until `rearmEscalation` (a cede). Returns
   * the old WORD2 and whether something deliverable is already pending.
   */
  pullOsContext(vcpu: number): PullResult {
    const word2 = this.tctx[vcpu]!.pullOs();
    return { word2, pending: this.deliverable(vcpu) };
  }

  /**
   * The vCPU cedes (kvmppc_xive_rearm_escalation): arm its escalation (ESn 00) so that the next
   * event for it escalates and wakes it. Returns false, leaving the escalation masked, when
   * something deliverable is already pending (in the thread context or in the NVT backlog, where
   * events go while the escalation is masked): the caller must abort the cede.
   */
  rearmEscalation(vcpu: number): boolean {
    if (this.deliverable(vcpu)) return false;
    this.setEscalationEsn(vcpu, PQ_RESET);
    return true;
  }

  /** A priority in the OS IPB or the NVT backlog is more favoured than the OS CPPR. */
  private deliverable(vcpu: number): boolean {
    const r = this.tctx[vcpu]!.regs;
    const ipb = r[TM_QW1_OS + TM_IPB]! | getField32(NVT_W4_IPB, this.nvtt[vcpu * NVT_WORDS + 4]!);
    return ipbToPipr(ipb) < r[TM_QW1_OS + TM_CPPR]!;
  }

  /** NVT backlog IPB of a vCPU (for tests and the VP_STATE-like save). */
  nvtBacklog(vcpu: number): number {
    return getField32(NVT_W4_IPB, this.nvtt[vcpu * NVT_WORDS + 4]!);
  }

  // --- state ---

  save(): RouterState {
    const words = (t: Uint32Array, n: number): EndWords[] =>
      Array.from({ length: n }, (_, i) => {
        const b = i * END_WORDS;
        const [w0, w1, w2, w3, w4, w5, w6, w7] = [...t.subarray(b, b + END_WORDS)] as number[];
        return { w0: w0!, w1: w1!, w2: w2!, w3: w3!, w4: w4!, w5: w5!, w6: w6!, w7: w7! };
      });
    return {
      version: 1,
      eat: Array.from({ length: this.nrIrqs }, (_, i) => ({
        w0: this.eat[i * 2]!,
        w1: this.eat[i * 2 + 1]!,
      })),
      endt: words(this.endt, this.nrEnds),
      escEndt: words(this.escEndt, this.nrVcpus),
      nvtW4: Array.from({ length: this.nrVcpus }, (_, v) => this.nvtt[v * NVT_WORDS + 4]!),
    };
  }

  /** Restore phase 1: END table (queue configuration; the EAS targeting depends on it). */
  restoreEnds(state: RouterState): void {
    this.checkState(state);
    const put = (t: Uint32Array, e: EndWords, i: number) =>
      END_WORD_NAMES.forEach((w, k) => (t[i * END_WORDS + k] = e[w]));
    state.endt.forEach((e, i) => put(this.endt, e, i));
    state.escEndt.forEach((e, i) => put(this.escEndt, e, i));
  }

  /** Restore phase 2: EAS table (source targeting). */
  restoreEas(state: RouterState): void {
    this.checkState(state);
    state.eat.forEach((e, i) => this.setEas(i, e.w0, e.w1));
  }

  /** Restore phase 3 (with the thread contexts): NVT backlogs. */
  restoreNvts(state: RouterState): void {
    this.checkState(state);
    state.nvtW4.forEach((w4, v) => (this.nvtt[v * NVT_WORDS + 4] = w4));
  }

  private checkState(state: RouterState): void {
    if (state.version !== 1)
      throw new Error(`xive-router: unknown state version ${String(state.version)}`);
    if (
      state.eat.length !== this.nrIrqs ||
      state.endt.length !== this.nrEnds ||
      state.nvtW4.length !== this.nrVcpus
    ) {
      throw new Error(
        `xive-router: state is for ${state.eat.length} IRQs / ${state.nvtW4.length} vCPUs, this machine has ${this.nrIrqs} / ${this.nrVcpus}`,
      );
    }
  }
}
