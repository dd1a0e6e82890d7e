// The vCPU power model PSCI works on: each vCPU is ON, OFF or ON_PENDING (DEN0022 §5.1.5,
// AFFINITY_INFO). KVM starts secondaries powered off (KVM_ARM_VCPU_POWER_OFF) and PSCI CPU_ON
// brings them up at an entry point with a context id in X0.
//
// Deliberate divergence: KVM makes a CPU_ON target runnable at once and never answers
// ON_PENDING. PSCI allows the pending stage (TF-A reports it while the core is powering up), and
// hvsim models it: the target stays ON_PENDING until the machine first schedules it, so a guest
// can meet ON_PENDING and ALREADY_ON as distinct answers.

/** Aff3 | Aff2 | Aff1 | Aff0 (Linux `MPIDR_HWID_BITMASK`). */
export const MPIDR_HWID_BITMASK = 0xff00ffffffn;

export type VcpuPowerState = "on" | "off" | "on-pending";

export interface PsciEntry {
  readonly pc: bigint;
  readonly contextId: bigint;
}

export interface PsciCpuState {
  readonly mpidr: string;
  readonly power: VcpuPowerState;
  readonly entryPc?: string;
  readonly contextId?: string;
}

export interface PsciPowerState {
  readonly version: 1;
  readonly cpus: readonly PsciCpuState[];
}

interface Cpu {
  mpidr: bigint;
  power: VcpuPowerState;
  entry?: PsciEntry;
}

/** MPIDR of vCPU `index` as KVM assigns it: Aff0 = index mod 16, Aff1 = index div 16. */
export function defaultMpidr(index: number): bigint {
  return BigInt(((index >> 4) << 8) | (index & 0xf));
}

export class PsciPowerModel {
  private readonly cpus: Cpu[];

  /** vCPU 0 starts on; the others start off, waiting for CPU_ON. */
  constructor(mpidrs: readonly bigint[]) {
    if (mpidrs.length === 0) throw new Error("a machine needs at least one vCPU");
    this.cpus = mpidrs.map((mpidr, i) => ({ mpidr, power: i === 0 ? "on" : "off" }));
  }

  get count(): number {
    return this.cpus.length;
  }

  power(index: number): VcpuPowerState {
    return this.cpu(index).power;
  }

  mpidr(index: number): bigint {
    return this.cpu(index).mpidr;
  }

  /** The vCPU whose MPIDR affinity fields equal `mpidr`'s. */
  findByMpidr(mpidr: bigint): number | undefined {
    const want = mpidr & MPIDR_HWID_BITMASK;
    const i = this.cpus.findIndex((c) => (c.mpidr & MPIDR_HWID_BITMASK) === want);
    return i < 0 ? undefined : i;
  }

  /** OFF → ON_PENDING with the entry the vCPU will start at. */
  markPending(index: number, entry: PsciEntry): void {
    const c = this.cpu(index);
    if (c.power !== "off") {
      throw new Error(`vCPU ${index} is ${c.power}: only an OFF vCPU can be started`);
    }
    c.power = "on-pending";
    c.entry = entry;
  }

  /** ON_PENDING → ON: the machine has scheduled the vCPU; returns where it starts. */
  completePending(index: number): PsciEntry {
    const c = this.cpu(index);
    if (c.power !== "on-pending" || c.entry === undefined) {
      throw new Error(`vCPU ${index} is ${c.power}, not ON_PENDING: nothing to complete`);
    }
    const entry = c.entry;
    c.power = "on";
    delete c.entry;
    return entry;
  }

  /** Any state → OFF (CPU_OFF, or a reset). */
  powerOff(index: number): void {
    const c = this.cpu(index);
    c.power = "off";
    delete c.entry;
  }

  /** The vCPUs waiting to be scheduled for the first time. */
  pending(): number[] {
    return this.cpus.flatMap((c, i) => (c.power === "on-pending" ? [i] : []));
  }

  save(): PsciPowerState {
    return {
      version: 1,
      cpus: this.cpus.map((c) => ({
        mpidr: c.mpidr.toString(),
        power: c.power,
        ...(c.entry !== undefined
          ? { entryPc: c.entry.pc.toString(), contextId: c.entry.contextId.toString() }
          : {}),
      })),
    };
  }

  static restore(state: PsciPowerState): PsciPowerModel {
    const m = new PsciPowerModel(state.cpus.map((c) => BigInt(c.mpidr)));
    m.loadFrom(state);
    return m;
  }

  /** Replaces every vCPU's power state with `state`'s (same vCPUs, same MPIDRs). */
  loadFrom(state: PsciPowerState): void {
    if (state.version !== 1) {
      throw new Error(
        `PSCI power state version ${String(state.version)} is not supported (expected 1)`,
      );
    }
    if (state.cpus.length !== this.cpus.length) {
      throw new Error(
        `PSCI power state has ${state.cpus.length} vCPUs; this machine has ${this.cpus.length}`,
      );
    }
    state.cpus.forEach((c, i) => {
      const cpu = this.cpu(i);
      if (BigInt(c.mpidr) !== cpu.mpidr) {
        throw new Error(
          `PSCI power state gives vCPU ${i} MPIDR ${c.mpidr}; this machine's is ${cpu.mpidr}`,
        );
      }
      cpu.power = c.power;
      if (c.entryPc !== undefined) {
        cpu.entry = { pc: BigInt(c.entryPc), contextId: BigInt(c.contextId ?? "0") };
      } else {
        delete cpu.entry;
      }
    });
  }

  private cpu(index: number): Cpu {
    const c = this.cpus[index];
    if (c === undefined) throw new Error(`no vCPU ${index} (the machine has ${this.cpus.length})`);
    return c;
  }
}
