// Switching a vCPU between its L1 and an L2 in place, as kvmhv_enter_nested_guest does around
// kvmhv_run_single_vcpu: save the L1's registers, load the L2's from hv_guest_state + pt_regs
// (with Linux's LPCR/HFSCR/DAWRX/CIABR filtering), and on the way out the reverse.
import type { HvGuestState, PtRegs } from "@hvsim/hcall-abi";
import type { Vcpu } from "@hvsim/kvm-hv-core";
import {
  CIABR_PRIV,
  CIABR_PRIV_HYPER,
  DAWRX_HYP,
  HFSCR_INTR_CAUSE,
  LPCR_AIL,
  LPCR_L1_MASK,
  LPCR_TC,
  MSR_HV,
  MSR_ME,
  PCR_MASK,
  SPR,
} from "./registers";

/** The L1 registers an L2 entry overwrites (restored when the L2 exits). */
export interface L1Saved {
  gpr: bigint[];
  pc: bigint;
  msr: bigint;
  lr: bigint;
  ctr: bigint;
  xer: bigint;
  cr: number;
  sprs: Record<number, bigint>;
  purr: bigint;
  spurr: bigint;
  tbOffset: number;
}

/** SPRs swapped between L1 and L2 (PURR/SPURR are handled as deltas). */
const SWAPPED = [
  SPR.LPCR,
  SPR.LPIDR,
  SPR.PIDR,
  SPR.HFSCR,
  SPR.SRR0,
  SPR.SRR1,
  SPR.SPRG0,
  SPR.SPRG1,
  SPR.SPRG2,
  SPR.SPRG3,
  SPR.CFAR,
  SPR.PPR,
  SPR.DPDES,
  SPR.AMOR,
  SPR.DAWR0,
  SPR.DAWRX0,
  SPR.CIABR,
  SPR.PCR,
] as const;

const U64 = (1n << 64n) - 1n;

export function saveL1(v: Vcpu): L1Saved {
  const sprs: Record<number, bigint> = {};
  for (const n of SWAPPED) sprs[n] = v.getSpr(n);
  const gpr: bigint[] = [];
  for (let i = 0; i < 32; i++) gpr.push(v.getGpr(i));
  return {
    gpr,
    pc: v.pc,
    msr: v.msr,
    lr: v.cpu.lr,
    ctr: v.cpu.ctr,
    xer: v.cpu.xer,
    cr: v.cpu.cr,
    sprs,
    purr: v.getSpr(SPR.PURR),
    spurr: v.getSpr(SPR.SPURR),
    tbOffset: v.cpu.tbOffset,
  };
}

/**
 * kvmppc_filter_lpcr_hv for a radix POWER9 host: no TC (hash only), AIL only 0 or 3.
 * (The POWER9 radix-prefetch erratum and the ISA 3.0 LD check do not apply to hvsim's CPU.)
 */
export function filterLpcr(lpcr: bigint): bigint {
  let l = lpcr & ~LPCR_TC;
  if ((l & LPCR_AIL) !== LPCR_AIL) l &= ~LPCR_AIL;
  return l & U64;
}

/** The L2's LPCR: the L1 may choose only DPFD|ILE|TC|AIL|LD|LPES|MER (load_l2_hv_regs). */
export function l2Lpcr(l1Lpcr: bigint, requested: bigint): bigint {
  return filterLpcr((l1Lpcr & ~LPCR_L1_MASK) | (requested & LPCR_L1_MASK));
}

/** The L2's HFSCR: what the L1 asked for, limited to what the L1 itself may use. */
export function l2Hfscr(requested: bigint, l1Hfscr: bigint): bigint {
  return requested & (HFSCR_INTR_CAUSE | (l1Hfscr & ~HFSCR_INTR_CAUSE));
}

export function loadL2(
  v: Vcpu,
  saved: L1Saved,
  hv: HvGuestState,
  regs: PtRegs,
  shadowLpid: number,
): void {
  for (let i = 0; i < 32; i++) v.setGpr(i, regs.gpr[i] ?? 0n);
  v.cpu.lr = regs.link;
  v.cpu.ctr = regs.ctr;
  v.cpu.xer = regs.xer;
  v.cpu.cr = Number(regs.ccr & 0xffffffffn);
  v.setSpr(SPR.LPCR, l2Lpcr(saved.sprs[SPR.LPCR]!, hv.lpcr));
  v.setSpr(SPR.LPIDR, BigInt(shadowLpid));
  v.setSpr(SPR.PIDR, hv.pidr);
  v.setSpr(SPR.HFSCR, l2Hfscr(hv.hfscr, saved.sprs[SPR.HFSCR]!));
  v.setSpr(SPR.SRR0, hv.srr0);
  v.setSpr(SPR.SRR1, hv.srr1);
  v.setSpr(SPR.SPRG0, hv.sprg[0]);
  v.setSpr(SPR.SPRG1, hv.sprg[1]);
  v.setSpr(SPR.SPRG2, hv.sprg[2]);
  v.setSpr(SPR.SPRG3, hv.sprg[3]);
  v.setSpr(SPR.CFAR, hv.cfar);
  v.setSpr(SPR.PPR, hv.ppr);
  v.setSpr(SPR.DPDES, hv.dpdes);
  v.setSpr(SPR.AMOR, hv.amor);
  v.setSpr(SPR.DAWR0, hv.dawr0);
  v.setSpr(SPR.DAWRX0, hv.dawrx0 & ~DAWRX_HYP);
  v.setSpr(
    SPR.CIABR,
    (hv.ciabr & CIABR_PRIV) === CIABR_PRIV_HYPER ? hv.ciabr & ~CIABR_PRIV : hv.ciabr,
  );
  v.setSpr(SPR.PURR, hv.purr);
  v.setSpr(SPR.SPURR, hv.spurr);
  // restore_hv_regs: the L2 runs with the L1's PCR plus the reserved bits. (hvsim's CPU has
  // no compatibility modes: the value is held, not acted on.)
  v.setSpr(SPR.PCR, (hv.pcr | PCR_MASK) & U64);
  // L2 timebase = L1 timebase + tb_offset.
  v.cpu.tbOffset = saved.tbOffset + Number(BigInt.asIntN(64, hv.tb_offset));
  v.msr = (regs.msr | MSR_ME) & ~MSR_HV & U64;
  v.pc = regs.nip;
}

/** Save what the L2 leaves in the registers into hv_guest_state + pt_regs (always-saved part). */
export function saveL2(v: Vcpu, hv: HvGuestState, regs: PtRegs, nip: bigint, msr: bigint): void {
  for (let i = 0; i < 32; i++) regs.gpr[i] = v.getGpr(i);
  regs.nip = nip;
  regs.msr = msr;
  regs.link = v.cpu.lr;
  regs.ctr = v.cpu.ctr;
  regs.xer = v.cpu.xer;
  regs.ccr = BigInt(v.cpu.cr >>> 0);
  hv.srr0 = v.getSpr(SPR.SRR0);
  hv.srr1 = v.getSpr(SPR.SRR1);
  hv.sprg = [v.getSpr(SPR.SPRG0), v.getSpr(SPR.SPRG1), v.getSpr(SPR.SPRG2), v.getSpr(SPR.SPRG3)];
  hv.pidr = v.getSpr(SPR.PIDR);
  hv.cfar = v.getSpr(SPR.CFAR);
  hv.ppr = v.getSpr(SPR.PPR);
  hv.dpdes = v.getSpr(SPR.DPDES);
  hv.purr = v.getSpr(SPR.PURR);
  hv.spurr = v.getSpr(SPR.SPURR);
}

/** Back to the L1: its registers, with PURR/SPURR advanced by what the L2 consumed. */
export function restoreL1(
  v: Vcpu,
  saved: L1Saved,
  l2PurrDelta: bigint,
  l2SpurrDelta: bigint,
): void {
  for (let i = 0; i < 32; i++) v.setGpr(i, saved.gpr[i]!);
  v.cpu.lr = saved.lr;
  v.cpu.ctr = saved.ctr;
  v.cpu.xer = saved.xer;
  v.cpu.cr = saved.cr;
  for (const n of SWAPPED) v.setSpr(n, saved.sprs[n]!);
  v.setSpr(SPR.PURR, (saved.purr + l2PurrDelta) & U64);
  v.setSpr(SPR.SPURR, (saved.spurr + l2SpurrDelta) & U64);
  v.cpu.tbOffset = saved.tbOffset;
  v.msr = saved.msr;
  v.pc = saved.pc;
}
