// The shadow (nested) page fault, __kvmhv_nested_page_fault: an L2 took an HDSI/HISI on its
// shadow LPID. Walk the L1's partition-scoped tree for the L2 (in L1 memory), and either build
// the shadow leaf -- L1's permissions intersected with L0's, R/C only when set in both, the
// smaller page size -- and resume the L2, or reflect the fault to the L1 with the DSISR (or, for
// HISI, SRR1) bits Linux uses.
import { mapPage, unmapPage } from "@hvsim/radix-mmu";
import type { NestedContext } from "./context";
import type { NestedGuest } from "./nested-guests";
import { walkRadix } from "./radix-walk";
import {
  DSISR_ISSTORE,
  DSISR_NOHPTE,
  DSISR_PROTFAULT,
  DSISR_PRTABLE_FAULT,
  DSISR_UNSUPP_MMU,
  SRR1_ISI_NOPT,
  SRR1_ISI_N_G_OR_CIP,
} from "./registers";

/** L0's page size for L1 memory (the 64 KiB leaves of the trees kvm-hv-core builds). */
export const L0_PAGE_SHIFT = 16;
const L0_PAGE = 2 ** L0_PAGE_SHIFT;

export interface ShadowFaultInput {
  vector: 0xe00 | 0xe20;
  hdar: bigint;
  hdsisr: bigint;
  asdr: bigint;
}

export type ShadowFault =
  /** The shadow leaf is in place: retry the L2's access. */
  | { kind: "resume"; nGpa: number; l1Gpa: number }
  /** The L1 must handle it: HDSI with `hdsisr`, or HISI with `srr1Bits` in the L2's MSR. */
  | { kind: "reflect"; hdsisr: bigint; srr1Bits: bigint; asdr: bigint; why: string };

export function shadowPageFault(
  ctx: NestedContext,
  g: NestedGuest,
  f: ShadowFaultInput,
  rmapAdd: (l1Page: number, g: NestedGuest, nPage: number) => void,
): ShadowFault {
  const isExec = f.vector === 0xe20;
  const isStore = !isExec && (f.hdsisr & DSISR_ISSTORE) !== 0n;
  const reflect = (dsisr: bigint, isiBits: bigint, why: string, asdr = f.asdr): ShadowFault => ({
    kind: "reflect",
    hdsisr: dsisr | (isStore ? DSISR_ISSTORE : 0n),
    srr1Bits: isiBits,
    asdr,
    why,
  });
  if (g.l1GrToHr === 0n) ctx.updatePtblCache(g);
  if (g.l1GrToHr === 0n)
    return reflect(f.hdsisr & ~DSISR_ISSTORE, 0n, "no valid PATE in the L1's table");
  let nGpaBig = f.asdr & ~0xf000000000000fffn;
  if (!isExec && (f.hdsisr & DSISR_PRTABLE_FAULT) === 0n) nGpaBig |= f.hdar & 0xfffn;
  const nGpa = Number(nGpaBig);
  const read64 = (gpa: number): bigint | undefined => {
    const b = ctx.readL1(BigInt(gpa), 8);
    return b === undefined
      ? undefined
      : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  };
  const w = walkRadix(read64, g.l1GrToHr, nGpa);
  switch (w.kind) {
    case "no-entry":
      return reflect(DSISR_NOHPTE, SRR1_ISI_NOPT, "no translation in the L1's tree");
    case "bad-table":
      return reflect(
        DSISR_PRTABLE_FAULT,
        DSISR_PRTABLE_FAULT,
        "the L1's tree is outside its memory",
        BigInt(w.addr),
      );
    case "unsupported":
      return reflect(DSISR_UNSUPP_MMU, DSISR_UNSUPP_MMU, `the L1's tree: ${w.why}`);
    case "leaf":
      break;
    default: {
      const never: never = w;
      throw new Error(`unknown walk result ${JSON.stringify(never)}`);
    }
  }
  const leaf = w.leaf;
  if (isStore && !leaf.write)
    return reflect(DSISR_PROTFAULT, 0n, "store to a page the L1 maps read-only");
  if (isExec && !leaf.exec) return reflect(0n, SRR1_ISI_N_G_OR_CIP, "fetch from a no-execute page");
  if (!isExec && !isStore && !leaf.read && !leaf.write) {
    return reflect(DSISR_PROTFAULT, 0n, "load from a page the L1 maps without access");
  }
  // R and C are the L1's to set in its own PTE (DSISR_SET_RC): reflect until they are.
  if (!leaf.r || (isStore && !leaf.c)) {
    return reflect(f.hdsisr & ~DSISR_ISSTORE, 0n, "R/C not set in the L1's PTE");
  }
  if (leaf.pageShift < L0_PAGE_SHIFT) {
    // Linux: L1 pages smaller than L0's PAGE_SIZE -> -EINVAL.
    return reflect(DSISR_UNSUPP_MMU, DSISR_UNSUPP_MMU, `L1 page of 2^${leaf.pageShift} bytes`);
  }
  const l1Gpa = leaf.pa + (nGpa % 2 ** leaf.pageShift);
  const l1Page = l1Gpa - (l1Gpa % L0_PAGE);
  const hostAddr = ctx.vm.instantiateGuestPage(l1Page);
  if (hostAddr === undefined) {
    // Linux emulates MMIO here (kvmppc_hv_emulate_mmio); hvsim's L1s map only RAM for their
    // L2s, so L0 reflects the fault to the L1 instead (a deliberate divergence).
    return reflect(DSISR_NOHPTE, SRR1_ISI_NOPT, `L1 address 0x${l1Gpa.toString(16)} is not RAM`);
  }
  // Shadow leaf: the smaller page (L0's 64 KiB), permissions = L1's (L0 grants RWX), R/C as
  // the L1 has them (L0 presets both in its own tree).
  const nPage = nGpa - (nGpa % L0_PAGE);
  const perm = (leaf.read ? 1 : 0) | (leaf.write ? 2 : 0) | (leaf.exec ? 4 : 0);
  if (g.shadow.has(nPage)) {
    unmapPage(g.shadowTree, nPage);
    ctx.invalidateShadowRange(g, nPage, nPage + L0_PAGE);
  }
  const r = mapPage(g.shadowTree, nPage, hostAddr, L0_PAGE_SHIFT, { perm, r: leaf.r, c: leaf.c });
  if (r.replacedDirectory) ctx.vm.mmu.flushLpid(g.shadowLpid);
  g.shadow.set(nPage, l1Page);
  rmapAdd(l1Page, g, nPage);
  return { kind: "resume", nGpa, l1Gpa };
}
