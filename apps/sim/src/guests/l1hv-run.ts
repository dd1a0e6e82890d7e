// Run guests/l1hv with its initrd on hvsim as a user would:
//   pnpm hvsim run -M <machine> -m 512M -smp 1 -kernel l1hv.elf -initrd l1hv.initrd [-append ..]
// in a child process (the CLI run from the workspace sources, scripts/hvsim.mjs). A run takes
// tens of seconds of synchronous simulation; in a child process it does not block the test
// worker, and several runs go side by side.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { l1hvArgv } from "./l1hv-argv";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const guests = fileURLToPath(new URL("../../guests/", import.meta.url));

export interface L1hvRun {
  console: string;
  errors: string;
  status: number;
}

/** `extra`: more `hvsim run` options (e.g. `-d isolation`, `--stats`). */
export function runL1hv(
  machine: string,
  append?: string,
  extra: readonly string[] = [],
): Promise<L1hvRun> {
  const args = [`${root}scripts/hvsim.mjs`, ...l1hvArgv(guests, machine, append), ...extra];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ console: stdout, errors: stderr, status });
    });
  });
}
