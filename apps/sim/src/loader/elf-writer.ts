// ELF64 writer for PowerPC executables (ET_EXEC, either byte order): one PT_LOAD segment per
// section at its address (physical = virtual), section headers so that binutils sees .text as
// code, and a symbol table. What `hvsim asm --elf` writes; `parseElf` reads it back.

export interface ElfSectionIn {
  readonly name: string;
  readonly address: bigint;
  readonly bytes: Uint8Array;
  readonly executable: boolean;
}

export interface ElfSymbolIn {
  readonly name: string;
  readonly value: bigint;
  /** The section the symbol is defined in; absent for an absolute symbol (SHN_ABS). */
  readonly section?: string;
  readonly global: boolean;
}

export interface ElfWriteOptions {
  readonly littleEndian: boolean;
  readonly entry: bigint;
  readonly sections: readonly ElfSectionIn[];
  readonly symbols: readonly ElfSymbolIn[];
}

const EHDR = 64;
const PHDR = 56;
const SHDR = 64;
const SYM = 24;
const PAGE = 4096;
const ET_EXEC = 2;
const EM_PPC64 = 21;
/** e_flags: ELF ABI version 2 (ppc64le is ELFv2 only); big-endian images claim no version. */
const EF_PPC64_ABI_V2 = 2;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;

/** A string table under construction (offset 0 is the empty string). */
class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  add(s: string): number {
    const at = this.size;
    const b = new TextEncoder().encode(s + "\0");
    this.parts.push(b);
    this.size += b.length;
    return at;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Write an ELF64 PowerPC executable. Empty sections get no segment and no section header. */
export function writeElf(opts: ElfWriteOptions): Uint8Array {
  const le = opts.littleEndian;
  const secs = opts.sections.filter((s) => s.bytes.length > 0);
  const shstr = new StringTable();
  const str = new StringTable();

  // File layout: headers, then each section at an offset congruent to its address modulo the
  // page size (so the segment can be mapped), then the symbol and string tables.
  let off = EHDR + PHDR * secs.length;
  const secOff = secs.map((s) => {
    const want = Number(s.address % BigInt(PAGE));
    off = alignUp(off - want, PAGE) + want;
    const at = off;
    off += s.bytes.length;
    return at;
  });
  // Section indices: 0 null, 1..n the sections, then .symtab, .strtab, .shstrtab.
  const index = new Map(secs.map((s, i) => [s.name, i + 1]));
  const symtabIndex = secs.length + 1;
  const ordered = [
    ...opts.symbols.filter((s) => !s.global),
    ...opts.symbols.filter((s) => s.global),
  ].filter((s) => s.section === undefined || index.has(s.section));
  const firstGlobal = 1 + ordered.filter((s) => !s.global).length;
  const symOff = alignUp(off, 8);
  const symSize = SYM * (ordered.length + 1);
  const symNames = ordered.map((s) => str.add(s.name));
  const strBytes = str.bytes();
  const strOff = symOff + symSize;
  const shNames = [
    ...secs.map((s) => shstr.add(s.name)),
    shstr.add(".symtab"),
    shstr.add(".strtab"),
    shstr.add(".shstrtab"),
  ];
  const shstrBytes = shstr.bytes();
  const shstrOff = strOff + strBytes.length;
  const shOff = alignUp(shstrOff + shstrBytes.length, 8);
  const shnum = secs.length + 4;
  const total = shOff + SHDR * shnum;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const u16 = (o: number, x: number): void => v.setUint16(o, x, le);
  const u32 = (o: number, x: number): void => v.setUint32(o, x, le);
  const u64 = (o: number, x: bigint | number): void => v.setBigUint64(o, BigInt(x), le);

  out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1]);
  u16(16, ET_EXEC);
  u16(18, EM_PPC64);
  u32(20, 1);
  u64(24, opts.entry);
  u64(32, EHDR);
  u64(40, shOff);
  u32(48, le ? EF_PPC64_ABI_V2 : 0);
  u16(52, EHDR);
  u16(54, PHDR);
  u16(56, secs.length);
  u16(58, SHDR);
  u16(60, shnum);
  u16(62, shnum - 1);

  secs.forEach((s, i) => {
    const p = EHDR + PHDR * i;
    u32(p, PT_LOAD);
    u32(p + 4, PF_R | (s.executable ? PF_X : PF_W));
    u64(p + 8, secOff[i]!);
    u64(p + 16, s.address);
    u64(p + 24, s.address);
    u64(p + 32, s.bytes.length);
    u64(p + 40, s.bytes.length);
    u64(p + 48, PAGE);
    out.set(s.bytes, secOff[i]!);
  });

  ordered.forEach((s, i) => {
    const e = symOff + SYM * (i + 1);
    u32(e, symNames[i]!);
    out[e + 4] = ((s.global ? STB_GLOBAL : STB_LOCAL) << 4) | STT_NOTYPE;
    u16(e + 6, s.section === undefined ? SHN_ABS : index.get(s.section)!);
    u64(e + 8, s.value);
  });
  out.set(strBytes, strOff);
  out.set(shstrBytes, shstrOff);

  const sh = (
    i: number,
    name: number,
    type: number,
    flags: number,
    addr: bigint,
    offset: number,
    size: number,
    link: number,
    info: number,
    align: number,
    entsize: number,
  ): void => {
    const h = shOff + SHDR * i;
    u32(h, name);
    u32(h + 4, type);
    u64(h + 8, flags);
    u64(h + 16, addr);
    u64(h + 24, offset);
    u64(h + 32, size);
    u32(h + 40, link);
    u32(h + 44, info);
    u64(h + 48, align);
    u64(h + 56, entsize);
  };
  secs.forEach((s, i) => {
    const flags = SHF_ALLOC | (s.executable ? SHF_EXECINSTR : SHF_WRITE);
    sh(i + 1, shNames[i]!, SHT_PROGBITS, flags, s.address, secOff[i]!, s.bytes.length, 0, 0, 4, 0);
  });
  const n = secs.length;
  sh(symtabIndex, shNames[n]!, SHT_SYMTAB, 0, 0n, symOff, symSize, n + 2, firstGlobal, 8, SYM);
  sh(n + 2, shNames[n + 1]!, SHT_STRTAB, 0, 0n, strOff, strBytes.length, 0, 0, 1, 0);
  sh(n + 3, shNames[n + 2]!, SHT_STRTAB, 0, 0n, shstrOff, shstrBytes.length, 0, 0, 1, 0);
  return out;
}
