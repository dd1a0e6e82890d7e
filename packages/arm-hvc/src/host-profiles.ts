// Simulated host kernels: what each implements. A host decides only whether a machine option
// can be honoured (DESIGN §4); what the guest sees comes from the machine's options.
import type { HostHypercallSupport } from "./firmware-regs";
import {
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from "./firmware-regs";
import { PSCI_VERSION_1_1 } from "./psci-ids";
import { ArmOptionError } from "./option-error";

const COMMON_REGS = [
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
];

/**
 * A KVM host as mainline has it (VENDOR_HYP_BMAP_2 exists since Linux 6.16), without the
 * async-PF proposal. DISCOVER_IMPL is left out: hvsim does not implement it, so no simulated
 * host offers it.
 */
export const KVM_HOST_MAINLINE: HostHypercallSupport = {
  name: "kvm-mainline",
  services: ["trng", "pv-time", "kvm-features", "ptp"],
  registers: [...COMMON_REGS, KVM_REG_ARM_VENDOR_HYP_BMAP_2],
  maxPsciVersion: PSCI_VERSION_1_1,
  spectreV2: "mitigated",
  spectreV4: "mitigated",
  spectreBhb: "mitigated",
};

/** A KVM host carrying hvsim's async-page-fault proposal. */
export const KVM_HOST_APF: HostHypercallSupport = {
  ...KVM_HOST_MAINLINE,
  name: "kvm-apf",
  services: ["trng", "pv-time", "kvm-features", "ptp", "apf"],
};

/** An older KVM (before Linux 6.16): no KVM_REG_ARM_VENDOR_HYP_BMAP_2 register at all. */
export const KVM_HOST_OLD: HostHypercallSupport = {
  ...KVM_HOST_MAINLINE,
  name: "kvm-old",
  registers: COMMON_REGS,
};

export const KVM_HOSTS: readonly HostHypercallSupport[] = [
  KVM_HOST_MAINLINE,
  KVM_HOST_APF,
  KVM_HOST_OLD,
];

export function kvmHostByName(name: string): HostHypercallSupport {
  const h = KVM_HOSTS.find((k) => k.name === name);
  if (h === undefined) {
    throw new ArmOptionError(
      `unknown KVM host "${name}": choose one of ${KVM_HOSTS.map((k) => k.name).join(", ")}`,
    );
  }
  return h;
}
