import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PF_R, PF_W, PF_X, parseElf } from "../../loader/elf";
import { captureIO } from "../io";
import { runCli } from "../program";

const dir = mkdtempSync(join(tmpdir(), "hvsim-asm-"));

describe("hvsim asm", () => {
  it("assembles a source to raw bytes that exec runs", async () => {
    const src = join(dir, "p.S");
    writeFileSync(src, "  li r3, 42\n  addi r4, r3, 1\n  attn\n");
    const out = join(dir, "p.bin");
    const io = captureIO();
    expect(await runCli(["asm", src, "-o", out], io)).toBe(0);
    expect([...readFileSync(out)]).toEqual([0x2a, 0, 0x60, 0x38, 1, 0, 0x83, 0x38, 0, 2, 0, 0]);
    const io2 = captureIO();
    expect(await runCli(["exec", out, "--load", "0x1000"], io2)).toBe(0);
    expect(io2.stdout()).toContain("r4  = 0x000000000000002b");
  });

  it("lays out .data after .text from --base, so labels in either are addresses", async () => {
    const src = join(dir, "d.S");
    writeFileSync(
      src,
      "  lis r3, v@h\n  ori r3, r3, v@l\n  ld r4, 0(r3)\n  attn\n  .data\nv: .quad 7\n",
    );
    const out = join(dir, "d.bin");
    expect(await runCli(["asm", src, "-o", out, "--base", "0x10000"], captureIO())).toBe(0);
    expect(readFileSync(out).length).toBe(0x1008);
    const io = captureIO();
    expect(await runCli(["exec", out, "--load", "0x10000"], io)).toBe(0);
    expect(io.stdout()).toContain("r3  = 0x0000000000011000");
    expect(io.stdout()).toContain("r4  = 0x0000000000000007");
  });

  for (const endian of ["little", "big"] as const) {
    it(`--elf writes a ${endian}-endian ELF64 executable that exec runs and disasm reads`, async () => {
      const src = join(dir, `e-${endian}.S`);
      writeFileSync(
        src,
        [
          "  .text",
          "  .globl _start",
          "f: li r4, 1",
          "  blr",
          "_start:",
          "  lis r3, v@h",
          "  ori r3, r3, v@l",
          "  ld r5, 0(r3)",
          "  bl f",
          "  attn",
          "  .data",
          "v: .quad 0x1234",
          "",
        ].join("\n"),
      );
      const out = join(dir, `e-${endian}.elf`);
      const io = captureIO();
      const args = ["asm", src, "-o", out, "--elf", "--base", "0x20000", "--endian", endian];
      expect(await runCli(args, io)).toBe(0);
      expect(io.stdout()).toMatch(new RegExp(`ELF64 ${endian}-endian executable`));
      const bytes = new Uint8Array(readFileSync(out));
      const elf = parseElf(bytes, out);
      expect(elf.littleEndian).toBe(endian === "little");
      expect(elf.entry).toBe(0x20008n); // _start
      expect(elf.segments.map((s) => [s.vaddr, s.paddr, s.flags, s.data.length])).toEqual([
        [0x20000n, 0x20000n, PF_R | PF_X, 28],
        [0x21000n, 0x21000n, PF_R | PF_W, 8],
      ]);
      expect(elf.symbols.filter((s) => s.name !== "").map((s) => [s.name, s.value])).toEqual([
        ["f", 0x20000n],
        ["v", 0x21000n],
        ["_start", 0x20008n],
      ]);
      const run = captureIO();
      const msr = endian === "little" ? [] : ["--msr", "0x9000000000000000"];
      expect(await runCli(["exec", out, ...msr], run)).toBe(0);
      expect(run.stdout()).toContain("r4  = 0x0000000000000001");
      expect(run.stdout()).toContain("r5  = 0x0000000000001234");
      const dis = captureIO();
      expect(await runCli(["disasm", out], dis)).toBe(0);
      expect(dis.stdout()).toContain("Disassembly of segment at 0x20000:");
      const ld = endian === "little" ? "00 00 a3 e8" : "e8 a3 00 00";
      expect(dis.stdout()).toContain(`   20010:\t${ld} \tld      r5,0(r3)`);
      expect(dis.stdout()).toContain("bl      20000 <f>");
    });
  }

  it("reports assembly errors with the file and line", async () => {
    const src = join(dir, "bad.S");
    writeFileSync(src, "nop\n  frobnicate r1\n");
    const io = captureIO();
    expect(await runCli(["asm", src, "-o", join(dir, "bad.bin")], io)).not.toBe(0);
    expect(io.stderr()).toContain("bad.S: line 2: unknown instruction");
  });
});
