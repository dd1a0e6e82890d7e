import { guestsDir } from "../../guests/guests-dir";
import { l1hvArgv } from "../../guests/l1hv-argv";
import { runGuestDemo } from "../../machines/pseries";
import type { RegisterCommand } from "../command";

/** One step of the demo: a heading, why it matters, and what it runs. */
type DemoStep = {
  title: string;
  why: string;
} & (
  | {
      /** An hvsim command line, run in this process. */
      argv: readonly string[];
      /** The exit status the step is expected to end with (a refusal is part of the story). */
      expectStatus?: number;
    }
  | {
      /** Boot every guest program on hvsim's pseries and compare with QEMU's output. */
      guests: true;
    }
);

// The main job (`pnpm demo`). Each step runs a real hvsim command in this process; the demo fails
// if any step ends with a status other than the one it expects. Steps for the machines arrive
// with the issues that build them.
export function demoSteps(guests: string): readonly DemoStep[] {
  // The xive / xics program on two vCPUs with 100 more IPIs, and what they cost.
  const ipis = (program: string, machine: string): readonly string[] => [
    "run",
    "-M",
    machine,
    "-smp",
    "2",
    "-kernel",
    `${guests}/${program}/${program}.elf`,
    "-append",
    "ipis=100",
    "--stats",
  ];
  return [
    {
      title: "The pseries machine boots real ppc64 guest programs, one after another",
      why: "each prints exactly what QEMU's pseries prints for the same image (its .expected golden)",
      guests: true,
    },
    {
      title: "XIVE in kernel: 100 IPIs between two vCPUs, and not one exit to the VMM",
      why: "the ESB pages and the TIMA OS page are KVM's device mapped into the guest; H_INT_* (setup) go to the VMM as on QEMU",
      argv: ipis("xive", "pseries,ic-mode=xive"),
    },
    {
      title: "The same XIVE emulated in the VMM (kernel-irqchip=off): four exits per interrupt",
      why: "the trigger store, ACK_OS_REG, the EOI load and the CPPR store each become an mmio exit",
      argv: ipis("xive", "pseries,ic-mode=xive,kernel-irqchip=off"),
    },
    {
      title: "XICS in the VMM: H_IPI, H_XIRR, H_IPI and H_EOI are four hcall exits per interrupt",
      why: "in kernel (the default) they, and RTAS ibm,set-xive & co, never leave KVM",
      argv: ipis("xics", "pseries,ic-mode=xics,kernel-irqchip=off"),
    },
    {
      title: "A nested L1's KVM has no XIVE native device: the guest asking for XIVE gets XICS",
      why: "KVM_CAP_PPC_IRQ_XIVE reads 0 there, so (as QEMU 8.1) CAS never grants exploitation",
      argv: [
        "run",
        "-M",
        "pseries",
        "-smp",
        "2",
        "-kernel",
        `${guests}/xive/xive.elf`,
        "--host",
        "power9-l1",
        "--stats",
      ],
    },
    {
      title: "The nested-HV ABI: what an L1 hypervisor calls to run an L2 vCPU",
      why: "H_ENTER_NESTED passes the L2's whole state in hv_guest_state + pt_regs on every entry",
      argv: ["abi", "hcall", "H_ENTER_NESTED"],
    },
    {
      title:
        "Capabilities are explicit machine options, with defaults fixed by the machine version",
      why: "cap-rpt-invalidate is never on by default; H_RPT_INVALIDATE is advertised only with it",
      argv: ["abi", "caps", "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on"],
    },
    {
      title: "Migration refuses a destination that cannot honour the source's caps",
      why: "a guest using H_RPT_INVALIDATE must not land on a host without it (seed 1)",
      argv: [
        "abi",
        "caps",
        "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on",
        "--migrate-to",
        "pseries-9.0,cap-nested-hv=on",
      ],
      expectStatus: 1,
    },
    {
      title: "L0 -> L1 -> L2: a hypervisor in machine code runs six nested guests on hvsim's L0",
      why: "l1hv uses H_SET_PARTITION_TABLE / H_ENTER_NESTED; without hcall-rpt-invalidate it falls back to H_TLB_INVALIDATE",
      argv: [...l1hvArgv(guests, "pseries,cap-nested-hv=on"), "--stats"],
    },
    {
      title: "The same with cap-rpt-invalidate=on: the L1 finds hcall-rpt-invalidate and uses it",
      why: "advertised in ibm,hypertas-functions only because the cap is on (never by default)",
      argv: l1hvArgv(guests, "pseries,cap-nested-hv=on,cap-rpt-invalidate=on"),
    },
    {
      title: "A deliberately missing invalidation: QEMU cannot see it, hvsim's tagged TLB does",
      why: "l1hv.invalidate=skip remaps an L2 page without invalidating; L2.1 reads stale data",
      argv: l1hvArgv(guests, "pseries,cap-nested-hv=on", "l1hv.invalidate=skip"),
    },
    {
      title: "arm64: a guest discovers its hypervisor's services without probing blindly",
      why: "conduit from the device tree's /psci, then PSCI, SMCCC, vendor UID and feature bitmap",
      argv: ["run", "-M", "arm64-virt,host=kvm,apf=on", "--guest", "discovery"],
    },
    {
      title: "arm64: a paravirtual async page fault lets the guest run another task meanwhile",
      why: "the service is found through the vendor hypervisor feature bitmap, never by trying it",
      argv: ["run", "-M", "arm64-virt,host=kvm,apf=on", "--guest", "apf"],
    },
    {
      title: "arm64: with no hypervisor, a careless guest that issues HVC anyway is killed",
      why: "why discovery must never probe: HVC is UNDEFINED when nothing said a conduit exists",
      argv: ["run", "-M", "arm64-virt,host=none,psci=off", "--guest", "blind-probe"],
      expectStatus: 1,
    },
  ];
}

export const registerDemo: RegisterCommand = (program, { io, run, setExit }) => {
  program
    .command("demo")
    .description("run hvsim's default demo (each step is an hvsim command)")
    .action(async () => {
      let failed = 0;
      const DEMO_STEPS = demoSteps(guestsDir());
      for (const [i, step] of DEMO_STEPS.entries()) {
        io.out(`\n== ${i + 1}/${DEMO_STEPS.length}  ${step.title}\n`);
        if ("guests" in step) {
          io.out(`   ${step.why}\n\n`);
          const results = runGuestDemo(guestsDir(), (t) => io.out(t));
          const bad = results.filter((r) => r.result.status !== 0 || r.matchesQemu === false);
          if (bad.length > 0) {
            failed++;
            io.err(`demo: ${bad.map((r) => r.name).join(", ")} did not end as on QEMU\n`);
          }
          continue;
        }
        io.out(`   ${step.why}\n   $ hvsim ${step.argv.join(" ")}\n\n`);
        const status = await run(step.argv);
        const expected = step.expectStatus ?? 0;
        if (status !== expected) {
          failed++;
          io.err(`demo: step ${i + 1} ended with status ${status}, expected ${expected}\n`);
        }
      }
      io.out(`\ndemo: ${DEMO_STEPS.length - failed} of ${DEMO_STEPS.length} steps as expected\n`);
      if (failed) setExit(1);
    });
};
