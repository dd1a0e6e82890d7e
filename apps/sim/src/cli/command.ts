import type { Command } from "commander";
import type { CliIO } from "./io";

/**
 * Each CLI command lives in its own file under `commands/` and registers itself on the root
 * program. `setExit` records the process exit status the command wants.
 */
export interface CommandContext {
  io: CliIO;
  setExit(code: number): void;
  /** Run another hvsim command line in this process (used by `demo` and `scenario`), writing
   *  where this command writes or to `io`; returns its status. */
  run(argv: readonly string[], io?: CliIO): Promise<number>;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
