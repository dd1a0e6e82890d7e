// `hvsim asm --elf` against GNU binutils: objdump -d on the ELF hvsim writes must print exactly
// what `hvsim disasm` prints for it (labels, symbolic branch targets, address column), in both
// byte orders, for a source of random instructions with labelled branches between them.
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { BASE_INSNS, F_BE_ONLY, SplitMix32, decode, disassemble, randomWord } from "@hvsim/ppc-isa";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { captureIO } from "../io";
import { runCli } from "../program";

const OBJDUMP = "powerpc64le-linux-gnu-objdump";
const dir = mkdtempSync(join(tmpdir(), "hvsim-asm-peer-"));

/** 1,500 random non-branch instructions, a label every 50, branches and calls between labels. */
function source(le: boolean, seed: number): string {
  const rng = new SplitMix32(seed);
  const rows = BASE_INSNS.filter(
    (d) =>
      !d.operands.some((o) => o.kind === "rel" || o.kind === "abs") &&
      (!le || (d.flags & F_BE_ONLY) === 0),
  );
  const lines = ["  .text", "  .globl _start", "_start:"];
  for (let i = 0; i < 1500; i++) {
    if (i % 50 === 0) lines.push(`L${i / 50}:`);
    if (i % 17 === 0) {
      const to = `L${rng.below(30)}`;
      lines.push(["  bl " + to, "  bne cr1, " + to, "  bdnz " + to, "  b " + to][rng.below(4)]!);
      continue;
    }
    const d = rows[rng.below(rows.length)]!;
    const w = randomWord(d, rng);
    const row = decode(w);
    // gas's range rule for lswi: such words assemble only as data.
    if (row === undefined || row.asmCheck?.(w) !== undefined) {
      lines.push(`  .long 0x${w.toString(16)}`);
      continue;
    }
    lines.push("  " + disassemble(w).replace(/\s+/, " "));
  }
  lines.push("  .data", "v: .quad 1, 2, 3");
  return lines.join("\n") + "\n";
}

/** The listing from its first "Disassembly of" line, that header line itself left out. */
function body(text: string): string[] {
  const lines = text.replace(/\r/g, "").split("\n");
  const at = lines.findIndex((l) => l.startsWith("Disassembly of"));
  return lines.slice(at + 1).filter((l, i, all) => i < all.length - 1 || l !== "");
}

describeWithPeers([OBJDUMP], "hvsim asm --elf vs GNU objdump", () => {
  for (const endian of ["little", "big"] as const) {
    it(`objdump -d on the ${endian}-endian ELF prints what hvsim disasm prints`, async () => {
      const src = join(dir, `r-${endian}.S`);
      writeFileSync(src, source(endian === "little", endian === "little" ? 0xe1f1 : 0xe1f2));
      const elf = join(dir, `r-${endian}.elf`);
      const asmArgs = ["asm", src, "-o", elf, "--elf", "--base", "0x10000", "--endian", endian];
      expect(await runCli(asmArgs, captureIO())).toBe(0);
      const ours = captureIO();
      expect(await runCli(["disasm", elf], ours)).toBe(0);
      const theirs = runPeer(OBJDUMP, ["-d", "-M", "power9", elf]);
      expect(theirs.status).toBe(0);
      expect(theirs.stdout).toContain(
        `file format elf64-powerpc${endian === "little" ? "le" : ""}`,
      );
      const a = body(ours.stdout()),
        b = body(theirs.stdout);
      expect(a.length).toBeGreaterThan(1500);
      const diffs = a.flatMap((l, i) => (l === b[i] ? [] : [`hvsim: ${l}\nobjdump: ${b[i]}`]));
      expect(diffs.slice(0, 10)).toEqual([]);
      expect(a.length).toBe(b.length);
    });
  }
});
