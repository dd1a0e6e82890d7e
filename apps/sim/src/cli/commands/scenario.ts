import { guestsDir } from "../../guests/guests-dir";
import { SCENARIOS, checkStep, scenarioByName, type StepResult } from "../../scenarios";
import type { RegisterCommand } from "../command";
import { UsageError, captureIO } from "../io";

/** A paragraph folded to `width` columns, each line indented by `indent`. */
function fold(text: string, indent: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => `${indent}${l}\n`).join("");
}

/** Indent every line of a command's output. */
const indented = (text: string): string =>
  text === "" ? "" : text.replace(/\n$/, "").replace(/^/gm, "   | ") + "\n";

export const registerScenario: RegisterCommand = (program, { io, run, setExit }) => {
  const scenario = program
    .command("scenario")
    .description("the seed discussions as runnable scenarios: list, run NAME");
  scenario
    .command("list")
    .description("list the scenarios, one line each")
    .action(() => {
      const width = Math.max(...SCENARIOS.map((s) => s.name.length)) + 2;
      io.out(SCENARIOS.map((s) => `${s.name.padEnd(width)}${s.title}\n`).join(""));
    });
  scenario
    .command("run")
    .argument("<name>", "a scenario name (hvsim scenario list)")
    .description("run a scenario: its explanation, every step's command and output, and checks")
    .action(async (name: string) => {
      const s = scenarioByName(name);
      if (s === undefined) {
        throw new UsageError(
          `unknown scenario "${name}": one of ${SCENARIOS.map((x) => x.name).join(", ")}`,
        );
      }
      io.out(`${s.name}: ${s.title}\n\n${fold(s.explanation, "")}\n`);
      const steps = s.steps(guestsDir());
      const results: StepResult[] = [];
      let failed = 0;
      for (const [i, step] of steps.entries()) {
        io.out(
          `-- step ${i + 1}/${steps.length}: ${step.says}\n   $ hvsim ${step.argv.join(" ")}\n`,
        );
        const cap = captureIO();
        const status = await run(step.argv, cap);
        const result = { status, stdout: cap.stdout(), stderr: cap.stderr() };
        io.out(indented(result.stdout + result.stderr));
        const problems = checkStep(step, result, results);
        results.push(result);
        if (problems.length === 0) io.out(`   ok: status ${status}, as expected\n\n`);
        else {
          failed++;
          io.out(`   NOT AS EXPECTED: ${problems.join("; ")}\n\n`);
        }
      }
      io.out(`What to look at:\n${fold(s.lookAt, "  ")}\n`);
      io.out(`scenario ${s.name}: ${steps.length - failed} of ${steps.length} steps as expected\n`);
      setExit(failed === 0 ? 0 : 1);
    });
};
