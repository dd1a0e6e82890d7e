// The arm64-virt machine family behind `hvsim run -M arm64-virt,...`: the ABI-level arm64 `virt`
// machine of @hvsim/arm-hvc (SMCCC/PSCI hypercall discovery), its device tree a real DTB built
// with @hvsim/fdt. This module turns a run request into a scenario and its result into output
// lines and an exit status; it does no IO (the CLI writes lines and files).
import {
  ARM_GUEST_NAMES,
  ArmOptionError,
  armMachineDtb,
  parseArmMachineSpec,
  runArmScenario,
} from "@hvsim/arm-hvc";
import type { ArmGuestName } from "@hvsim/arm-hvc";

/** What a run asks of the machine (the `hvsim run` options this family understands). */
export interface Arm64VirtRunRequest {
  /** The whole `-M` text: `arm64-virt[,host=kvm|xen|none][,apf=on|off][,...]`. */
  readonly machine: string;
  readonly guest?: string;
  readonly migrateTo?: string;
  /** Write the DTB instead of running (QEMU's `-machine dumpdtb=FILE`). */
  readonly dumpDtb?: string;
}

export type Arm64VirtRunOutcome =
  /** The guest ran: output lines and the exit status (0 clean, 1 killed, 2 hung, 3 refused). */
  | { readonly kind: "ran"; readonly lines: readonly string[]; readonly exitStatus: number }
  /** `dumpDtb` was asked for: the blob to write there; nothing ran. */
  | { readonly kind: "dtb"; readonly file: string; readonly dtb: Uint8Array }
  /** The request cannot run as given; `message` names what is wrong and what to do. */
  | { readonly kind: "error"; readonly message: string };

function isGuest(name: string): name is ArmGuestName {
  return (ARM_GUEST_NAMES as readonly string[]).includes(name);
}

function run(request: Arm64VirtRunRequest): Arm64VirtRunOutcome {
  try {
    const options = parseArmMachineSpec(request.machine);
    if (request.dumpDtb !== undefined) {
      // As QEMU's dumpdtb: the tree of the machine as configured, written before anything runs.
      return { kind: "dtb", file: request.dumpDtb, dtb: armMachineDtb(options) };
    }
    const guest = request.guest;
    if (guest === undefined) {
      return {
        kind: "error",
        message: `arm64-virt needs a guest program: add --guest ${ARM_GUEST_NAMES.join("|")}`,
      };
    }
    if (!isGuest(guest)) {
      return {
        kind: "error",
        message: `--guest ${guest} is not an arm64-virt guest program: use ${ARM_GUEST_NAMES.join(", ")}`,
      };
    }
    const r = runArmScenario({
      ...options,
      guest,
      ...(request.migrateTo !== undefined ? { migrateTo: request.migrateTo } : {}),
    });
    return { kind: "ran", lines: r.lines, exitStatus: r.exitStatus };
  } catch (e) {
    // Only option errors are the user's; anything else is a broken invariant and propagates.
    if (e instanceof ArmOptionError) return { kind: "error", message: e.message };
    throw e;
  }
}

export const arm64Virt = {
  name: "arm64-virt",
  summary:
    "ABI-level arm64 virt machine for SMCCC/PSCI hypercall discovery (host=kvm|xen|none, apf=on|off; --guest discovery|apf|blind-probe)",
  /** `arm64-virt` only: the family has no versioned machine types. */
  matches: (type: string): boolean => type === "arm64-virt",
  run,
} as const;
