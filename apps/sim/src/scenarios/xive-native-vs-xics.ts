import type { Scenario } from "./scenario";

export const xiveNativeVsXics: Scenario = {
  name: "xive-native-vs-xics",
  title:
    "XIVE exploitation vs XICS, in kernel vs in the VMM; XIVE native reported false where it can't work",
  explanation:
    "Seed 3: POWER9's interrupt controller is XIVE. A guest negotiates through CAS either XIVE " +
    "exploitation (H_INT_* to configure, then ESB pages and the TIMA to trigger, acknowledge " +
    "and EOI) or the older XICS interface (H_IPI, H_XIRR, H_EOI, emulated over XIVE). Where the " +
    "controller runs decides what an interrupt costs: KVM's in-kernel device answers without " +
    "ever leaving the kernel, an emulation in the VMM pays an exit for every access. And the " +
    "capability is reported false where it cannot work: a KVM that itself runs in a pseries " +
    "partition (a nested L1's) has no XIVE native device, so a machine that offers both modes " +
    "falls back to XICS, and one that insists on XIVE refuses to start. The controller's state " +
    "(sources, queues, thread contexts) migrates with the machine.",
  lookAt:
    "the 'interrupts' and 'VMM exits' lines of --stats (exits per interrupt: 0 in kernel, about " +
    "4 in the VMM), and in the last two steps ibm,architecture-vec-5 byte 23 (0x00: XICS " +
    "granted) and the refusal naming KVM_CAP_PPC_IRQ_XIVE.",
  steps: (guests) => {
    const ipis = (program: string, machine: string): string[] => [
      ...["run", "-M", machine, "-smp", "2", "-kernel", `${guests}/${program}/${program}.elf`],
      ...["-append", "ipis=100", "--stats"],
    ];
    return [
      {
        says: "XIVE exploitation, in kernel: 104 interrupts between two vCPUs, no exit on their path",
        argv: ipis("xive", "pseries,ic-mode=xive"),
        expect: {
          status: 0,
          output: [
            "interrupts       104 accepted, xive in kernel",
            "interrupt path: mmio=0 hcall=0 (0.0 per interrupt)",
          ],
        },
      },
      {
        says: "the same XIVE emulated in the VMM: every ESB/TIMA access is an mmio exit",
        argv: ipis("xive", "pseries,ic-mode=xive,kernel-irqchip=off"),
        expect: {
          status: 0,
          output: [
            "interrupts       104 accepted, xive in the VMM",
            /mmio=4\d\d hcall=0 \(4\.\d per interrupt\)/,
          ],
          sameStdoutAs: 0,
        },
      },
      {
        says: "XIVE state survives a migration: paused mid-run, moved to another host, the same output",
        argv: [
          "migrate",
          "--at",
          "1500000",
          "--to",
          "power9-dd2.2",
          "--",
          ...ipis("xive", "pseries,ic-mode=xive").slice(1),
        ],
        expect: {
          status: 0,
          output: [/hvsim: migrated at instruction 1500000 \(snapshot \d+ KiB\)/],
          sameStdoutAs: 0,
        },
      },
      {
        says: "XICS in kernel: H_IPI, H_XIRR and H_EOI never leave KVM",
        argv: ipis("xics", "pseries,ic-mode=xics"),
        expect: { status: 0, output: [/xics in kernel\n.*interrupt path: mmio=0 hcall=0 /] },
      },
      {
        says: "XICS in the VMM: each of those hcalls is an exit",
        argv: ipis("xics", "pseries,ic-mode=xics,kernel-irqchip=off"),
        expect: {
          status: 0,
          output: [/xics in the VMM\n.*interrupt path: mmio=0 hcall=4\d\d \(4\.\d per interrupt\)/],
          sameStdoutAs: 3,
        },
      },
      {
        says: "on a nested L1's KVM (no XIVE device) a dual-mode machine grants XICS to a guest asking XIVE",
        argv: [
          ...["run", "-M", "pseries", "-smp", "2", "-kernel", `${guests}/xive/xive.elf`],
          ...["--host", "power9-l1"],
        ],
        expect: {
          status: 0,
          output: [
            "CAS (radix, GTSE, XIVE exploitation): rc=0, ibm,architecture-vec-5 byte 23: 0x00",
          ],
        },
      },
      {
        says: "and a machine that insists on XIVE there refuses to start, saying why",
        argv: [
          ...[
            "run",
            "-M",
            "pseries,ic-mode=xive",
            "-smp",
            "2",
            "-kernel",
            `${guests}/xive/xive.elf`,
          ],
          ...["--host", "power9-l1"],
        ],
        expect: {
          status: 1,
          output: ["XIVE native mode not available", "KVM_CAP_PPC_IRQ_XIVE is 0 on this host"],
        },
      },
    ];
  },
};
