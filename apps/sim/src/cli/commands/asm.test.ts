import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

  it("reports assembly errors with the file and line", async () => {
    const src = join(dir, "bad.S");
    writeFileSync(src, "nop\n  frobnicate r1\n");
    const io = captureIO();
    expect(await runCli(["asm", src, "-o", join(dir, "bad.bin")], io)).not.toBe(0);
    expect(io.stderr()).toContain("bad.S: line 2: unknown instruction");
  });
});
