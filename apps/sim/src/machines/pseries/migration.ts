// Migration of a pseries machine in one process (DESIGN §4): pause the source at instruction
// N, save it into a snapshot (migration/snapshot-file.ts), restore it on a destination built
// from its own options and host model, and run on there. The destination refuses what it
// cannot honour and says why; the source is then still paused and goes on where it stopped
// (QEMU: a failed migration resumes the source), so nothing is lost.
// Across processes the same is `hvsim run ... --pause-at N --save FILE` on the source and
// `hvsim run ... --incoming FILE` on the destination (PseriesOptions.saveTo / incoming).
import { writeFileSync } from "node:fs";
import { DEFAULT_HOST } from "@hvsim/kvm-hv-core";
import { writeSnapshot } from "../../migration/snapshot-file";
import { formatHostModel } from "./host-model";
import {
  INCOMING_REFUSED,
  MigrationRefused,
  PseriesMachineImpl,
  buildPseries,
  type PseriesOptions,
  type PseriesOutput,
  type PseriesResult,
} from "./machine";

/** Exit status of `hvsim migrate` when the destination refused (the source then finished). */
export const STATUS_MIGRATION_REFUSED = 4;

export interface MigrateOptions {
  source: PseriesOptions;
  /** Pause the source when this many instructions have run (all vCPUs). */
  at: number;
  destination: PseriesOptions;
  /** Also write the snapshot here. */
  snapshotFile?: string;
}

export interface MigrateResult extends PseriesResult {
  /** What happened to the migration itself. */
  migration:
    | { kind: "migrated"; at: number; bytes: number }
    | { kind: "refused"; at: number; why: string }
    | { kind: "not-reached"; at: number };
}

/** Run the source to instruction `at`, migrate it, and run the destination to the end. */
export function migratePseries(o: MigrateOptions, out: PseriesOutput): MigrateResult {
  const source = buildPseries({ ...o.source, pauseAt: o.at }, out);
  if (!(source instanceof PseriesMachineImpl)) {
    return { ...source, migration: { kind: "not-reached", at: o.at } };
  }
  const first = source.run(performance.now());
  if (first.reason !== "paused") {
    out.error(
      `hvsim: the guest stopped (${first.reason}) after ${first.stats.instructions} instructions, before instruction ${o.at}: nothing to migrate\n`,
    );
    return { ...first, migration: { kind: "not-reached", at: o.at } };
  }
  const resumeSource = (why: string): MigrateResult => {
    out.error("hvsim: the source resumes where it paused\n");
    const r = source.run(performance.now(), Infinity);
    return {
      ...r,
      status: r.status === 0 ? STATUS_MIGRATION_REFUSED : r.status,
      migration: { kind: "refused", at: o.at, why },
    };
  };
  let snapshot: Uint8Array;
  try {
    snapshot = writeSnapshot("pseries", source.save());
    if (o.snapshotFile !== undefined)
      (o.source.writeFile ?? writeFileSync)(o.snapshotFile, snapshot);
  } catch (e) {
    const why =
      e instanceof MigrationRefused
        ? e.message
        : `cannot write ${o.snapshotFile} (${(e as Error).message})`;
    out.error(`hvsim: migration refused: ${why}\n`);
    return resumeSource(why);
  }
  const dest = buildPseries({ ...o.destination, incoming: snapshot, pauseAt: undefined }, out);
  if (!(dest instanceof PseriesMachineImpl)) {
    const why = dest.reason.startsWith(INCOMING_REFUSED)
      ? dest.reason.slice(INCOMING_REFUSED.length)
      : "the destination's options are bad";
    return resumeSource(why);
  }
  out.error(
    `hvsim: migrated at instruction ${o.at} (snapshot ${(snapshot.length / 1024).toFixed(0)} KiB) from host ${formatHostModel(o.source.host ?? DEFAULT_HOST)} to ${formatHostModel(o.destination.host ?? DEFAULT_HOST)}\n`,
  );
  const r = dest.run(performance.now());
  return {
    ...(o.destination.stateHash === true ? { ...r, stateHash: dest.stateHash() } : r),
    migration: { kind: "migrated", at: o.at, bytes: snapshot.length },
  };
}
