// Consumer-side ports: what @hvsim/xive needs from the machine, declared here and implemented by
// whoever composes it (kvm-hv-core for the in-kernel placement, apps/sim for the VMM one).

/**
 * Guest memory by guest real address, for the END event queues, which live in guest RAM.
 * Accesses are 32-bit big-endian, as the XIVE writes queue entries.
 */
export interface GuestMemory {
  /** Big-endian 32-bit load. */
  load32(gra: number): number;
  /** Big-endian 32-bit store. */
  store32(gra: number, value: number): void;
  /** True when [gra, gra + length) is guest RAM that may be written (address_space_access_valid). */
  isRam(gra: number, length: number): boolean;
}

/** The external-interrupt line of each vCPU (the TIMA OS ring's output, QEMU `os_output`). */
export interface InterruptSink {
  setExternal(vcpu: number, level: boolean): void;
}

/**
 * The hypervisor side of an escalation: an event arrived for a vCPU whose interrupt context is not
 * dispatched (pulled, e.g. ceded). KVM's escalation interrupt handler marks the vCPU as having an
 * interrupt pending and kicks it out of cede; the implementer does the same.
 */
export interface EscalationSink {
  escalate(vcpu: number): void;
}

/** Guest errors that hardware tolerates (QEMU's LOG_GUEST_ERROR): logged, execution goes on. */
export interface GuestErrorLog {
  guestError(message: string): void;
}

/** The timebase, for H_XIRR_X's R5. */
export interface TimeBase {
  now(): bigint;
}

/** MMIO access size in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * A memory-mapped device: it receives offsets into its own region, never its base address, and
 * declares the access sizes it accepts (the bus rejects the others). Values are the big-endian
 * interpretation of the bytes, i.e. the architectural register value. `cpu` is the accessing
 * vCPU, which the TIMA needs (each thread sees its own context at the same address).
 */
export interface MmioDevice {
  readonly size: number;
  readonly accessSizes: readonly AccessSize[];
  read(offset: number, size: AccessSize, cpu: number): bigint;
  write(offset: number, size: AccessSize, value: bigint, cpu: number): void;
}

/** A log that drops everything, for users who do not care. */
export const silentLog: GuestErrorLog = { guestError: () => undefined };
