import { Command } from "commander";
import { runPseriesRequest } from "../../machines/pseries";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

// `hvsim dumpdtb -M pseries,... [-m SIZE] [-smp N] [-kernel X -initrd Y -append Z] FILE`: the
// boot device tree hvsim's pseries gives its guest, as QEMU's `-machine dumpdtb=FILE` does.
// Compare with QEMU: `dtc -I dtb -O dts` of both files (see the pseries DT peer test).

class DumpdtbCommand extends Command {
  override error(message: string): never {
    throw new UsageError(`dumpdtb: ${message.replace(/^error: /, "").replace(/\n+/g, " ")}`);
  }
}

interface DumpdtbOptions {
  machine: string;
  memory?: string;
  smp?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
}

export const registerDumpdtb: RegisterCommand = (program, { io, setExit }) => {
  const cmd = new DumpdtbCommand("dumpdtb")
    .description("write the pseries machine's boot device tree blob to FILE (QEMU's dumpdtb)")
    .argument("<file>", "where to write the DTB")
    .option("-M, --machine <machine>", "pseries[-X.Y][,cap-...=...][,ic-mode=...]", "pseries")
    .option("-m, --memory <size>", "RAM size (default 512M)")
    .option("--smp <n>", "vCPUs (default 1)")
    .option("--kernel <elf>", "as with hvsim run (changes /chosen)")
    .option("--initrd <file>", "as with hvsim run (changes /chosen)")
    .option("--append <cmdline>", "/chosen/bootargs")
    .action((file: string, opts: DumpdtbOptions) => {
      if (!/^pseries(-|,|$)/.test(opts.machine)) {
        throw new UsageError(
          `dumpdtb: -M ${opts.machine}: only pseries machines here (arm64-virt: hvsim run -M arm64-virt,... --dumpdtb FILE)`,
        );
      }
      const outcome = runPseriesRequest(
        {
          machine: opts.machine,
          dumpDtb: file,
          ...(opts.memory !== undefined ? { memory: opts.memory } : {}),
          ...(opts.smp !== undefined ? { smp: opts.smp } : {}),
          ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
          ...(opts.initrd !== undefined ? { initrd: opts.initrd } : {}),
          ...(opts.append !== undefined ? { append: opts.append } : {}),
        },
        io,
      );
      if (outcome.kind === "error") throw new UsageError(outcome.message);
      setExit(outcome.exitStatus);
    });
  program.addCommand(cmd);
};
