// Migrating spapr caps (QEMU hw/ppc/spapr_caps.c, commit be85537d65 "Validate capabilities on
// migration"; nested-hv.md §3.3):
//   source: a cap travels in its own subsection "spapr/cap/<name>" only if it was set on the
//           command line AND differs from the machine default (and hpt-max-page-size never
//           on pseries ≤ 4.0);
//   destination: starts from *its* defaults, takes every incoming value that differs from its
//           default as the source's value, and compares with its own effective caps:
//           source > destination → error, migration fails ("cap-X higher level (a) in incoming
//           stream than on destination (b)"); source < destination → warning only.
// The destination never adopts the stream's caps: its own command line rules.

import type { ResolvedCaps } from "./machine-options";
import { capMigratesOn } from "./spapr-caps";

/** What the source puts in the stream: cap name → stored value. */
export function capsMigrationStream(src: ResolvedCaps): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of src.caps) {
    if (
      row.source === "explicit" &&
      row.value !== row.default &&
      capMigratesOn(row.cap, src.machine)
    ) {
      out[row.cap.name] = row.value;
    }
  }
  return out;
}

export interface CapMigrationIssue {
  readonly cap: string;
  readonly level: "error" | "warning";
  readonly source: number;
  readonly destination: number;
  readonly message: string;
}

export interface CapMigrationReport {
  readonly verdict: "ok" | "warning" | "error";
  readonly issues: readonly CapMigrationIssue[];
}

/** The destination's check of an incoming stream (spapr_caps_post_migration). */
export function checkCapsMigrationStream(
  stream: Readonly<Record<string, number>>,
  dst: ResolvedCaps,
): CapMigrationReport {
  const issues: CapMigrationIssue[] = [];
  for (const row of dst.caps) {
    // pre_load sets mig = def; the stream overwrites what it carries; a value equal to the
    // destination's default is indistinguishable from "not sent".
    const srcValue = stream[row.cap.name] ?? row.default;
    if (srcValue > row.value) {
      issues.push({
        cap: row.cap.name,
        level: "error",
        source: srcValue,
        destination: row.value,
        message: `cap-${row.cap.name} higher level (${srcValue}) in incoming stream than on destination (${row.value})`,
      });
    } else if (srcValue < row.value) {
      issues.push({
        cap: row.cap.name,
        level: "warning",
        source: srcValue,
        destination: row.value,
        message: `cap-${row.cap.name} lower level (${srcValue}) in incoming stream than on destination (${row.value})`,
      });
    }
  }
  const verdict = issues.some((i) => i.level === "error")
    ? "error"
    : issues.length > 0
      ? "warning"
      : "ok";
  return { verdict, issues };
}

/** Migrate from `src` to `dst`: the stream the source sends, checked by the destination. */
export function checkCapsMigration(src: ResolvedCaps, dst: ResolvedCaps): CapMigrationReport {
  return checkCapsMigrationStream(capsMigrationStream(src), dst);
}
