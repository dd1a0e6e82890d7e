import { Command, CommanderError } from "commander";
import type { CommandContext } from "./command";
import { registerAbi } from "./commands/abi";
import { registerAsm } from "./commands/asm";
import { registerDemo } from "./commands/demo";
import { registerDisasm } from "./commands/disasm";
import { registerDumpdtb } from "./commands/dumpdtb";
import { registerExec } from "./commands/exec";
import { registerFdt } from "./commands/fdt";
import { registerMigrate } from "./commands/migrate";
import { registerRun } from "./commands/run";
import { registerScenario } from "./commands/scenario";
import { UsageError, processIO, type CliIO } from "./io";
import { qemuStyleArgv } from "./commands/run";

export const HVSIM_VERSION = "0.0.0";

function createProgram(ctx: CommandContext): Command {
  const program = new Command("hvsim")
    .description(
      "A deterministic POWER9 pseries simulator: L0 (KVM-HV + QEMU roles), L1 and L2 in real ppc64 code",
    )
    .version(HVSIM_VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  // One command per line (prettier-ignore) so branches adding commands merge cleanly.
  // prettier-ignore
  const commands = [
    registerDemo,
    registerRun,
    registerScenario,
    registerMigrate,
    registerDumpdtb,
    registerAbi,
    registerFdt,
    registerDisasm,
    registerAsm,
    registerExec,
  ];
  for (const register of commands) register(program, ctx);
  for (const cmd of program.commands) {
    cmd
      .exitOverride()
      .showHelpAfterError()
      .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  }
  return program;
}

/** Run the CLI with `argv` (without `node` and the script). Returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exit = 0;
  const ctx: CommandContext = {
    io,
    setExit: (code) => void (exit = code),
    // Commands run from another command (the demo's steps) write where it writes but never
    // read its standard input: that belongs to the command the user typed.
    run: (sub, subIo) => runCli(sub, subIo ?? { out: (t) => io.out(t), err: (t) => io.err(t) }),
  };
  const program = createProgram(ctx);
  try {
    await program.parseAsync(qemuStyleArgv(argv), { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : e.exitCode || 2;
    }
    if (e instanceof UsageError) {
      io.err(`hvsim: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
