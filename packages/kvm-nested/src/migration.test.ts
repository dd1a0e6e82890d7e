// Migration of an L1 with an L2 inside (DESIGN §4): the VM saved at any instruction -- also
// inside H_ENTER_NESTED, while the vCPU's registers hold the L2's -- and restored in a fresh VM
// on another Kvm (another LPID, other shadow LPIDs, other host pages) goes on exactly as if it
// had never stopped: the L1 sees the same H_ENTER_NESTED return, the same registers and the
// same hv_guest_state / pt_regs written back.
import { H_PUT_TERM_CHAR, H_SET_PARTITION_TABLE, KVM_CAP_PPC_NESTED_HV } from "@hvsim/hcall-abi";
import { Kvm } from "@hvsim/kvm-hv-core";
import type { Vm, VmState } from "@hvsim/kvm-hv-core";
import { describe, expect, it } from "vitest";
import { KvmNested } from "./kvm-nested";
import type { KvmNestedState } from "./nested-state";
import { SPR } from "./registers";
import {
  HV_ADDR,
  L2_BASE,
  L2_CODE,
  PTCR,
  RAM,
  REGS_ADDR,
  l2State,
  li,
  lis,
  makeL1,
  prepareEnter,
  putState,
  sc1,
  stw,
  words,
} from "./test-fixture";

const addi = (rd: number, ra: number, imm: number): number =>
  ((14 << 26) | (rd << 21) | (ra << 16) | (imm & 0xffff)) >>> 0;
const MTCTR_R6 = 0x7cc903a6;
const BDNZ_BACK_8 = 0x4200fff8;

/** The L2: 1500 rounds of "count, store the count on its data page", then H_PUT_TERM_CHAR
 *  (reflected to the L1 as 0xc00). */
const L2_PROGRAM = [
  li(5, 0),
  lis(7, 2), // r7 = 0x20000, the L2's data page
  li(6, 1500),
  MTCTR_R6,
  addi(5, 5, 1),
  stw(5, 0, 7),
  BDNZ_BACK_8,
  li(3, H_PUT_TERM_CHAR),
  sc1,
];

/** An L1 about to call H_ENTER_NESTED for L2 LPID 1, with a second L2 (LPID 2) known to L0. */
function source() {
  const l1 = makeL1();
  l1.v.setGpr(4, PTCR);
  l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  for (const lpid of [1, 2]) {
    for (let p = 0; p < 0x30000; p += 0x10000) l1.map(lpid, p, L2_BASE + p);
    l1.setPate(lpid, true, BigInt(lpid) << 12n);
  }
  l1.vm.writeGuest(L2_BASE + L2_CODE, words(L2_PROGRAM));
  // L0 caches LPID 2's PATE; the L1 then changes it without flushing: the cached one stays.
  const got = l1.nested.guests.get(2, PTCR, true);
  if (got.kind !== "ok") throw new Error(`nested guest 2: ${got.kind}`);
  l1.nested.updatePtblCache(got.guest);
  l1.nested.guests.put(got.guest);
  l1.setPate(2, true, 0x7000n);
  const s = l2State(1);
  s.hv.tb_offset = 0x1000n;
  s.hv.purr = 0x500n;
  putState(l1, s.hv, s.regs);
  prepareEnter(l1);
  // Distinct values in the registers the entry swaps, so a restore that lost them shows.
  for (let r = 6; r < 32; r++) l1.v.setGpr(r, BigInt(r) * 0x1111n);
  l1.v.cpu.lr = 0xabcn;
  l1.v.setSpr(SPR.SPRG2, 0x5152n);
  l1.v.setSpr(SPR.PURR, 0x10000n);
  return l1;
}

/** A fresh VM on another Kvm, with another LPID, kvm-nested attached, and `s` restored. */
function destination(s: VmState): { vm: Vm; nested: KvmNested } {
  const kvm = new Kvm({ host: { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true } });
  // Other VMs on this host take the first LPIDs (and some host memory).
  kvm.createVm();
  kvm.createVm();
  const vm = kvm.createVm();
  vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
  vm.createVcpu(0);
  vm.enableCap(KVM_CAP_PPC_NESTED_HV, [1]);
  const nested = KvmNested.attach(vm);
  vm.restore(structuredClone(s));
  return { vm, nested };
}

/** What the L1 can see at the end: its registers (without the host-owned PTCR/LPIDR), the
 *  structs L0 wrote back, the L2's data page, and L0's nested-guest table. */
function outcome(vm: Vm, nested: KvmNested) {
  const v = vm.vcpus[0]!;
  const { sprs, ...cpu } = v.save().cpu;
  const guestSprs = Object.entries(sprs).filter(
    ([n]) => Number(n) !== SPR.LPIDR && Number(n) !== 0x1d0, // PTCR
  );
  const st = nested.save();
  return {
    r3: v.getGpr(3),
    cpu: { ...cpu, sprs: guestSprs },
    lpidr: v.getSpr(SPR.LPIDR) === BigInt(vm.lpid),
    hv: vm.readGuest(HV_ADDR, 248),
    regs: vm.readGuest(REGS_ADDR, 400),
    data: vm.readGuest(L2_BASE + 0x20000, 8),
    guests: st.guests.map((g) => ({ ...g, shadow: g.shadow.length })),
    runs: st.runs.length,
  };
}

const BUDGET = 8000;

describe("an L1 migrated with its L2 inside H_ENTER_NESTED", () => {
  const straight = source();
  straight.vm.run(BUDGET);
  const want = outcome(straight.vm, straight.nested);

  it("the straight run: the L2 ran to its hcall and the L1 is back with 0xc00", () => {
    expect(want.r3).toBe(0xc00n);
    expect(want.lpidr).toBe(true);
    expect(want.runs).toBe(0);
    expect(want.data).toEqual(new Uint8Array([0, 0, 5, 0xdc, 0, 0, 0, 0]));
    expect(want.guests.map((g) => [g.l1Lpid, g.processTable])).toEqual([
      [1, 1n << 12n],
      [2, 2n << 12n],
    ]);
  });

  it("saved at 12 seeded instructions (inside the L2) and restored elsewhere: the same end", () => {
    let seed = 0x9e57;
    for (let i = 0; i < 12; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; // a fixed LCG: seeded, repeatable
      const at = 2 + (seed % 4000);
      const src = source();
      src.vm.run(at);
      expect(src.nested.inL2(src.v), `at ${at}`).toBe(true);
      const s = src.vm.save();
      const ns = s.nested as KvmNestedState;
      expect(ns.runs.map((r) => [r.vcpu, r.guest])).toEqual([[0, { in: "table", l1Lpid: 1 }]]);
      // The vCPU's registers hold the L2's; the L1's are in the port's state.
      expect(ns.runs[0]!.saved.gpr[9]).toBe(0x9999n);
      const dst = destination(s);
      expect(dst.vm.lpid).not.toBe(src.vm.lpid);
      const g1 = dst.nested.guests.list()[0]!;
      expect(dst.vm.vcpus[0]!.getSpr(SPR.LPIDR)).toBe(BigInt(g1.shadowLpid));
      expect(g1.shadowLpid).not.toBe(src.nested.guests.list()[0]!.shadowLpid);
      dst.vm.run(BUDGET - at);
      expect(outcome(dst.vm, dst.nested), `at ${at}`).toEqual(want);
    }
  });

  it("saved before the entry and after the exit: the same end too", () => {
    for (const at of [1, 5000]) {
      const src = source();
      src.vm.run(at);
      const dst = destination(src.vm.save());
      dst.vm.run(BUDGET - at);
      expect(outcome(dst.vm, dst.nested), `at ${at}`).toEqual(want);
    }
  });

  it("a state of another format is refused, saying so", () => {
    const src = source();
    src.vm.run(100);
    const s = src.vm.save();
    expect(() => destination({ ...s, nested: { ...s.nested!, version: 9 } })).toThrow(
      "nested-HV state kvm-nested version 9: this hvsim reads kvm-nested version 1; restore it with the hvsim that saved it",
    );
  });
});
