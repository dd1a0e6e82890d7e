// kvm-nested's L0 state for a migration (DESIGN §4, §6.9): plain data with named fields and a
// version, carried through kvm-hv-core's VmState (NestedHvPort.save/restore).
//
// What is state: the L1's partition-table registration (H_SET_PARTITION_TABLE), the nested-guest
// table (the L1's LPIDs, with the PATEs L0 cached for them: a cached PATE stays in use until the
// L1 flushes it, so it is guest-visible), and for each vCPU inside H_ENTER_NESTED everything its
// exit path reads (the L1's saved registers, the structs' addresses and byte order, the entry
// values of hv_guest_state and pt_regs, hdec_expiry, the PURR/SPURR/IC bookkeeping).
// What is a cache, rebuilt on restore: shadow LPIDs (new ones from the destination's pool),
// shadow trees and the rmap (see NestedGuestState.shadow), TLB contents.
import type { Endian, HvGuestState, PtRegs } from "@hvsim/hcall-abi";
import type { NestedHvState } from "@hvsim/kvm-hv-core";
import type { NestedStats } from "./context";
import type { L1Saved } from "./l2-state";

export const KVM_NESTED_STATE_KIND = "kvm-nested";
export const KVM_NESTED_STATE_VERSION = 1;

export interface KvmNestedState extends NestedHvState {
  readonly kind: typeof KVM_NESTED_STATE_KIND;
  readonly version: 1;
  /** H_SET_PARTITION_TABLE's PTCR-format value (0 = none registered). */
  l1Ptcr: bigint;
  /** The nested-guest table, by the L1's LPID for each L2. */
  guests: NestedGuestState[];
  /** Nested guests the L1 flushed out of the table while an L2 of theirs was running: they
   *  live on until that run ends (kvmhv_remove_nested with a reference held). */
  detachedGuests: NestedGuestState[];
  /** vCPUs inside H_ENTER_NESTED (at most one run each), by vCPU id. */
  runs: L2RunState[];
  /** Statistics, carried so that --stats on the destination covers the whole run. */
  stats: NestedStats;
}

export interface NestedGuestState {
  /** The L1's LPID for the L2. */
  l1Lpid: number;
  /** The L1's PATE for this L2 as L0 cached it (dw0, dw1). */
  l1GrToHr: bigint;
  processTable: bigint;
  /**
   * The shadow leaves, in the order they were built. Rebuilt on restore (on the destination's
   * host pages) rather than left to fill on demand: an L0-handled shadow fault costs the L2 an
   * interrupt, which the CPU counts as an instruction, so an empty tree would shift the
   * timebase and the run would not be bit-exact (as kvm-hv-core's VmState.mappedPages for the
   * L1's own tree).
   */
  shadow: ShadowLeafState[];
}

export interface ShadowLeafState {
  /** L2 guest-physical 64 KiB page. */
  nPage: number;
  /** L1 guest-physical page backing it. */
  l1Page: number;
  /** Permissions (bit0 read, bit1 write, bit2 execute) and R/C as in the leaf. */
  perm: number;
  r: boolean;
  c: boolean;
}

export interface L2RunState {
  vcpu: number;
  /** The nested guest the run holds a reference on: the table's entry for an L1 LPID, or one
   *  of `detachedGuests` (by its place in that list). */
  guest: { in: "table"; l1Lpid: number } | { in: "detached"; index: number };
  /** hv_guest_state and pt_regs as read at entry and updated since (exit fields). */
  hv: HvGuestState;
  regs: PtRegs;
  hvAddr: bigint;
  regsAddr: bigint;
  endian: Endian;
  /** The L1's registers, to restore at exit. Its LPIDR follows the destination's VM. */
  saved: L1Saved;
  nestedHfscr: bigint;
  /** hdec_expiry, in the L1's timebase. */
  hdecExpiry: number;
  purrAtEntry: bigint;
  spurrAtEntry: bigint;
  icountAtEntry: number;
}
