// Shared by the migration tests: a straight run and a migrated run of a pseries machine, with
// console, status and final state hash, and the two host models they move between.
import { fileURLToPath } from "node:url";
import { buildPseries, PseriesMachineImpl, type PseriesOptions } from "./machine";
import { migratePseries } from "./migration";

export const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));
export const DD22 = { cpu: "POWER9 DD2.2", rptInvalidate: true, nestedHv: true } as const;
export const DD23 = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true } as const;

/** A machine built from `opts` whose console (and hvsim's messages, marked) is recorded. */
export function recordedMachine(opts: PseriesOptions, console = "") {
  const rec = { console };
  const machine = buildPseries(opts, {
    console: (s) => (rec.console += s),
    error: (s) => (rec.console += `[error] ${s}`),
  });
  if (!(machine instanceof PseriesMachineImpl)) throw new Error(machine.reason);
  return { machine, rec };
}

/** What a run to the end left: console, status, instructions and the final state hash. */
function ending(
  m: PseriesMachineImpl,
  rec: { console: string },
  r: ReturnType<PseriesMachineImpl["run"]>,
) {
  return {
    console: rec.console,
    status: r.status,
    instructions: r.stats.instructions,
    hash: m.stateHash(),
  };
}

export function straightRun(opts: PseriesOptions) {
  const { machine, rec } = recordedMachine(opts);
  return ending(machine, rec, machine.run(0));
}

export function migratedRun(src: PseriesOptions, at: number, dst: PseriesOptions) {
  let console = "";
  let errors = "";
  const r = migratePseries(
    { source: src, at, destination: { ...dst, stateHash: true } },
    { console: (s) => (console += s), error: (s) => (errors += s) },
  );
  return { console, errors, status: r.status, hash: r.stateHash, migration: r.migration };
}

/** Instructions between two breaths of the test worker's event loop (see runYielding). */
const SLICE = 5_000_000;

/**
 * `m.run(0, until)` in slices of SLICE instructions with the event loop let through between
 * them: a synchronous run of tens of seconds on a loaded machine starves vitest's worker RPC
 * ("Timeout calling onTaskUpdate"). Pausing is bit-exact, so the slices change nothing.
 */
export async function runYielding(
  m: PseriesMachineImpl,
  until = Infinity,
): Promise<ReturnType<PseriesMachineImpl["run"]>> {
  for (let next = SLICE; ; next += SLICE) {
    const r = m.run(0, Math.min(next, until));
    if (r.reason !== "paused" || next >= until) return r;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** straightRun, with the event loop let through (runYielding). */
export async function straightRunYielding(opts: PseriesOptions) {
  const { machine, rec } = recordedMachine(opts);
  return ending(machine, rec, await runYielding(machine));
}
