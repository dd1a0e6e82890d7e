// @hvsim/arm-hvc — public API. (ARM SMCCC function ids, PSCI, the vendor hypervisor service, a paravirtual async-page-fault service, safe guest-side discovery and frozen hypercall sets for migration.)
// Filled by its issue; see README.md.
export {};
