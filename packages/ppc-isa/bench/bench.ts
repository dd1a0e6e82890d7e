// `pnpm bench`: MIPS of the loop programs (ALU, load/store, call-heavy, D-form load/store) on
// hvsim's CPU with translation off, median of 5 runs, and — when qemu-system-ppc64 is
// installed — QEMU TCG on the same images with and without `-icount shift=0`, and the ratios.
// Not a test: speed depends on the machine and its load. Loop instruction counts are exact by
// construction (tooling-and-peers.md §3): ITERS x {4, 8, 7.5, 8}.
//
// Before timing, hvsim's CPU runs random images through every instruction form and both byte
// orders (the differential tests' generator), so V8 has compiled the interpreter with the type
// feedback of a long mixed simulation: the figures are that steady state, not the faster
// first-compile state a fresh process shows on a single small loop.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { secondsBetweenMarkers } from "@hvsim/internal-peers";
import { Cpu, FlatRamBus, PseriesConsole, SplitMix32 } from "../src/index";
import { runOnHvsim } from "../src/pseries-bios-run";
import { buildRandomImage } from "../src/random-program";

// The images sit beside this source; the bundled script runs from node_modules/.cache, with
// the package directory as its working directory (pnpm runs scripts there).
const HERE = dirname(fileURLToPath(import.meta.url));
const BENCH = basename(HERE) === "bench" ? HERE : join(process.cwd(), "bench");
const ITERS = 25_000_000;
const RUNS = Number(process.env.HVSIM_BENCH_RUNS ?? 5);
const PROGRAMS = [
  { name: "ALU", file: "loop-b1.bin", loopInsns: ITERS * 4 },
  { name: "load/store", file: "loop-b2.bin", loopInsns: ITERS * 8 },
  { name: "call-heavy", file: "loop-b3.bin", loopInsns: ITERS * 7.5 },
  { name: "D-form l/s", file: "loop-b4.bin", loopInsns: ITERS * 8 },
];
const SUM = "SUM=00011c37943cc420";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** MIPS of hvsim over the whole run (boot and printing are < 0.001% of it). */
function hvsimOnce(file: string): number {
  const bus = new FlatRamBus(16 << 20);
  bus.loadImage(0, new Uint8Array(readFileSync(join(BENCH, file))));
  const con = new PseriesConsole(bus);
  const cpu = new Cpu({ bus, vhyp: con });
  con.attach(cpu);
  cpu.pc = 0x100n;
  cpu.msr = 0n; // QEMU pseries reset state
  const t0 = process.hrtime.bigint();
  const stop = cpu.run(1e9);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stop.kind !== "exit" || !con.output.includes(SUM)) {
    throw new Error(
      `${file}: unexpected end ${JSON.stringify(stop)} output ${JSON.stringify(con.output)}`,
    );
  }
  return cpu.icount / s / 1e6;
}

/** QEMU MIPS from the START/DONE markers on its console (boot excluded). */
async function qemuOnce(file: string, loopInsns: number, icount: boolean): Promise<number> {
  const args = [
    "-M",
    "pseries",
    "-m",
    "512M",
    "-accel",
    "tcg",
    "-nographic",
    "-nodefaults",
    "-serial",
    "stdio",
    "-display",
    "none",
    "-bios",
    join(BENCH, file),
  ];
  if (icount) args.push("-icount", "shift=0");
  const r = await secondsBetweenMarkers("qemu-system-ppc64", args, "START", "DONE");
  if (!r.output.includes(SUM)) throw new Error(`qemu on ${file}: ${JSON.stringify(r.output)}`);
  return loopInsns / r.seconds / 1e6;
}

/** Every path of the interpreter once: 20 random images, both byte orders. */
function warmUp(): void {
  const rng = new SplitMix32(0xbe4c_0001);
  for (let k = 0; k < 20; k++) {
    const out = runOnHvsim(buildRandomImage(rng, 20, 200, k % 2 === 0).bytes);
    if (out.includes("hvsim stopped")) throw new Error(`warm-up image ${k}: ${out.slice(-200)}`);
  }
}

async function main(): Promise<void> {
  const haveQemu = spawnSync("qemu-system-ppc64", ["--version"]).status === 0;
  console.log(
    `hvsim ppc-isa benchmark: ${RUNS} runs per program, median MIPS (node ${process.version})`,
  );
  warmUp();
  const rows: string[] = [];
  for (const p of PROGRAMS) {
    const ours = median(Array.from({ length: RUNS }, () => hvsimOnce(p.file)));
    let line = `${p.name.padEnd(11)} hvsim ${ours.toFixed(0).padStart(5)} MIPS`;
    if (haveQemu) {
      const q: number[] = [];
      const qi: number[] = [];
      for (let i = 0; i < RUNS; i++) q.push(await qemuOnce(p.file, p.loopInsns, false));
      for (let i = 0; i < RUNS; i++) qi.push(await qemuOnce(p.file, p.loopInsns, true));
      const mq = median(q),
        mqi = median(qi);
      line +=
        ` | QEMU TCG ${mq.toFixed(0).padStart(5)} MIPS (hvsim/QEMU ${(ours / mq).toFixed(3)})` +
        ` | QEMU -icount shift=0 ${mqi.toFixed(0).padStart(4)} MIPS (hvsim/QEMU ${(ours / mqi).toFixed(3)})`;
    } else line += " | qemu-system-ppc64 not installed: no peer figures";
    console.log(line);
    rows.push(line);
  }
}

void main();
