import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeElf } from "../../loader/elf.test";
import { captureIO } from "../io";
import { runCli } from "../program";

const dir = mkdtempSync(join(tmpdir(), "hvsim-exec-"));
const file = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const words = (ws: number[], le: boolean): Uint8Array => {
  const b = new Uint8Array(ws.length * 4);
  const v = new DataView(b.buffer);
  ws.forEach((w, i) => v.setUint32(4 * i, w, le));
  return b;
};

// li r3,42; addi r4,r3,1; mtlr r4; attn
const PROG = [0x3860002a, 0x38830001, 0x7c8803a6, 0x00000200];

describe("hvsim exec", () => {
  it("runs a raw little-endian image until attn and prints the registers", async () => {
    const io = captureIO();
    const status = await runCli(["exec", file("p.bin", words(PROG, true)), "--load", "0x1000"], io);
    expect(io.stderr()).toBe("");
    expect(status).toBe(0);
    const out = io.stdout();
    expect(out).toContain("stop: attn");
    expect(out).toContain("r3  = 0x000000000000002a");
    expect(out).toContain("r4  = 0x000000000000002b");
    expect(out).toContain("lr  = 0x000000000000002b");
    expect(out).toContain("pc  = 0x000000000000100c");
    expect(out).toContain("msr = 0x9000000000000001");
    expect(out).toContain("insns = 4"); // attn itself counts
  });

  it("runs a big-endian ELF at its entry with --msr", async () => {
    const io = captureIO();
    const elf = makeElf({
      littleEndian: false,
      vaddr: 0x2000n,
      code: words(PROG, false),
      entry: 0x2000n,
    });
    const status = await runCli(["exec", file("p.elf", elf), "--msr", "0x9000000000000000"], io);
    expect(status).toBe(0);
    expect(io.stdout()).toContain("r4  = 0x000000000000002b");
  });

  it("prints the same with --single-step", async () => {
    // li r5,100; mtctr r5; 1: add r4,r4,r5; std r4,0x800(0); ld r6,0x800(0); addi r5,r5,-1;
    // bdnz 1b; attn
    const loop = [
      0x38a00064, 0x7ca903a6, 0x7c842a14, 0xf8800800, 0xe8c00800, 0x38a5ffff, 0x4200fff0,
      0x00000200,
    ];
    const outs: string[] = [];
    for (const extra of [[], ["--single-step"]]) {
      const io = captureIO();
      const args = ["exec", file("sum.bin", words(loop, true)), "--load", "0x1000", ...extra];
      expect(await runCli(args, io)).toBe(0);
      outs.push(io.stdout());
    }
    expect(outs[0]).toContain("r4  = 0x00000000000013ba"); // 100 + 99 + ... + 1
    expect(outs[0]).toContain("insns = 503");
    expect(outs[1]).toBe(outs[0]);
  });

  it("runs ppc-isa's ALU loop program to its sum (100M instructions within the default limit)", async () => {
    const elf = join(__dirname, "../../../../../packages/ppc-isa/bench/loop-b1.elf");
    const io = captureIO();
    expect(await runCli(["exec", elf, "--msr", "0"], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain("START\nSUM=00011c37943cc420\nDONE\n"); // sum of 1..25,000,000
    expect(out).toContain("stop: exit (rtas power-off)");
  }, 60_000);

  it("stops at --max-insns", async () => {
    const io = captureIO();
    await runCli(
      ["exec", file("loop.bin", words([0x48000000], true)), "--load", "0", "--max-insns", "1000"],
      io,
    );
    expect(io.stdout()).toContain("stop: max-insns");
    expect(io.stdout()).toContain("insns = 1000");
  });

  it("stops on an unhandled interrupt with status 1", async () => {
    const io = captureIO();
    // tw 31,0,0 (trap): program interrupt
    const status = await runCli(
      ["exec", file("trap.bin", words([0x7fe00008], true)), "--load", "0x100"],
      io,
    );
    expect(status).toBe(1);
    expect(io.stdout()).toContain("stop: interrupt 0x700");
  });

  it.each([
    [["exec", "/no/such/file", "--load", "0"], /cannot read/],
    [["exec", "RAW"], /--load ADDR/],
    [["exec", "RAW", "--load", "zz"], /not a number/],
    [["exec", "RAW", "--load", "0x20000000"], /does not fit/],
    [["exec", "RAW", "--load", "0", "--mem", "100"], /--mem must be/],
  ])("rejects bad input %j", async (args, msg) => {
    const io = captureIO();
    const raw = file("raw.bin", words(PROG, true));
    const status = await runCli(
      args.map((a) => (a === "RAW" ? raw : a)),
      io,
    );
    expect(status).not.toBe(0);
    expect(io.stderr()).toMatch(msg);
  });
});

describe("hvsim disasm", () => {
  it("prints objdump-style lines for a raw image with --base and --endian", async () => {
    const io = captureIO();
    expect(
      await runCli(
        ["disasm", file("d.bin", words(PROG, false)), "--base", "0x100", "--endian", "big"],
        io,
      ),
    ).toBe(0);
    expect(io.stdout()).toBe(
      " 100:\t38 60 00 2a \tli      r3,42\n" +
        " 104:\t38 83 00 01 \taddi    r4,r3,1\n" +
        " 108:\t7c 88 03 a6 \tmtlr    r4\n" +
        " 10c:\t00 00 02 00 \tattn\n",
    );
  });

  it("disassembles an ELF's executable segments", async () => {
    const io = captureIO();
    const elf = makeElf({
      littleEndian: true,
      vaddr: 0x10000000n,
      code: words(PROG, true),
      entry: 0x10000000n,
    });
    expect(await runCli(["disasm", file("d.elf", elf)], io)).toBe(0);
    expect(io.stdout()).toContain("10000004:\t01 00 83 38 \taddi    r4,r3,1");
  });

  it("rejects a bad --endian", async () => {
    const io = captureIO();
    expect(
      await runCli(["disasm", file("e.bin", words(PROG, true)), "--endian", "middle"], io),
    ).not.toBe(0);
    expect(io.stderr()).toContain('--endian must be "little" or "big"');
  });
});
