// Shared by the migration tests: a straight run and a migrated run of a pseries machine, with
// console, status and final state hash, and the two host models they move between.
import { fileURLToPath } from "node:url";
import { buildPseries, PseriesMachineImpl, type PseriesOptions } from "./machine";
import { migratePseries } from "./migration";

export const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));
export const DD22 = { cpu: "POWER9 DD2.2", rptInvalidate: true, nestedHv: true } as const;
export const DD23 = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true } as const;

export function straightRun(opts: PseriesOptions) {
  let console = "";
  const m = buildPseries(
    { ...opts, stateHash: true },
    {
      console: (s) => (console += s),
      error: (s) => (console += `[error] ${s}`),
    },
  );
  if (!(m instanceof PseriesMachineImpl)) throw new Error(m.reason);
  const r = m.run(0);
  return { console, status: r.status, instructions: r.stats.instructions, hash: m.stateHash() };
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
