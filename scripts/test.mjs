#!/usr/bin/env node
// `pnpm test`: build, typecheck, lint and test every package through turbo, then print one
// summary over all packages (tests passed/failed/skipped and line coverage per package).
// The exit status is turbo's: one failing package fails the run.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = [
  "turbo",
  "run",
  "build",
  "typecheck",
  "lint",
  "test",
  "--output-logs=new-only",
  "--continue",
  ...process.argv.slice(2),
];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
const turbo = spawnSync("pnpm", ["exec", ...args], { cwd: root, stdio: "inherit", env });

let passed = 0,
  failed = 0,
  skipped = 0;
const rows = [];
for (const group of ["packages", "apps"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const pkgDir = join(dir, name);
    const results = join(pkgDir, "coverage", "test-results.json");
    const cov = join(pkgDir, "coverage", "coverage-summary.json");
    let p = 0,
      f = 0,
      s = 0,
      lines = "-";
    if (existsSync(results)) {
      const r = JSON.parse(readFileSync(results, "utf8"));
      p = r.numPassedTests ?? 0;
      f = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
      s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    }
    if (existsSync(cov)) {
      const c = JSON.parse(readFileSync(cov, "utf8"));
      if (c.total?.lines?.total) lines = `${c.total.lines.pct.toFixed(1)}%`;
    }
    passed += p;
    failed += f;
    skipped += s;
    rows.push(
      `  ${`${group}/${name}`.padEnd(24)} ${String(p).padStart(6)} passed ${String(f).padStart(4)} failed ${String(s).padStart(4)} skipped   lines ${lines}`,
    );
  }
}
console.log("\nhvsim test summary");
for (const r of rows) console.log(r);
const status = turbo.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a build, typecheck or lint failure
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
