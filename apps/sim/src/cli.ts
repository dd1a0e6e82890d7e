#!/usr/bin/env node
import { runCli } from "./cli/program";

// `hvsim ... | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

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
