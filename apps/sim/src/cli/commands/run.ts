import { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { arm64Virt, type Arm64VirtRunRequest } from "../../machines/arm64-virt";
import { pseries, type PseriesRunIo, type PseriesRunRequest } from "../../machines/pseries";
import type { RegisterCommand } from "../command";
import { UsageError, type CliIO } from "../io";

// `hvsim run -M TYPE[,prop=value...] ...`: build a machine and run it, QEMU-style. The machine
// type (the `-M` text before the first comma) picks a family from MACHINE_FAMILIES; the family
// parses its own properties and runs. Adding a machine is one entry in that table.

/** The `hvsim run` options, handed to the family unparsed (it says which it understands):
 *  the union of what each family takes. */
export interface RunRequest extends Arm64VirtRunRequest, PseriesRunRequest {}

/** Where a family streams output while it runs (a guest console, hvsim's messages). */
export type RunIo = PseriesRunIo;

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
  run(request: RunRequest, io: RunIo): RunOutcome;
}

export const MACHINE_FAMILIES: readonly MachineFamily[] = [arm64Virt, pseries];

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
  memory?: string;
  smp?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  bios?: string;
  maxInsns?: string;
  seed?: string;
  stats?: boolean;
  trace?: string;
  reboot?: boolean;
  consoleInput?: string;
  host?: string;
  pauseAt?: string;
  save?: string;
  incoming?: string;
  stateHash?: boolean;
  migrateAt?: string;
  migrateMachine?: string;
  snapshot?: string;
  d?: string;
  input?: string;
}

/**
 * QEMU spells its long options with one dash (`-smp 2 -kernel X`); commander would read `-smp`
 * as three short flags. Give the QEMU spellings a second dash before parsing.
 */
export const QEMU_LONG_OPTIONS: readonly string[] = [
  "-machine",
  "-smp",
  "-kernel",
  "-initrd",
  "-append",
  "-bios",
  "-no-reboot",
  "-trace",
];

export function qemuStyleArgv(argv: readonly string[]): string[] {
  return argv.map((a) => (QEMU_LONG_OPTIONS.includes(a) ? `-${a}` : a));
}

/**
 * The guest's console input: `--console-input FILE` (`-` = standard input, whatever it is), else
 * standard input when it was redirected from a file or a pipe. Read whole before the run starts.
 */
function consoleInput(opts: RunOptions, io: CliIO): Uint8Array | undefined {
  if (opts.input !== undefined) return undefined; // --input TEXT: stdin stays unread
  if (opts.consoleInput === undefined) return io.stdin?.();
  const file = opts.consoleInput === "-" ? 0 : opts.consoleInput;
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`--console-input ${opts.consoleInput}: cannot read it (${why})`);
  }
}

function requestOf(opts: RunOptions, machine: string, input?: Uint8Array): RunRequest {
  const def = <K extends string, V>(k: K, v: V | undefined) =>
    (v === undefined ? {} : { [k]: v }) as Partial<Record<K, V>>;
  return {
    machine,
    ...def("guest", opts.guest),
    ...def("migrateTo", opts.migrateTo),
    ...def("dumpDtb", opts.dumpdtb),
    ...def("memory", opts.memory),
    ...def("smp", opts.smp),
    ...def("kernel", opts.kernel),
    ...def("initrd", opts.initrd),
    ...def("append", opts.append),
    ...def("bios", opts.bios),
    ...def("maxInsns", opts.maxInsns),
    ...def("seed", opts.seed),
    ...def("trace", opts.trace),
    ...def("input", input),
    ...def("host", opts.host),
    ...def("pauseAt", opts.pauseAt),
    ...def("save", opts.save),
    ...def("incoming", opts.incoming),
    ...def("migrateAt", opts.migrateAt),
    ...def("migrateMachine", opts.migrateMachine),
    ...def("snapshot", opts.snapshot),
    ...(opts.stateHash ? { stateHash: true } : {}),
    ...def("inputText", opts.input),
    ...(opts.stats ? { stats: true } : {}),
    ...(opts.reboot === false ? { noReboot: true } : {}),
    ...(opts.d !== undefined && opts.d.split(",").includes("guest_errors")
      ? { guestErrors: true }
      : {}),
    ...(opts.d !== undefined && opts.d.split(",").includes("isolation")
      ? { checkIsolation: true }
      : {}),
  };
}

export const registerRun: RegisterCommand = (program, { io, setExit }) => {
  const run = new RunCommand("run")
    .description(
      "run a machine, QEMU-style: -M pseries[-X.Y][,cap-...] -kernel X.elf [-smp N] [-m SIZE] ..., or -M arm64-virt,... --guest NAME",
    )
    .option(
      "-M, --machine <machine>",
      "machine type and properties, QEMU-style: arm64-virt[,host=kvm|xen|none][,apf=on|off][,...]; -M help lists machines",
    )
    .option("-m, --memory <size>", "pseries: RAM size, QEMU syntax (512M, 2G; default 512M)")
    .option("--smp <n>", "pseries: vCPUs (N or cpus=N; default 1)")
    .option(
      "--kernel <elf>",
      "pseries: ELF placed at (vaddr & 0x0fffffff) + 0x400000, entered through the boot ROM",
    )
    .option("--initrd <file>", "pseries: loaded after the kernel, page-aligned; /chosen says where")
    .option("--append <cmdline>", "pseries: /chosen/bootargs")
    .option(
      "--bios <file>",
      "pseries: a raw image loaded at 0 and entered at 0x100 instead of the boot ROM",
    )
    .option("--max-insns <n>", "pseries: stop with an error after N instructions (default 2e9)")
    .option("--seed <n>", "pseries: seed of H_RANDOM and /chosen/rng-seed (default 0)")
    .option(
      "--stats",
      "pseries: print instructions, MIPS, exits, hcalls by where handled, MMU counters",
    )
    .option("--trace <file>", "pseries: write a Chrome trace-event timeline (open it in Perfetto)")
    .option("--no-reboot", "pseries: RTAS system-reboot ends the run instead of resetting")
    .option(
      "--host <model>",
      "pseries: the simulated host, power9-dd2.2|power9-dd2.3|power9 (= dd2.3)|power9-l1 (= in-partition=on)[,rpt-invalidate=on|off][,nested-hv=on|off][,in-partition=on|off] (in-partition: its KVM runs in a pseries partition, as a nested L1's, so no XIVE native device); default power9-dd2.3, rpt-invalidate and nested-hv on; decides only which caps can be honoured",
    )
    .option(
      "--console-input <file>",
      "pseries: the guest's console input (H_GET_TERM_CHAR), read whole before the run; - = stdin (default: stdin when redirected from a file or pipe)",
    )
    .option(
      "-d <items>",
      "pseries: QEMU-style logging; guest_errors reports unimplemented calls; isolation (hvsim's own) checks every host-memory access against the VM's memslots and page tables",
    )
    .option(
      "--input <text>",
      "pseries: console input given here (\\r and \\n escapes), there from the start as piped stdin is for QEMU; wins over --console-input and stdin",
    )
    .option("--guest <name>", "guest program (arm64-virt: discovery, apf, blind-probe)")
    .option(
      "--migrate-to <host>",
      "arm64-virt: after the guest ran, migrate to this host and run on there; pseries: the destination host model of --migrate-at",
    )
    .option(
      "--migrate-at <n>",
      "pseries: pause after N instructions (all vCPUs), migrate (save, restore on the destination) and run on there",
    )
    .option("--migrate-machine <machine>", "pseries: the destination's -M (default the source's)")
    .option("--snapshot <file>", "pseries: with --migrate-at, also write the snapshot there")
    .option("--pause-at <n>", "pseries: stop after N instructions (all vCPUs), status 0")
    .option("--save <file>", "pseries: with --pause-at, save the paused machine's snapshot")
    .option(
      "--incoming <file>",
      "pseries: continue a saved snapshot instead of booting (QEMU's -incoming); the machine options are the destination's",
    )
    .option("--state-hash", "pseries: print the SHA-256 of the final guest-visible state")
    .option("--dumpdtb <file>", "write the machine's device tree blob to FILE and exit")
    .addHelpText(
      "after",
      "\nExit status: pseries: 0 after RTAS power-off (as QEMU), 1 machine refused to start, 3 --max-insns reached;\narm64-virt: 0 clean end, 1 guest killed, 2 guest hung, 3 migration refused; 2 for a bad hvsim option.",
    )
    .action((opts: RunOptions) => {
      if (opts.machine === undefined) {
        throw new UsageError("run: give a machine with -M, e.g. -M arm64-virt,host=kvm");
      }
      if (opts.machine === "help" || opts.machine === "?") {
        io.out(machineList());
        return;
      }
      const family = familyOf(opts.machine);
      const outcome = family.run(requestOf(opts, opts.machine, consoleInput(opts, io)), io);
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
