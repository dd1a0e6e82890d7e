// A scenario: one of the seed discussions (DESIGN, "The seed discussions") as a runnable
// sequence of real hvsim command lines, with what it shows and what to look at. Every step
// states what it must print and the status it must end with, so each scenario is also an
// end-to-end test (`scenarios.test.ts`) and `hvsim scenario run NAME` says when one misbehaves.

/** What a step must produce. Text items must appear in the output (stdout + stderr); a RegExp
 *  must match it; `absent` items must not appear. */
export interface StepExpectation {
  readonly status: number;
  readonly output?: readonly (string | RegExp)[];
  readonly absent?: readonly string[];
  /** The step's guest console (stdout) equals that of the step with this index. */
  readonly sameStdoutAs?: number;
}

export interface ScenarioStep {
  /** What this step shows, one line. */
  readonly says: string;
  /** An hvsim command line (without `hvsim`). */
  readonly argv: readonly string[];
  readonly expect: StepExpectation;
}

export interface Scenario {
  readonly name: string;
  /** One line for `hvsim scenario list`. */
  readonly title: string;
  /** What the seed discussion argued and what this run demonstrates (a paragraph). */
  readonly explanation: string;
  /** What to look at in the output. */
  readonly lookAt: string;
  /** The steps; `guests` is the folder of the guest programs (apps/sim/guests). */
  steps(guests: string): readonly ScenarioStep[];
}

/** One step's captured result. */
export interface StepResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The ways a step's result misses its expectation (empty: as expected). */
export function checkStep(
  step: ScenarioStep,
  result: StepResult,
  earlier: readonly StepResult[],
): string[] {
  const problems: string[] = [];
  const e = step.expect;
  const text = result.stdout + result.stderr;
  if (result.status !== e.status) {
    problems.push(`ended with status ${result.status}, expected ${e.status}`);
  }
  for (const want of e.output ?? []) {
    const ok = typeof want === "string" ? text.includes(want) : want.test(text);
    if (!ok) problems.push(`printed no ${typeof want === "string" ? JSON.stringify(want) : want}`);
  }
  for (const not of e.absent ?? []) {
    if (text.includes(not)) problems.push(`printed ${JSON.stringify(not)}`);
  }
  if (e.sameStdoutAs !== undefined) {
    const other = earlier[e.sameStdoutAs];
    if (other === undefined)
      throw new Error(`sameStdoutAs ${e.sameStdoutAs}: no such earlier step`);
    if (other.stdout !== result.stdout) {
      problems.push(`its console output differs from step ${e.sameStdoutAs + 1}'s`);
    }
  }
  return problems;
}
