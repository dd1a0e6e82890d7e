// A minimal ELF64 reader for -kernel: the PT_LOAD segments, either byte order.

export interface ElfSegment {
  vaddr: bigint;
  data: Uint8Array;
  memsz: number;
}

export interface ElfImage {
  littleEndian: boolean;
  entry: bigint;
  segments: ElfSegment[];
}

const EM_PPC64 = 21;
const PT_LOAD = 1;

/** A file that is not a loadable ppc64 ELF (a user error: the message says what to pass). */
export class ElfError extends Error {
  override name = "ElfError";
}

/** Parse `bytes` as a ppc64 ELF; throws an ElfError saying what is wrong and what to pass. */
export function parseElf64(bytes: Uint8Array, name: string): ElfImage {
  const bad = (why: string): ElfError =>
    new ElfError(`-kernel ${name}: ${why}; pass a 64-bit PowerPC ELF (ppc64 or ppc64le)`);
  if (
    bytes.length < 64 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    throw bad("not an ELF file");
  }
  if (bytes[4] !== 2) throw bad("not a 64-bit ELF");
  const le = bytes[5] === 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, le);
  if (machine !== EM_PPC64) throw bad(`e_machine is ${machine}, not EM_PPC64 (21)`);
  const entry = dv.getBigUint64(24, le);
  const phoff = Number(dv.getBigUint64(32, le));
  const phentsize = dv.getUint16(54, le);
  const phnum = dv.getUint16(56, le);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 56 > bytes.length) throw bad("program header table is truncated");
    if (dv.getUint32(p, le) !== PT_LOAD) continue;
    const offset = Number(dv.getBigUint64(p + 8, le));
    const vaddr = dv.getBigUint64(p + 16, le);
    const filesz = Number(dv.getBigUint64(p + 32, le));
    const memsz = Number(dv.getBigUint64(p + 40, le));
    if (offset + filesz > bytes.length) throw bad(`segment ${i} lies past the end of the file`);
    if (memsz < filesz) throw bad(`segment ${i} has p_memsz < p_filesz`);
    segments.push({ vaddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) throw bad("no PT_LOAD segment");
  return { littleEndian: le, entry, segments };
}
