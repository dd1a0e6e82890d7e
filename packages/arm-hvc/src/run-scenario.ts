// The scenario entry point behind `hvsim run -M arm64-virt[,host=..][,apf=..] --guest ..`:
// build the machine, run a guest program, optionally migrate and run on, and report output
// lines and an exit status.
import type {
  ArmExit,
  ArmRunResult,
  ArmVirtMachineOptions,
  ArmGuestProgram,
  ArmHostKind,
  PsciVersionName,
  FirmwareTables,
} from "./arm-virt-machine";
import { ArmVirtMachine, restoreArmVirtMachine } from "./arm-virt-machine";
import { blindProbeGuest, discoveryGuest } from "./guest-discovery";
import { APF_GUEST_DATA_OFFSET, APF_GUEST_DATA_VALUE, apfGuest } from "./guest-apf";
import { resumeGuest } from "./guest-resume";
import { kvmHostByName } from "./host-profiles";
import type { Conduit } from "./smccc-call";
import { ArmOptionError } from "./option-error";

export type ArmGuestName = "discovery" | "apf" | "blind-probe";
export const ARM_GUEST_NAMES: readonly ArmGuestName[] = ["discovery", "apf", "blind-probe"];

export interface ArmScenarioOptions extends Omit<ArmVirtMachineOptions, "hostKernel"> {
  readonly guest: ArmGuestName;
  /** Source KVM host kernel by name (kvm-mainline, kvm-apf, kvm-old). */
  readonly hostKernel?: string;
  /** Migrate after the guest ran, to a KVM host kernel by name, and run on there. */
  readonly migrateTo?: string;
}

export interface ArmScenarioResult {
  readonly lines: readonly string[];
  /** 0 clean end, 1 guest killed, 2 guest hung, 3 migration refused. */
  readonly exitStatus: number;
  readonly exit:
    ArmExit | { readonly kind: "migration-refused"; readonly messages: readonly string[] };
}

export function exitStatusOf(exit: ArmExit): number {
  switch (exit.kind) {
    case "returned":
    case "system-event":
    case "cpu-off":
      return 0;
    case "guest-killed":
      return 1;
    case "hang":
      return 2;
  }
}

function program(name: ArmGuestName, powerOff: boolean): ArmGuestProgram {
  switch (name) {
    case "discovery":
      return discoveryGuest({ powerOff });
    case "apf":
      return apfGuest();
    case "blind-probe":
      return blindProbeGuest();
  }
}

function header(o: ArmScenarioOptions): string {
  const parts = [`host=${o.host}`];
  if (o.hostKernel !== undefined) parts.push(`kernel=${o.hostKernel}`);
  if (o.apf !== undefined) parts.push(`apf=${o.apf ? "on" : "off"}`);
  if (o.psciVersion !== undefined) parts.push(`psci-version=${o.psciVersion}`);
  if (o.firmwareTables !== undefined) parts.push(`tables=${o.firmwareTables}`);
  if (o.psci === false) parts.push("psci=off");
  if (o.conduit !== undefined) parts.push(`conduit=${o.conduit}`);
  if (o.firmwareSmccc !== undefined) parts.push(`smccc=${o.firmwareSmccc}`);
  return `hvsim: arm64-virt ${parts.join(",")} --guest ${o.guest}`;
}

function createMachine(
  options: Omit<ArmVirtMachineOptions, "hostKernel">,
  hostKernel: string | undefined,
): ArmVirtMachine {
  if (hostKernel !== undefined && options.host !== "kvm") {
    throw new ArmOptionError(`a host kernel (${hostKernel}) only applies to host=kvm`);
  }
  return new ArmVirtMachine({
    ...options,
    ...(hostKernel !== undefined ? { hostKernel: kvmHostByName(hostKernel) } : {}),
  });
}

/**
 * The DTB the machine of these options hands its guest, without running anything (what
 * `hvsim run -M arm64-virt,... --dumpdtb FILE` writes, as QEMU's `-machine dumpdtb=FILE`).
 */
export function armMachineDtb(o: Omit<ArmScenarioOptions, "guest" | "migrateTo">): Uint8Array {
  const { hostKernel, ...machineOptions } = o;
  const dtb = createMachine(machineOptions, hostKernel).dtb;
  if (dtb === undefined) {
    throw new ArmOptionError(
      "tables=acpi: this machine describes itself with ACPI tables, not a device tree, so there is no DTB to dump (use tables=dt)",
    );
  }
  return dtb;
}

/** Runs one scenario. Bad options throw an `ArmOptionError` whose message says what to change. */
export function runArmScenario(o: ArmScenarioOptions): ArmScenarioResult {
  if (!ARM_GUEST_NAMES.includes(o.guest)) {
    throw new ArmOptionError(
      `--guest ${String(o.guest)} is not an arm64-virt guest: use ${ARM_GUEST_NAMES.join(", ")}`,
    );
  }
  const { guest, hostKernel, migrateTo, ...machineOptions } = o;
  if (migrateTo !== undefined && o.host !== "kvm") {
    throw new ArmOptionError(
      `migration between hosts is modelled for host=kvm only (frozen hypercall sets)`,
    );
  }
  // An unknown destination is a bad option: say so before anything runs.
  const dest = migrateTo !== undefined ? kvmHostByName(migrateTo) : undefined;
  const machine = createMachine(machineOptions, hostKernel);
  const ramBase = machine.memory.base;
  if (guest === "apf") {
    machine.memory.writeU64(ramBase + APF_GUEST_DATA_OFFSET, APF_GUEST_DATA_VALUE);
    machine.swapOut(ramBase + APF_GUEST_DATA_OFFSET);
  }
  if (machine.stolenTime !== undefined) machine.steal(0, 1_000_000n);
  const lines: string[] = [header(o)];
  const first: ArmRunResult = machine.run(program(guest, migrateTo === undefined));
  lines.push(...first.lines);
  if (dest !== undefined && first.exit.kind === "system-event") {
    // The guest powered the VM off (the apf guest always does): there is nothing left to move.
    lines.push(
      `hvsim: not migrating to host "${dest.name}": the guest ended the VM (system event ${first.exit.event.type})`,
    );
  }
  if (dest === undefined || exitStatusOf(first.exit) !== 0 || first.exit.kind === "system-event") {
    return { lines, exitStatus: exitStatusOf(first.exit), exit: first.exit };
  }
  lines.push(`hvsim: migrating to host "${dest.name}"`);
  const restored = restoreArmVirtMachine(machine.save(), { hostKernel: dest });
  if (!restored.ok) {
    const messages = restored.refusals.map((r) => r.message);
    for (const m of messages) lines.push(`hvsim: migration refused: ${m}`);
    return { lines, exitStatus: 3, exit: { kind: "migration-refused", messages } };
  }
  lines.push(`hvsim: migration accepted by host "${dest.name}"`);
  const second = restored.machine.run(resumeGuest());
  lines.push(...second.lines);
  return { lines, exitStatus: exitStatusOf(second.exit), exit: second.exit };
}

/**
 * Parses a QEMU-style machine string, `arm64-virt[,host=kvm|xen|none][,apf=on|off]
 * [,psci-version=1.1][,tables=dt|acpi][,psci=on|off][,conduit=hvc|smc][,smccc=1.0|1.2]
 * [,kernel=NAME][,vcpus=N]`, into scenario options (without the guest).
 */
export function parseArmMachineSpec(spec: string): Omit<ArmScenarioOptions, "guest"> {
  const [type, ...props] = spec.split(",");
  if (type !== "arm64-virt") {
    throw new ArmOptionError(`machine "${type ?? ""}" is not arm64-virt`);
  }
  let host: ArmHostKind = "kvm";
  const out: {
    apf?: boolean;
    psciVersion?: PsciVersionName;
    firmwareTables?: FirmwareTables;
    psci?: boolean;
    conduit?: Conduit;
    hostKernel?: string;
    vcpus?: number;
    firmwareSmccc?: "1.0" | "1.2";
  } = {};
  const onOff = (k: string, v: string) => {
    if (v === "on") return true;
    if (v === "off") return false;
    throw new ArmOptionError(`${k}=${v}: use on or off`);
  };
  for (const p of props) {
    const eq = p.indexOf("=");
    if (eq < 0) throw new ArmOptionError(`machine property "${p}" needs a value (name=value)`);
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    switch (k) {
      case "host":
        if (v !== "kvm" && v !== "xen" && v !== "none")
          throw new ArmOptionError(`host=${v}: use kvm, xen or none`);
        host = v;
        break;
      case "apf":
        out.apf = onOff(k, v);
        break;
      case "psci":
        out.psci = onOff(k, v);
        break;
      case "psci-version":
        if (v !== "0.1" && v !== "0.2" && v !== "1.0" && v !== "1.1") {
          throw new ArmOptionError(`psci-version=${v}: use 0.1, 0.2, 1.0 or 1.1`);
        }
        out.psciVersion = v;
        break;
      case "tables":
        if (v !== "dt" && v !== "acpi") throw new ArmOptionError(`tables=${v}: use dt or acpi`);
        out.firmwareTables = v;
        break;
      case "conduit":
        if (v !== "hvc" && v !== "smc") throw new ArmOptionError(`conduit=${v}: use hvc or smc`);
        out.conduit = v;
        break;
      case "smccc":
        if (v !== "1.0" && v !== "1.2") throw new ArmOptionError(`smccc=${v}: use 1.0 or 1.2`);
        out.firmwareSmccc = v;
        break;
      case "kernel":
        out.hostKernel = v;
        break;
      case "vcpus": {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new ArmOptionError(`vcpus=${v}: give a whole number`);
        out.vcpus = n;
        break;
      }
      default:
        throw new ArmOptionError(
          `unknown arm64-virt property "${k}": known are host, apf, psci, psci-version, tables, conduit, smccc, kernel, vcpus`,
        );
    }
  }
  return { host, ...out };
}
