// @hvsim/kvm-nested — public API. (L0 support for guest hypervisors: nested-HV API v1 hcalls, H_RPT_INVALIDATE, shadow partition-scoped trees with rmap, and L2 exit reflection.)
// Filled by its issue; see README.md.
export {};
