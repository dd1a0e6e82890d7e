import { describe, expect, it } from "vitest";
import {
  crBitName,
  decode,
  disassemble,
  disassembleBuffer,
  formatObjdumpLine,
} from "./disassembler";
import { BASE_INSNS, INSN_TABLE, validBO } from "./insn-table";
import { randomWord } from "./insn-gen";
import { SplitMix32 } from "./prng";

// Golden lines checked against powerpc64le-linux-gnu-objdump 2.40 -M power9.
const GOLDEN: [number, number, string][] = [
  [0x7c642a14, 0x0, "add r3,r4,r5"],
  [0x7c642e15, 0x4, "addo. r3,r4,r5"],
  [0x3860fffb, 0x8, "li r3,-5"],
  [0x7c832378, 0x14, "mr r3,r4"],
  [0x60000000, 0x18, "nop"],
  [0x7ca32000, 0x24, "cmpd cr1,r3,r4"],
  [0x4ca63a02, 0x34, "crand 4*cr1+gt,4*cr1+eq,4*cr1+so"],
  [0x42000008, 0x40, "bdnz 0x48"],
  [0x4186fff8, 0x44, "beq cr1,0x3c"],
  [0x4e800020, 0x48, "blr"],
  [0x4d820820, 0x14, "beqlr cr0,1"],
  [0x78830020, 0x6c, "clrldi r3,r4,32"],
  [0x788307e0, 0x68, "clrldi r3,r4,63"],
  [0x78832ea4, 0x74, "sldi r3,r4,5"],
  [0x7c6802a6, 0x80, "mflr r3"],
  [0x7c7242a6, 0x0, "mfsprg r3,2"],
  [0x7c6c42a6, 0x0, "mftb r3"],
  [0x7c8b1a64, 0xc0, "tlbie r3,r4,2,1,1"],
  [0x7c001a24, 0xc4, "tlbiel r3"],
  [0x44000022, 0xcc, "sc 1"],
  [0x4c0002e4, 0xdc, "stop"],
  [0x00000200, 0xe0, "attn"],
  [0x08000048, 0xec, "tdi 0,r0,72"],
  [0x4c620005, 0xfc, "addpcis r3,5"],
  [0x4bfffffc, 0x0, "b 0xfffffffffffffffc"],
  [0x4bfffff2, 0x0, "ba 0xfffffff0"],
  [0xe8600009, 0x0, ".long 0xe8600009"], // ldu r3,8(0): invalid form
  [0x04000000, 0x0, ".long 0x4000000"], // outside the subset
  [0xfc00002a, 0x0, ".long 0xfc00002a"], // fadd: not in hvsim's subset
  [0x7c0004aa, 0x0, ".long 0x7c0004aa"], // lswi: objdump -M power9 does not decode it either
];

const norm = (s: string): string => s.trim().replace(/\s+/g, " ");

describe("disassembler", () => {
  it.each(GOLDEN)("%s at %s prints %s", (w, addr, text) => {
    expect(norm(disassemble(w, BigInt(addr)))).toBe(text);
  });

  it("pads the mnemonic like objdump", () => {
    expect(disassemble(0x7c642a14)).toBe("add     r3,r4,r5");
    expect(disassemble(0x7c8346f6)).toBe("extswsli r3,r4,40");
  });

  it("formats buffers in objdump's line layout, both byte orders", () => {
    const le = disassembleBuffer(new Uint8Array([0x14, 0x2a, 0x64, 0x7c]), 0x1cn, true);
    expect(formatObjdumpLine(le[0]!)).toBe("  1c:\t14 2a 64 7c \tadd     r3,r4,r5");
    const be = disassembleBuffer(new Uint8Array([0x7c, 0x64, 0x2a, 0x14, 0xff]), 0n, false);
    expect(be).toHaveLength(1);
    expect(be[0]!.text).toBe("add     r3,r4,r5");
  });

  it("names CR bits", () => {
    expect(crBitName(2)).toBe("eq");
    expect(crBitName(31)).toBe("4*cr7+so");
  });

  it("knows the valid BO encodings", () => {
    const valid = [...Array(32).keys()].filter(validBO);
    expect(valid).toEqual([0, 2, 4, 6, 7, 8, 10, 12, 14, 15, 16, 18, 20, 24, 25, 26, 27]);
  });

  it("decodes every random word of a row to a row of the same base instruction, or an invalid form", () => {
    const rng = new SplitMix32(7);
    for (const d of BASE_INSNS) {
      for (let i = 0; i < 20; i++) {
        const w = randomWord(d, rng);
        const got = decode(w);
        if (got !== undefined) expect(got.base).toBe(d.base);
      }
    }
  });

  it("has unique spellings per (mnemonic, match, mask)", () => {
    const seen = new Set<string>();
    for (const d of INSN_TABLE) {
      const k = `${d.mnemonic}/${d.match}/${d.mask}/${d.check ? "c" : ""}`;
      expect(seen.has(k), k).toBe(false);
      seen.add(k);
    }
  });
});
