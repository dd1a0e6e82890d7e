import { describe, expect, it } from "vitest";
import { AsmError, assemble } from "./assembler";
import { decode, disassemble } from "./disassembler";
import { BASE_INSNS, F_BE_ONLY } from "./insn-table";
import { randomWord } from "./insn-gen";
import { SplitMix32 } from "./prng";

const words = (b: Uint8Array, le = true): number[] => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length / 4 }, (_, i) => v.getUint32(4 * i, le));
};

describe("assembler", () => {
  it("round-trips 20,000 random words through the disassembler", () => {
    const rng = new SplitMix32(0xa5a5);
    const bad: string[] = [];
    let n = 0;
    while (n < 20_000) {
      const w = randomWord(BASE_INSNS[rng.below(BASE_INSNS.length)]!, rng);
      const d = decode(w);
      if (d === undefined) continue;
      n++;
      const text = disassemble(w, 0n);
      // String instructions assemble only big-endian, and not when gas's range rule refuses
      // them (objdump still prints such words).
      const be = (d.flags & F_BE_ONLY) !== 0;
      if (be && d.asmCheck?.(w) !== undefined) {
        expect(() => assemble(text, { littleEndian: false })).toThrow(/in load range/);
        continue;
      }
      let got: number | string;
      try {
        got = words(assemble(text, { littleEndian: !be }).sections.get(".text")!, !be)[0]!;
      } catch (e) {
        got = (e as Error).message;
      }
      // objdump prints some distinct words alike (bc's BO "t" bit without a hint): compare text.
      const same = (g: number): boolean =>
        disassemble(g, 0n) === text || disassemble(g, 0n) === text.replace(/^mtcrf {2}/, "mtocrf ");
      if (got !== w && (typeof got === "string" || !same(got)))
        bad.push(
          `${w.toString(16)} "${text}" -> ${typeof got === "number" ? got.toString(16) : got}`,
        );
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("assembles labels, local labels, directives and @ operators", () => {
    const src = `
      .text
      .globl _start
_start:
      lis   %r3, sym@highest        # comment
      ori   r3, r3, sym@higher
      sldi  r3, r3, 32
      oris  r3, r3, sym@h
      ori   3, 3, sym@l
1:    addi  r4, r4, -1; cmpdi r4, 0
      bne   1b
      b     2f
      .long 0x12345678
2:    blr
      .align 3
      .quad 0x1122334455667788
      .byte 1, 2
      .asciz "hi\\n"
      .org 0x40
      .data
sym = 0x123456789abcdef0
      .short 7
    `;
    const r = assemble(src);
    const t = words(r.sections.get(".text")!.subarray(0, 40));
    expect(t.map((w, i) => disassemble(w, BigInt(4 * i)).replace(/\s+/g, " "))).toEqual([
      "lis r3,4660",
      "ori r3,r3,22136",
      "sldi r3,r3,32",
      "oris r3,r3,39612",
      "ori r3,r3,57072",
      "addi r4,r4,-1",
      "cmpdi r4,0",
      "bne 0x14",
      "b 0x28",
      ".long 0x12345678",
    ]);
    expect(r.sections.get(".text")!.length).toBe(0x40);
    expect(r.symbols.get("_start")).toBe(0n);
    expect([...r.sections.get(".data")!]).toEqual([7, 0]);
  });

  it("lays sections out from an origin: labels become addresses, branches stay relative", () => {
    const src = `
      .globl _start
_start:
      lis   r3, msg@h
      ori   r3, r3, msg@l
      bl    f
      b     .
f:    blr
      .data
      .quad 1
msg:  .asciz "hi"
end = msg + 3
    `;
    const r = assemble(src, { origin: 0x10000n });
    expect(r.addresses.get(".text")).toBe(0x10000n);
    expect(r.addresses.get(".data")).toBe(0x11000n);
    expect(r.symbols.get("_start")).toBe(0x10000n);
    expect(r.symbols.get("msg")).toBe(0x11008n);
    expect(r.symbols.get("end")).toBe(0x1100bn);
    expect(r.labelSections.get("msg")).toBe(".data");
    expect(r.labelSections.has("end")).toBe(false);
    expect([...r.globals]).toEqual(["_start"]);
    const t = words(r.sections.get(".text")!);
    expect(t.map((w, i) => disassemble(w, 0x10000n + BigInt(4 * i)).replace(/\s+/g, " "))).toEqual([
      "lis r3,1",
      "ori r3,r3,4104",
      "bl 0x10010",
      "b 0x1000c",
      "blr",
    ]);
    // Without an origin, every section starts at 0 and labels are offsets.
    expect(assemble(src).symbols.get("msg")).toBe(8n);
  });

  it("supports big-endian output", () => {
    expect([...assemble("nop", { littleEndian: false }).sections.get(".text")!]).toEqual([
      0x60, 0, 0, 0,
    ]);
  });

  it("assembles the string instructions big-endian only, NB 32 as 0, gas's range rule", () => {
    const be = (src: string): number[] =>
      words(assemble(src, { littleEndian: false }).sections.get(".text")!, false);
    expect(be("lswi r3,r11,32\nlswi r3,r11,0\nstswi r3,r4,32\nlswx r3,0,r5")).toEqual([
      0x7c6b04aa, 0x7c6b04aa, 0x7c6405aa, 0x7c602c2a,
    ]);
    expect(disassemble(0x7c6b04aa)).toBe("lswi    r3,r11,32");
    // r30, r31, r0: RA = r1 is outside the range; r31, r0: RA = 0 is inside (gas counts it).
    expect(be("lswi r30,r1,12")).toEqual([0x7fc164aa]);
    expect(() => be("lswi r31,0,8")).toThrow(/line 1: address register in load range/);
    expect(() => be("lswi r3,r4,5")).toThrow(/address register in load range/);
    expect(() => be("lswx r3,r4,r3")).toThrow(/invalid operand combination/);
    expect(() => be("lswi r3,r11,33")).toThrow(/out of range 0..32/);
    expect(() => be("lswi r3,r11,-1")).toThrow(/out of range 0..32/);
    expect(() => assemble("nop\nstswx r3,r4,r5")).toThrow(
      /line 2: "stswx" is invalid when little-endian/,
    );
  });

  it.each([
    ["frob r3", /line 1: unknown instruction "frob"/],
    ["addi r3", /expects 3 operands, got 1/],
    ["\n li r3, 0x12345", /line 2: SI operand 0x12345 = 74565 is out of range/],
    ["b undefined_label", /undefined symbol "undefined_label"/],
    [".bogus 1", /unknown directive/],
    ["x: nop\nx: nop", /already defined/],
    ["ld r3, 6(r4)", /multiple of 4/],
  ])("reports %j with the line and what was expected", (src, msg) => {
    expect(() => assemble(src)).toThrow(AsmError);
    expect(() => assemble(src)).toThrow(msg);
  });
});
