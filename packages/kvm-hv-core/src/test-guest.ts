// Test helpers: a VM with 16 MiB of RAM and a tiny big-endian program (hand-encoded).
import { Kvm } from "./kvm";
import type { KvmOptions } from "./kvm";
import type { Vcpu } from "./vcpu";
import type { Vm } from "./vm";

export const RAM = 0x1000000;

export const I = {
  li: (rd: number, imm: number): number => ((14 << 26) | (rd << 21) | (imm & 0xffff)) >>> 0,
  lis: (rd: number, imm: number): number => ((15 << 26) | (rd << 21) | (imm & 0xffff)) >>> 0,
  addi: (rd: number, ra: number, imm: number): number =>
    ((14 << 26) | (rd << 21) | (ra << 16) | (imm & 0xffff)) >>> 0,
  lwz: (rd: number, d: number, ra: number): number =>
    ((32 << 26) | (rd << 21) | (ra << 16) | (d & 0xffff)) >>> 0,
  stw: (rs: number, d: number, ra: number): number =>
    ((36 << 26) | (rs << 21) | (ra << 16) | (d & 0xffff)) >>> 0,
  sc1: 0x44000022,
  self: 0x48000000,
  back: (bytes: number): number => (0x48000000 | ((-bytes >>> 0) & 0x03fffffc)) >>> 0,
};

export function words(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, false));
  return b;
}

export interface TestVm {
  kvm: Kvm;
  vm: Vm;
  v: Vcpu;
}

export function vmWith(program: readonly number[], at = 0x100, opts: KvmOptions = {}): TestVm {
  const kvm = new Kvm(opts);
  const vm = kvm.createVm();
  vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
  const v = vm.createVcpu(0);
  vm.writeGuest(at, words(program));
  v.pc = BigInt(at);
  return { kvm, vm, v };
}
