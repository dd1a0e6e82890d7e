import type { RegisterCommand } from "../command";

// The main job. Until the pseries machine exists (issue 5) the demo shows what the CLI offers.
export const registerDemo: RegisterCommand = (program, { io }) => {
  program
    .command("demo")
    .description("run hvsim's default demo")
    .action(() => {
      io.out(
        "hvsim demo: the pseries machine that boots guest programs is not built yet;\n" +
          "until it is, the demo shows the commands that work today.\n\n",
      );
      io.out(program.helpInformation());
    });
};
