// H_ENTER_NESTED returning 0 ("nothing happened, enter again") and the L1 state that is not a
// reason for it, as Linux's L0 does (kvmhv_run_single_vcpu, kvmhv_p9_guest_entry):
// - an interrupt pending for the L1 (in-kernel irqchip; XIVE escalation) stops the L2 from
//   being entered -- or from being resumed after an exit L0 handles itself -- with trap 0;
// - a decrementer pending for the L1 is not: from H_ENTER_NESTED on, DEC is the L2's (Linux
//   dequeues the L1's) and the L1's own limit is hdec_expiry;
// - neither is a doorbell pending for the L1 (since Linux 6.12, commit 26686db69917): DPDES
//   is swapped, the L2 runs with hv_guest_state.dpdes and the L1 keeps its own.
import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import { LPCR_LPES, SPR } from "./registers";
import {
  L2_BASE,
  L2_CODE,
  PTCR,
  enterAndRun,
  l2State,
  li,
  makeL1,
  mfspr,
  prepareEnter,
  putState,
  readRegs,
  sc1,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";

const MSR_EE = 1n << 15n;
const addi = (rd: number, ra: number, imm: number): number =>
  ((14 << 26) | (rd << 21) | (ra << 16) | (imm & 0xffff)) >>> 0;
const branch = (offset: number): number => ((18 << 26) | (offset & 0x3fffffc)) >>> 0;

/** An L2 (LPID 1) running `program` at L2_CODE with MSR[EE]=1 and, at each vector it may
 *  take, `li r3,vector; sc 1` (so an interrupt taken in the L2 shows as 0xc00, r3 = vector). */
function setup(program: number[]): { l1: L1; pending: { v: boolean } } {
  const l1 = makeL1();
  const pending = { v: false };
  l1.vm.setIrqchip({ externalPending: () => pending.v });
  l1.v.setGpr(4, PTCR);
  l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  for (let p = 0; p < 0x30000; p += 0x10000) l1.map(1, p, L2_BASE + p);
  l1.setPate(1, true);
  for (const vector of [0x500, 0x900, 0xa00]) {
    l1.vm.writeGuest(L2_BASE + vector, words([li(3, vector), sc1]));
  }
  l1.vm.writeGuest(L2_BASE + L2_CODE, words(program));
  const s = l2State(1);
  s.regs.msr |= MSR_EE;
  // LPES=1: a guest external interrupt would go straight to the L2 -- the L1's must not.
  s.hv.lpcr = LPCR_LPES;
  putState(l1, s.hv, s.regs);
  // As an L1 does before H_ENTER_NESTED, load the L2's DEC: far in the future.
  l1.v.setSpr(SPR.DEC, 0x7fffffffn);
  return { l1, pending };
}

describe("H_ENTER_NESTED r3 = 0 and what is not a reason for it", () => {
  it("an interrupt for the L1 arriving while the L2 runs takes the vCPU out: r3 = 0, never the L2's", () => {
    const { l1, pending } = setup([addi(7, 7, 1), branch(-4)]);
    prepareEnter(l1);
    l1.vm.run(50_000);
    expect(l1.nested.inL2(l1.v)).toBe(true);
    pending.v = true;
    l1.vm.interruptChanged(0);
    l1.vm.run(1_000);
    expect(l1.nested.inL2(l1.v)).toBe(false);
    expect(l1.v.getGpr(3)).toBe(0n);
    const r = readRegs(l1);
    expect(r.gpr[7]).toBeGreaterThan(0n); // the L2 ran, and is saved where it was
    expect([BigInt(L2_CODE), BigInt(L2_CODE + 4)]).toContain(r.nip);
    expect(r.gpr[3]).toBe(0n); // its 0x500 vector never ran
    expect(l1.nested.statistics().l2ExitsToL1).toEqual({
      "0x0 re-enter (L1 interrupt during L2)": 1,
    });
    // Entering again while it is pending: 0 at once.
    expect(enterAndRun(l1, 1_000)).toBe(0n);
    // Once the L1 has taken it, the L2 resumes where it left off.
    pending.v = false;
    prepareEnter(l1);
    l1.vm.run(2_000);
    expect(l1.nested.inL2(l1.v)).toBe(true);
    expect(BigInt.asUintN(64, l1.v.getGpr(7))).toBeGreaterThan(r.gpr[7]!);
  });

  it("a decrementer pending at H_ENTER_NESTED is the L2's: it takes it, no r3 = 0", () => {
    const { l1 } = setup([li(3, 0x58), sc1]);
    l1.v.setSpr(SPR.DEC, 0xffffffffn); // negative: pending
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(readRegs(l1).gpr[3]).toBe(0x900n);
  });

  it("a doorbell pending for the L1 is kept for the L1; the L2 runs with its own DPDES", () => {
    const { l1 } = setup([mfspr(9, SPR.DPDES), li(3, 0x58), sc1]);
    l1.v.setSpr(SPR.DPDES, 1n);
    expect(enterAndRun(l1)).toBe(0xc00n);
    const r = readRegs(l1);
    expect(r.gpr[3]).toBe(0x58n);
    expect(r.gpr[9]).toBe(0n);
    expect(l1.v.getSpr(SPR.DPDES) & 1n).toBe(1n);
  });

  it("hv_guest_state.dpdes = 1 is a doorbell for the L2, taken in the L2", () => {
    const { l1 } = setup([li(3, 0x58), sc1]);
    const s = l2State(1);
    s.regs.msr |= MSR_EE;
    s.hv.dpdes = 1n;
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(readRegs(l1).gpr[3]).toBe(0xa00n);
    expect(l1.v.getSpr(SPR.DPDES) & 1n).toBe(0n);
  });
});
