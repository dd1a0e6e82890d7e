// H_ENTER_NESTED (0xF804, kvmhv_enter_nested_guest): validate in Linux's order, read
// hv_guest_state + pt_regs from L1 memory (in the L1's byte order), take the nested guest,
// and switch the vCPU to the L2 in place. The L2 then runs until an exit the L0 reflects
// (exitToL1), which writes both structs back and returns the trap in the L1's r3.
import {
  H_BAD_MODE,
  H_NOT_AVAILABLE,
  H_P2,
  H_PARAMETER,
  HV_GUEST_STATE_VERSION,
  PT_REGS_SIZE,
  decodeHvGuestState,
  decodePtRegs,
  hvGuestStateSize,
} from "@hvsim/hcall-abi";
import type { Endian, HvGuestState, PtRegs } from "@hvsim/hcall-abi";
import type { Vcpu } from "@hvsim/kvm-hv-core";
import type { NestedContext } from "./context";
import type { L1Saved } from "./l2-state";
import { loadL2, saveL1 } from "./l2-state";
import type { NestedGuest } from "./nested-guests";
import { MSR_LE, MSR_TS_MASK, SPR } from "./registers";

/** Linux's NR_CPUS for ppc64 distribution kernels: vcpu_token must be below it. */
export const NR_CPUS = 2048;

/** A vCPU running an L2: everything needed to go back to the L1. */
export interface L2Run {
  readonly guest: NestedGuest;
  readonly hv: HvGuestState;
  readonly regs: PtRegs;
  readonly hvAddr: bigint;
  readonly regsAddr: bigint;
  readonly endian: Endian;
  readonly saved: L1Saved;
  /** The L1's requested HFSCR (nested_hfscr), before filtering. */
  readonly nestedHfscr: bigint;
  /** hdec_expiry, in the L1's timebase. */
  readonly hdecExpiry: number;
  readonly purrAtEntry: bigint;
  readonly spurrAtEntry: bigint;
  /** The vCPU's instruction count when the L2 starts (for its IC and VTB). */
  readonly icountAtEntry: number;
}

export type EnterNested =
  | { kind: "error"; status: number; why: string }
  /** L0 declines to run the L2 now (an interrupt is pending for the L1): r3 = 0, re-enter. */
  | { kind: "re-enter"; why: string }
  | { kind: "entered"; run: L2Run };

export function hEnterNested(ctx: NestedContext, v: Vcpu): EnterNested {
  const err = (status: number, why: string): EnterNested => ({ kind: "error", status, why });
  const hvAddr = BigInt.asUintN(64, v.getGpr(4));
  const regsAddr = BigInt.asUintN(64, v.getGpr(5));
  if (ctx.l1Ptcr === 0n) return err(H_NOT_AVAILABLE, "no partition table registered");
  if ((v.msr & MSR_TS_MASK) !== 0n) return err(H_BAD_MODE, "L1 is transactional");
  // L0 is big-endian (as a POWER host kernel): byteswap when the L1 runs little-endian.
  const endian: Endian = (v.msr & MSR_LE) !== 0n ? "little" : "big";
  const vb = ctx.readL1(hvAddr, 8);
  if (vb === undefined) return err(H_PARAMETER, "hv_guest_state version unreadable");
  const version = new DataView(vb.buffer, vb.byteOffset, 8).getBigUint64(0, endian === "little");
  const size = hvGuestStateSize(version);
  if (size === undefined) return err(H_PARAMETER, `hv_guest_state version ${version}`);
  const hvBytes = ctx.readL1(hvAddr, size);
  const regsBytes = ctx.readL1(regsAddr, PT_REGS_SIZE);
  if (hvBytes === undefined || regsBytes === undefined) {
    return err(H_PARAMETER, "hv_guest_state or pt_regs outside the L1's memory");
  }
  const hvD = decodeHvGuestState(hvBytes, endian);
  const regsD = decodePtRegs(regsBytes, endian);
  if (!hvD.ok || !regsD.ok) return err(H_PARAMETER, "short hv_guest_state or pt_regs");
  const hv = hvD.value;
  const regs = regsD.value;
  // Unreachable after the size check in Linux too, kept in its place in the order.
  if (hv.version > BigInt(HV_GUEST_STATE_VERSION)) return err(H_P2, `version ${hv.version}`);
  if (hv.vcpu_token >= NR_CPUS) return err(H_PARAMETER, `vcpu_token ${hv.vcpu_token}`);
  // No TM in hvsim: the L1 is never suspended, so the L2 must not be transactional.
  if ((regs.msr & MSR_TS_MASK) !== 0n) return err(H_BAD_MODE, "L2 MSR[TS] set");
  const got = ctx.guests.get(hv.lpid, ctx.l1Ptcr, true);
  if (got.kind !== "ok") return err(H_PARAMETER, `nested guest ${hv.lpid}: ${got.kind}`);
  const guest = got.guest;
  if (guest.l1GrToHr === 0n) ctx.updatePtblCache(guest);
  if (ctx.vm.externalPending(v.id)) {
    // kvmhv_run_single_vcpu: pending exceptions / XIVE interrupt of the L1 vCPU -> RESUME_HOST
    // before entry, trap 0: the L1 takes its interrupt and calls H_ENTER_NESTED again.
    ctx.guests.put(guest);
    return { kind: "re-enter", why: "an interrupt is pending for the L1" };
  }
  const saved = saveL1(v);
  // hdec_expiry is in the L1's timebase (hvsim's L1 runs with tb_offset 0 relative to itself).
  const hdecExpiry = Number(
    BigInt.asUintN(64, hv.hdec_expiry) > BigInt(Number.MAX_SAFE_INTEGER)
      ? BigInt(Number.MAX_SAFE_INTEGER)
      : hv.hdec_expiry,
  );
  loadL2(v, saved, hv, regs, guest.shadowLpid);
  return {
    kind: "entered",
    run: {
      guest,
      hv,
      regs,
      hvAddr,
      regsAddr,
      endian,
      saved,
      nestedHfscr: hv.hfscr,
      hdecExpiry,
      purrAtEntry: v.getSpr(SPR.PURR),
      spurrAtEntry: v.getSpr(SPR.SPURR),
      // The count does not include the L1's `sc` yet: it completes before the L2 starts.
      icountAtEntry: v.cpu.icount + 1,
    },
  };
}
