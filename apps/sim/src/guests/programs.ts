// The guest programs under apps/sim/guests/, with the machine options each expects. Their
// `<name>.expected` files hold the console output QEMU's pseries prints for them; hvsim's
// pseries must print the same.
import type { HostAction } from "../machines/pseries/machine";

export interface GuestProgram {
  name: string;
  /** One line on what it shows. */
  summary: string;
  smp: number;
  /** The -M machine it runs on (default `pseries`); the golden is QEMU's output with it. */
  machine?: string;
  /** The program's folder and ELF under apps/sim/guests/ (default: `name`); the golden is
   *  `<image>/<name>.expected`, so one image can have several runs. */
  image?: string;
  /** -append: the kernel command line (/chosen/bootargs). */
  append?: string;
  /** What the host does while it runs: console input, power-down (QEMU: stdin, QMP). */
  host?: readonly HostAction[];
  /**
   * A documented difference between QEMU and hvsim (where hvsim follows the ISA and KVM):
   * hvsim's output is the golden with the line `qemu` replaced by `hvsim`.
   */
  qemuDeviation?: { qemu: string; hvsim: string; why: string };
}

/** The ELF of `p` and its golden, under the guests folder. */
export function programFiles(p: GuestProgram): { elf: string; golden: string } {
  const image = p.image ?? p.name;
  return { elf: `${image}/${image}.elf`, golden: `${image}/${p.name}.expected` };
}

/** Console input and a power-down request, each once the `devices` program asks for it. */
const DEVICES_HOST: readonly HostAction[] = [
  { after: "vty: waiting for a line of input\n", input: "hello from the host\r" },
  { after: "epow: waiting for the host's power-down request\n", powerdown: true },
];

/** What hvsim's pseries prints for `p`: its QEMU golden, with a documented deviation applied. */
export function hvsimExpected(p: GuestProgram, golden: string): string {
  const d = p.qemuDeviation;
  if (d === undefined) return golden;
  const lines = golden.split("\n");
  const at = lines.indexOf(d.qemu);
  if (at < 0) throw new Error(`${p.name}: the golden has no line ${JSON.stringify(d.qemu)}`);
  lines[at] = d.hvsim;
  return lines.join("\n");
}

export const GUEST_PROGRAMS: readonly GuestProgram[] = [
  { name: "hello", summary: "the device tree's model, memory size and CPU count", smp: 2 },
  { name: "timer", summary: "decrementer interrupts at a 1 ms period", smp: 1 },
  { name: "cede", summary: "H_CEDE idles until the decrementer wakes the vCPU", smp: 1 },
  {
    name: "radix",
    summary: "CAS to radix, H_REGISTER_PROC_TBL, relocation on at 0xc000..., a deliberate DSI",
    smp: 1,
  },
  { name: "smp", summary: "RTAS start-cpu brings up every vCPU; each says hello", smp: 3 },
  {
    name: "echo",
    summary: "console input through H_GET_TERM_CHAR, echoed line by line",
    smp: 1,
    host: [
      {
        after: 'echo: send lines, "quit" ends\n',
        input: "hello from the console\n\nline three, then quit\nquit\nnot read\n",
      },
    ],
  },
  {
    name: "stop",
    summary: "a guest `stop` idles until the decrementer wakes it, on DD2.2 and DD2.3 hosts",
    smp: 1,
    qemuDeviation: {
      qemu: "stop: refused 3 times with a privileged program interrupt; H_CEDE used instead",
      hvsim: "stop: idled in the guest, no program interrupt",
      why:
        "QEMU's TCG makes `stop` hypervisor-only (gen_stop: CHK_HV), so a guest gets a " +
        "privileged program interrupt; the ISA lets a guest stop (HFU cause 9 only when the " +
        "hypervisor set PSSCR[ESL|EC], which KVM then emulates), and hvsim follows the ISA",
    },
  },
  {
    name: "xive",
    summary:
      "XIVE exploitation: H_INT_* configuration, IPIs between two vCPUs through ESB trigger pages, ACK/EOI through the TIMA and ESB loads, CPPR masking",
    smp: 2,
    machine: "pseries,ic-mode=xive",
  },
  {
    name: "xics",
    summary:
      "XICS: H_IPI between two vCPUs, H_XIRR/H_XIRR_X, H_EOI, H_CPPR masking, H_IPOLL, RTAS ibm,set-xive/get-xive/int-off/int-on",
    smp: 2,
    machine: "pseries,ic-mode=xics",
  },
  {
    name: "devices",
    summary:
      "device interrupts through XICS: the vty's console input, the EPOW event source (system_powerdown, RTAS check-exception)",
    smp: 1,
    host: DEVICES_HOST,
  },
  {
    name: "devices-xive",
    image: "devices",
    summary: "the same device interrupts through XIVE exploitation (-append xive)",
    smp: 1,
    machine: "pseries,ic-mode=xive",
    append: "xive",
    host: DEVICES_HOST,
  },
];
