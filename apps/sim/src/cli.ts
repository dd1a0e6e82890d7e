#!/usr/bin/env node
import { runCli } from "./cli/program";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A broken simulator invariant: print it fully, it is a bug in hvsim.
    console.error("hvsim: internal error (please report):", e);
    process.exitCode = 70;
  },
);
