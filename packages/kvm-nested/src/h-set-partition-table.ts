// H_SET_PARTITION_TABLE (0xF800, kvmhv_set_partition_table): the L1 registers the partition
// table it keeps for its L2s. r4 = PTCR format: PATB (L1 real) | PATS (log2(size) - 12).
import { H_FUNCTION, H_PARAMETER, H_SUCCESS } from "@hvsim/hcall-abi";
import type { NestedContext } from "./context";
import { KVM_MAX_NESTED_GUESTS_SHIFT, PRTB_MASK, PRTS_MASK } from "./nested-guests";

export function hSetPartitionTable(ctx: NestedContext, ptcr: bigint): number {
  if (!ctx.nestingEnabled()) return H_FUNCTION;
  const p = BigInt.asUintN(64, ptcr);
  // At most 4096 PATEs of 16 bytes (what the hardware supports).
  if (Number(p & PRTS_MASK) + 12 - 4 > KVM_MAX_NESTED_GUESTS_SHIFT) return H_PARAMETER;
  // The base page must be guest memory (kvm_is_visible_gfn); Linux checks only that page,
  // and a table running past the L1's memory reads as invalid PATEs later.
  const base = p & PRTB_MASK;
  if (ctx.readL1(base, 1) === undefined) return H_PARAMETER;
  // Existing nested guests are not touched (their cached PATEs stay until flushed).
  ctx.l1Ptcr = p;
  return H_SUCCESS;
}
