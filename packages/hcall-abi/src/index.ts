// @hvsim/hcall-abi — public API. (PAPR hypercall ABI in code: hcall numbers, return codes, register conventions, versioned nested-HV structs with byte-exact codecs, H_RPT_INVALIDATE/H_TLB_INVALIDATE encodings, KVM capabilities, spapr caps and their migration rules, hypertas strings, RTAS tokens and CAS option-vector bits.)
// Filled by its issue; see README.md.
export {};
