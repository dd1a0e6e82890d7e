// Guest program "discovery": discover the platform, exercise PSCI power management on the
// secondary vCPU, summarise, power off. It uses only the conduit and the firmware tables.
import type { ArmGuestEnv, ArmGuestProgram } from "./arm-virt-machine";
import type { ArmVcpu } from "./arm-vcpu";
import type { DiscoveryReport } from "./discovery-client";
import { discoverPlatform, smcccInvoke } from "./discovery-client";
import { readCells } from "./device-tree";
import { psciFunction, psciReturnName } from "./psci-ids";
import { versionString } from "./arch-service";
import { w32Signed } from "./smccc-return";

/** Where the discovery guest keeps what it found, for a later program (e.g. after migration). */
export const DISCOVERY_SAVE_OFFSET = 0x1000n;
export const DISCOVERY_SAVE_MAGIC = 0x44495343n; // "DISC"
const SECONDARY_ENTRY_OFFSET = 0x8000n;

export interface DiscoveryGuestOptions {
  /** Power the machine off at the end (PSCI SYSTEM_OFF) when PSCI is there. Default true. */
  readonly powerOff?: boolean;
}

export function summarise(r: DiscoveryReport): string {
  const psci =
    r.psci.kind === "absent"
      ? "none"
      : r.psci.kind === "v0.1"
        ? "0.1"
        : versionString(r.psci.version);
  const conduit = r.psci.kind === "absent" ? "none" : r.psci.conduit;
  const smccc = r.smcccVersion === undefined ? "1.0" : versionString(r.smcccVersion);
  const services = [
    ...(r.services.trng ? ["trng"] : []),
    ...(r.services.ptp ? ["ptp"] : []),
    ...(r.services.pvTime ? ["pv-time"] : []),
    ...(r.services.apf ? ["apf"] : []),
  ];
  return `discovery: conduit=${conduit} psci=${psci} smccc=${smccc} hypervisor=${r.hypervisor.kind} services=${services.length === 0 ? "none" : services.join(",")}`;
}

/** The first secondary vCPU's MPIDR, from /cpus. */
function secondaryMpidr(env: ArmGuestEnv): bigint | undefined {
  const dt = env.firmware.deviceTree;
  if (dt === undefined) return undefined;
  const cpus = dt.childNames("/cpus").filter((n) => n.startsWith("cpu@"));
  const second = cpus[1];
  if (second === undefined) return undefined;
  const reg = readCells(dt.getProperty(`/cpus/${second}`, "reg"));
  return reg?.[0] === undefined ? undefined : BigInt(reg[0]);
}

function exercisePower(env: ArmGuestEnv, r: DiscoveryReport): void {
  if (r.psci.kind === "absent") return;
  const target = secondaryMpidr(env);
  if (target === undefined) return;
  const cpu = env.vcpu;
  const conduit = r.psci.conduit;
  const entry = env.ram.base + SECONDARY_ENTRY_OFFSET;
  env.defineEntry(entry, (secondary: ArmVcpu) => {
    env.log(
      `smp: CPU${secondary.index} booted (context id 0x${(secondary.x[0] ?? 0n).toString(16)})`,
    );
    if (r.psci.kind === "absent") return;
    // Park it again: CPU_OFF does not return.
    const off = r.psci.kind === "v0.1" ? r.psci.ids.cpu_off : psciFunction("CPU_OFF").id32;
    if (off !== undefined) smcccInvoke(secondary, conduit, off);
  });
  const onId = r.psci.kind === "v0.1" ? r.psci.ids.cpu_on : psciFunction("CPU_ON").id64;
  if (onId === undefined) return;
  const rc = w32Signed(smcccInvoke(cpu, conduit, onId, target, entry, 0x5eedn)[0]);
  env.log(`smp: CPU_ON(0x${target.toString(16)}) = ${psciReturnName(rc)}`);
  if (r.psci.kind === "standard") {
    const again = w32Signed(smcccInvoke(cpu, conduit, onId, target, entry, 0x5eedn)[0]);
    env.log(`smp: CPU_ON again before it ran = ${psciReturnName(again)}`);
    const aff = psciFunction("AFFINITY_INFO").id64 ?? 0;
    const states = ["ON", "OFF", "ON_PENDING"];
    const before = w32Signed(smcccInvoke(cpu, conduit, aff, target, 0n)[0]);
    env.log(`smp: AFFINITY_INFO = ${states[before] ?? psciReturnName(before)}`);
    cpu.compute(100); // the secondary gets to run
    const after = w32Signed(smcccInvoke(cpu, conduit, aff, target, 0n)[0]);
    env.log(`smp: AFFINITY_INFO after it ran = ${states[after] ?? psciReturnName(after)}`);
  } else {
    cpu.compute(100);
  }
}

/** Stores the KVM_FEATURES words the guest found, for `resumeGuest`. */
function remember(env: ArmGuestEnv, r: DiscoveryReport): void {
  const at = env.ram.base + DISCOVERY_SAVE_OFFSET;
  env.vcpu.store64(at, DISCOVERY_SAVE_MAGIC);
  const w = r.kvmFeatures ?? [0, 0, 0, 0];
  w.forEach((v, i) => env.vcpu.store32(at + 8n + BigInt(i * 4), v));
  env.vcpu.store32(at + 24n, r.psci.kind === "absent" ? 0 : r.psci.conduit === "hvc" ? 1 : 2);
}

export function discoveryGuest(opts: DiscoveryGuestOptions = {}): ArmGuestProgram {
  return (env) => {
    const report = discoverPlatform(env.firmware, env.vcpu, env.log);
    exercisePower(env, report);
    remember(env, report);
    env.log(summarise(report));
    if ((opts.powerOff ?? true) && report.psci.kind === "standard") {
      env.log("reboot: Power down");
      smcccInvoke(env.vcpu, report.psci.conduit, psciFunction("SYSTEM_OFF").id32);
    }
  };
}

/**
 * What a careless guest does: issue HVC to ask for a vendor UID without asking firmware first.
 * On a machine without EL2 that is an Undefined Instruction exception, and the guest dies.
 */
export function blindProbeGuest(): ArmGuestProgram {
  return (env) => {
    env.log("blind-probe: issuing HVC #0 (VENDOR_HYP_CALL_UID) without asking firmware");
    const r = smcccInvoke(env.vcpu, "hvc", 0x8600ff01);
    env.log(`blind-probe: survived, W0 = 0x${(r[0] & 0xffffffffn).toString(16)}`);
  };
}
