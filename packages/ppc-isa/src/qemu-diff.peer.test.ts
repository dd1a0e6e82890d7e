// Differential test against QEMU TCG: the same random-sequence pseries images run on
// `qemu-system-ppc64 -M pseries -bios` and on hvsim's CPU over flat memory; the printed
// register dumps (GPR0-31, CR, XER, LR, CTR, scratch checksum per sequence) must be equal.
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Cpu } from "./cpu";
import { FlatRamBus } from "./flat-ram-bus";
import { PseriesConsole } from "./pseries-console";
import { SplitMix32 } from "./prng";
import { DUMP_WORDS, buildRandomImage } from "./random-program";

const QEMU = "qemu-system-ppc64";
const SEQUENCES = Number(process.env.HVSIM_DIFF_SEQUENCES ?? 260);
const LENGTH = 200;

function runHvsim(img: Uint8Array): string {
  const bus = new FlatRamBus(Math.ceil(img.length / 4096) * 4096 + (1 << 20));
  bus.loadImage(0, img);
  const con = new PseriesConsole(bus);
  const cpu = new Cpu({ bus, vhyp: con });
  con.attach(cpu);
  cpu.pc = 0x100n;
  cpu.msr = 0n; // QEMU pseries at reset: MSR = 0 (32-bit, big-endian, guest state)
  const stop = cpu.run(200_000_000);
  expect(stop).toEqual({ kind: "exit", reason: "rtas power-off" });
  return con.output;
}

function runQemu(img: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-diff-"));
  try {
    const file = join(dir, "img.bin");
    writeFileSync(file, img);
    const r = runPeer(
      QEMU,
      [
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
        file,
      ],
      { timeout: 120_000 },
    );
    return r.stdout.replace(/\r/g, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAMES = [...Array(32).keys()].map((i) => `r${i}`).concat(["cr", "xer", "lr", "ctr", "sum"]);

function compare(ours: string, theirs: string): string[] {
  const a = ours.trim().split("\n");
  const b = theirs.trim().split("\n");
  const diffs: string[] = [];
  for (let s = 0; s < Math.max(a.length, b.length); s++) {
    const x = a[s] ?? "",
      y = b[s] ?? "";
    if (x === y) continue;
    const fields: string[] = [];
    for (let k = 0; k < DUMP_WORDS; k++) {
      const u = x.slice(16 * k, 16 * k + 16),
        v = y.slice(16 * k, 16 * k + 16);
      if (u !== v) fields.push(`${NAMES[k]} hvsim=${u} qemu=${v}`);
    }
    diffs.push(`sequence ${s}: ${fields.join("; ")}`);
  }
  return diffs;
}

describeWithPeers([QEMU], "CPU vs QEMU TCG on random instruction sequences", () => {
  for (const le of [true, false]) {
    it(`${SEQUENCES} sequences of ${LENGTH} instructions, ${le ? "little" : "big"}-endian`, () => {
      const img = buildRandomImage(
        new SplitMix32(le ? 0xd1ff_0001 : 0xd1ff_0002),
        SEQUENCES,
        LENGTH,
        le,
      );
      const ours = runHvsim(img.bytes);
      const theirs = runQemu(img.bytes);
      expect(theirs.trim().split("\n")).toHaveLength(SEQUENCES);
      const diffs = compare(ours, theirs);
      if (diffs.length) console.log(diffs.slice(0, 20).join("\n"));
      expect(diffs).toEqual([]);
    }, 180_000);
  }
});
