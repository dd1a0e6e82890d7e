// The port a nested-HV implementation (kvm-nested) plugs into, declared here by its consumer:
// KVM-HV's hcall dispatcher and exit handler call it for the nested API hcalls an L1 makes,
// and for everything a vCPU does while it runs an L2 (KVM's kvmhv_enter_nested_guest runs the
// L2 on the L1's vCPU, as this port does: the vCPU's registers hold the L2's state meanwhile).
import type { VhypOutcome } from "@hvsim/ppc-isa";
import type { PartitionTable, TableAllocator } from "@hvsim/radix-mmu";
import type { HcallOutcome } from "./hcalls";
import type { HostMemory } from "./host-memory";
import type { Vcpu } from "./vcpu";

export interface NestedHvPort {
  /** An hcall from the L1 (already past the enable bitmap): an outcome, or undefined if it
   *  is not a nested-HV hcall (the usual in-kernel table / VMM path then applies). */
  l1Hcall(v: Vcpu, nr: number): HcallOutcome | undefined;
  /** The vCPU is running an L2 now. */
  inL2(v: Vcpu): boolean;
  /** `sc 1` from the L2. */
  l2Hcall(v: Vcpu): VhypOutcome;
  /** A hypervisor interrupt while the L2 runs; undefined = L0's own business (its HDEC
   *  slice ended), handled as for any guest with the L2 state left in place. */
  l2Interrupt(v: Vcpu, vector: number, srr1: bigint): VhypOutcome | undefined;
  /** The HDEC to arm for the next slice of a vCPU running an L2 (at most `slice`). */
  sliceHdec(v: Vcpu, slice: number): number;
  /** L0 unmapped the L1 guest-physical range [gpa, gpa+size) (memslot moved or deleted). */
  l1RangeUnmapped(gpa: number, size: number): void;
  /** The VM goes away: release shadow LPIDs and tables. */
  release(): void;
  /**
   * The implementation's L0 state for a migration (Vm.save), also while vCPUs are inside an
   * L2: plain data with a version (DESIGN §6.9), carried in VmState without being looked at.
   */
  save(): NestedHvState;
  /**
   * Continue a saved state on this (fresh) VM, after its vCPUs and memory were restored:
   * vCPUs that were running an L2 go on running it. Throws, saying why, a state it cannot read.
   */
  restore(s: NestedHvState): void;
}

/** What kvm-hv-core knows of a nested-HV implementation's saved state: whose it is, and the
 *  version of that implementation's format. The rest is the implementation's own. */
export interface NestedHvState {
  readonly kind: string;
  readonly version: number;
}

/** What kvm-nested needs from the host side of a VM (Vm.nestedHost()). */
export interface NestedHostResources {
  readonly mem: HostMemory;
  readonly partitionTable: PartitionTable;
  readonly tableAlloc: TableAllocator;
  /** A shadow LPID from the pool every VM's LPID comes from; undefined when exhausted. */
  allocLpid(): number | undefined;
  freeLpid(lpid: number): void;
}
