// MMIO emulation, as KVM-HV does it for a guest access to a guest physical address no memslot
// backs (kvmppc_hv_emulate_mmio -> kvmppc_emulate_loadstore): fetch the faulting instruction,
// decode the integer load or store, and either complete it against an in-kernel device or
// exit to the VMM with KVM_EXIT_MMIO (address, length, data); the VMM answers a load before
// the vCPU runs again (KVM completes it at the next KVM_RUN, kvmppc_complete_mmio_load).
//
// Values cross this boundary as the big-endian interpretation of the bytes at the address
// (byte 0 most significant), which is how device registers of a big-endian platform read:
// the access's own byte order (MSR[LE], the byte-reversed forms) is undone here.
import { decode } from "@hvsim/ppc-isa";

export type MmioSize = 1 | 2 | 4 | 8;

/** A decoded integer load or store. */
export interface MmioInsn {
  readonly mnemonic: string;
  readonly isWrite: boolean;
  readonly size: MmioSize;
  /** RT of a load, RS of a store. */
  readonly reg: number;
  /** RA, written with the EA by the update forms. */
  readonly ra: number;
  readonly update: boolean;
  /** lha, lwa and their indexed forms. */
  readonly signExtend: boolean;
  /** lhbrx, lwbrx, ldbrx, sthbrx, stwbrx, stdbrx. */
  readonly byteReverse: boolean;
}

interface Shape {
  readonly size: MmioSize;
  readonly isWrite: boolean;
  readonly signExtend?: boolean;
  readonly byteReverse?: boolean;
}

const L = (size: MmioSize, signExtend = false): Shape => ({ size, isWrite: false, signExtend });
const S = (size: MmioSize): Shape => ({ size, isWrite: true });
const BR = (size: MmioSize, isWrite: boolean): Shape => ({ size, isWrite, byteReverse: true });

/** The loads and stores KVM emulates, by base mnemonic (update forms end in `u` / `ux`). */
const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ...["lbz", "lbzu", "lbzx", "lbzux"].map((m): [string, Shape] => [m, L(1)]),
  ...["lhz", "lhzu", "lhzx", "lhzux"].map((m): [string, Shape] => [m, L(2)]),
  ...["lha", "lhau", "lhax", "lhaux"].map((m): [string, Shape] => [m, L(2, true)]),
  ...["lwz", "lwzu", "lwzx", "lwzux"].map((m): [string, Shape] => [m, L(4)]),
  ...["lwa", "lwax", "lwaux"].map((m): [string, Shape] => [m, L(4, true)]),
  ...["ld", "ldu", "ldx", "ldux"].map((m): [string, Shape] => [m, L(8)]),
  ...["stb", "stbu", "stbx", "stbux"].map((m): [string, Shape] => [m, S(1)]),
  ...["sth", "sthu", "sthx", "sthux"].map((m): [string, Shape] => [m, S(2)]),
  ...["stw", "stwu", "stwx", "stwux"].map((m): [string, Shape] => [m, S(4)]),
  ...["std", "stdu", "stdx", "stdux"].map((m): [string, Shape] => [m, S(8)]),
  ["lhbrx", BR(2, false)],
  ["lwbrx", BR(4, false)],
  ["ldbrx", BR(8, false)],
  ["sthbrx", BR(2, true)],
  ["stwbrx", BR(4, true)],
  ["stdbrx", BR(8, true)],
]);

/** Decode `word` as an emulable load/store, or undefined (KVM: EMULATE_FAIL). */
export function decodeMmioInsn(word: number): MmioInsn | undefined {
  const d = decode(word);
  if (d === undefined) return undefined;
  const shape = SHAPES.get(d.base);
  if (shape === undefined) return undefined;
  const m = d.base;
  return {
    mnemonic: m,
    isWrite: shape.isWrite,
    size: shape.size,
    reg: (word >>> 21) & 31,
    ra: (word >>> 16) & 31,
    update: m.endsWith("u") || m.endsWith("ux"),
    signExtend: shape.signExtend ?? false,
    byteReverse: shape.byteReverse ?? false,
  };
}

/** Reverse the low `size` bytes of `v`. */
export function byteSwap(v: bigint, size: MmioSize): bigint {
  let r = 0n;
  for (let i = 0; i < size; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
}

/** The access is little-endian: MSR[LE] flipped by a byte-reversed form. */
export function accessIsLittleEndian(insn: MmioInsn, msrLe: boolean): boolean {
  return msrLe !== insn.byteReverse;
}

/** A store's data as the device sees it (the big-endian reading of the bytes stored). */
export function mmioStoreValue(insn: MmioInsn, rs: bigint, msrLe: boolean): bigint {
  const mask = (1n << BigInt(8 * insn.size)) - 1n;
  const v = BigInt.asUintN(64, rs) & mask;
  return accessIsLittleEndian(insn, msrLe) ? byteSwap(v, insn.size) : v;
}

/** A load's register value from what the device answered. */
export function mmioLoadValue(load: MmioLoad, data: bigint): bigint {
  const mask = (1n << BigInt(8 * load.size)) - 1n;
  let v = BigInt.asUintN(64, data) & mask;
  if (load.msrLe !== load.byteReverse) v = byteSwap(v, load.size);
  return load.signExtend ? BigInt.asUintN(64, BigInt.asIntN(8 * load.size, v)) : v;
}

/** What a vCPU remembers of a load the VMM has to answer. */
export interface MmioLoad {
  readonly reg: number;
  readonly size: MmioSize;
  readonly signExtend: boolean;
  readonly byteReverse: boolean;
  /** MSR[LE] at the time of the access. */
  readonly msrLe: boolean;
}

/**
 * A device KVM emulates in kernel, mapped into guest physical space (QEMU maps the KVM
 * device's mmap there, e.g. the XIVE ESB pages and the TIMA OS page). It gets offsets into
 * its region and the accessing vCPU (the TIMA shows each thread its own context).
 */
export interface InKernelMmioDevice {
  readonly accessSizes: readonly MmioSize[];
  read(offset: number, size: MmioSize, vcpu: number): bigint;
  write(offset: number, size: MmioSize, value: bigint, vcpu: number): void;
}

export interface InKernelMmioRegion {
  readonly name: string;
  /** Guest physical address of offset 0; 64 KiB aligned, like its size. */
  readonly gpa: number;
  readonly size: number;
  readonly device: InKernelMmioDevice;
}
