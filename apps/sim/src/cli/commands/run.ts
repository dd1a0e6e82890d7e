import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { arm64Virt } from "../../machines/arm64-virt";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

// `hvsim run -M TYPE[,prop=value...] ...`: build a machine and run it, QEMU-style. The machine
// type (the `-M` text before the first comma) picks a family from MACHINE_FAMILIES; the family
// parses its own properties and runs. Adding a machine is one entry in that table.

/** The `hvsim run` options, handed to the family unparsed (it says which it understands). */
export interface RunRequest {
  /** The whole `-M` text, e.g. `arm64-virt,host=kvm,apf=on`. */
  readonly machine: string;
  readonly guest?: string;
  readonly migrateTo?: string;
  readonly dumpDtb?: string;
}

/** How a family answered: ran (lines, status), a DTB to write, or a user-facing error. */
export type RunOutcome =
  | { readonly kind: "ran"; readonly lines: readonly string[]; readonly exitStatus: number }
  | { readonly kind: "dtb"; readonly file: string; readonly dtb: Uint8Array }
  | { readonly kind: "error"; readonly message: string };

/** A machine family: what `-M` types it takes, and how it runs a request. */
export interface MachineFamily {
  readonly name: string;
  /** One line for `-M help`. */
  readonly summary: string;
  matches(type: string): boolean;
  run(request: RunRequest): RunOutcome;
}

const PSERIES_UNAVAILABLE: MachineFamily = {
  name: "pseries",
  summary: "POWER9 pseries machine (L0/L1/L2): not available yet",
  matches: (type) => type === "pseries" || type.startsWith("pseries-"),
  run: () => ({
    kind: "error",
    message:
      "the pseries machine is not available yet: `hvsim run` runs -M arm64-virt today (`hvsim abi caps pseries-9.0,...` resolves pseries caps)",
  }),
};

export const MACHINE_FAMILIES: readonly MachineFamily[] = [arm64Virt, PSERIES_UNAVAILABLE];

function machineList(): string {
  const width = Math.max(...MACHINE_FAMILIES.map((f) => f.name.length)) + 2;
  const rows = MACHINE_FAMILIES.map((f) => `${f.name.padEnd(width)}${f.summary}`);
  return `Supported machines are:\n${rows.join("\n")}\n`;
}

function familyOf(machine: string): MachineFamily {
  const type = machine.split(",")[0] ?? "";
  const family = MACHINE_FAMILIES.find((f) => f.matches(type));
  if (family === undefined) {
    throw new UsageError(
      `unknown machine type "${type}": use ${MACHINE_FAMILIES.map((f) => f.name).join(" or ")} (-M help lists them)`,
    );
  }
  return family;
}

/**
 * `run`'s parse errors (an unknown option, a missing value) are usage errors like a bad machine
 * property: one line and exit status 2, instead of commander's message followed by the help.
 */
class RunCommand extends Command {
  override error(message: string): never {
    throw new UsageError(`run: ${message.replace(/^error: /, "").replace(/\n+/g, " ")}`);
  }
}

interface RunOptions {
  machine?: string;
  guest?: string;
  migrateTo?: string;
  dumpdtb?: string;
}

export const registerRun: RegisterCommand = (program, { io, setExit }) => {
  const run = new RunCommand("run")
    .description("run a machine (-M arm64-virt,...) with a guest program and print its output")
    .option(
      "-M, --machine <machine>",
      "machine type and properties, QEMU-style: arm64-virt[,host=kvm|xen|none][,apf=on|off][,...]; -M help lists machines",
    )
    .option("--guest <name>", "guest program (arm64-virt: discovery, apf, blind-probe)")
    .option("--migrate-to <host>", "after the guest ran, migrate to this host and run on there")
    .option("--dumpdtb <file>", "write the machine's device tree blob to FILE and exit")
    .addHelpText(
      "after",
      "\nExit status: 0 clean end, 1 guest killed, 2 guest hung or bad option, 3 migration refused.",
    )
    .action((opts: RunOptions) => {
      if (opts.machine === undefined) {
        throw new UsageError("run: give a machine with -M, e.g. -M arm64-virt,host=kvm");
      }
      if (opts.machine === "help" || opts.machine === "?") {
        io.out(machineList());
        return;
      }
      const outcome = familyOf(opts.machine).run({
        machine: opts.machine,
        ...(opts.guest !== undefined ? { guest: opts.guest } : {}),
        ...(opts.migrateTo !== undefined ? { migrateTo: opts.migrateTo } : {}),
        ...(opts.dumpdtb !== undefined ? { dumpDtb: opts.dumpdtb } : {}),
      });
      switch (outcome.kind) {
        case "ran":
          io.out(outcome.lines.map((l) => `${l}\n`).join(""));
          setExit(outcome.exitStatus);
          return;
        case "dtb":
          try {
            writeFileSync(outcome.file, outcome.dtb);
          } catch (e) {
            const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
            throw new UsageError(`cannot write ${outcome.file} (${why})`);
          }
          return;
        case "error":
          throw new UsageError(outcome.message);
      }
    });
  program.addCommand(run);
};
