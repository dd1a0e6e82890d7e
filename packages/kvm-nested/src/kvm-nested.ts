// KvmNested: L0's support for one guest hypervisor (L1 VM), plugged into kvm-hv-core's
// NestedHvPort. It owns the L1's nested-guest table, the rmap from L1 pages to shadow leaves,
// and the per-vCPU "running an L2" state; the hcalls and the exit handling live beside it.
import {
  H_AUTHORITY,
  H_COPY_TOFROM_GUEST,
  H_ENTER_NESTED,
  H_FUNCTION,
  H_RPT_INVALIDATE,
  H_SET_PARTITION_TABLE,
  H_SUCCESS,
  H_TLB_INVALIDATE,
  decideL2RptInvalidate,
  decodeRptInvalidate,
  encodeHvGuestState,
  encodePtRegs,
  hcallByOpcode,
} from "@hvsim/hcall-abi";
import type {
  HcallOutcome,
  NestedHostResources,
  NestedHvPort,
  NestedHvState,
  Vcpu,
  Vm,
} from "@hvsim/kvm-hv-core";
import { lookupLeaf, mapPage, setPageRc, unmapPage } from "@hvsim/radix-mmu";
import type { NestedContext, NestedStats } from "./context";
import { bump, hex } from "./context";
import { hCopyTofromGuest } from "./h-copy-tofrom-guest";
import type { L2Run } from "./h-enter-nested";
import { hEnterNested } from "./h-enter-nested";
import { hRptInvalidate } from "./h-rpt-invalidate";
import { hSetPartitionTable } from "./h-set-partition-table";
import { hTlbInvalidate } from "./h-tlb-invalidate";
import { restoreL1, saveL2 } from "./l2-state";
import type { NestedGuest } from "./nested-guests";
import { NestedGuests, PRTB_MASK, ptcrEntries } from "./nested-guests";
import type { KvmNestedState, L2RunState, NestedGuestState } from "./nested-state";
import { KVM_NESTED_STATE_KIND, KVM_NESTED_STATE_VERSION } from "./nested-state";
import { DSISR_SET_RC, DSISR_SRR1_MATCH_64S, HFSCR_INTR_CAUSE, SPR } from "./registers";
import { L0_PAGE_SHIFT, shadowPageFault } from "./shadow-page-fault";

type Outcome = { kind: "handled" } | { kind: "exit"; reason: string };

const L0_PAGE = 2 ** L0_PAGE_SHIFT;

/** Reference and change bits to set or clear (updateNestRmapRc). */
export interface RcBits {
  r?: boolean;
  c?: boolean;
}

export interface KvmNestedOptions {
  /** Guest errors and reflected-fault notes (for --trace). */
  log?: (message: string) => void;
}

export class KvmNested implements NestedHvPort, NestedContext {
  readonly host: NestedHostResources;
  readonly guests: NestedGuests;
  l1Ptcr = 0n;
  readonly stats: NestedStats = {
    l2ExitsInL0: {},
    l2ExitsToL1: {},
    shadowFaults: 0,
    shadowFaultsReflected: 0,
    rmapRemovals: 0,
    invalidations: {},
    enterNested: 0,
    enterNestedErrors: {},
    shadowTrees: {},
  };
  /** L1 guest-physical 64 KiB page -> shadow leaves built on it ("l1Lpid:nGpaPage"). */
  private readonly rmap = new Map<number, Set<string>>();
  private readonly runs = new Map<Vcpu, L2Run>();
  private readonly log: (m: string) => void;

  constructor(
    readonly vm: Vm,
    opts: KvmNestedOptions = {},
  ) {
    this.host = vm.nestedHost();
    this.log = opts.log ?? (() => {});
    this.guests = new NestedGuests(this.host, (g) => this.rmapDropGuest(g));
  }

  /** Create and plug into `vm` (Vm.setNestedHv). */
  static attach(vm: Vm, opts: KvmNestedOptions = {}): KvmNested {
    const n = new KvmNested(vm, opts);
    vm.setNestedHv(n);
    return n;
  }

  // --- NestedContext ------------------------------------------------------------------------

  nestingEnabled(): boolean {
    return this.vm.nestedHvEnabled && this.vm.radix;
  }

  readL1(gpa: bigint, len: number): Uint8Array | undefined {
    if (gpa < 0n || gpa + BigInt(len) > 2n ** 52n || len < 0) return undefined;
    return this.vm.readGuest(Number(gpa), len);
  }

  writeL1(gpa: bigint, data: Uint8Array): boolean {
    if (gpa < 0n || gpa + BigInt(data.length) > 2n ** 52n) return false;
    return this.vm.writeGuest(Number(gpa), data);
  }

  updatePtblCache(g: NestedGuest): void {
    let dw0 = 0n;
    let dw1 = 0n;
    if (this.l1Ptcr !== 0n && g.l1Lpid < ptcrEntries(this.l1Ptcr)) {
      const b = this.readL1((this.l1Ptcr & PRTB_MASK) + BigInt(g.l1Lpid) * 16n, 16);
      if (b !== undefined) {
        const dv = new DataView(b.buffer, b.byteOffset, 16);
        dw0 = dv.getBigUint64(0, false);
        dw1 = dv.getBigUint64(8, false);
      }
    }
    g.l1GrToHr = dw0;
    g.processTable = dw1;
    this.guests.writeShadowPate(g);
    this.vm.mmu.flushLpid(g.shadowLpid);
  }

  invalidateShadowRange(g: NestedGuest, start: number, end: number): void {
    const first = start - (start % L0_PAGE);
    for (let page = first; page < end; page += L0_PAGE) {
      const l1Page = g.shadow.get(page);
      if (l1Page !== undefined) {
        unmapPage(g.shadowTree, page);
        g.shadow.delete(page);
        this.rmap.get(l1Page)?.delete(`${g.l1Lpid}:${page}`);
      }
      this.vm.mmu.invalidate({
        ric: "tlb",
        scope: "partition",
        target: { is: "va", lpid: g.shadowLpid, pid: 0, addr: page, pageShift: L0_PAGE_SHIFT },
      });
      if (end - first > 64 * L0_PAGE) {
        // A big range: cheaper to drop everything of the shadow LPID.
        this.dropShadow(g);
        return;
      }
    }
  }

  dropShadow(g: NestedGuest): void {
    this.guests.clearShadow(g);
    this.vm.mmu.flushLpid(g.shadowLpid);
  }

  flushNested(g: NestedGuest): void {
    this.dropShadow(g);
    this.updatePtblCache(g);
    if (g.l1GrToHr === 0n) this.guests.remove(g);
  }

  // --- rmap -----------------------------------------------------------------------------------

  private rmapAdd(l1Page: number, g: NestedGuest, nPage: number): void {
    let s = this.rmap.get(l1Page);
    if (s === undefined) this.rmap.set(l1Page, (s = new Set()));
    s.add(`${g.l1Lpid}:${nPage}`);
  }

  private rmapDropGuest(g: NestedGuest): void {
    for (const [nPage, l1Page] of g.shadow) this.rmap.get(l1Page)?.delete(`${g.l1Lpid}:${nPage}`);
  }

  /**
   * kvmhv_update_nest_rmap_rc_list: L0 changed R/C in its own PTE for the L1 page holding
   * `l1Gpa` (dirty logging harvested C, ageing cleared R); make the same change in every
   * shadow leaf built on that page and invalidate those translations, so that the L2's next
   * access (or store) faults with SET_RC and sets the bits in L0's PTE again -- without it an
   * L2's writes to L1 memory would escape L0's dirty tracking. Entries whose leaf now maps
   * another L1 page are skipped. Returns the number of shadow leaves changed.
   */
  updateNestRmapRc(l1Gpa: number, clear: RcBits, set: RcBits = {}): number {
    const l1Page = l1Gpa - (l1Gpa % L0_PAGE);
    let changed = 0;
    for (const key of this.rmap.get(l1Page) ?? []) {
      const [lpid, nPage] = key.split(":").map(Number) as [number, number];
      const g = this.guests.list().find((x) => x.l1Lpid === lpid);
      if (g === undefined || g.shadow.get(nPage) !== l1Page) continue;
      const leaf = lookupLeaf(g.shadowTree, nPage);
      if (leaf === undefined) continue;
      const r = set.r === true ? true : clear.r === true ? false : leaf.r;
      const c = set.c === true ? true : clear.c === true ? false : leaf.c;
      if (r === leaf.r && c === leaf.c) continue;
      setPageRc(g.shadowTree, nPage, r, c);
      this.vm.mmu.invalidate({
        ric: "tlb",
        scope: "partition",
        target: { is: "va", lpid: g.shadowLpid, pid: 0, addr: nPage, pageShift: L0_PAGE_SHIFT },
      });
      changed++;
    }
    return changed;
  }

  /** Shadow leaves built on L1 page `l1Page` (for tests and --stats). */
  rmapEntries(l1Page: number): string[] {
    return [...(this.rmap.get(l1Page) ?? [])].sort();
  }

  l1RangeUnmapped(gpa: number, size: number): void {
    const first = gpa - (gpa % L0_PAGE);
    for (let page = first; page < gpa + size; page += L0_PAGE) {
      const set = this.rmap.get(page);
      if (set === undefined) continue;
      for (const key of [...set]) {
        const [lpid, nPage] = key.split(":").map(Number) as [number, number];
        const g = this.guests.list().find((x) => x.l1Lpid === lpid);
        // Entries whose leaf was since rebuilt on another L1 page are stale: skipped.
        if (g !== undefined && g.shadow.get(nPage) === page) {
          this.invalidateShadowRange(g, nPage, nPage + L0_PAGE);
          this.stats.rmapRemovals++;
        }
      }
      this.rmap.delete(page);
    }
  }

  // --- hcalls from the L1 -------------------------------------------------------------------

  l1Hcall(v: Vcpu, nr: number): HcallOutcome | undefined {
    switch (nr) {
      case H_SET_PARTITION_TABLE:
        return { kind: "done", ret: hSetPartitionTable(this, v.getGpr(4)) };
      case H_ENTER_NESTED:
        return this.enterNested(v);
      case H_TLB_INVALIDATE:
        return { kind: "done", ret: hTlbInvalidate(this, v.getGpr(4), v.getGpr(5), v.getGpr(6)) };
      case H_COPY_TOFROM_GUEST:
        return { kind: "done", ret: hCopyTofromGuest(this, v) };
      case H_RPT_INVALIDATE:
        return hRptInvalidate(this, v);
      default:
        return undefined;
    }
  }

  private enterNested(v: Vcpu): HcallOutcome {
    if (!this.nestingEnabled()) return { kind: "done", ret: H_FUNCTION };
    const e = hEnterNested(this, v);
    if (e.kind === "error") {
      bump(this.stats.enterNestedErrors, String(e.status));
      this.log(`H_ENTER_NESTED: ${e.why} -> ${e.status}`);
      return { kind: "done", ret: e.status };
    }
    if (e.kind === "re-enter") {
      bump(this.stats.l2ExitsToL1, "0x0 re-enter (L1 interrupt at entry)");
      return { kind: "done", ret: 0 };
    }
    this.stats.enterNested++;
    this.noteShadowCost(e.run.guest);
    this.runs.set(v, e.run);
    if (this.l1Tb(v, e.run) >= e.run.hdecExpiry) {
      // The L1's time limit has passed already: back at once with HDEC (0x1980 -> 0x980).
      const ret = this.exitToL1(v, e.run, 0x980, v.pc, v.msr);
      return { kind: "done", ret };
    }
    return { kind: "done", ret: H_SUCCESS };
  }

  // --- the vCPU while it runs an L2 ----------------------------------------------------------

  inL2(v: Vcpu): boolean {
    return this.runs.has(v);
  }

  /** The L1's timebase now (the L2 runs with the L1's plus its tb_offset). */
  private l1Tb(v: Vcpu, run: L2Run): number {
    return v.cpu.tb - (v.cpu.tbOffset - run.saved.tbOffset);
  }

  sliceHdec(v: Vcpu, slice: number): number {
    const run = this.runs.get(v);
    if (run === undefined) return slice;
    const left = run.hdecExpiry - this.l1Tb(v, run);
    return Math.max(0, Math.min(slice, left - 1));
  }

  l2Hcall(v: Vcpu): Outcome {
    const run = this.runs.get(v)!;
    const nr = Number(v.getGpr(3) & 0xffffffffn);
    if (nr === H_RPT_INVALIDATE) {
      const args: bigint[] = [];
      for (let r = 4; r <= 9; r++) args.push(v.getGpr(r));
      const o = decideL2RptInvalidate(decodeRptInvalidate(args));
      if (o.kind === "process-scoped") {
        // kvmppc_nested_h_rpt_invalidate: a GTSE=0 L2's own flush, done on its shadow LPID.
        if (o.flushes.length > 0) {
          this.vm.mmu.flushPid(run.guest.shadowLpid, Number(o.pid & 0xffffffffn));
        }
        v.setGpr(3, BigInt(o.status));
        bump(this.stats.l2ExitsInL0, "0xc00 H_RPT_INVALIDATE");
        return { kind: "handled" };
      }
    }
    // Every other hcall is the L1's: pt_regs.nip is past the sc, as HSRR0 would be.
    this.exitToL1(v, run, 0xc00, v.pc, v.msr, hcallByOpcode(nr)?.name, true);
    return { kind: "handled" };
  }

  l2Interrupt(v: Vcpu, vector: number, srr1: bigint): Outcome | undefined {
    const run = this.runs.get(v)!;
    const nip = v.pc;
    switch (vector) {
      case 0x980:
        if (this.l1Tb(v, run) >= run.hdecExpiry) {
          // NESTED_HV_DECREMENTER (0x1980): the L1's time limit, reflected as 0x980.
          this.exitToL1(v, run, 0x980, nip, srr1);
          return { kind: "handled" };
        }
        bump(this.stats.l2ExitsInL0, "0x980 L0 HDEC");
        return undefined; // L0's own slice: the L2 stays loaded, resumed next slice
      case 0xe00:
      case 0xe20:
        return this.nestedPageFault(v, run, vector, nip, srr1);
      case 0xea0:
        if (this.vm.externalPending(v.id)) {
          // An interrupt for the L1 came while its L2 ran (kvm-hv-core raises it as HVI, as
          // XIVE escalates it). Linux resumes the L2 only after checking that nothing is
          // pending for the L1 (kvmhv_run_single_vcpu): here something is, so the L2 is saved
          // with trap 0 and the L1 sees r3 = 0, takes its interrupt and enters again.
          this.exitToL1(v, run, 0, nip, srr1, "re-enter (L1 interrupt during L2)");
          return { kind: "handled" };
        }
        bump(this.stats.l2ExitsInL0, hex(vector));
        return { kind: "handled" };
      case 0xe80:
        bump(this.stats.l2ExitsInL0, hex(vector));
        return { kind: "handled" };
      case 0xf80: {
        const hfscr = v.getSpr(SPR.HFSCR);
        const cause = (hfscr & HFSCR_INTR_CAUSE) >> 56n;
        const bit = cause < 64n ? 1n << cause : 0n;
        const l0Permits = (run.saved.sprs[SPR.HFSCR]! & bit) !== 0n;
        if (l0Permits && (run.nestedHfscr & bit) === 0n) {
          // The L1 disabled it for its L2: the L1's business.
          run.hv.hfscr = (run.hv.hfscr & ~HFSCR_INTR_CAUSE) | (hfscr & HFSCR_INTR_CAUSE);
          this.exitToL1(v, run, 0xf80, nip, srr1);
        } else {
          // A facility L0 does not let the L1 have: the L1 sees an emulation assist (HEAI).
          // hvsim's CPU leaves HEIR as it was here (Linux fetches the instruction).
          run.hv.heir = v.getSpr(SPR.HEIR);
          this.exitToL1(v, run, 0xe40, nip, srr1);
        }
        return { kind: "handled" };
      }
      case 0xe40:
        run.hv.heir = v.getSpr(SPR.HEIR);
        this.exitToL1(v, run, 0xe40, nip, srr1);
        return { kind: "handled" };
      default:
        this.exitToL1(v, run, vector, nip, srr1);
        return { kind: "handled" };
    }
  }

  private nestedPageFault(
    v: Vcpu,
    run: L2Run,
    vector: 0xe00 | 0xe20,
    nip: bigint,
    srr1: bigint,
  ): Outcome {
    this.stats.shadowFaults++;
    const hdar = v.getSpr(SPR.HDAR);
    // For HISI the cause is in HSRR1. Linux keeps only DSISR_SRR1_MATCH_64S of it; hvsim's MMU
    // also reports an R failure on fetch there (bit 45, as QEMU), which L0 handles like the
    // HDSI SET_RC case.
    const hdsisr =
      vector === 0xe00 ? v.getSpr(SPR.HDSISR) : srr1 & (DSISR_SRR1_MATCH_64S | DSISR_SET_RC);
    const asdr = v.getSpr(SPR.ASDR);
    const f = shadowPageFault(this, run.guest, { vector, hdar, hdsisr, asdr }, (l1p, g, np) =>
      this.rmapAdd(l1p, g, np),
    );
    if (f.kind === "dsi") {
      // __kvmhv_nested_page_fault queues a DSI for the L2: DAR = the EA, DSISR = the fault's.
      v.setSpr(SPR.DAR, f.dar);
      v.setSpr(SPR.DSISR, f.dsisr);
      v.cpu.deliverInterrupt(0x300, 0, false);
      bump(this.stats.l2ExitsInL0, `${hex(vector)} DSI to the L2`);
      return { kind: "handled" };
    }
    if (f.kind === "mmio") {
      // H_TOO_HARD: the L2 is saved and the L1 restored with r3 = 0, and the vCPU leaves for
      // the VMM with the MMIO exit an access by the L1 to that address makes. Linux's L0 has
      // its VMM emulate the access and advance the L2 past it before the L1 enters again;
      // hvsim's VMM (pseries) has no MMIO devices and stops there, as it does for the L1.
      this.exitToL1(v, run, 0, nip, srr1, "H_TOO_HARD (MMIO)");
      v.pendingExit = {
        kind: "mmio",
        vcpu: v.id,
        gpa: f.l1Gpa,
        size: 1, // not decoded: the L2's instruction is not emulated (see VcpuExit `nested`)
        isWrite: f.isWrite,
        data: 0n,
        fetch: false,
        nested: true,
      };
      return { kind: "exit", reason: "mmio" };
    }
    if (f.kind === "resume") {
      bump(
        this.stats.l2ExitsInL0,
        `${hex(vector)} ${f.rcSet === true ? "R/C set" : "shadow fault"}`,
      );
      this.noteShadowCost(run.guest);
      return { kind: "handled" };
    }
    this.stats.shadowFaultsReflected++;
    if (vector === 0xe00) {
      run.hv.hdar = hdar;
      run.hv.hdsisr = f.hdsisr;
      run.hv.asdr = f.asdr;
      this.exitToL1(v, run, 0xe00, nip, srr1);
    } else {
      run.hv.asdr = f.asdr;
      const msr = f.srr1Bits === undefined ? srr1 : (srr1 & ~DSISR_SRR1_MATCH_64S) | f.srr1Bits;
      this.exitToL1(v, run, 0xe20, nip, msr);
    }
    return { kind: "handled" };
  }

  /**
   * Leave the L2: save its state into the structs, restore the L1, write both structs back
   * into L1 memory and put the trap (or H_AUTHORITY) in the L1's r3. Returns that r3.
   */
  private exitToL1(
    v: Vcpu,
    run: L2Run,
    trap: number,
    nip: bigint,
    msr: bigint,
    what?: string,
    scCompleted = false,
  ): number {
    bump(this.stats.l2ExitsToL1, what === undefined ? hex(trap) : `${hex(trap)} ${what}`);
    saveL2(v, run.hv, run.regs, nip, msr);
    // IC and VTB (save_hv_return_state): hvsim's CPU has neither SPR (350, 351), so no level
    // can read them; hv_guest_state's copies still count as Linux's do -- IC by the
    // instructions the L2 completed (an `sc` it exits with is one of them; hvsim's CPU also
    // counts each interrupt it delivers as one), VTB by the timebase ticks those took.
    const insns = v.cpu.icount - run.icountAtEntry + (scCompleted ? 1 : 0);
    run.hv.ic = BigInt.asUintN(64, run.hv.ic + BigInt(insns));
    run.hv.vtb = BigInt.asUintN(64, run.hv.vtb + BigInt(insns * v.cpu.tbTicksPerInsn));
    const purrDelta = run.hv.purr - run.purrAtEntry;
    const spurrDelta = run.hv.spurr - run.spurrAtEntry;
    restoreL1(v, run.saved, purrDelta, spurrDelta);
    this.runs.delete(v);
    this.guests.put(run.guest);
    const ok =
      this.writeL1(run.hvAddr, encodeHvGuestState(run.hv, run.endian)) &&
      this.writeL1(run.regsAddr, encodePtRegs(run.regs, run.endian));
    const r3 = ok ? trap : H_AUTHORITY;
    v.setGpr(3, BigInt(r3));
    return r3;
  }

  private noteShadowCost(g: NestedGuest): void {
    const key = `LPID ${g.l1Lpid}`;
    const c = (this.stats.shadowTrees[key] ??= { tableBytes: 0, leaves: 0 });
    c.tableBytes = Math.max(c.tableBytes, g.tables.bytes);
    c.leaves = Math.max(c.leaves, g.shadow.size);
  }

  // --- lifecycle ------------------------------------------------------------------------------

  release(): void {
    this.runs.clear();
    this.guests.releaseAll();
    this.rmap.clear();
    this.l1Ptcr = 0n;
  }

  // --- migration ----------------------------------------------------------------------------

  /** The L0 state (see nested-state.ts), also while vCPUs run an L2. */
  save(): KvmNestedState {
    const table = this.guests.list();
    const detached: NestedGuest[] = [];
    const holders = new Map<NestedGuest, number>();
    const runs: L2RunState[] = [];
    for (const v of [...this.runs.keys()].sort((a, b) => a.id - b.id)) {
      const run = this.runs.get(v)!;
      const g = run.guest;
      holders.set(g, (holders.get(g) ?? 0) + 1);
      let guest: L2RunState["guest"];
      if (this.guests.peek(g.l1Lpid) === g) {
        guest = { in: "table", l1Lpid: g.l1Lpid };
      } else {
        if (!detached.includes(g)) detached.push(g);
        guest = { in: "detached", index: detached.indexOf(g) };
      }
      runs.push({
        vcpu: v.id,
        guest,
        hv: structuredClone(run.hv),
        regs: structuredClone(run.regs),
        hvAddr: run.hvAddr,
        regsAddr: run.regsAddr,
        endian: run.endian,
        saved: structuredClone(run.saved),
        nestedHfscr: run.nestedHfscr,
        hdecExpiry: run.hdecExpiry,
        purrAtEntry: run.purrAtEntry,
        spurrAtEntry: run.spurrAtEntry,
        icountAtEntry: run.icountAtEntry,
      });
    }
    // Between instructions the only references are the table's and the runs'.
    for (const g of [...table, ...detached]) {
      const want = (table.includes(g) ? 1 : 0) + (holders.get(g) ?? 0);
      if (g.refcnt !== want) {
        throw new Error(
          `nested guest ${g.l1Lpid}: ${g.refcnt} references, expected ${want} between instructions`,
        );
      }
    }
    return {
      kind: KVM_NESTED_STATE_KIND,
      version: KVM_NESTED_STATE_VERSION,
      l1Ptcr: this.l1Ptcr,
      guests: table.map((g) => this.saveGuest(g)),
      detachedGuests: detached.map((g) => this.saveGuest(g)),
      runs,
      stats: structuredClone(this.stats),
    };
  }

  private saveGuest(g: NestedGuest): NestedGuestState {
    return {
      l1Lpid: g.l1Lpid,
      l1GrToHr: g.l1GrToHr,
      processTable: g.processTable,
      shadow: [...g.shadow].map(([nPage, l1Page]) => {
        const leaf = lookupLeaf(g.shadowTree, nPage);
        if (leaf === undefined) {
          throw new Error(`nested guest ${g.l1Lpid}: shadow page ${hex(nPage)} has no leaf`);
        }
        return { nPage, l1Page, perm: leaf.perm, r: leaf.r, c: leaf.c };
      }),
    };
  }

  /**
   * Continue a saved state on this VM, whose vCPUs and memory were restored just before
   * (Vm.restore): whatever this instance held is released, the nested guests come back with
   * shadow LPIDs from this host's pool and their shadow leaves rebuilt on this host's pages,
   * and each vCPU that was inside H_ENTER_NESTED goes on running its L2 on the new shadow LPID.
   */
  restore(state: NestedHvState): void {
    if (state.kind !== KVM_NESTED_STATE_KIND || state.version !== KVM_NESTED_STATE_VERSION) {
      throw new Error(
        `nested-HV state ${state.kind} version ${state.version}: this hvsim reads ${KVM_NESTED_STATE_KIND} version ${KVM_NESTED_STATE_VERSION}; restore it with the hvsim that saved it`,
      );
    }
    const s = state as KvmNestedState;
    this.release();
    this.l1Ptcr = s.l1Ptcr;
    const tableRefs = new Map<number, number>();
    const detachedRefs = new Map<number, number>();
    for (const r of s.runs) {
      if (r.guest.in === "table") {
        tableRefs.set(r.guest.l1Lpid, (tableRefs.get(r.guest.l1Lpid) ?? 0) + 1);
      } else {
        detachedRefs.set(r.guest.index, (detachedRefs.get(r.guest.index) ?? 0) + 1);
      }
    }
    const restoreGuest = (gs: NestedGuestState, refcnt: number, inTable: boolean): NestedGuest => {
      const g = this.guests.restoreGuest(gs.l1Lpid, gs.l1GrToHr, gs.processTable, refcnt, inTable);
      if (g === undefined) {
        throw new Error(
          `no LPID left on this host for the L1's nested guest ${gs.l1Lpid}: restore on a host with fewer VMs`,
        );
      }
      for (const leaf of gs.shadow) {
        const hostAddr = this.vm.instantiateGuestPage(leaf.l1Page);
        if (hostAddr === undefined) {
          throw new Error(
            `nested guest ${gs.l1Lpid}: shadow page ${hex(leaf.nPage)} is backed by L1 address ${hex(leaf.l1Page)}, which is in no memslot: create the source's memslots before restoring`,
          );
        }
        mapPage(g.shadowTree, leaf.nPage, hostAddr - (hostAddr % L0_PAGE), L0_PAGE_SHIFT, {
          perm: leaf.perm,
          r: leaf.r,
          c: leaf.c,
        });
        g.shadow.set(leaf.nPage, leaf.l1Page);
        this.rmapAdd(leaf.l1Page, g, leaf.nPage);
      }
      this.vm.mmu.flushLpid(g.shadowLpid);
      return g;
    };
    for (const gs of s.guests) restoreGuest(gs, 1 + (tableRefs.get(gs.l1Lpid) ?? 0), true);
    const detached = s.detachedGuests.map((gs, i) =>
      restoreGuest(gs, detachedRefs.get(i) ?? 0, false),
    );
    for (const r of s.runs) {
      const v = this.vm.vcpus.find((x) => x.id === r.vcpu);
      const guest =
        r.guest.in === "table" ? this.guests.peek(r.guest.l1Lpid) : detached[r.guest.index];
      if (v === undefined || guest === undefined) {
        throw new Error(
          `nested-HV state: the L2 run of vCPU ${r.vcpu} names a vCPU or nested guest the state does not have`,
        );
      }
      const saved = structuredClone(r.saved);
      // The L1 runs on this host's LPID for it; the L2 on its new shadow LPID.
      saved.sprs[SPR.LPIDR] = BigInt(this.vm.lpid);
      v.setSpr(SPR.LPIDR, BigInt(guest.shadowLpid));
      this.runs.set(v, {
        guest,
        hv: structuredClone(r.hv),
        regs: structuredClone(r.regs),
        hvAddr: r.hvAddr,
        regsAddr: r.regsAddr,
        endian: r.endian,
        saved,
        nestedHfscr: r.nestedHfscr,
        hdecExpiry: r.hdecExpiry,
        purrAtEntry: r.purrAtEntry,
        spurrAtEntry: r.spurrAtEntry,
        icountAtEntry: r.icountAtEntry,
      });
    }
    Object.assign(this.stats, structuredClone(s.stats));
  }

  /** Statistics for --stats (a copy). */
  statistics(): NestedStats {
    return structuredClone(this.stats);
  }
}
