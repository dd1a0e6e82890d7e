import { describe, expect, it } from "vitest";
import { ElfError, PF_R, PF_X, isElf, parseElf } from "./elf";

/** A minimal ELF64 PowerPC executable: one PT_LOAD segment and a symbol table. */
export function makeElf(opts: {
  littleEndian: boolean;
  vaddr: bigint;
  code: Uint8Array;
  entry: bigint;
  machine?: number;
  bssExtra?: number;
}): Uint8Array {
  const le = opts.littleEndian;
  const codeOff = 0x100;
  const strtab = new TextEncoder().encode("\0_start\0");
  const symOff = codeOff + opts.code.length + ((8 - (opts.code.length % 8)) % 8);
  const strOff = symOff + 48;
  const shOff = strOff + 16;
  const total = shOff + 3 * 64;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1]);
  v.setUint16(16, 2, le); // ET_EXEC
  v.setUint16(18, opts.machine ?? 21, le);
  v.setUint32(20, 1, le);
  v.setBigUint64(24, opts.entry, le);
  v.setBigUint64(32, 64n, le); // phoff
  v.setBigUint64(40, BigInt(shOff), le);
  v.setUint16(52, 64, le);
  v.setUint16(54, 56, le);
  v.setUint16(56, 1, le);
  v.setUint16(58, 64, le);
  v.setUint16(60, 3, le);
  // program header
  v.setUint32(64, 1, le);
  v.setUint32(68, PF_R | PF_X, le);
  v.setBigUint64(72, BigInt(codeOff), le);
  v.setBigUint64(80, opts.vaddr, le);
  v.setBigUint64(88, opts.vaddr, le);
  v.setBigUint64(96, BigInt(opts.code.length), le);
  v.setBigUint64(104, BigInt(opts.code.length + (opts.bssExtra ?? 0)), le);
  b.set(opts.code, codeOff);
  // symbol 1: _start
  v.setUint32(symOff + 24, 1, le);
  b[symOff + 24 + 4] = 0x12; // GLOBAL FUNC
  v.setBigUint64(symOff + 24 + 8, opts.entry, le);
  b.set(strtab, strOff);
  // section headers: [0] null, [1] symtab (link 2), [2] strtab
  const sh = (
    i: number,
    type: number,
    off: number,
    size: number,
    link: number,
    ent: number,
  ): void => {
    const o = shOff + 64 * i;
    v.setUint32(o + 4, type, le);
    v.setBigUint64(o + 24, BigInt(off), le);
    v.setBigUint64(o + 32, BigInt(size), le);
    v.setUint32(o + 40, link, le);
    v.setBigUint64(o + 56, BigInt(ent), le);
  };
  sh(1, 2, symOff, 48, 2, 24);
  sh(2, 3, strOff, strtab.length, 0, 0);
  return b;
}

const CODE = new Uint8Array([0x38, 0x60, 0x00, 0x2a, 0x00, 0x00, 0x02, 0x00]); // li r3,42; attn (BE)

describe("ELF64 loader", () => {
  for (const le of [true, false]) {
    it(`reads a ${le ? "little" : "big"}-endian executable: segments, entry, symbols`, () => {
      const elf = parseElf(
        makeElf({ littleEndian: le, vaddr: 0x10000n, code: CODE, entry: 0x10000n, bssExtra: 16 }),
      );
      expect(elf.littleEndian).toBe(le);
      expect(elf.entry).toBe(0x10000n);
      expect(elf.segments).toHaveLength(1);
      expect(elf.segments[0]!.paddr).toBe(0x10000n);
      expect(elf.segments[0]!.memSize).toBe(CODE.length + 16);
      expect([...elf.segments[0]!.data]).toEqual([...CODE]);
      expect(elf.symbols.find((s) => s.name === "_start")).toMatchObject({
        value: 0x10000n,
        type: 2,
      });
    });
  }

  it("recognises the magic", () => {
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]))).toBe(true);
    expect(isElf(new Uint8Array([1, 2, 3]))).toBe(false);
  });

  it.each([
    ["not an ELF", new Uint8Array(100), /not an ELF file/],
    ["truncated", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]), /truncated ELF header/],
    [
      "32-bit",
      (() => {
        const b = makeElf({ littleEndian: true, vaddr: 0n, code: CODE, entry: 0n });
        b[4] = 1;
        return b;
      })(),
      /32-bit ELF/,
    ],
    [
      "x86",
      makeElf({ littleEndian: true, vaddr: 0n, code: CODE, entry: 0n, machine: 62 }),
      /not PowerPC 64/,
    ],
    [
      "cut short",
      makeElf({ littleEndian: true, vaddr: 0n, code: CODE, entry: 0n }).subarray(0, 0x102),
      /beyond the end of the file/,
    ],
  ])("rejects %s with a clear message", (_n, bytes, msg) => {
    expect(() => parseElf(bytes, "x.elf")).toThrow(ElfError);
    expect(() => parseElf(bytes, "x.elf")).toThrow(msg);
  });
});
