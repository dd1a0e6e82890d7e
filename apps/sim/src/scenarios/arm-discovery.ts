import type { Scenario } from "./scenario";

export const armDiscovery: Scenario = {
  name: "arm-discovery",
  title: "arm64: a guest discovers hypervisor services from the firmware tables, never by probing",
  explanation:
    "Seed 5: on arm64 an HVC or SMC is UNDEFINED when no firmware or hypervisor sits behind " +
    "it, so a guest must learn the conduit from the device tree (/psci method) or ACPI before " +
    "it issues one, then PSCI_VERSION, SMCCC_VERSION and ARCH_FEATURES, and only then the " +
    "vendor hypervisor service's UID and feature bitmap. The same discovery client finds KVM, " +
    "Xen or no hypervisor at all; a guest that probes blindly is killed.",
  lookAt:
    "the 'discovery:' summary line of each run (conduit, versions, hypervisor, services), and " +
    "the blind probe in the last step ending with the guest killed (status 1).",
  steps: () => [
    {
      says: "KVM: conduit hvc, the vendor UID, and the services its feature bitmap lists",
      argv: ["run", "-M", "arm64-virt,host=kvm,apf=on", "--guest", "discovery"],
      expect: {
        status: 0,
        output: ["discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services="],
      },
    },
    {
      says: "Xen: the same client recognises Xen's UID and asks it for nothing else",
      argv: ["run", "-M", "arm64-virt,host=xen", "--guest", "discovery"],
      expect: {
        status: 0,
        output: ["discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=xen services=none"],
      },
    },
    {
      says: "no hypervisor: PSCI through firmware (smc), Call UID not supported, no services",
      argv: ["run", "-M", "arm64-virt,host=none", "--guest", "discovery"],
      expect: {
        status: 0,
        output: [
          "smccc: no vendor hypervisor service (Call UID not supported)",
          "discovery: conduit=smc psci=1.1 smccc=1.2 hypervisor=none services=none",
        ],
      },
    },
    {
      says: "a guest that issues HVC when nothing said a conduit exists is killed",
      argv: ["run", "-M", "arm64-virt,host=none,psci=off", "--guest", "blind-probe"],
      expect: { status: 1, output: ["HVC #0 is UNDEFINED here"] },
    },
  ],
};
