// `pnpm bench` (apps/sim): nested-HV speed, as L2 exits reflected to the L1 per second, on
// hvsim and on QEMU's TCG L0 with the same images (guests/l1hv running l2-hcall-loop:
// `-append l1hv.bench=N`, N L2 -> L0 -> L1 -> L0 -> L2 round trips), median of RUNS runs and
// the ratio; then the host memory each L2's shadow tree costs in hvsim's L0 (l1hv's default
// six L2s, from `--stats`). Not a test: speed depends on the machine and its load.
//
// Both are timed the same way: from the `bench: START` line on the console to `bench: DONE`
// (boot, loading and the summary excluded), in a child process each.
import { spawnSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { secondsBetweenMarkers } from "@hvsim/internal-peers";
import { qemuGuestArgs } from "../src/guests/qemu-args";

// This file runs bundled from node_modules/.cache, with apps/sim as the working directory
// (pnpm runs scripts there), or from its own folder.
const HERE = dirname(fileURLToPath(import.meta.url));
const APP = basename(HERE) === "bench" ? dirname(HERE) : process.cwd();
const ROOT = join(APP, "..", "..");
const GUESTS = join(APP, "guests");
const RUNS = Number(process.env.HVSIM_BENCH_RUNS ?? 5);
/** Round trips per run: QEMU's are far cheaper, so it gets more to time a similar while. */
const HVSIM_N = Number(process.env.HVSIM_BENCH_NESTED_N ?? 20_000);
const QEMU_N = Number(process.env.HVSIM_BENCH_NESTED_QEMU_N ?? 200_000);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const L1HV = {
  machine: "pseries,cap-nested-hv=on",
  kernel: join(GUESTS, "l1hv", "l1hv.elf"),
  bios: join(GUESTS, "bootrom", "bootrom.bin"),
};
const initrd = ["-initrd", join(GUESTS, "l1hv", "l1hv.initrd")];

/** hvsim's `run` options for l1hv (QEMU's spelling, as the CLI takes them). */
const l1hvArgs = (append?: string): string[] => [
  "-M",
  L1HV.machine,
  "-m",
  "512M",
  "-smp",
  "1",
  "-kernel",
  L1HV.kernel,
  ...initrd,
  ...(append !== undefined ? ["-append", append] : []),
];

/** Reflected exits per second of one run: N over the time from START to DONE. */
async function timed(cmd: string, args: string[], n: number): Promise<number> {
  const r = await secondsBetweenMarkers(cmd, args, "bench: START", "bench: DONE");
  if (!r.output.includes(`l2-hcall-loop: ${n} hypervisor calls answered`)) {
    throw new Error(`${cmd}: unexpected output ${JSON.stringify(r.output.slice(-400))}`);
  }
  return n / r.seconds;
}

const hvsim = (n: number): Promise<number> =>
  timed(
    process.execPath,
    [join(ROOT, "scripts", "hvsim.mjs"), "run", ...l1hvArgs(`l1hv.bench=${n}`)],
    n,
  );

const qemu = (n: number): Promise<number> =>
  timed(
    "qemu-system-ppc64",
    qemuGuestArgs({ ...L1HV, smp: 1, extra: [...initrd, "-append", `l1hv.bench=${n}`] }),
    n,
  );

/** The `shadow trees` line of `--stats` for l1hv's default run. */
function shadowTrees(): string {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "scripts", "hvsim.mjs"), "run", ...l1hvArgs(), "--stats"],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const line = (name: string): string =>
    (r.stderr.split("\n").find((l) => l.startsWith(name)) ?? `${name} ?`).slice(17);
  return (
    `shadow trees, l1hv's six L2s (64 KiB pages): ${line("shadow trees")}\n` +
    `host memory of the whole run (L1 RAM touched + L0 tables): ${line("host memory")}`
  );
}

async function main(): Promise<void> {
  const haveQemu = spawnSync("qemu-system-ppc64", ["--version"]).status === 0;
  console.log(
    `hvsim nested-HV benchmark: L2 exits reflected to L1 (l2-hcall-loop under l1hv), ` +
      `median of ${RUNS} runs (node ${process.version})`,
  );
  await hvsim(100); // bundle the CLI once, outside the timed runs
  const ours: number[] = [];
  for (let i = 0; i < RUNS; i++) ours.push(await hvsim(HVSIM_N));
  const mo = median(ours);
  let line = `hvsim ${mo.toFixed(0).padStart(7)} exits/s (N=${HVSIM_N})`;
  if (haveQemu) {
    const q: number[] = [];
    for (let i = 0; i < RUNS; i++) q.push(await qemu(QEMU_N));
    const mq = median(q);
    line += ` | QEMU TCG ${mq.toFixed(0).padStart(7)} exits/s (N=${QEMU_N}) | hvsim/QEMU ${(mo / mq).toFixed(3)}`;
  } else line += " | qemu-system-ppc64 not installed: no peer figure";
  console.log(line);
  console.log(shadowTrees());
}

void main();
