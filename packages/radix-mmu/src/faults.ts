import type { AccessKind, MmuFault } from "./contract";
import {
  DSISR_ISSTORE,
  DSISR_PRTABLE_FAULT,
  VEC_DSEG,
  VEC_DSI,
  VEC_HDSI,
  VEC_HISI,
  VEC_ISEG,
  VEC_ISI,
} from "./registers";

// Fault values with the registers the CPU loads for them (QEMU mmu-radix64.c raise_segi,
// raise_si, raise_hsi). DSISR bits and SRR1 cause bits share positions in the low word.

/** Data / instruction segment interrupt: EA outside the tree, or a guest quadrant 1/2. */
export function segmentFault(access: AccessKind, eaHi: number, eaLo: number): MmuFault {
  return {
    kind: "fault",
    vector: access === 2 ? VEC_ISEG : VEC_DSEG,
    dsisr: 0,
    srr1Cause: 0,
    eaHi,
    eaLo,
    asdr: 0,
  };
}

/** DSI / ISI (process-scoped fault, or any fault with effective LPID 0). */
export function storageFault(
  access: AccessKind,
  eaHi: number,
  eaLo: number,
  cause: number,
): MmuFault {
  if (access === 2) {
    return { kind: "fault", vector: VEC_ISI, dsisr: 0, srr1Cause: cause, eaHi, eaLo, asdr: 0 };
  }
  const dsisr = (access === 1 ? cause | DSISR_ISSTORE : cause) >>> 0;
  return { kind: "fault", vector: VEC_DSI, dsisr, srr1Cause: 0, eaHi, eaLo, asdr: 0 };
}

/** HDSI / HISI (partition-scoped fault). A table-address fault is always an HDSI of a load. */
export function hvStorageFault(
  access: AccessKind,
  eaHi: number,
  eaLo: number,
  gra: number,
  cause: number,
): MmuFault {
  const eff: AccessKind = (cause & DSISR_PRTABLE_FAULT) !== 0 ? 0 : access;
  if (eff === 2) {
    return { kind: "fault", vector: VEC_HISI, dsisr: 0, srr1Cause: cause, eaHi, eaLo, asdr: gra };
  }
  const dsisr = (eff === 1 ? cause | DSISR_ISSTORE : cause) >>> 0;
  return { kind: "fault", vector: VEC_HDSI, dsisr, srr1Cause: 0, eaHi, eaLo, asdr: gra };
}
