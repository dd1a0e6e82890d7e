// The main job's engine: boot each guest program on the pseries machine, one after another,
// print its console and a one-line summary. `hvsim demo` (the CLI) calls this.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GUEST_PROGRAMS, hvsimExpected, programFiles } from "../../guests/programs";
import { formatCounts, runPseries } from "./machine";
import type { PseriesResult } from "./machine";

export interface DemoProgramResult {
  name: string;
  smp: number;
  result: PseriesResult;
  console: string;
  /** The console equals the program's QEMU golden (`<name>.expected`); undefined without one. */
  matchesQemu: boolean | undefined;
}

const kv = formatCounts;

/**
 * Run every program of GUEST_PROGRAMS from `guestsDir` (apps/sim/guests) with its -smp and
 * -m 512M; `write` receives the consoles and summaries as they come.
 */
export function runGuestDemo(
  guestsDir: string,
  write: (text: string) => void,
): DemoProgramResult[] {
  const results: DemoProgramResult[] = [];
  for (const p of GUEST_PROGRAMS) {
    const machine = p.machine === undefined ? "" : ` -M ${p.machine}`;
    write(`=== ${p.name} (-smp ${p.smp}${machine}): ${p.summary}\n`);
    let console = "";
    const result = runPseries(
      {
        kernel: join(guestsDir, programFiles(p).elf),
        smp: p.smp,
        memory: "512M",
        ...(p.machine !== undefined ? { machine: p.machine } : {}),
        ...(p.append !== undefined ? { append: p.append } : {}),
        ...(p.host !== undefined ? { hostActions: p.host } : {}),
      },
      {
        console: (s) => {
          console += s;
          write(s);
        },
        error: (s) => write(s),
      },
    );
    const golden = join(guestsDir, programFiles(p).golden);
    const matchesQemu = existsSync(golden)
      ? hvsimExpected(p, readFileSync(golden, "utf8")) === console
      : undefined;
    const deviation =
      p.qemuDeviation === undefined ? "" : " (one documented deviation: see guests/README.md)";
    const s = result.stats;
    write(
      `--- ${p.name}: status ${result.status} (${result.reason}), ${s.instructions} instructions, ` +
        `${s.mips.toFixed(1)} MIPS, exits ${kv(s.exits)}; hcalls in kernel ${kv(s.hcallsInKernel)}, ` +
        `in VMM ${kv(s.hcallsInVmm)}; same output as QEMU: ${matchesQemu === undefined ? "no golden" : matchesQemu ? `yes${deviation}` : "NO"}\n\n`,
    );
    results.push({ name: p.name, smp: p.smp, result, console, matchesQemu });
  }
  return results;
}
