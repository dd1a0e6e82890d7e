// An ABI-level arm64 vCPU: the general-purpose registers X0..X30, the conduit instructions
// (HVC/SMC with their 16-bit immediate), memory accesses, time and interrupts, and nothing of
// the instruction set beyond that. Guest programs are TypeScript functions that drive it the
// way kernel code drives a CPU; the machine (its `VcpuPlatform`) answers.
import type { Conduit, SmcccCall, SmcccOutcome, SystemEvent } from "./smccc-call";
import { decodeFunctionId } from "./smccc-id";

/** Why a guest (or one of its vCPUs) stopped executing. */
export type GuestStopReason =
  /** An exception the guest has no handler for (e.g. UNDEFINED HVC with EL2 absent). */
  | { readonly kind: "guest-killed"; readonly vcpu: number; readonly reason: string }
  /** PSCI CPU_OFF: this vCPU is off; the others go on. */
  | { readonly kind: "cpu-off"; readonly vcpu: number }
  /** A PSCI system event: the VMM acts (power off, reset, suspend). */
  | { readonly kind: "system-event"; readonly vcpu: number; readonly event: SystemEvent }
  /** WFI with nothing that could ever wake the vCPU. */
  | { readonly kind: "hang"; readonly vcpu: number; readonly reason: string };

/**
 * Unwinds a guest program when its vCPU stops executing instructions. Only the machine's run
 * loop catches it; it is how "this code never runs again" is expressed for TypeScript guests.
 */
export class GuestStop extends Error {
  constructor(readonly stop: GuestStopReason) {
    super(`guest stopped: ${stop.kind}`);
  }
}

/** What a memory access observed. */
export type MemoryAccessResult =
  | { readonly kind: "value"; readonly value: bigint }
  /**
   * Async page fault "page not present": the page is being brought in; the access did not
   * happen. The notification is synchronous (taken instead of completing the access); the
   * token is in the vCPU's async-PF record.
   */
  | { readonly kind: "page-not-present" };

/** One executed conduit instruction, for traces and tests. */
export interface ConduitTraceEntry {
  readonly insn: Conduit;
  readonly imm: number;
  /** W0 at the time of the call. */
  readonly functionId: number;
}

/** What the vCPU needs from its machine (a consumer-side port). */
export interface VcpuPlatform {
  /** Executes HVC/SMC #imm for `vcpu`: reads and writes its registers, or stops it. */
  conduit(vcpu: ArmVcpu, insn: Conduit, imm: number): void;
  load64(vcpu: ArmVcpu, gpa: bigint): MemoryAccessResult;
  store64(vcpu: ArmVcpu, gpa: bigint, value: bigint): void;
  load32(vcpu: ArmVcpu, gpa: bigint): number;
  store32(vcpu: ArmVcpu, gpa: bigint, value: number): void;
  /** Advances simulated time by `ticks` of work on `vcpu`. */
  work(vcpu: ArmVcpu, ticks: bigint): void;
  /** WFI: waits (fast-forwarding time) until an interrupt is pending. */
  waitForInterrupt(vcpu: ArmVcpu): void;
  /** Between instructions: deliver what is due (interrupts, scheduling). */
  boundary(vcpu: ArmVcpu): void;
  now(): bigint;
}

/**
 * Builds the call a service sees from the caller's registers (SMCCC v1.2 §2.6-2.7). The
 * function id is W0 (the upper half of X0 is ignored). SMC32/HVC32 calls take W1..W7: their
 * upper halves are ignored and X8..X17 are not arguments. SMC64/HVC64 calls take X1..X17.
 */
export function smcccCallFromRegisters(
  x: readonly bigint[],
  conduit: Conduit,
  vcpu: number,
): SmcccCall {
  const functionId = Number(BigInt.asUintN(32, x[0] ?? 0n));
  const fields = decodeFunctionId(functionId);
  const args: bigint[] = [];
  for (let i = 1; i <= 17; i++) {
    const v = x[i] ?? 0n;
    if (fields.convention === "smc32") args.push(i <= 7 ? BigInt.asUintN(32, v) : 0n);
    else args.push(BigInt.asUintN(64, v));
  }
  return { functionId, fields, args, conduit, vcpu };
}

/**
 * Writes a service's results back (SMCCC v1.1+): X0..X3 (up to X17 when the service returns
 * more, SMCCC v1.2), every other register preserved, X4..X17 included. For SMC32 functions
 * SMCCC leaves the upper halves of X0..X3 UNKNOWN; hvsim writes the 64-bit value the service
 * gave, as KVM does (so NOT_SUPPORTED reads 0xFFFF_FFFF_FFFF_FFFF).
 */
export function writeSmcccResults(x: bigint[], outcome: SmcccOutcome & { kind: "return" }): void {
  if (outcome.values.length > 18) {
    throw new Error(
      `an SMCCC call returns at most 18 registers; a service gave ${outcome.values.length}`,
    );
  }
  outcome.values.forEach((v, i) => (x[i] = BigInt.asUintN(64, v)));
}

export class ArmVcpu {
  /** X0..X30. */
  readonly x: bigint[] = Array.from({ length: 31 }, () => 0n);
  readonly pendingPpis = new Set<number>();
  readonly conduitTrace: ConduitTraceEntry[] = [];
  private irqHandler: ((intid: number) => void) | undefined;
  private masked = false;

  constructor(
    readonly index: number,
    private readonly platform: VcpuPlatform,
  ) {}

  /** HVC #imm. */
  hvc(imm = 0): void {
    this.platform.boundary(this);
    this.platform.conduit(this, "hvc", imm);
  }

  /** SMC #imm. */
  smc(imm = 0): void {
    this.platform.boundary(this);
    this.platform.conduit(this, "smc", imm);
  }

  load64(gpa: bigint): MemoryAccessResult {
    this.platform.boundary(this);
    return this.platform.load64(this, gpa);
  }
  store64(gpa: bigint, value: bigint): void {
    this.platform.boundary(this);
    this.platform.store64(this, gpa, value);
  }
  load32(gpa: bigint): number {
    this.platform.boundary(this);
    return this.platform.load32(this, gpa);
  }
  store32(gpa: bigint, value: number): void {
    this.platform.boundary(this);
    this.platform.store32(this, gpa, value);
  }

  /** `ticks` of ordinary computation. */
  compute(ticks: number): void {
    this.platform.boundary(this);
    this.platform.work(this, BigInt(ticks));
    this.platform.boundary(this);
  }

  wfi(): void {
    this.platform.boundary(this);
    this.platform.waitForInterrupt(this);
    this.platform.boundary(this);
  }

  now(): bigint {
    return this.platform.now();
  }

  /** Installs the IRQ entry (VBAR_EL1 + 0x280 in a real kernel). */
  setIrqHandler(handler: (intid: number) => void): void {
    this.irqHandler = handler;
  }

  /** PSTATE.I. */
  get irqsMasked(): boolean {
    return this.masked;
  }
  setIrqsMasked(masked: boolean): void {
    this.masked = masked;
  }

  /**
   * Takes the lowest pending PPI if IRQs are unmasked and a handler is installed: the
   * exception entry masks IRQs, the handler runs, the return restores PSTATE.I. Called by the
   * platform at instruction boundaries.
   */
  takeInterrupts(): void {
    while (!this.masked && this.irqHandler !== undefined && this.pendingPpis.size > 0) {
      const intid = Math.min(...this.pendingPpis);
      this.pendingPpis.delete(intid);
      this.masked = true;
      try {
        this.irqHandler(intid);
      } finally {
        this.masked = false;
      }
    }
  }
}
