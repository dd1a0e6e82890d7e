import type { MmuRegs } from "./contract";
import { ATT_NI_IO, EAA_PRIV, PERM_EXEC, PERM_WRITE, PTE_ATT, PTE_C, PTE_R } from "./registers";

// Access rights as TranslationOk.perm encodes them (bit0 read, bit1 write, bit2 execute),
// from a PTE's low-word attribute bits (EAA, ATT, R, C) and the registers.

/** Permission bits granted by EAA[1:3] (read, read/write, execute). */
export const EAA_PERM = [0, 4, 3, 7, 1, 5, 3, 7];
/** The perm bit an access needs, by AccessKind. */
export const ACCESS_BIT = [1, 2, 4];

/** What R/C allow without an update: nothing while R is clear, no write while C is clear. */
export function rcMask(attr: number): number {
  if ((attr & PTE_R) === 0) return 0;
  return (attr & PTE_C) === 0 ? 7 & ~PERM_WRITE : 7;
}

/** AMR/IAMR key 0 mask (AMR bits 0:1 deny write/read, IAMR bit 1 denies execute). */
export function amrMask(regs: MmuRegs): number {
  const amr = regs.amrHi >>> 30;
  const iamr = regs.iamrHi >>> 30;
  return ((amr & 2) !== 0 ? 0 : 2) | ((amr & 1) !== 0 ? 0 : 1) | ((iamr & 1) !== 0 ? 0 : 4);
}

/**
 * Process-scoped rights before R/C (QEMU `ppc_radix64_check_prot`): a privileged page is
 * inaccessible to MSR[PR]=1; a privileged access to a non-privileged page is further limited
 * by AMR/IAMR key 0 (Linux KUAP/KUEP); non-idempotent I/O is guarded (no execute).
 * QEMU reports an AMR denial as PROTFAULT; so does hvsim.
 */
export function procPermNoRc(attr: number, regs: MmuRegs): number {
  const priv = (attr & EAA_PRIV) !== 0;
  if (priv && regs.msrPR) return 0;
  let p = EAA_PERM[attr & 7]!;
  if (!regs.msrPR && !priv) p &= amrMask(regs);
  if ((attr & PTE_ATT) === ATT_NI_IO) p &= ~PERM_EXEC;
  return p;
}

export function procPerm(attr: number, regs: MmuRegs): number {
  return procPermNoRc(attr, regs) & rcMask(attr);
}

/** Partition-scoped rights: EAA only (no privilege bit, no AMR), guarded I/O, R/C. */
export function partPerm(attr: number): number {
  let p = EAA_PERM[attr & 7]!;
  if ((attr & PTE_ATT) === ATT_NI_IO) p &= ~PERM_EXEC;
  return p & rcMask(attr);
}
