// The CPU's two executors — the inline hot loop (execFast) and the general one-instruction
// executor (step) that everything else goes through — must agree instruction for instruction.
// CpuOptions.singleStep runs a program through step() alone; the same random images (every
// non-privileged integer, branch and load/store form of the subset, both byte orders) must
// print the same register dumps and retire the same number of instructions.
import { describe, expect, it } from "vitest";
import { Cpu } from "./cpu";
import { FlatRamBus } from "./flat-ram-bus";
import { SplitMix32 } from "./prng";
import { PseriesConsole } from "./pseries-console";
import { buildRandomImage } from "./random-program";

function run(img: Uint8Array, singleStep: boolean): { output: string; icount: number } {
  const bus = new FlatRamBus(Math.ceil(img.length / 4096) * 4096 + (1 << 20));
  bus.loadImage(0, img);
  const con = new PseriesConsole(bus);
  const cpu = new Cpu({ bus, vhyp: con, singleStep });
  con.attach(cpu);
  cpu.pc = 0x100n;
  cpu.msr = 0n;
  const stop = cpu.run(50_000_000);
  expect(stop).toEqual({ kind: "exit", reason: "rtas power-off" });
  return { output: con.output, icount: cpu.icount };
}

describe("inline executor vs single-stepping", () => {
  for (const le of [true, false]) {
    it(`agree on 120 random sequences of 200 instructions, ${le ? "little" : "big"}-endian`, () => {
      const img = buildRandomImage(new SplitMix32(le ? 0xe0e0_0001 : 0xe0e0_0002), 120, 200, le);
      const inline = run(img.bytes, false);
      const stepped = run(img.bytes, true);
      expect(inline.output.trim().split("\n")).toHaveLength(120);
      expect(stepped.output).toBe(inline.output);
      expect(stepped.icount).toBe(inline.icount);
    });
  }
});
