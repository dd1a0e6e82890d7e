#!/usr/bin/env node
// `pnpm hvsim <args>`: run the hvsim CLI straight from the workspace's TypeScript sources.
// The CLI and every @hvsim package it uses are bundled into one file with esbuild (about a
// tenth of a second) whenever a source file is newer than the bundle, then run in this process.
// This keeps start-up well under a second; `pnpm build` still produces the published dist/.
import { existsSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const bundle = join(root, "apps/sim/.hvsim/hvsim.mjs");

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = [
  join(root, "apps/sim/src"),
  ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "src")),
];
const stale = !existsSync(bundle) || sources.some((d) => newest(d) > statSync(bundle).mtimeMs);
if (stale) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(root, "apps/sim/src/cli.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@hvsim/source"],
    // Built beside the bundle and renamed over it, so concurrent runs never see half a file.
    outfile: `${bundle}.${process.pid}.tmp`,
    sourcemap: "inline",
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  renameSync(`${bundle}.${process.pid}.tmp`, bundle);
}
await import(pathToFileURL(bundle).href);
