// Every scenario is an end-to-end test: `hvsim scenario run NAME` must end with all its steps as
// expected (each step checks its own status and output). Each runs as a user would, in a child
// process (the CLI from the workspace sources): some take tens of seconds of synchronous
// simulation, which would block the test worker; side by side they also share the cores.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { captureIO } from "../cli/io";
import { runCli } from "../cli/program";
import { SCENARIOS, checkStep, type ScenarioStep } from ".";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

function hvsim(...args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`${root}scripts/hvsim.mjs`, ...args],
      { maxBuffer: 1 << 26 },
      (err, stdout) => {
        const status = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ status, stdout });
      },
    );
  });
}

describe("hvsim scenario run", () => {
  for (const s of SCENARIOS) {
    it.concurrent(
      `${s.name}: every step as expected`,
      async () => {
        const { status, stdout: out } = await hvsim("scenario", "run", s.name);
        expect(out).not.toContain("NOT AS EXPECTED");
        const n = s.steps("guests").length;
        expect(out).toContain(`scenario ${s.name}: ${n} of ${n} steps as expected\n`);
        expect(out).toContain("What to look at:\n");
        expect(status).toBe(0);
      },
      300_000,
    );
  }

  it("scenario list names each one; an unknown name is a usage error listing them", async () => {
    const io = captureIO();
    expect(await runCli(["scenario", "list"], io)).toBe(0);
    expect(io.stdout().split("\n").filter(Boolean)).toHaveLength(SCENARIOS.length);
    for (const s of SCENARIOS) expect(io.stdout()).toContain(s.name);
    const bad = captureIO();
    expect(await runCli(["scenario", "run", "nope"], bad)).toBe(2);
    expect(bad.stderr()).toMatch(
      /^hvsim: unknown scenario "nope": one of rpt-invalidate-fallback, /,
    );
  });
});

describe("a step's checks", () => {
  const step: ScenarioStep = {
    says: "x",
    argv: [],
    expect: { status: 0, output: ["yes", /n+o/], absent: ["bad"], sameStdoutAs: 0 },
  };
  const first = { status: 0, stdout: "yes nno\n", stderr: "" };

  it("pass when status, output, absence and sameness hold", () => {
    expect(checkStep(step, first, [first])).toEqual([]);
  });

  it("name each way a result misses", () => {
    expect(checkStep(step, { status: 2, stdout: "bad\n", stderr: "" }, [first])).toEqual([
      "ended with status 2, expected 0",
      'printed no "yes"',
      "printed no /n+o/",
      'printed "bad"',
      "its console output differs from step 1's",
    ]);
  });
});
