import type { Scenario } from "./scenario";

export const migrationCaps: Scenario = {
  name: "migration-caps",
  title: "Migration checks capabilities by QEMU's rules: higher on the source refuses, lower warns",
  explanation:
    "Every guest-visible feature is an explicit machine option with a default fixed by the " +
    "machine version, and the migration stream carries the caps that differ from that default. " +
    "A destination that would offer less than the guest was started with (a higher level in the " +
    "stream) refuses the stream naming the cap; one that offers more warns and accepts. On arm64 " +
    "the VM's hypercall set is frozen at creation, and a destination host without one of its " +
    "services refuses it.",
  lookAt:
    "the 'migration to ...' verdict of each step and the cap or service it names; the exit " +
    "status says whether the move went ahead (4: refused, and the source finished the run).",
  steps: (guests) => {
    // hello on two vCPUs, from a source machine with the given -M, paused at instruction 5000.
    const migrate = (to: readonly string[], machine: string): string[] => [
      ...["migrate", "--at", "5000", ...to, "--"],
      ...["-M", machine, "-smp", "2", "-kernel", `${guests}/hello/hello.elf`],
    ];
    return [
      {
        says: "a guest with cap-rpt-invalidate=on cannot move to a machine without it",
        argv: [
          ...["abi", "caps", "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on"],
          ...["--migrate-to", "pseries-9.0,cap-nested-hv=on"],
        ],
        expect: {
          status: 1,
          output: [
            "migration to pseries-9.0: error",
            "cap-rpt-invalidate higher level (1) in incoming stream than on destination (0)",
          ],
        },
      },
      {
        says: "the other way round only warns: the destination offers more than the guest uses",
        argv: [
          ...["abi", "caps", "pseries-9.0,cap-nested-hv=on"],
          ...["--migrate-to", "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on"],
        ],
        expect: {
          status: 0,
          output: [
            "migration to pseries-9.0: warning",
            "cap-rpt-invalidate lower level (0) in incoming stream than on destination (1)",
          ],
        },
      },
      {
        says: "a running guest with the cap, paused and sent to a machine without it: refused, the source goes on",
        argv: migrate(["--to-machine", "pseries"], "pseries,cap-rpt-invalidate=on"),
        expect: {
          status: 4,
          output: [
            "incoming migration refused: cap-rpt-invalidate higher level (1) in incoming stream than on destination (0)",
            "hvsim: the source resumes where it paused",
            "EXIT: STATUS=1",
          ],
        },
      },
      {
        says: "the same guest to a host whose KVM lacks H_RPT_INVALIDATE: the destination cannot start",
        argv: migrate(["--to", "rpt-invalidate=off"], "pseries,cap-rpt-invalidate=on"),
        expect: {
          status: 4,
          output: ["cap-rpt-invalidate=on: the host (POWER9 DD2.3) KVM has no H_RPT_INVALIDATE"],
        },
      },
      {
        says: "a guest without the cap moves to a machine with it: a warning, and it runs on there",
        argv: migrate(["--to-machine", "pseries,cap-rpt-invalidate=on"], "pseries"),
        expect: {
          status: 0,
          output: [
            "hvsim: warning: cap-rpt-invalidate lower level (0) in incoming stream than on destination (1)",
            "hvsim: migrated at instruction 5000",
            "EXIT: STATUS=1",
          ],
        },
      },
      {
        says: "arm64: a VM whose frozen hypercall set has async PF cannot land on a host without it",
        argv: [
          ...["run", "-M", "arm64-virt,host=kvm,apf=on,kernel=kvm-apf", "--guest", "discovery"],
          ...["--migrate-to", "kvm-mainline"],
        ],
        expect: {
          status: 3,
          output: ['migration refused: host "kvm-mainline" does not implement'],
        },
      },
    ];
  },
};
