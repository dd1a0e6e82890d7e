// struct pt_regs as H_ENTER_NESTED passes it (r5, L1 real address): the L2's GPRs and the
// problem-state registers, 44 doublewords = 352 bytes. QEMU calls it kvmppc_pt_regs
// (include/hw/ppc/spapr_nested.h); Linux passes `&vcpu->arch.regs`. No version field: the
// layout is fixed. Byte order is the L1's, as for hv_guest_state.

import {
  decodeFields,
  encodeFields,
  layoutFields,
  structSize,
  type DecodeResult,
  type Endian,
  type StructField,
} from "./struct-codec";

export const PT_REGS_FIELDS: readonly StructField[] = layoutFields([
  ["gpr", 8, 32],
  ["nip", 8],
  ["msr", 8],
  ["orig_gpr3", 8],
  ["ctr", 8],
  ["link", 8],
  ["xer", 8],
  ["ccr", 8],
  ["softe", 8],
  ["trap", 8],
  ["dar", 8],
  ["dsisr", 8],
  ["result", 8],
]);

export const PT_REGS_SIZE = structSize(PT_REGS_FIELDS, 1);

export interface PtRegs {
  /** r0..r31. */
  gpr: bigint[];
  nip: bigint;
  msr: bigint;
  orig_gpr3: bigint;
  ctr: bigint;
  link: bigint;
  xer: bigint;
  ccr: bigint;
  softe: bigint;
  trap: bigint;
  dar: bigint;
  dsisr: bigint;
  result: bigint;
}

/** Decode 352 bytes (more are ignored); fewer is a `short-buffer` error. */
export function decodePtRegs(bytes: Uint8Array, endian: Endian): DecodeResult<PtRegs> {
  if (bytes.length < PT_REGS_SIZE) {
    return {
      ok: false,
      error: { kind: "short-buffer", struct: "pt_regs", need: PT_REGS_SIZE, have: bytes.length },
    };
  }
  return { ok: true, value: decodeFields(PT_REGS_FIELDS, 1, bytes, endian) as unknown as PtRegs };
}

export function encodePtRegs(regs: PtRegs, endian: Endian): Uint8Array {
  return encodeFields(PT_REGS_FIELDS, 1, regs as unknown as Record<string, unknown>, endian);
}

export function emptyPtRegs(): PtRegs {
  return {
    gpr: new Array<bigint>(32).fill(0n),
    nip: 0n,
    msr: 0n,
    orig_gpr3: 0n,
    ctr: 0n,
    link: 0n,
    xer: 0n,
    ccr: 0n,
    softe: 0n,
    trap: 0n,
    dar: 0n,
    dsisr: 0n,
    result: 0n,
  };
}
