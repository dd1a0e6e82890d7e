// The shadow (nested) page fault, __kvmhv_nested_page_fault: an L2 took an HDSI/HISI on its
// shadow LPID. Walk the L1's partition-scoped tree for the L2 (in L1 memory), and either build
// the shadow leaf -- L1's permissions intersected with L0's, R/C only when set in both, the
// smaller page size -- and resume the L2, or reflect the fault to the L1 with the DSISR (or, for
// HISI, SRR1) bits Linux uses.
import { lookupLeaf, mapPage, setPageRc, unmapPage } from "@hvsim/radix-mmu";
import type { NestedContext } from "./context";
import type { NestedGuest } from "./nested-guests";
import { walkRadix } from "./radix-walk";
import {
  DSISR_BADACCESS,
  DSISR_BAD_FAULT_64S,
  DSISR_ISSTORE,
  DSISR_NOHPTE,
  DSISR_PROTFAULT,
  DSISR_PRTABLE_FAULT,
  DSISR_SET_RC,
  DSISR_UNSUPP_MMU,
  SRR1_ISI_NOPT,
  SRR1_ISI_N_G_OR_CIP,
} from "./registers";

/** L0's page size for L1 memory (the 64 KiB leaves of the trees kvm-hv-core builds). */
export const L0_PAGE_SHIFT = 16;
const L0_PAGE = 2 ** L0_PAGE_SHIFT;
/** Hardware fault causes that mean a shadow leaf was there but did not allow the access. */
const STALE_LEAF_CAUSES = DSISR_PROTFAULT | DSISR_BADACCESS | SRR1_ISI_N_G_OR_CIP;

export interface ShadowFaultInput {
  vector: 0xe00 | 0xe20;
  hdar: bigint;
  hdsisr: bigint;
  asdr: bigint;
}

export type ShadowFault =
  /** The shadow leaf is in place (or a stale one is gone): retry the L2's access. `rcSet`: R/C
   *  were set in L0's PTE for the L1 page and in the shadow leaf (a SET_RC fault). */
  | { kind: "resume"; nGpa: number; l1Gpa: number; rcSet?: boolean }
  /** The L1 must handle it: HDSI with `hdsisr`, or HISI with `srr1Bits` as the cause bits of
   *  the L2's MSR image (undefined: HSRR1 as the hardware set it). */
  | { kind: "reflect"; hdsisr: bigint; srr1Bits: bigint | undefined; asdr: bigint; why: string }
  /** The L2 gets a data storage interrupt itself (kvmppc_core_queue_data_storage). */
  | { kind: "dsi"; dar: bigint; dsisr: bigint }
  /** The access is emulated MMIO at L1 address `l1Gpa` (the VMM's, as for the L1). */
  | { kind: "mmio"; l1Gpa: number; isWrite: boolean };

export function shadowPageFault(
  ctx: NestedContext,
  g: NestedGuest,
  f: ShadowFaultInput,
  rmapAdd: (l1Page: number, g: NestedGuest, nPage: number) => void,
): ShadowFault {
  const isExec = f.vector === 0xe20;
  const isStore = !isExec && (f.hdsisr & DSISR_ISSTORE) !== 0n;
  /** Reflect what the hardware reported (HDSISR / HSRR1 as they are). */
  const reflectAsIs = (why: string): ShadowFault => ({
    kind: "reflect",
    hdsisr: f.hdsisr,
    srr1Bits: undefined,
    asdr: f.asdr,
    why,
  });
  /** Reflect with the cause L0 found in the L1's tree (kvmhv_translate_addr_nested). */
  const reflect = (dsisr: bigint, isiBits: bigint, why: string, asdr = f.asdr): ShadowFault => ({
    kind: "reflect",
    hdsisr: dsisr | (isStore ? DSISR_ISSTORE : 0n),
    srr1Bits: isiBits,
    asdr,
    why,
  });
  if (g.l1GrToHr === 0n) ctx.updatePtblCache(g);
  if (g.l1GrToHr === 0n) return reflectAsIs("no valid PATE in the L1's tree");
  let nGpaBig = f.asdr & ~0xf000000000000fffn;
  if (!isExec && (f.hdsisr & DSISR_PRTABLE_FAULT) === 0n) nGpaBig |= f.hdar & 0xfffn;
  const nGpa = Number(nGpaBig);
  const nPage = nGpa - (nGpa % L0_PAGE);
  const read64 = (gpa: number): bigint | undefined => {
    const b = ctx.readL1(BigInt(gpa), 8);
    return b === undefined
      ? undefined
      : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  };
  /**
   * The L1's tree gives no usable translation. If the hardware had one (a protection-type
   * fault on a shadow leaf), that leaf is stale: drop it and let the L2 retry, which faults
   * again with NOHPTE and is reflected then (Linux's `inval` path).
   */
  const noTranslation = (r: ShadowFault): ShadowFault => {
    if ((f.hdsisr & STALE_LEAF_CAUSES) !== 0n && g.shadow.has(nPage)) {
      ctx.invalidateShadowRange(g, nPage, nPage + L0_PAGE);
      return { kind: "resume", nGpa, l1Gpa: -1 };
    }
    return r;
  };
  const w = walkRadix(read64, g.l1GrToHr, nGpa);
  switch (w.kind) {
    case "no-entry":
      return noTranslation(reflect(DSISR_NOHPTE, SRR1_ISI_NOPT, "no translation in the L1's tree"));
    case "bad-table":
      return noTranslation(
        reflect(
          DSISR_PRTABLE_FAULT,
          DSISR_PRTABLE_FAULT,
          "the L1's tree is outside its memory",
          BigInt(w.addr),
        ),
      );
    case "unsupported":
      return noTranslation(reflect(DSISR_UNSUPP_MMU, DSISR_UNSUPP_MMU, `the L1's tree: ${w.why}`));
    case "leaf":
      break;
    default: {
      const never: never = w;
      throw new Error(`unknown walk result ${JSON.stringify(never)}`);
    }
  }
  const leaf = w.leaf;
  if (isStore && !leaf.write) {
    return noTranslation(reflect(DSISR_PROTFAULT, 0n, "store to a page the L1 maps read-only"));
  }
  if (isExec && !leaf.exec) {
    return noTranslation(reflect(0n, SRR1_ISI_N_G_OR_CIP, "fetch from a no-execute page"));
  }
  if (!isExec && !isStore && !leaf.read && !leaf.write) {
    return noTranslation(
      reflect(DSISR_PROTFAULT, 0n, "load from a page the L1 maps without access"),
    );
  }
  const l1Gpa = leaf.pa + (nGpa % 2 ** leaf.pageShift);
  const l1Page = l1Gpa - (l1Gpa % L0_PAGE);
  let cause = f.hdsisr;
  if ((cause & DSISR_SET_RC) !== 0n) {
    // kvmhv_handle_nested_set_rc: the hardware could not set R (or C) in the shadow leaf.
    // They must be set in the L1's own PTE first -- the L1's to do, so reflect until they are;
    // then L0 sets them in its PTE for the L1 page (the L2 touched, or dirtied, L1 memory)
    // and in the shadow leaf, and the L2 retries.
    if (!leaf.r || (isStore && !leaf.c)) return reflectAsIs("R/C not set in the L1's PTE");
    const l0 = lookupLeaf(ctx.vm.tree, l1Page);
    const shadowed = g.shadow.get(nPage) === l1Page ? lookupLeaf(g.shadowTree, nPage) : undefined;
    if (l0 === undefined || shadowed === undefined) {
      ctx.invalidateShadowRange(g, nPage, nPage + L0_PAGE);
      return { kind: "resume", nGpa, l1Gpa };
    }
    // Only bits are added: the MMU walks again on an R/C miss, so no TLB entry is stale.
    setPageRc(ctx.vm.tree, l1Page, true, l0.c || isStore);
    setPageRc(g.shadowTree, nPage, true, shadowed.c || isStore);
    cause &= ~DSISR_SET_RC;
    if ((cause & (DSISR_BAD_FAULT_64S | DSISR_NOHPTE | DSISR_PROTFAULT)) === 0n) {
      return { kind: "resume", nGpa, l1Gpa, rcSet: true };
    }
  }
  if (leaf.pageShift < L0_PAGE_SHIFT) {
    // Linux: L1 pages smaller than L0's PAGE_SIZE -> -EINVAL.
    return reflect(DSISR_UNSUPP_MMU, DSISR_UNSUPP_MMU, `L1 page of 2^${leaf.pageShift} bytes`);
  }
  const hostAddr = ctx.vm.instantiateGuestPage(l1Page);
  if (hostAddr === undefined) {
    // No memslot: the L1 maps this L2 page onto an L1 address that is not RAM.
    if ((cause & (DSISR_PRTABLE_FAULT | DSISR_BADACCESS)) !== 0n) {
      // The L2's own process table or tree lies there: its error, given to it as a DSI.
      return { kind: "dsi", dar: f.hdar, dsisr: cause };
    }
    // An access to the L1's MMIO (kvmppc_hv_emulate_mmio): the VMM's to emulate, exactly as
    // the same access by the L1 would be.
    return { kind: "mmio", l1Gpa, isWrite: isStore };
  }
  // Shadow leaf: the smaller page (L0's 64 KiB), permissions = the L1's (L0 grants RWX); R
  // only if set in both the L1's PTE and L0's, C only if set in both and this is a store
  // (a later store faults with SET_RC, which sets C in L0's PTE for the L1 too).
  const l0 = lookupLeaf(ctx.vm.tree, l1Page);
  const perm = (leaf.read ? 1 : 0) | (leaf.write ? 2 : 0) | (leaf.exec ? 4 : 0);
  if (g.shadow.has(nPage)) {
    unmapPage(g.shadowTree, nPage);
    ctx.invalidateShadowRange(g, nPage, nPage + L0_PAGE);
  }
  const r = mapPage(g.shadowTree, nPage, hostAddr - (hostAddr % L0_PAGE), L0_PAGE_SHIFT, {
    perm,
    r: leaf.r && (l0?.r ?? false),
    c: leaf.c && (l0?.c ?? false) && isStore,
  });
  if (r.replacedDirectory) ctx.vm.mmu.flushLpid(g.shadowLpid);
  g.shadow.set(nPage, l1Page);
  rmapAdd(l1Page, g, nPage);
  return { kind: "resume", nGpa, l1Gpa };
}
