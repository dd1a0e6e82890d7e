// @hvsim/kvm-hv-core — public API. (A KVM-HV-shaped hypervisor core: VMs, vCPUs, memslots over sparse host memory, LPIDs, the partition table, in-kernel hcalls gated per VM, and a run loop that returns exits.)
// Filled by its issue; see README.md.
export {};
