// What `run()` returns to the VMM: KVM_EXIT_* as a discriminated union.

export type VcpuExit =
  /** An hcall not handled in the kernel (not registered, not enabled, or too hard): the VMM
   *  handles it, writes r3.. with `Vcpu.setGpr` and runs again (PC is past the `sc`). */
  | { kind: "papr-hcall"; vcpu: number; nr: number; args: bigint[] }
  /**
   * KVM_EXIT_MMIO: a load or store (decoded by KVM) to a guest physical address that neither a
   * memslot nor an in-kernel device backs. `data` is a store's value, read big-endian from the
   * bytes stored; a load is answered with Vcpu.completeMmio before the next run. The vCPU's PC
   * is already past the instruction. `fetch`: an instruction fetch from there (nothing to
   * complete; the VMM decides what happens). `nested`: the access was an L2's, reported after
   * L0 returned to the L1 (H_ENTER_NESTED's r3 = 0): the vCPU holds the L1's registers, so there
   * is nothing to complete either, and `size`/`data` are unknown (0).
   */
  | {
      kind: "mmio";
      vcpu: number;
      gpa: number;
      size: 1 | 2 | 4 | 8;
      isWrite: boolean;
      data: bigint;
      fetch: boolean;
      nested?: boolean;
    }
  /** Every runnable vCPU is idle with nothing that could ever wake it. */
  | { kind: "halted"; vcpu: number }
  /** No vCPU is runnable any more (all stopped), or a vCPU checkstopped. */
  | { kind: "shutdown"; vcpu: number; reason: string }
  /** `attn` or a debug stop. */
  | { kind: "debug"; vcpu: number }
  /** The simulator could not go on (an unhandled hypervisor interrupt, a repeated fault). */
  | { kind: "internal-error"; vcpu: number; reason: string }
  /** The instruction budget given to `run` is used up (like a signal interrupting KVM_RUN). */
  | { kind: "budget"; vcpu: number };

export type VcpuExitKind = VcpuExit["kind"];
