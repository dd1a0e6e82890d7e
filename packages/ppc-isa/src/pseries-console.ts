// A minimal pseries "firmware" virtual hypervisor for bare tools (`hvsim exec`, the
// benchmarks): the console hcall, RTAS power-off, illegal instructions reflected to the guest
// as program interrupts and `sc 1` from problem state answered H_PRIVILEGE (what QEMU does for
// a PAPR guest). The real pseries machine lives
// in apps/sim; this is just enough to run the loop programs of tooling-and-peers.md on a bare CPU.
import type { Cpu } from "./cpu";
import type { CpuView, PhysicalBus, VhypOutcome, VirtualHypervisor } from "./ports";
import { SRR1_PROGRAM_ILLEGAL, SRR1_PROGRAM_PRIV } from "./registers";

/** PAPR hcall numbers used here (the full table is @hvsim/hcall-abi's). */
const H_PUT_TERM_CHAR = 0x58;
const KVMPPC_H_RTAS = 0xf000;
const RTAS_POWER_OFF_TOKEN = 0x2003;
const H_SUCCESS = 0n;
const H_FUNCTION = -2n;
const H_PRIVILEGE = -3n;

export class PseriesConsole implements VirtualHypervisor {
  /** Everything the guest printed. */
  output = "";
  private cpu: Cpu | null = null;

  constructor(
    private readonly bus: PhysicalBus,
    private readonly onChar: (c: string) => void = () => {},
  ) {}

  /** Bind the CPU (needed to reflect interrupts). */
  attach(cpu: Cpu): void {
    this.cpu = cpu;
  }

  hcall(cpu: CpuView): VhypOutcome {
    const nr = Number(cpu.getGpr(3) & 0xffffffffn);
    switch (nr) {
      case H_PUT_TERM_CHAR: {
        const len = Number(cpu.getGpr(5) & 0xffn);
        const bytes = [cpu.getGpr(6), cpu.getGpr(7)];
        let s = "";
        for (let i = 0; i < Math.min(len, 16); i++) {
          const w = bytes[i >> 3]!;
          s += String.fromCharCode(Number((w >> BigInt(56 - 8 * (i & 7))) & 0xffn));
        }
        this.output += s;
        this.onChar(s);
        cpu.setGpr(3, H_SUCCESS);
        return { kind: "handled" };
      }
      case KVMPPC_H_RTAS: {
        const args = Number(cpu.getGpr(4) & 0xfffffffffffffn);
        const out = new Uint32Array(2);
        const token = this.bus.load(args, 4, false, out) ? out[1]! : 0;
        if (token === RTAS_POWER_OFF_TOKEN) return { kind: "exit", reason: "rtas power-off" };
        cpu.setGpr(3, H_FUNCTION);
        return { kind: "handled" };
      }
      default:
        cpu.setGpr(3, H_FUNCTION);
        return { kind: "handled" };
    }
  }

  hypervisorInterrupt(
    view: CpuView,
    vector: number,
    _srr0Hi: number,
    _srr0Lo: number,
    _srr1Hi: number,
    _srr1Lo: number,
  ): VhypOutcome {
    if (vector === 0xc00) {
      // `sc 1` from guest problem state: QEMU's pseries answers H_PRIVILEGE and the guest goes
      // on after the sc.
      view.setGpr(3, H_PRIVILEGE);
      return { kind: "handled" };
    }
    const cpu = this.cpu;
    if (cpu === null)
      return { kind: "exit", reason: `hypervisor interrupt 0x${vector.toString(16)}` };
    if (vector === 0xe40) {
      // HEAI in a PAPR guest: QEMU delivers a program interrupt (illegal, or privileged when
      // the instruction was a hypervisor-privileged one).
      cpu.deliverInterrupt(
        0x700,
        cpu.lastHeaiPrivileged ? SRR1_PROGRAM_PRIV : SRR1_PROGRAM_ILLEGAL,
        false,
      );
      return { kind: "handled" };
    }
    return { kind: "exit", reason: `hypervisor interrupt 0x${vector.toString(16)}` };
  }
}
