// Differential test against QEMU TCG: the same random-sequence pseries images run on
// `qemu-system-ppc64 -M pseries -bios` and on hvsim's CPU over flat memory; the printed
// register dumps (GPR0-31, CR, XER, LR, CTR, scratch checksum per sequence) must be equal,
// for both of hvsim's executors (the inline loop and single-stepping).
import { describeWithPeers } from "@hvsim/internal-peers";
import { expect, it } from "vitest";
import { SplitMix32 } from "./prng";
import { QEMU_SYSTEM as QEMU, runOnHvsim, runOnQemu } from "./pseries-bios-run";
import { DUMP_WORDS, buildRandomImage } from "./random-program";

const SEQUENCES = Number(process.env.HVSIM_DIFF_SEQUENCES ?? 260);
const LENGTH = 200;

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
      const theirs = runOnQemu(img.bytes);
      expect(theirs.trim().split("\n")).toHaveLength(SEQUENCES);
      // Both of hvsim's executors: the inline hot loop, and everything through step().
      for (const singleStep of [false, true]) {
        const ours = runOnHvsim(img.bytes, { singleStep });
        expect(ours).not.toContain("hvsim stopped");
        const diffs = compare(ours, theirs);
        if (diffs.length) console.log(`singleStep=${singleStep}\n${diffs.slice(0, 20).join("\n")}`);
        expect(diffs).toEqual([]);
      }
    }, 180_000);
  }
});
