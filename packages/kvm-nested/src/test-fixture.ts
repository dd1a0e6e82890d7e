// Test helpers: an L1 VM (16 MiB, radix, nested HV enabled, kvm-nested attached) with room for
// one or more L2s whose partition-scoped trees the test builds in L1 memory, as an L1 would.
import {
  H_ENTER_NESTED,
  PT_REGS_SIZE,
  decodeHvGuestState,
  decodePtRegs,
  emptyHvGuestState,
  emptyPtRegs,
  encodeHvGuestState,
  encodePtRegs,
  KVM_CAP_PPC_NESTED_HV,
} from "@hvsim/hcall-abi";
import type { Endian, HvGuestState, PtRegs } from "@hvsim/hcall-abi";
import { Kvm } from "@hvsim/kvm-hv-core";
import type { KvmOptions, Vcpu, Vm } from "@hvsim/kvm-hv-core";
import { KvmNested } from "./kvm-nested";

export const RAM = 0x1000000;
/** L1 layout. */
export const L1_CODE = 0x100;
export const HV_ADDR = 0x10000;
export const REGS_ADDR = 0x11000;
export const PTAB = 0x20000; // 64 KiB, PATS = 4
export const PTCR = BigInt(PTAB) | 4n;
export const TABLES = 0x100000;
/** L2.n memory at L1 0x400000 + n * 0x100000; its code at L2 guest-physical 0x10000. */
export const L2_BASE = 0x400000;
export const L2_CODE = 0x10000;

export const MSR_SF = 1n << 63n;
export const MSR_ME = 1n << 12n;
export const MSR_LE = 1n;

export const sc1 = 0x44000022;
export const selfLoop = 0x48000000;
export const li = (rd: number, imm: number): number =>
  ((14 << 26) | (rd << 21) | (imm & 0xffff)) >>> 0;
export const lwz = (rd: number, d: number, ra: number): number =>
  ((32 << 26) | (rd << 21) | (ra << 16) | (d & 0xffff)) >>> 0;
export const stw = (rs: number, d: number, ra: number): number =>
  ((36 << 26) | (rs << 21) | (ra << 16) | (d & 0xffff)) >>> 0;
export const lis = (rd: number, imm: number): number =>
  ((15 << 26) | (rd << 21) | (imm & 0xffff)) >>> 0;
export const mfspr = (rd: number, spr: number): number =>
  ((31 << 26) | (rd << 21) | ((spr & 0x1f) << 16) | ((spr >> 5) << 11) | (339 << 1)) >>> 0;

export function words(ws: readonly number[], endian: Endian = "big"): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, endian === "little"));
  return b;
}

export interface L1 {
  kvm: Kvm;
  vm: Vm;
  v: Vcpu;
  nested: KvmNested;
  /** Build/extend L2 `lpid`'s tree: map L2 guest-physical 64 KiB page `gpa` -> L1 `l1`. */
  map(
    lpid: number,
    gpa: number,
    l1: number,
    perm?: { r?: boolean; w?: boolean; x?: boolean; rc?: boolean },
  ): void;
  unmap(lpid: number, gpa: number): void;
  /** Write L2 `lpid`'s PATE in the L1's partition table (dw0 = its tree; 0 clears). */
  setPate(lpid: number, valid: boolean, dw1?: bigint): void;
  read64(gpa: number): bigint;
  write64(gpa: number, v: bigint): void;
}

export interface L1Options extends KvmOptions {
  nested?: boolean;
  radix?: boolean;
}

export function makeL1(opts: L1Options = {}): L1 {
  const kvm = new Kvm(opts);
  const vm = kvm.createVm();
  vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
  const v = vm.createVcpu(0);
  if (opts.radix ?? true) vm.configureV3Mmu(0n, true);
  if (opts.nested ?? true) vm.enableCap(KVM_CAP_PPC_NESTED_HV, [1]);
  const nested = KvmNested.attach(vm);
  let next = TABLES;
  const alloc = (size: number): number => {
    next = Math.ceil(next / size) * size;
    const a = next;
    next += size;
    return a;
  };
  const roots = new Map<number, number>();
  const read64 = (gpa: number): bigint => {
    const b = vm.readGuest(gpa, 8)!;
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  };
  const write64 = (gpa: number, x: bigint): void => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, x), false);
    vm.writeGuest(gpa, b);
  };
  const bits = [13, 9, 9, 5];
  const root = (lpid: number): number => {
    let r = roots.get(lpid);
    if (r === undefined) {
      r = alloc(8 << 13);
      roots.set(lpid, r);
    }
    return r;
  };
  const leafAddr = (lpid: number, gpa: number, create: boolean): number | undefined => {
    let table = root(lpid);
    let shift = 52;
    for (let level = 0; level < 4; level++) {
      shift -= bits[level]!;
      const idx = Math.floor(gpa / 2 ** shift) % 2 ** bits[level]!;
      const e = table + idx * 8;
      if (level === 3) return e;
      let pde = read64(e);
      if (pde >> 63n === 0n) {
        if (!create) return undefined;
        const size = 8 << bits[level + 1]!;
        const t = alloc(size);
        pde = (1n << 63n) | BigInt(t) | BigInt(bits[level + 1]!);
        write64(e, pde);
      }
      table = Number(pde & 0x0fffffffffffff00n);
    }
    return undefined;
  };
  return {
    kvm,
    vm,
    v,
    nested,
    read64,
    write64,
    map(lpid, gpa, l1, perm = {}) {
      const e = leafAddr(lpid, gpa, true)!;
      const rc = perm.rc ?? true;
      const eaa =
        ((perm.r ?? true) ? 4n : 0n) | ((perm.w ?? true) ? 2n : 0n) | ((perm.x ?? true) ? 1n : 0n);
      write64(e, (3n << 62n) | BigInt(l1) | (rc ? 0x180n : 0n) | eaa);
    },
    unmap(lpid, gpa) {
      const e = leafAddr(lpid, gpa, false);
      if (e !== undefined) write64(e, 0n);
    },
    setPate(lpid, valid, dw1 = 0n) {
      const dw0 = valid ? (1n << 63n) | (2n << 61n) | (5n << 5n) | BigInt(root(lpid)) | 13n : 0n;
      write64(PTAB + lpid * 16, dw0);
      write64(PTAB + lpid * 16 + 8, valid ? dw1 : 0n);
    },
  };
}

/** An L2 boot state: BE, 64-bit, at its code; lpid and hdec_expiry far away. */
export function l2State(lpid: number, endianMsr = 0n): { hv: HvGuestState; regs: PtRegs } {
  const hv = emptyHvGuestState(2);
  hv.lpid = lpid;
  hv.amor = (1n << 64n) - 1n;
  hv.hdec_expiry = 1n << 50n;
  hv.hfscr = 0xffn;
  const regs = emptyPtRegs();
  regs.nip = BigInt(L2_CODE);
  regs.msr = MSR_SF | MSR_ME | endianMsr;
  return { hv, regs };
}

/** Write hv_guest_state and pt_regs where the L1 passes them, in `endian`. */
export function putState(l1: L1, hv: HvGuestState, regs: PtRegs, endian: Endian = "big"): void {
  l1.vm.writeGuest(HV_ADDR, encodeHvGuestState(hv, endian));
  l1.vm.writeGuest(REGS_ADDR, encodePtRegs(regs, endian));
}

/** Set up the L1 vCPU at an `sc 1` for H_ENTER_NESTED (then a self-loop) and its arguments. */
export function prepareEnter(l1: L1, hvAddr = BigInt(HV_ADDR), regsAddr = BigInt(REGS_ADDR)): void {
  l1.vm.writeGuest(L1_CODE, words([sc1, selfLoop]));
  l1.v.pc = BigInt(L1_CODE);
  l1.v.setGpr(3, BigInt(H_ENTER_NESTED));
  l1.v.setGpr(4, hvAddr);
  l1.v.setGpr(5, regsAddr);
}

/** Run until the L1 is back in its self-loop after H_ENTER_NESTED; returns its r3. */
export function enterAndRun(l1: L1, budget = 200_000): bigint {
  prepareEnter(l1);
  l1.vm.run(budget);
  return l1.v.getGpr(3);
}

/** hv_guest_state as the L0 wrote it back (big-endian L1). */
export function readHv(l1: L1): HvGuestState {
  const d = decodeHvGuestState(l1.vm.readGuest(HV_ADDR, 248)!, "big");
  if (!d.ok) throw new Error("hv_guest_state does not decode");
  return d.value;
}

/** pt_regs as the L0 wrote it back (big-endian L1). */
export function readRegs(l1: L1): PtRegs {
  const d = decodePtRegs(l1.vm.readGuest(REGS_ADDR, PT_REGS_SIZE)!, "big");
  if (!d.ok) throw new Error("pt_regs does not decode");
  return d.value;
}

export { PT_REGS_SIZE };
