import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

// `hvsim migrate --at N [--to HOST] [--to-machine M] [--snapshot FILE] -- RUN-OPTIONS`: run a
// pseries machine as `hvsim run RUN-OPTIONS` would, pause it at instruction N, migrate it to a
// destination (its own host model and -M) in this process, and run it to the end there. The
// same as `hvsim run RUN-OPTIONS --migrate-at N ...`; across processes, `--pause-at N --save
// FILE` and `--incoming FILE`.
export const registerMigrate: RegisterCommand = (program, { run, setExit }) => {
  program
    .command("migrate")
    .description(
      "pseries: run, pause at instruction N, migrate to another host model and run on there: migrate --at N --to HOST -- -M pseries ... -kernel X.elf",
    )
    .requiredOption("--at <n>", "pause the source after N instructions (all vCPUs)")
    .option(
      "--to <host>",
      "the destination host model, as hvsim run --host takes it (power9-dd2.2|power9-dd2.3|power9-l1[,rpt-invalidate=on|off][,nested-hv=on|off][,in-partition=on|off]); default the source's",
    )
    .option("--to-machine <machine>", "the destination's -M (default the source's)")
    .option("--snapshot <file>", "also write the snapshot there")
    .argument("<run-options...>", "after --: the source's hvsim run options (-M pseries ...)")
    .addHelpText(
      "after",
      "\nExit status: that of the destination's run (0 after RTAS power-off); 4 when the destination refused and the source finished the run instead; 2 for bad options.",
    )
    .action(
      async (
        runOptions: string[],
        opts: { at: string; to?: string; toMachine?: string; snapshot?: string },
      ) => {
        if (
          !runOptions.some((a) => a === "-M" || a === "--machine" || a.startsWith("--machine="))
        ) {
          throw new UsageError(
            "migrate: give the source's run options after --, starting with -M pseries...",
          );
        }
        const argv = [
          "run",
          ...runOptions,
          ...["--migrate-at", opts.at],
          ...(opts.to !== undefined ? ["--migrate-to", opts.to] : []),
          ...(opts.toMachine !== undefined ? ["--migrate-machine", opts.toMachine] : []),
          ...(opts.snapshot !== undefined ? ["--snapshot", opts.snapshot] : []),
        ];
        setExit(await run(argv));
      },
    );
};
