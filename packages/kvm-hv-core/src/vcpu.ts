// A vCPU: one ppc-isa Cpu running the guest in guest state (MSR[HV]=0, LPIDR = the VM's LPID),
// translated by the VM's RadixMmu, with this module playing the hypervisor for it (the
// VirtualHypervisor port): hcalls and hypervisor interrupts come here first.
import { Cpu, SPR } from "@hvsim/ppc-isa";
import type {
  CpuState,
  CpuView,
  InterruptLines,
  PhysicalBus,
  Translator,
  VhypOutcome,
  VirtualHypervisor,
} from "@hvsim/ppc-isa";
import type { VcpuExit } from "./exits";
import { mmioLoadValue, type MmioLoad } from "./mmio";

/** KVM's mp_state: a vCPU the VMM stopped (RTAS stop-self, reset) is not scheduled. */
export type VcpuMpState = "runnable" | "stopped";

export interface VcpuState {
  version: 1;
  id: number;
  mpState: VcpuMpState;
  ceded: boolean;
  dabr: string;
  cpu: CpuState;
  /** The level the VMM set with KVM_INTERRUPT (absent in older streams: low). */
  externalLine?: boolean;
  /** A load the VMM has not answered yet (absent: none). */
  mmioLoad?: MmioLoad | null;
}

/** The VM side a vCPU calls back into (implemented by Vm). */
export interface VcpuHost {
  hcall(v: Vcpu): VhypOutcome;
  /** `srr1`: what HSRR1 would have received (the MSR plus the interrupt's cause bits). */
  hypervisorInterrupt(v: Vcpu, vector: number, srr1: bigint): VhypOutcome;
}

export class Vcpu implements CpuView {
  readonly cpu: Cpu;
  mpState: VcpuMpState = "runnable";
  /** In H_CEDE: not run until an interrupt is pending for it. */
  ceded = false;
  /** H_SET_DABR value (no watchpoints are modelled). */
  dabr = 0n;
  /** The exit the current run ended with, set by the hypervisor callbacks. */
  pendingExit: VcpuExit | null = null;
  /** External interrupt input as the VMM sets it (KVM_INTERRUPT), for a VMM irqchip. */
  externalLine = false;
  /** The MMIO load this vCPU waits for (after an `mmio` exit), or null. */
  mmioLoad: MmioLoad | null = null;
  /** Register state right after KVM_CREATE_VCPU and KVM's setup (what a reset returns to). */
  private resetState: CpuState | null = null;

  constructor(
    readonly id: number,
    bus: PhysicalBus,
    translator: Translator,
    host: VcpuHost,
    lines: InterruptLines,
    log: (m: string) => void,
  ) {
    const vhyp: VirtualHypervisor = {
      hcall: () => host.hcall(this),
      hypervisorInterrupt: (_c, vector, _s0h, _s0l, srr1Hi, srr1Lo) =>
        host.hypervisorInterrupt(
          this,
          vector,
          (BigInt(srr1Hi >>> 0) << 32n) | BigInt(srr1Lo >>> 0),
        ),
    };
    this.cpu = new Cpu({ bus, translator, vhyp, lines, pir: id, darnSeed: 0x5eed + id, log });
  }

  get pir(): number {
    return this.id;
  }
  getGpr(n: number): bigint {
    return this.cpu.getGpr(n);
  }
  setGpr(n: number, v: bigint): void {
    this.cpu.setGpr(n, BigInt.asUintN(64, v));
  }
  get pc(): bigint {
    return this.cpu.pc;
  }
  set pc(v: bigint) {
    this.cpu.pc = v;
  }
  get msr(): bigint {
    return this.cpu.msr;
  }
  set msr(v: bigint) {
    this.cpu.msr = v;
  }
  getSpr(n: number): bigint {
    return this.cpu.getSpr(n);
  }
  setSpr(n: number, v: bigint): void {
    this.cpu.setSpr(n, v);
  }

  /** Remember the current register state as this vCPU's reset state. */
  captureResetState(): void {
    this.resetState = this.cpu.save();
  }

  /**
   * Back to the reset state (what QEMU writes with KVM_SET_REGS/SREGS at a machine reset):
   * every register as at creation, runnable, not ceded. Time goes on: the timebase and the
   * instruction count continue, and DEC restarts at its reset value.
   */
  reset(): void {
    if (this.resetState === null) throw new Error(`vCPU ${this.id} has no reset state`);
    const icount = this.cpu.icount;
    const tbOffset = this.cpu.tbOffset;
    this.cpu.restore(this.resetState);
    this.cpu.icount = icount;
    this.cpu.tbOffset = tbOffset;
    this.cpu.setSpr(SPR.DEC, 0xffffffffn);
    this.cpu.stopped = false;
    this.mpState = "runnable";
    this.ceded = false;
    this.dabr = 0n;
    this.pendingExit = null;
    this.externalLine = false;
    this.mmioLoad = null;
  }

  /**
   * Answer the MMIO load of the last `mmio` exit (what QEMU puts in run->mmio.data before the
   * next KVM_RUN): `data` is the big-endian reading of the bytes at the address. The target
   * register gets it in the access's byte order, sign-extended for lha/lwa.
   */
  completeMmio(data: bigint): void {
    const l = this.mmioLoad;
    if (l === null) throw new Error(`vCPU ${this.id} has no MMIO load to complete`);
    this.setGpr(l.reg, mmioLoadValue(l, data));
    this.mmioLoad = null;
  }

  /** A decrementer interrupt is pending (DEC negative in its width). */
  decPending(): boolean {
    const v = this.cpu.getSpr(SPR.DEC);
    return BigInt.asIntN(64, v) < 0n;
  }

  save(): VcpuState {
    return {
      version: 1,
      id: this.id,
      mpState: this.mpState,
      ceded: this.ceded,
      dabr: this.dabr.toString(),
      cpu: this.cpu.save(),
      externalLine: this.externalLine,
      mmioLoad: this.mmioLoad === null ? null : { ...this.mmioLoad },
    };
  }

  restore(s: VcpuState): void {
    if (s.version !== 1 || s.id !== this.id) {
      throw new Error(
        `vCPU state version ${s.version} for vCPU ${s.id} does not fit vCPU ${this.id}`,
      );
    }
    this.mpState = s.mpState;
    this.ceded = s.ceded;
    this.dabr = BigInt(s.dabr);
    this.externalLine = s.externalLine ?? false;
    this.mmioLoad = s.mmioLoad ?? null;
    this.cpu.restore(s.cpu);
  }
}
