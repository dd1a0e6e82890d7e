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
    "status says whether the move would go ahead.",
  steps: () => [
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
      says: "arm64: a VM whose frozen hypercall set has async PF cannot land on a host without it",
      argv: [
        ...["run", "-M", "arm64-virt,host=kvm,apf=on,kernel=kvm-apf", "--guest", "discovery"],
        ...["--migrate-to", "kvm-mainline"],
      ],
      expect: { status: 3, output: ['migration refused: host "kvm-mainline" does not implement'] },
    },
  ],
};
