import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Cpu } from "./cpu";
import { FlatRamBus } from "./flat-ram-bus";
import { PseriesConsole } from "./pseries-console";

const BENCH = join(__dirname, "..", "bench");

/**
 * A committed image with its iteration count (25,000,000, loaded by `oris r6,r6,0x17d;
 * ori r6,r6,0x7840`) patched to `iters`, so the test runs in a fraction of a second.
 */
export function patchedImage(file: string, iters: number): Uint8Array {
  const img = new Uint8Array(readFileSync(join(BENCH, file)));
  const v = new DataView(img.buffer);
  for (let off = 0; off + 8 <= img.length; off += 4) {
    if (v.getUint32(off, true) === 0x64c6017d && v.getUint32(off + 4, true) === 0x60c67840) {
      v.setUint32(off, 0x64c60000 | (iters >>> 16), true);
      v.setUint32(off + 4, 0x60c60000 | (iters & 0xffff), true);
      return img;
    }
  }
  throw new Error(`${file}: iteration count not found`);
}

/** Run a pseries loop image on a bare CPU, as QEMU -M pseries -bios would. */
function runImage(file: string, iters: number, maxInsns: number) {
  const bus = new FlatRamBus(16 << 20);
  bus.loadImage(0, patchedImage(file, iters));
  const con = new PseriesConsole(bus);
  const cpu = new Cpu({ bus, vhyp: con });
  con.attach(cpu);
  cpu.pc = 0x100n;
  cpu.msr = 0x8000000000001000n; // SF|ME, big-endian, MSR[HV]=0: a pseries guest at reset
  const stop = cpu.run(maxInsns);
  return { stop, out: con.output, cpu };
}

const ITERS = 200_000;
const SUM = ((BigInt(ITERS) * BigInt(ITERS + 1)) / 2n).toString(16).padStart(16, "0");

describe("the benchmark loop programs", () => {
  it.each([
    ["loop-b1.bin", 4],
    ["loop-b2.bin", 8],
    ["loop-b3.bin", 7.5],
    ["loop-b4.bin", 8],
  ])("%s prints the expected sum", (file, perIter) => {
    const { stop, out, cpu } = runImage(file, ITERS, 10_000_000);
    expect(stop).toEqual({ kind: "exit", reason: "rtas power-off" });
    expect(out).toBe(`START\nSUM=${SUM}\nDONE\n`);
    expect(cpu.icount).toBeGreaterThan(ITERS * perIter);
    expect(cpu.icount).toBeLessThan(ITERS * perIter + 10_000);
  });
});
