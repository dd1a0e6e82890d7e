import {
  H_AUTHORITY,
  H_BAD_MODE,
  H_FUNCTION,
  H_NOT_AVAILABLE,
  H_PARAMETER,
  H_RPT_INVALIDATE,
  H_SET_PARTITION_TABLE,
  H_SUCCESS,
  PT_REGS_SIZE,
  decodeHvGuestState,
  decodePtRegs,
} from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import {
  HV_ADDR,
  L2_BASE,
  L2_CODE,
  MSR_LE,
  PTCR,
  RAM,
  REGS_ADDR,
  enterAndRun,
  l2State,
  li,
  lis,
  lwz,
  makeL1,
  prepareEnter,
  putState,
  readHv,
  sc1,
  stw,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";
import { NR_CPUS } from "./h-enter-nested";

function withTable(l1: L1): void {
  l1.v.setGpr(3, BigInt(H_SET_PARTITION_TABLE));
  expect(l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE)).toEqual({ kind: "done", ret: H_SUCCESS });
  void PTCR;
}

function setTable(l1: L1, ptcr = PTCR): number {
  l1.v.setGpr(4, ptcr);
  const o = l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  return o?.kind === "done" ? o.ret : NaN;
}

/** An L2 with `program` at its code address and a tree mapping its first 1 MiB. */
function l2With(l1: L1, lpid: number, program: number[]): void {
  for (let p = 0; p < 0x100000; p += 0x10000) l1.map(lpid, p, L2_BASE + p);
  l1.setPate(lpid, true);
  l1.vm.writeGuest(L2_BASE + L2_CODE, words(program));
}

function enterStatus(l1: L1): number {
  prepareEnter(l1);
  const o = l1.nested.l1Hcall(l1.v, 0xf804);
  return o?.kind === "done" ? o.ret : NaN;
}

function readBack(l1: L1, endian: "big" | "little" = "big") {
  const hv = decodeHvGuestState(l1.vm.readGuest(HV_ADDR, 248)!, endian);
  const regs = decodePtRegs(l1.vm.readGuest(REGS_ADDR, PT_REGS_SIZE)!, endian);
  if (!hv.ok || !regs.ok) throw new Error("decode");
  return { hv: hv.value, regs: regs.value };
}

describe("H_ENTER_NESTED validation (Linux's order and codes)", () => {
  it("H_FUNCTION without nesting, or for a hash (non-radix) L1", () => {
    expect(enterStatus(makeL1({ nested: false }))).toBe(H_FUNCTION);
    expect(enterStatus(makeL1({ radix: false }))).toBe(H_FUNCTION);
  });

  it("H_NOT_AVAILABLE with no partition table (PTCR 0 registered too)", () => {
    const l1 = makeL1();
    expect(enterStatus(l1)).toBe(H_NOT_AVAILABLE);
    expect(setTable(l1, 0n)).toBe(H_SUCCESS);
    expect(enterStatus(l1)).toBe(H_NOT_AVAILABLE);
  });

  it("H_BAD_MODE when the L1 is transactional, before reading anything", () => {
    const l1 = makeL1();
    setTable(l1);
    prepareEnter(l1, 1n << 60n); // unreadable, but TS is checked first
    l1.v.msr = l1.v.msr | (1n << 33n);
    expect(l1.nested.l1Hcall(l1.v, 0xf804)).toEqual({ kind: "done", ret: H_BAD_MODE });
  });

  it.each([
    ["version 0", 0n],
    ["version 3", 3n],
    ["version 2^64-1", (1n << 64n) - 1n],
  ])("H_PARAMETER for %s", (_n, version) => {
    const l1 = makeL1();
    setTable(l1);
    const { hv, regs } = l2State(1);
    putState(l1, hv, regs);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, version, false);
    l1.vm.writeGuest(HV_ADDR, b);
    expect(enterStatus(l1)).toBe(H_PARAMETER);
  });

  it("H_PARAMETER for structs outside or running past the L1's memory (short buffers)", () => {
    const l1 = makeL1();
    setTable(l1);
    const { hv, regs } = l2State(1);
    putState(l1, hv, regs);
    for (const [h, r] of [
      [BigInt(RAM), BigInt(REGS_ADDR)],
      [BigInt(RAM - 8), BigInt(REGS_ADDR)], // version readable, the rest is not
      [BigInt(HV_ADDR), BigInt(RAM - 100)],
      [1n << 63n, BigInt(REGS_ADDR)],
      [BigInt(HV_ADDR), (1n << 64n) - 8n],
    ] as const) {
      if (h === BigInt(RAM - 8)) {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, 2n, false);
        l1.vm.writeGuest(RAM - 8, b);
      }
      prepareEnter(l1, h, r);
      expect(l1.nested.l1Hcall(l1.v, 0xf804)).toEqual({ kind: "done", ret: H_PARAMETER });
    }
    expect(l1.nested.guests.list()).toEqual([]);
  });

  it("H_PARAMETER for vcpu_token >= NR_CPUS, H_BAD_MODE for a transactional L2", () => {
    const l1 = makeL1();
    setTable(l1);
    const s = l2State(1);
    s.hv.vcpu_token = NR_CPUS;
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(H_PARAMETER);
    s.hv.vcpu_token = NR_CPUS - 1;
    s.regs.msr |= 2n << 33n;
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(H_BAD_MODE);
  });

  it.each([4096, 0xffffffff])("H_PARAMETER for LPID %d (outside a 4096-entry table)", (lpid) => {
    const l1 = makeL1();
    setTable(l1);
    const s = l2State(lpid);
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(H_PARAMETER);
    expect(l1.kvm.lpids.inUse()).toEqual([l1.vm.lpid]);
  });

  it("a smaller table bounds the LPID (PATS 0: 256 entries)", () => {
    const l1 = makeL1();
    setTable(l1, BigInt(0x20000));
    const s = l2State(256);
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(H_PARAMETER);
  });

  it("H_PARAMETER when the shadow LPID pool is exhausted", () => {
    const l1 = makeL1();
    setTable(l1);
    while (l1.kvm.lpids.inUse().length < l1.kvm.lpids.count - 1) l1.kvm.lpids.alloc();
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(H_PARAMETER);
  });

  it("LPID 0 is accepted (Linux; QEMU refuses it)", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 0, [li(3, 0x58), sc1]);
    const s = l2State(0);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
  });
});

describe("H_ENTER_NESTED runs the L2 on a shadow LPID", () => {
  it("reflects an L2 hcall as 0xc00 with pt_regs and hv_guest_state written back", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [li(3, 0x58), li(4, 42), sc1]);
    const s = l2State(1);
    s.hv.sprg = [1n, 2n, 3n, 4n];
    s.hv.pidr = 7n;
    putState(l1, s.hv, s.regs);
    const l1Lpcr = l1.v.getSpr(318);
    expect(enterAndRun(l1)).toBe(0xc00n);
    const { hv, regs } = readBack(l1);
    expect(regs.gpr[3]).toBe(0x58n);
    expect(regs.gpr[4]).toBe(42n);
    expect(regs.nip).toBe(BigInt(L2_CODE + 12));
    expect(hv.sprg).toEqual([1n, 2n, 3n, 4n]);
    expect(hv.pidr).toBe(7n);
    // The L1 is back: its LPID, LPCR and PC.
    expect(l1.v.getSpr(319)).toBe(BigInt(l1.vm.lpid));
    expect(l1.v.getSpr(318)).toBe(l1Lpcr);
    const g = l1.nested.guests.list()[0]!;
    expect(g.l1Lpid).toBe(1);
    expect(g.shadowLpid).not.toBe(l1.vm.lpid);
    expect(g.refcnt).toBe(1);
    const st = l1.nested.statistics();
    expect(st.shadowFaults).toBeGreaterThan(0);
    expect(st.l2ExitsToL1["0xc00 H_PUT_TERM_CHAR"]).toBe(1);
  });

  it("resumes the L2 after a shadow fault and records the rmap", () => {
    const l1 = makeL1();
    setTable(l1);
    // r5 = 0x20000 (L2 data page), load, store, hcall.
    l2With(l1, 1, [lis(5, 2), lwz(6, 0, 5), li(7, 99), stw(7, 4, 5), li(3, 0x58), sc1]);
    l1.vm.writeGuest(L2_BASE + 0x20000, words([0xcafe]));
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
    expect(readBack(l1).regs.gpr[6]).toBe(0xcafen);
    expect(l1.vm.readGuest(L2_BASE + 0x20004, 4)).toEqual(words([99]));
    expect(l1.nested.rmapEntries(L2_BASE + 0x20000)).toEqual([`1:${0x20000}`]);
  });

  it("reflects an HDSI the L1's tree cannot satisfy (NOHPTE, ASDR = L2 address)", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [lis(5, 0x20), lwz(6, 0x10, 5)]); // 0x200010: not mapped by the L1
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe00n);
    const { hv, regs } = readBack(l1);
    expect(hv.asdr & ~0xfffn).toBe(0x200000n);
    expect(hv.hdsisr & 0x40000000n).toBe(0x40000000n);
    expect(hv.hdar).toBe(0x200010n);
    expect(regs.nip).toBe(BigInt(L2_CODE + 4));
    expect(l1.nested.statistics().shadowFaultsReflected).toBe(1);
  });

  it("reflects a store to a page the L1 maps read-only as PROTFAULT|ISSTORE", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [lis(5, 2), stw(5, 0, 5)]);
    l1.map(1, 0x20000, L2_BASE + 0x20000, { w: false });
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe00n);
    expect(readBack(l1).hv.hdsisr & 0x0a000000n).toBe(0x0a000000n);
  });

  it("reflects an HISI with the cause in the L2's MSR image", () => {
    const l1 = makeL1();
    setTable(l1);
    l1.setPate(1, true);
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe20n);
    const { hv, regs } = readBack(l1);
    expect(hv.asdr & ~0xfffn).toBe(BigInt(L2_CODE));
    expect(regs.msr & 0x40000000n).toBe(0x40000000n);
  });

  it("reflects an illegal instruction as HEAI (0xe40) with HEIR", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [0]);
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe40n);
    expect(readBack(l1).hv.heir).toBe(0n);
  });

  it("returns 0x980 at once when hdec_expiry has passed, and at the limit otherwise", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [0x48000000]); // L2 spins
    const s = l2State(1);
    s.hv.hdec_expiry = 0n;
    putState(l1, s.hv, s.regs);
    expect(enterStatus(l1)).toBe(0x980);
    expect(l1.nested.inL2(l1.v)).toBe(false);
    s.hv.hdec_expiry = BigInt(l1.v.cpu.tb + 50_000);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1, 400_000)).toBe(0x980n);
    expect(l1.v.cpu.tb).toBeGreaterThanOrEqual(Number(s.hv.hdec_expiry));
    expect(readBack(l1).regs.nip).toBe(BigInt(L2_CODE));
  });

  it("stays in the L2 across L0's own HDEC slices", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [0x48000000]);
    const s = l2State(1);
    s.hv.hdec_expiry = BigInt(l1.v.cpu.tb + 0x30000);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1, 0x40000)).toBe(0x980n);
    expect(l1.nested.statistics().l2ExitsInL0["0x980 L0 HDEC"]).toBeGreaterThan(0);
  });

  it("byte-swaps the structs of a little-endian L1", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [li(3, 0x58), li(4, 7), sc1]);
    const s = l2State(1);
    putState(l1, s.hv, s.regs, "little");
    prepareEnter(l1);
    l1.v.msr = l1.v.msr | MSR_LE;
    expect(l1.nested.l1Hcall(l1.v, 0xf804)).toEqual({ kind: "done", ret: H_SUCCESS });
    expect(l1.nested.inL2(l1.v)).toBe(true);
    // The L2 runs big-endian (its own MSR) while the L1's structs are little-endian.
    l1.vm.writeGuest(0x104, words([0x48000000], "little"));
    l1.vm.run(100_000);
    expect(l1.v.getGpr(3)).toBe(0xc00n);
    expect(readBack(l1, "little").regs.gpr[4]).toBe(7n);
  });

  it("handles an L2's process-scoped H_RPT_INVALIDATE in L0 (no exit to L1)", () => {
    const l1 = makeL1();
    setTable(l1);
    // r3 = 0x448, r4 = pid 0, r5 = target CMMU, r6 = type ALL (0xe), then hcall 0x58.
    l2With(l1, 1, [
      li(3, H_RPT_INVALIDATE),
      li(4, 0),
      li(5, 1),
      li(6, 0xe),
      sc1,
      li(8, 0),
      li(3, 0x58),
      sc1,
    ]);
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
    const { regs } = readBack(l1);
    expect(regs.gpr[3]).toBe(0x58n);
    expect(l1.nested.statistics().l2ExitsInL0["0xc00 H_RPT_INVALIDATE"]).toBe(1);
  });

  it("returns r3 = 0 without entering when an interrupt is pending for the L1", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [li(3, 0x58), sc1]);
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    let pending = true;
    l1.vm.setIrqchip({ externalPending: () => pending });
    expect(enterStatus(l1)).toBe(0);
    expect(l1.nested.inL2(l1.v)).toBe(false);
    expect(l1.nested.guests.list()[0]!.refcnt).toBe(1);
    pending = false;
    expect(enterStatus(l1)).toBe(H_SUCCESS);
    expect(l1.nested.inL2(l1.v)).toBe(true);
  });

  it("H_AUTHORITY when the structs can no longer be written back", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [0x48000000]);
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    prepareEnter(l1);
    expect(l1.nested.l1Hcall(l1.v, 0xf804)).toEqual({ kind: "done", ret: H_SUCCESS });
    l1.vm.run(1000);
    // L0 moves the L1's memory so that the structs are no longer RAM; the L2 page stays.
    const slot = l1.vm.memslots.list()[0]!;
    l1.vm.setUserMemoryRegion({
      ...slot,
      gpa: 0x20000,
      size: RAM - 0x20000,
      hostAddr: slot.hostAddr + 0x20000,
    });
    l1.vm.writeGuest(L2_BASE + L2_CODE, words([li(3, 0x58), sc1]));
    l1.vm.run(10_000);
    expect(l1.nested.inL2(l1.v)).toBe(false);
    expect(l1.v.getGpr(3)).toBe(BigInt.asUintN(64, BigInt(H_AUTHORITY)));
  });

  it("filters LPCR and HFSCR the L1 asks for", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [0x48000000]);
    const s = l2State(1);
    s.hv.lpcr = (1n << 25n) | (1n << 9n) | (2n << 23n) | (1n << 62n); // ILE, TC, AIL=2, junk
    s.hv.hfscr = (1n << 64n) - 1n;
    putState(l1, s.hv, s.regs);
    const l1Lpcr = l1.v.getSpr(318);
    prepareEnter(l1);
    l1.nested.l1Hcall(l1.v, 0xf804);
    const lpcr = l1.v.getSpr(318);
    expect(lpcr & (1n << 25n)).toBe(1n << 25n); // ILE chosen by the L1
    expect(lpcr & (1n << 9n)).toBe(0n); // TC dropped (radix)
    expect(lpcr & (3n << 23n)).toBe(0n); // AIL 2 is not allowed
    expect(lpcr & (1n << 62n)).toBe(l1Lpcr & (1n << 62n)); // not the L1's to choose
    expect(l1.v.getSpr(319)).not.toBe(BigInt(l1.vm.lpid));
  });

  it("loads the L1's PCR plus the reserved bits for the L2, restores the L1's and writes PCR back as given", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [li(3, 0x58), sc1]);
    const s = l2State(1);
    s.hv.pcr = 0x8n; // PCR_ARCH_207: an L2 in POWER8 compatibility mode
    putState(l1, s.hv, s.regs);
    l1.v.setSpr(338, 0x0fffffffffffffc1n);
    prepareEnter(l1);
    l1.nested.l1Hcall(l1.v, 0xf804);
    expect(l1.v.getSpr(338)).toBe(0x0fffffffffffffc9n); // PCR_MASK | ARCH_207
    l1.vm.run(1000);
    expect(l1.v.getGpr(3)).toBe(0xc00n);
    expect(l1.v.getSpr(338)).toBe(0x0fffffffffffffc1n);
    expect(readHv(l1).pcr).toBe(0x8n); // save_hv_return_state leaves it
  });

  it("advances hv_guest_state's IC by the L2's instructions and VTB by its timebase ticks", () => {
    const l1 = makeL1();
    setTable(l1);
    l2With(l1, 1, [li(4, 1), li(5, 2), li(6, 3), li(3, 0x58), sc1]);
    const s = l2State(1);
    s.hv.ic = 1000n;
    s.hv.vtb = 5000n;
    putState(l1, s.hv, s.regs);
    const icount = l1.v.cpu.icount;
    const tb = l1.v.cpu.tb;
    expect(enterAndRun(l1)).toBe(0xc00n);
    const hv = readHv(l1);
    // Five L2 instructions, the sc included (plus one for each shadow fault the L2 took:
    // hvsim's CPU counts an interrupt as an instruction); not the L1's sc or its loop.
    expect(hv.ic).toBeGreaterThanOrEqual(1005n);
    expect(hv.ic).toBeLessThanOrEqual(1005n + BigInt(l1.nested.statistics().shadowFaults));
    expect(hv.vtb - 5000n).toBe(hv.ic - 1000n); // one timebase tick per instruction
    expect(l1.v.cpu.tb - tb).toBeGreaterThan(5);
    expect(l1.v.cpu.icount - icount).toBeGreaterThan(5);
  });
});

void withTable;

describe("Hypervisor Facility Unavailable from an L2", () => {
  const mfTar = ((31 << 26) | (3 << 21) | (15 << 16) | (25 << 11) | (339 << 1)) >>> 0;

  it("reflects 0xf80 with the cause when the L1 disabled a facility it may use itself", () => {
    const l1 = makeL1();
    setTable(l1);
    l1.v.setSpr(190, 0xffffn); // the L1 may use every facility
    l2With(l1, 1, [mfTar]);
    const s = l2State(1);
    s.hv.hfscr = 0n; // ...but gives its L2 none
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xf80n);
    expect(readBack(l1).hv.hfscr >> 56n).toBe(8n); // FSCR_TAR_LG
  });

  it("turns it into HEAI when L0 does not let the L1 have the facility either", () => {
    const l1 = makeL1();
    setTable(l1);
    l1.v.setSpr(190, 0n);
    l2With(l1, 1, [mfTar]);
    const s = l2State(1);
    s.hv.hfscr = 0xffffn;
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe40n);
  });
});
