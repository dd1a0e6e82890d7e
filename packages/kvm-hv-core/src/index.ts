// @hvsim/kvm-hv-core — public API. (A KVM-HV-shaped hypervisor core: VMs, vCPUs, memslots over
// sparse host memory, LPIDs, the partition table, in-kernel hcalls gated per VM, and a run loop
// that returns exits.) See README.md.
export { Kvm, DEFAULT_HOST } from "./kvm";
export type { HostModel, KvmOptions } from "./kvm";
export { Vm, HDEC_SLICE, HOST_IO_BASE, KVM_DEV_TYPE_XICS, KVM_DEV_TYPE_XIVE } from "./vm";
export type { InKernelIrqchip, VmHost, VmOptions, VmState, VmStats, VmTraceEvent } from "./vm";
export { Vcpu } from "./vcpu";
export type { VcpuMpState, VcpuState } from "./vcpu";
export type { VcpuExit, VcpuExitKind } from "./exits";
export { HostMemory, HOST_CHUNK_SIZE, HOST_CHUNK_SHIFT } from "./host-memory";
export type { HostMemoryState, HostChunkState } from "./host-memory";
export { Memslots } from "./memslots";
export type { Memslot } from "./memslots";
export { LpidAllocator } from "./lpid-allocator";
export { IN_KERNEL_HCALLS } from "./hcalls";
export type { HcallOutcome, InKernelHcall } from "./hcalls";
export { KvmError } from "./errors";
export { decodeMmioInsn, byteSwap } from "./mmio";
export type { InKernelMmioDevice, InKernelMmioRegion, MmioInsn, MmioLoad, MmioSize } from "./mmio";
export type { InKernelRtasCall } from "./rtas";
export type { NestedHostResources, NestedHvPort, NestedHvState } from "./nested-port";
export type { KvmErrorCode } from "./errors";
