import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { disassemble } from "./disassembler";
import { BASE_INSNS } from "./insn-table";
import { randomWord } from "./insn-gen";
import { SplitMix32 } from "./prng";

const OBJDUMP = "powerpc64le-linux-gnu-objdump";
const N = 120_000;

/** objdump's text for each word of a little-endian raw file, keyed by address. */
function objdumpWords(words: Uint32Array): string[] {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-disasm-"));
  try {
    const file = join(dir, "words.bin");
    const buf = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => buf.writeUInt32LE(w, i * 4));
    writeFileSync(file, buf);
    const r = runPeer(OBJDUMP, [
      "-D",
      "-b",
      "binary",
      "-m",
      "powerpc:common64",
      "-M",
      "power9",
      "-EL",
      file,
    ]);
    expect(r.status).toBe(0);
    const out: string[] = new Array<string>(words.length).fill("<missing>");
    for (const line of r.stdout.split("\n")) {
      const m = /^\s*([0-9a-f]+):\t(?:[0-9a-f]{2} ){4}\t(.*)$/.exec(line);
      if (m) out[parseInt(m[1]!, 16) / 4] = m[2]!;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exhaustive sweeps of the fields that select extended mnemonics. */
function sweeps(): number[] {
  const out: number[] = [];
  for (let spr = 0; spr < 1024; spr++) {
    const f = ((spr & 31) << 16) | ((spr >> 5) << 11);
    out.push((0x7c6002a6 | f) >>> 0, (0x7c6003a6 | f) >>> 0); // mfspr r3 / mtspr r3
  }
  for (let bo = 0; bo < 32; bo++) {
    for (let bi = 0; bi < 32; bi++) {
      for (let aalk = 0; aalk < 4; aalk++)
        out.push((0x40000000 | (bo << 21) | (bi << 16) | 0x40 | aalk) >>> 0);
      for (const xo of [16, 528, 560])
        for (let bhlk = 0; bhlk < 8; bhlk++) {
          out.push(
            (0x4c000000 |
              (bo << 21) |
              (bi << 16) |
              ((bhlk >> 1) << 11) |
              (xo << 1) |
              (bhlk & 1)) >>>
              0,
          );
        }
    }
  }
  for (let sh = 0; sh < 32; sh++)
    for (let mb = 0; mb < 32; mb++)
      for (const me of [0, 31 - sh, 31, mb]) {
        out.push((0x54830000 | (sh << 11) | (mb << 6) | (me << 1)) >>> 0); // rlwinm r3,r4
      }
  for (let sh = 0; sh < 64; sh++)
    for (let mb = 0; mb < 64; mb++)
      for (const xo of [0, 1]) {
        out.push(
          (0x78830000 |
            ((sh & 31) << 11) |
            ((mb & 31) << 6) |
            ((mb >> 5) << 5) |
            (xo << 2) |
            ((sh >> 5) << 1)) >>>
            0,
        );
      }
  for (let th = 0; th < 32; th++)
    for (const xo of [278, 246, 22, 86])
      out.push((0x7c000000 | (th << 21) | (3 << 16) | (4 << 11) | (xo << 1)) >>> 0);
  // String instructions: objdump's invalid forms (RA = RT, RB = RT) and NB = 0 (32).
  for (let rt = 0; rt < 32; rt++)
    for (let ra = 0; ra < 32; ra++) {
      const f = (rt << 21) | (ra << 16);
      for (const nb of [0, 3, 4, 9]) out.push((0x7c0004aa | f | (nb << 11)) >>> 0); // lswi
      out.push((0x7c0005aa | f | (7 << 11)) >>> 0); // stswi
      for (const rb of [0, 5, rt, ra]) out.push((0x7c00042a | f | (rb << 11)) >>> 0); // lswx
      out.push((0x7c00052a | f | (rt << 11)) >>> 0); // stswx
    }
  for (let to = 0; to < 32; to++)
    for (const w of [0x7c000008, 0x7c000088, 0x0c000000, 0x08000000])
      out.push((w | (to << 21) | (3 << 16) | (4 << 11)) >>> 0);
  return out;
}

const norm = (s: string): string => s.trim().replace(/\s+/g, " ");

describeWithPeers([OBJDUMP], "disassembler vs GNU objdump -M power9", () => {
  it(`agrees on ${N} seeded random words drawn from the subset's encodings, plus field sweeps`, () => {
    const rng = new SplitMix32(0x5eed_0001);
    const sweep = sweeps();
    const words = new Uint32Array(N + sweep.length);
    for (let i = 0; i < N; i++)
      words[i] = randomWord(BASE_INSNS[rng.below(BASE_INSNS.length)]!, rng);
    words.set(sweep, N);
    const theirs = objdumpWords(words);
    const diffs: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const ours = norm(disassemble(words[i]!, BigInt(i * 4)));
      const ref = norm(theirs[i]!);
      if (ours !== ref)
        diffs.push(`${words[i]!.toString(16).padStart(8, "0")}: ours "${ours}" objdump "${ref}"`);
    }
    if (diffs.length) console.log(`${diffs.length} diffs\n` + diffs.slice(0, 400).join("\n"));
    expect(diffs.length).toBe(0);
  });
});
