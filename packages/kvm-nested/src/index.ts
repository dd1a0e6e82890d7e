// @hvsim/kvm-nested — public API: L0 support for guest hypervisors (nested-HV API v1:
// H_SET_PARTITION_TABLE, H_ENTER_NESTED, H_TLB_INVALIDATE, H_COPY_TOFROM_GUEST; H_RPT_INVALIDATE),
// the nested-guest table with shadow LPIDs, shadow partition-scoped trees with an rmap, and L2
// exit reflection. Plugs into @hvsim/kvm-hv-core's NestedHvPort. See README.md.
export { KvmNested } from "./kvm-nested";
export type { KvmNestedOptions, RcBits } from "./kvm-nested";
export type { NestedStats } from "./context";
export type { KvmNestedState, L2RunState, NestedGuestState, ShadowLeafState } from "./nested-state";
export { KVM_NESTED_STATE_KIND, KVM_NESTED_STATE_VERSION } from "./nested-state";
export type { NestedGuest, GetNested } from "./nested-guests";
export { NestedGuests, ptcrEntries, KVM_MAX_NESTED_GUESTS_SHIFT } from "./nested-guests";
export { walkRadix, radixTreeBits } from "./radix-walk";
export type { RadixLeaf, RadixWalk, ReadGuest64 } from "./radix-walk";
export { filterLpcr, l2Lpcr, l2Hfscr } from "./l2-state";
export { NR_CPUS } from "./h-enter-nested";
export { COPY_TOFROM_MAX } from "./h-copy-tofrom-guest";
export { IsolationChecker, IsolationViolation } from "./isolation-checker";
export type {
  IsolationCheckerOptions,
  IsolationPort,
  IsolationViolationInfo,
} from "./isolation-checker";
