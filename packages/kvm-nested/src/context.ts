// What the hcall handlers and the exit handler share: the L1's VM, its nested-guest table,
// the rmap, the L1's PTCR and the statistics. One per L1 VM (KvmNested implements it).
import type { NestedHostResources, Vm } from "@hvsim/kvm-hv-core";
import type { NestedGuest, NestedGuests } from "./nested-guests";

export interface NestedStats {
  /** L2 exits handled in L0 (shadow faults fixed, L0 HDEC slices, in-L0 hcalls), by trap. */
  l2ExitsInL0: Record<string, number>;
  /** L2 exits reflected to the L1, by trap. */
  l2ExitsToL1: Record<string, number>;
  shadowFaults: number;
  shadowFaultsReflected: number;
  rmapRemovals: number;
  /** Invalidations the L1 asked for, by hcall. */
  invalidations: Record<string, number>;
  enterNested: number;
  /** H_ENTER_NESTED calls rejected, by H_* status. */
  enterNestedErrors: Record<string, number>;
  /** Host memory each L2's shadow tree cost, by "LPID n" (the L1's number): directory bytes
   *  and leaves, the most seen. */
  shadowTrees: Record<string, { tableBytes: number; leaves: number }>;
}

export interface NestedContext {
  readonly vm: Vm;
  readonly host: NestedHostResources;
  readonly guests: NestedGuests;
  readonly stats: NestedStats;
  /** The PTCR-format value of the L1's partition table (0 = none). */
  l1Ptcr: bigint;
  /** Nesting usable: KVM_CAP_PPC_NESTED_HV enabled and the L1 is radix (nesting_enabled). */
  nestingEnabled(): boolean;
  /** Re-read the L1's PATE for `g` and rewrite the shadow PATE (kvmhv_update_ptbl_cache). */
  updatePtblCache(g: NestedGuest): void;
  /** Drop `g`'s shadow leaves in [start, end) (L2 guest-physical) and their TLB entries. */
  invalidateShadowRange(g: NestedGuest, start: number, end: number): void;
  /** Drop every shadow leaf of `g` and flush its shadow LPID. */
  dropShadow(g: NestedGuest): void;
  /** RIC=2 for `g`: drop the shadow, flush, re-read the PATE, remove `g` if it is now cleared. */
  flushNested(g: NestedGuest): void;
  /** Read `len` bytes of L1 guest-physical memory (through L1's memslots only). */
  readL1(gpa: bigint, len: number): Uint8Array | undefined;
  writeL1(gpa: bigint, data: Uint8Array): boolean;
}

export function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
