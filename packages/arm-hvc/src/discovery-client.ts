// The guest-side discovery client: learns the conduit and the hypervisor the way Linux does
// (drivers/firmware/psci/psci.c, drivers/firmware/smccc/, arch/arm/xen/enlighten.c) and never
// executes HVC or SMC unless firmware said a conduit exists. On a machine without EL2 an HVC is
// UNDEFINED and kills a kernel that has no handler for it; an unknown SMC may mean something
// else entirely to pre-SMCCC firmware. So: the conduit comes from the device tree's /psci
// `method` or the ACPI FADT flags; SMCCC calls beyond PSCI need PSCI >= 1.0 to have vouched for
// SMCCC >= 1.1; vendor calls need the vendor UID; each vendor service needs its bit in the
// KVM_FEATURES bitmap.
import type { Conduit } from "./smccc-call";
import type { MemoryAccessResult } from "./arm-vcpu";
import type { FirmwareDescription } from "./device-tree";
import {
  ACPI_FADT_PSCI_COMPLIANT,
  ACPI_FADT_PSCI_USE_HVC,
  readCells,
  readStringList,
} from "./device-tree";
import {
  SMCCC_ARCH_FEATURES_FUNC_ID,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION_FUNC_ID,
  versionString,
} from "./arch-service";
import { PSCI_RET_NOT_SUPPORTED, PSCI_TOS_NOT_PRESENT_MP, psciFunction } from "./psci-ids";
import { SMCCC_RET_SUCCESS, w32, w32Signed } from "./smccc-return";
import { KVM_VENDOR_HYP_UID, XEN_VENDOR_HYP_UID, registersToUuid } from "./smccc-uid";
import {
  ARM_SMCCC_KVM_FUNC_PTP,
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  hypServiceAvailable,
} from "./vendor-hyp-service";
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST } from "./pv-time";
import {
  ARM_SMCCC_KVM_FUNC_APF_FEATURES,
  ARM_SMCCC_KVM_FUNC_APF_READY_ACK,
  ARM_SMCCC_KVM_FUNC_APF_REGISTER,
} from "./apf-abi";
import { ARM_SMCCC_TRNG_VERSION, ARM_SMCCC_TRNG_VERSION_1_0 } from "./trng-service";
import { XEN_HYPERCALL_TAG, XENVER_version, __HYPERVISOR_xen_version } from "./xen-hypercall";

/** What the client needs of the CPU it runs on (a consumer-side port). */
export interface ConduitCpu {
  readonly x: bigint[];
  hvc(imm?: number): void;
  smc(imm?: number): void;
  load64(gpa: bigint): MemoryAccessResult;
}

/** `arm_smccc_1_1_invoke`: X0 = fid, X1.. = args, the conduit instruction, X0..X3 back. */
export function smcccInvoke(
  cpu: ConduitCpu,
  conduit: Conduit,
  functionId: number,
  ...args: readonly bigint[]
): readonly [bigint, bigint, bigint, bigint] {
  cpu.x[0] = BigInt(functionId >>> 0);
  args.forEach((a, i) => (cpu.x[i + 1] = BigInt.asUintN(64, a)));
  if (conduit === "hvc") cpu.hvc(0);
  else cpu.smc(0);
  return [cpu.x[0] ?? 0n, cpu.x[1] ?? 0n, cpu.x[2] ?? 0n, cpu.x[3] ?? 0n];
}

export type PsciDiscovery =
  | { readonly kind: "absent"; readonly why: string }
  /** PSCI 0.1: function ids from the node's properties; no version call exists. */
  | {
      readonly kind: "v0.1";
      readonly conduit: Conduit;
      readonly ids: {
        readonly cpu_on?: number;
        readonly cpu_off?: number;
        readonly cpu_suspend?: number;
        readonly migrate?: number;
      };
    }
  | { readonly kind: "standard"; readonly conduit: Conduit; readonly version: number };

export type HypervisorIdentity =
  | { readonly kind: "none" }
  | { readonly kind: "xen"; readonly compatible: readonly string[]; readonly version?: string }
  | { readonly kind: "kvm" }
  | { readonly kind: "other"; readonly uid: string };

export interface DiscoveredServices {
  readonly trng: boolean;
  readonly ptp: boolean;
  readonly pvTime: boolean;
  readonly apf: boolean;
}

export interface DiscoveryReport {
  readonly source: "device-tree" | "acpi" | "none";
  readonly psci: PsciDiscovery;
  /** SMCCC version recorded (>= 1.1), or undefined when the conduit is not SMCCC 1.1-capable. */
  readonly smcccVersion: number | undefined;
  /** Linux `arm_smccc_1_1_get_conduit()`. */
  readonly smcccConduit: Conduit | "none";
  readonly hypervisor: HypervisorIdentity;
  /** KVM_FEATURES W0..W3, when the hypervisor is KVM. */
  readonly kvmFeatures: readonly [number, number, number, number] | undefined;
  readonly services: DiscoveredServices;
  /** SMCCC_ARCH_FEATURES(WORKAROUND_1/2/3) answers, when SMCCC >= 1.1. */
  readonly workarounds:
    { readonly wa1: number; readonly wa2: number; readonly wa3: number } | undefined;
  /** Stolen time read from the PV-time record, when the service is there. */
  readonly stolenTimeNs: bigint | undefined;
}

const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

function findPsciNode(fw: FirmwareDescription): { path: string; compatible: string[] } | undefined {
  const dt = fw.deviceTree;
  if (dt === undefined) return undefined;
  for (const name of dt.childNames("/")) {
    const path = `/${name}`;
    const compatible = readStringList(dt.getProperty(path, "compatible"));
    if (compatible.some((c) => c === "arm,psci" || c === "arm,psci-0.2" || c === "arm,psci-1.0")) {
      return { path, compatible };
    }
  }
  return undefined;
}

/** Step 1: what firmware says about PSCI and the conduit. No instruction is executed. */
function readConduit(
  fw: FirmwareDescription,
  log: (s: string) => void,
): {
  source: DiscoveryReport["source"];
  conduit: Conduit | undefined;
  psci01Ids?: { cpu_on?: number; cpu_off?: number; cpu_suspend?: number; migrate?: number };
  why?: string;
} {
  if (fw.deviceTree !== undefined) {
    const node = findPsciNode(fw);
    if (node === undefined) {
      log("psci: no PSCI node in the device tree: PSCI and SMCCC are not available");
      return { source: "device-tree", conduit: undefined, why: "no /psci node" };
    }
    log("psci: probing for conduit method from DT.");
    const method = readStringList(fw.deviceTree.getProperty(node.path, "method"))[0];
    if (method !== "hvc" && method !== "smc") {
      log(`psci: invalid "method" property: ${method ?? "(missing)"}`);
      return {
        source: "device-tree",
        conduit: undefined,
        why: `invalid method ${method ?? "(missing)"}`,
      };
    }
    const only01 = !node.compatible.some((c) => c === "arm,psci-0.2" || c === "arm,psci-1.0");
    if (only01) {
      const id = (p: string) => readCells(fw.deviceTree?.getProperty(node.path, p))?.[0];
      const ids: { cpu_on?: number; cpu_off?: number; cpu_suspend?: number; migrate?: number } = {};
      for (const p of ["cpu_on", "cpu_off", "cpu_suspend", "migrate"] as const) {
        const v = id(p);
        if (v !== undefined) ids[p] = v;
      }
      return { source: "device-tree", conduit: method, psci01Ids: ids };
    }
    return { source: "device-tree", conduit: method };
  }
  if (fw.acpi !== undefined) {
    if ((fw.acpi.armBootFlags & ACPI_FADT_PSCI_COMPLIANT) === 0) {
      log("psci: PSCI is not present in the ACPI FADT: PSCI and SMCCC are not available");
      return { source: "acpi", conduit: undefined, why: "FADT says PSCI is not present" };
    }
    log("psci: probing for conduit method from ACPI.");
    return {
      source: "acpi",
      conduit: (fw.acpi.armBootFlags & ACPI_FADT_PSCI_USE_HVC) !== 0 ? "hvc" : "smc",
    };
  }
  log("psci: no firmware tables: PSCI and SMCCC are not available");
  return { source: "none", conduit: undefined, why: "no firmware tables" };
}

/** Xen is found from the device tree alone (Linux `fdt_find_hyper_node`): depth-1 "hypervisor". */
function findXen(fw: FirmwareDescription): readonly string[] | undefined {
  const dt = fw.deviceTree;
  if (dt === undefined || !dt.childNames("/").includes("hypervisor")) return undefined;
  const compatible = readStringList(dt.getProperty("/hypervisor", "compatible"));
  return compatible.includes("xen,xen") ? compatible : undefined;
}

/**
 * Runs Linux's probe order on `cpu` and returns what it found; `log` receives dmesg-style
 * lines. Every SMCCC call it makes is justified by something discovered before it.
 */
export function discoverPlatform(
  fw: FirmwareDescription,
  cpu: ConduitCpu,
  log: (line: string) => void,
): DiscoveryReport {
  let hypervisor: HypervisorIdentity = { kind: "none" };

  const xen = findXen(fw);
  if (xen !== undefined) {
    const ver = xen.find((c) => c.startsWith("xen,xen-"))?.slice("xen,xen-".length);
    log(`xen: Xen ${ver ?? "unknown version"} support found`);
    // The /hypervisor node says Xen is there: its hypercall (HVC #0xEA1) is now safe to issue.
    cpu.x[16] = BigInt(__HYPERVISOR_xen_version);
    cpu.x[0] = BigInt(XENVER_version);
    cpu.hvc(XEN_HYPERCALL_TAG);
    const v = w32(cpu.x[0] ?? 0n);
    const version = `${v >>> 16}.${v & 0xffff}`;
    log(`xen: Xen version ${version}`);
    hypervisor = { kind: "xen", compatible: xen, version };
  }

  const c = readConduit(fw, log);
  const none: DiscoveredServices = { trng: false, ptp: false, pvTime: false, apf: false };
  if (c.conduit === undefined) {
    return {
      source: c.source,
      psci: { kind: "absent", why: c.why ?? "not described" },
      smcccVersion: undefined,
      smcccConduit: "none",
      hypervisor,
      kvmFeatures: undefined,
      services: none,
      workarounds: undefined,
      stolenTimeNs: undefined,
    };
  }
  const conduit = c.conduit;
  const call = (fid: number, ...args: bigint[]) => smcccInvoke(cpu, conduit, fid, ...args);

  if (c.psci01Ids !== undefined) {
    log("psci: Using PSCI v0.1 Function IDs from DT");
    // PSCI 0.1 predates SMCCC: no version call, no SMCCC conduit (Linux: SMCCC_CONDUIT_NONE).
    return {
      source: c.source,
      psci: { kind: "v0.1", conduit, ids: c.psci01Ids },
      smcccVersion: undefined,
      smcccConduit: "none",
      hypervisor,
      kvmFeatures: undefined,
      services: none,
      workarounds: undefined,
      stolenTimeNs: undefined,
    };
  }

  const ver = w32(call(psciFunction("PSCI_VERSION").id32)[0]);
  log(`psci: PSCIv${versionString(ver)} detected in firmware.`);
  if (ver >>> 16 === 0 && (ver & 0xffff) < 2) {
    log("psci: Conflicting PSCI version detected.");
    return {
      source: c.source,
      psci: { kind: "absent", why: `firmware reports PSCI ${versionString(ver)}` },
      smcccVersion: undefined,
      smcccConduit: "none",
      hypervisor,
      kvmFeatures: undefined,
      services: none,
      workarounds: undefined,
      stolenTimeNs: undefined,
    };
  }
  log("psci: Using standard PSCI v0.2 function IDs");
  if (w32Signed(call(psciFunction("MIGRATE_INFO_TYPE").id32)[0]) === PSCI_TOS_NOT_PRESENT_MP) {
    log("psci: Trusted OS migration not required");
  }

  let smcccVersion: number | undefined;
  if (ver >>> 16 >= 1) {
    const f = w32Signed(call(psciFunction("PSCI_FEATURES").id32, BigInt(SMCCC_VERSION_FUNC_ID))[0]);
    if (f !== PSCI_RET_NOT_SUPPORTED) {
      const sv = w32Signed(call(SMCCC_VERSION_FUNC_ID)[0]);
      if (sv >= 0x10001) smcccVersion = sv;
    }
  }
  log(
    `psci: SMC Calling Convention v${smcccVersion === undefined ? "1.0" : versionString(smcccVersion)}`,
  );
  const psci: PsciDiscovery = { kind: "standard", conduit, version: ver };
  if (smcccVersion === undefined) {
    return {
      source: c.source,
      psci,
      smcccVersion: undefined,
      smcccConduit: "none",
      hypervisor,
      kvmFeatures: undefined,
      services: none,
      workarounds: undefined,
      stolenTimeNs: undefined,
    };
  }

  // SMCCC >= 1.1 over a known conduit: architecture and hypervisor calls are now safe.
  // Linux's `arm_smccc_version_init` probes TRNG first (`smccc_probe_trng`).
  const trngVersion = w32Signed(call(ARM_SMCCC_TRNG_VERSION)[0]);
  const trng = trngVersion >= ARM_SMCCC_TRNG_VERSION_1_0;
  if (trng) log(`smccc: TRNG v${versionString(trngVersion)} is available`);
  const archFeature = (fid: number) => w32Signed(call(SMCCC_ARCH_FEATURES_FUNC_ID, BigInt(fid))[0]);
  const workarounds = {
    wa1: archFeature(SMCCC_ARCH_WORKAROUND_1),
    wa2: archFeature(SMCCC_ARCH_WORKAROUND_2),
    wa3: archFeature(SMCCC_ARCH_WORKAROUND_3),
  };
  log(
    `smccc: ARCH_FEATURES: WORKAROUND_1 ${workarounds.wa1}, WORKAROUND_2 ${workarounds.wa2}, WORKAROUND_3 ${workarounds.wa3}`,
  );

  let kvmFeatures: [number, number, number, number] | undefined;
  const uidRegs = call(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID);
  if (w32Signed(uidRegs[0]) !== -1) {
    const uid = registersToUuid([
      w32(uidRegs[0]),
      w32(uidRegs[1]),
      w32(uidRegs[2]),
      w32(uidRegs[3]),
    ]);
    if (uid === KVM_VENDOR_HYP_UID) {
      hypervisor = { kind: "kvm" };
      const r = call(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID);
      kvmFeatures = [w32(r[0]), w32(r[1]), w32(r[2]), w32(r[3])];
      log(
        `smccc: KVM: hypervisor services detected (${hex8(kvmFeatures[3])} ${hex8(kvmFeatures[2])} ${hex8(kvmFeatures[1])} ${hex8(kvmFeatures[0])})`,
      );
    } else if (uid === XEN_VENDOR_HYP_UID) {
      log(`smccc: vendor hypervisor UID ${uid} (Xen)`);
      if (hypervisor.kind === "none") hypervisor = { kind: "xen", compatible: [] };
    } else {
      log(`smccc: vendor hypervisor UID ${uid} (not one this client knows)`);
      hypervisor = { kind: "other", uid };
    }
  } else {
    log("smccc: no vendor hypervisor service (Call UID not supported)");
  }

  const has = (fn: number) => kvmFeatures !== undefined && hypServiceAvailable(kvmFeatures, fn);
  const ptp = has(ARM_SMCCC_KVM_FUNC_PTP);
  if (ptp) log("ptp_kvm: KVM PTP clock is available");
  const apf =
    has(ARM_SMCCC_KVM_FUNC_APF_FEATURES) &&
    has(ARM_SMCCC_KVM_FUNC_APF_REGISTER) &&
    has(ARM_SMCCC_KVM_FUNC_APF_READY_ACK);
  if (apf) log("kvm-apf: async page fault service is available");

  // PV time (Linux `has_pv_steal_clock`): ARCH_FEATURES first, then the service's own query.
  let pvTime = false;
  let stolenTimeNs: bigint | undefined;
  if (archFeature(ARM_SMCCC_HV_PV_TIME_FEATURES) === SMCCC_RET_SUCCESS) {
    const f = w32Signed(call(ARM_SMCCC_HV_PV_TIME_FEATURES, BigInt(ARM_SMCCC_HV_PV_TIME_ST))[0]);
    if (f === SMCCC_RET_SUCCESS) {
      const ipa = call(ARM_SMCCC_HV_PV_TIME_ST)[0];
      if (BigInt.asIntN(64, ipa) !== -1n) {
        const rec = cpu.load64(ipa + 8n);
        if (rec.kind === "value") {
          pvTime = true;
          stolenTimeNs = rec.value;
          log(
            `arm-pv: using stolen time PV (record at 0x${ipa.toString(16)}, ${rec.value} ns stolen)`,
          );
        }
      }
    }
  }

  return {
    source: c.source,
    psci,
    smcccVersion,
    smcccConduit: conduit,
    hypervisor,
    kvmFeatures,
    services: { trng, ptp, pvTime, apf },
    workarounds,
    stolenTimeNs,
  };
}
