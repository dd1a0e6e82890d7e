// Options of the arm64-virt machine: what the user asks for, checked and with every default
// filled in. Every guest-visible feature is an explicit option with a fixed default (DESIGN §4).
import type { Conduit } from "./smccc-call";
import type { HostHypercallSupport } from "./firmware-regs";
import { KVM_APF_DEFAULT_READY_INTID } from "./apf-abi";
import { PSCI_VERSION_0_1, PSCI_VERSION_0_2, PSCI_VERSION_1_0, PSCI_VERSION_1_1 } from "./psci-ids";
import { ArmOptionError } from "./option-error";

export type ArmHostKind = "kvm" | "xen" | "none";
export type PsciVersionName = "0.1" | "0.2" | "1.0" | "1.1";
export type FirmwareTables = "dt" | "acpi";

export interface ArmVirtMachineOptions {
  readonly host: ArmHostKind;
  /** The simulated KVM host kernel (host=kvm only). Default: kvm-apf when apf is on, else kvm-mainline. */
  readonly hostKernel?: HostHypercallSupport;
  /** Expose the async-PF service (host=kvm only). Default off: never on by default (migration). */
  readonly apf?: boolean;
  /** Expose KVM_PTP (host=kvm). Default on. */
  readonly ptp?: boolean;
  /** Expose PV stolen time (host=kvm). Default on. */
  readonly pvTime?: boolean;
  /** Expose the TRNG firmware interface (host=kvm). Default on, as KVM's default bitmap has it. */
  readonly trng?: boolean;
  /** Seed of the simulated entropy source behind TRNG. */
  readonly trngSeed?: bigint;
  /**
   * SMCCC version of the EL3 firmware (host=none). Default "1.2"; "1.0" firmware has no
   * SMCCC_VERSION and no Arm architecture service, and PSCI_FEATURES(SMCCC_VERSION) says so.
   */
  readonly firmwareSmccc?: "1.0" | "1.2";
  /** Default 1.1. "0.1" (KVM's pre-standard ids) exists on host=kvm only. */
  readonly psciVersion?: PsciVersionName;
  /** Describe PSCI to the guest (a /psci node, or the FADT PSCI flag). Default true. */
  readonly psci?: boolean;
  /** The conduit firmware names. Default hvc (kvm, xen) or smc (none). */
  readonly conduit?: Conduit;
  /** Device tree or ACPI. Default dt. */
  readonly firmwareTables?: FirmwareTables;
  /** Default 2. */
  readonly vcpus?: number;
  /** Default 0x40000000 (QEMU virt). */
  readonly ramBase?: bigint;
  /** Default 128 MiB. */
  readonly ramSize?: number;
  /** How many ticks a host swap-in takes. Default 20000. */
  readonly swapInTicks?: number;
  readonly apfReadyIntid?: number;
}

/** The machine's options with every default filled in (plain data: it travels in a snapshot). */
export interface ArmVirtResolvedOptions {
  readonly host: ArmHostKind;
  readonly apf: boolean;
  readonly ptp: boolean;
  readonly pvTime: boolean;
  readonly trng: boolean;
  readonly trngSeed: string;
  readonly firmwareSmccc: "1.0" | "1.2";
  readonly psciVersion: PsciVersionName;
  readonly psci: boolean;
  readonly conduit: Conduit;
  readonly firmwareTables: FirmwareTables;
  readonly vcpus: number;
  readonly ramBase: string;
  readonly ramSize: number;
  readonly swapInTicks: number;
  readonly apfReadyIntid: number;
}

/** PSCI version names → the PSCI_VERSION word. */
export const PSCI_VERSION_WORDS: Readonly<Record<PsciVersionName, number>> = {
  "0.1": PSCI_VERSION_0_1,
  "0.2": PSCI_VERSION_0_2,
  "1.0": PSCI_VERSION_1_0,
  "1.1": PSCI_VERSION_1_1,
};

/** Checks `o` and fills in the defaults; a bad option throws with what to change. */
export function resolveArmVirtOptions(o: ArmVirtMachineOptions): ArmVirtResolvedOptions {
  const host = o.host;
  if (host !== "kvm" && host !== "xen" && host !== "none") {
    throw new ArmOptionError(`host=${String(host)} is not a host kind: use kvm, xen or none`);
  }
  const vcpus = o.vcpus ?? 2;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 64) {
    throw new ArmOptionError(`vcpus=${vcpus} is out of range: use 1 to 64`);
  }
  const psciVersion = o.psciVersion ?? "1.1";
  if (!(psciVersion in PSCI_VERSION_WORDS)) {
    throw new ArmOptionError(
      `psci-version=${String(psciVersion)} is not supported: use 0.1, 0.2, 1.0 or 1.1`,
    );
  }
  if (psciVersion === "0.1" && host !== "kvm") {
    throw new ArmOptionError(
      `psci-version=0.1 (KVM's pre-standard ids) needs host=kvm; ${host} implements PSCI 0.2+`,
    );
  }
  const ramSize = o.ramSize ?? 128 << 20;
  if (ramSize < 1 << 20 || ramSize % 4096 !== 0) {
    throw new ArmOptionError(
      `ram size ${ramSize} is not usable: give at least 1 MiB, a multiple of 4 KiB`,
    );
  }
  const firmwareSmccc = o.firmwareSmccc ?? "1.2";
  if (firmwareSmccc !== "1.0" && firmwareSmccc !== "1.2") {
    throw new ArmOptionError(`smccc=${String(firmwareSmccc)} is not supported: use 1.0 or 1.2`);
  }
  if (firmwareSmccc === "1.0" && host !== "none") {
    throw new ArmOptionError(`smccc=1.0 describes old EL3 firmware and needs host=none`);
  }
  const apf = o.apf ?? false;
  if (apf && host !== "kvm") {
    throw new ArmOptionError(
      `apf=on needs host=kvm: the async-PF service is a KVM vendor hypervisor service`,
    );
  }
  return {
    host,
    apf,
    ptp: host === "kvm" && (o.ptp ?? true),
    pvTime: host === "kvm" && (o.pvTime ?? true),
    trng: host === "kvm" && (o.trng ?? true),
    trngSeed: (o.trngSeed ?? 0x5eed_0000_c0ffeen).toString(),
    firmwareSmccc,
    psciVersion,
    psci: o.psci ?? true,
    conduit: o.conduit ?? (host === "none" ? "smc" : "hvc"),
    firmwareTables: o.firmwareTables ?? "dt",
    vcpus,
    ramBase: (o.ramBase ?? 0x40000000n).toString(),
    ramSize,
    swapInTicks: o.swapInTicks ?? 20000,
    apfReadyIntid: o.apfReadyIntid ?? KVM_APF_DEFAULT_READY_INTID,
  };
}
