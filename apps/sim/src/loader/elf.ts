// ELF64 reader for PowerPC images (both byte orders): PT_LOAD segments, entry point, symbols.
// User-facing errors (ElfError) say what is wrong with the file and what to do.

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

export interface ElfSegment {
  /** Virtual address the segment is linked at. */
  readonly vaddr: bigint;
  /** Physical (load) address. */
  readonly paddr: bigint;
  /** File bytes (p_filesz); the rest up to memSize is zero. */
  readonly data: Uint8Array;
  readonly memSize: number;
  /** PF_X / PF_W / PF_R flags. */
  readonly flags: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** STT_* type (0 notype, 1 object, 2 func, 3 section, 4 file). */
  readonly type: number;
  /** STB_* binding (0 local, 1 global, 2 weak). */
  readonly bind: number;
}

export interface ElfImage {
  readonly littleEndian: boolean;
  readonly entry: bigint;
  readonly segments: readonly ElfSegment[];
  readonly symbols: readonly ElfSymbol[];
}

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const EM_PPC64 = 21;

/** True when `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

/** Parse an ELF64 PowerPC executable. `name` is used in error messages. */
export function parseElf(
  bytes: Uint8Array,
  name = "file",
  rawImageHint = "pass --load ADDR for a raw image",
): ElfImage {
  if (!isElf(bytes))
    throw new ElfError(`${name}: not an ELF file (no \\x7fELF magic); ${rawImageHint}`);
  if (bytes.length < 64)
    throw new ElfError(`${name}: truncated ELF header (${bytes.length} bytes)`);
  if (bytes[4] !== 2)
    throw new ElfError(`${name}: a 32-bit ELF; hvsim runs 64-bit (ELFCLASS64) PowerPC images`);
  const le = bytes[5] === 1;
  if (bytes[5] !== 1 && bytes[5] !== 2)
    throw new ElfError(`${name}: unknown ELF data encoding ${bytes[5]}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => v.getUint16(o, le);
  const u32 = (o: number): number => v.getUint32(o, le);
  const u64 = (o: number): bigint => v.getBigUint64(o, le);
  const machine = u16(18);
  if (machine !== EM_PPC64) {
    throw new ElfError(`${name}: ELF machine ${machine} is not PowerPC 64 (EM_PPC64 = 21)`);
  }
  const entry = u64(24);
  const phoff = Number(u64(32));
  const shoff = Number(u64(40));
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const need = (off: number, len: number, what: string): void => {
    if (off < 0 || off + len > bytes.length) {
      throw new ElfError(
        `${name}: ${what} at offset ${off} (+${len}) lies beyond the end of the file (${bytes.length} bytes): the file is truncated or corrupt`,
      );
    }
  };
  if (phnum > 0 && phentsize < 56)
    throw new ElfError(`${name}: program header entries of ${phentsize} bytes are too small`);
  need(phoff, phnum * phentsize, "the program header table");
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== PT_LOAD) continue;
    const flags = u32(p + 4);
    const off = Number(u64(p + 8));
    const vaddr = u64(p + 16);
    const paddr = u64(p + 24);
    const filesz = Number(u64(p + 32));
    const memsz = Number(u64(p + 40));
    if (filesz > memsz)
      throw new ElfError(`${name}: segment ${i} has p_filesz ${filesz} > p_memsz ${memsz}`);
    need(off, filesz, `segment ${i}`);
    segments.push({ vaddr, paddr, data: bytes.subarray(off, off + filesz), memSize: memsz, flags });
  }
  if (segments.length === 0) throw new ElfError(`${name}: no PT_LOAD segment: nothing to load`);
  const symbols: ElfSymbol[] = [];
  if (shoff !== 0 && shnum > 0 && shentsize >= 64) {
    need(shoff, shnum * shentsize, "the section header table");
    for (let i = 0; i < shnum; i++) {
      const s = shoff + i * shentsize;
      if (u32(s + 4) !== SHT_SYMTAB) continue;
      const off = Number(u64(s + 24));
      const size = Number(u64(s + 32));
      const link = u32(s + 40);
      const entsize = Number(u64(s + 56)) || 24;
      const str = shoff + link * shentsize;
      need(str, shentsize, "the string table header");
      const strOff = Number(u64(str + 24));
      const strSize = Number(u64(str + 32));
      need(off, size, "the symbol table");
      need(strOff, strSize, "the string table");
      for (let k = off; k + entsize <= off + size; k += entsize) {
        const nameOff = u32(k);
        let end = strOff + nameOff;
        while (end < strOff + strSize && bytes[end] !== 0) end++;
        const symName = new TextDecoder().decode(bytes.subarray(strOff + nameOff, end));
        symbols.push({
          name: symName,
          value: u64(k + 8),
          size: u64(k + 16),
          type: bytes[k + 4]! & 15,
          bind: bytes[k + 4]! >> 4,
        });
      }
    }
  }
  return { littleEndian: le, entry, segments, symbols };
}
