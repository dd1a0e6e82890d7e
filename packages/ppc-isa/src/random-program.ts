// Random-sequence test images for differential testing against QEMU (`-M pseries -bios`).
//
// One image holds many sequences. Each sequence: load every GPR, CR, XER (SO/OV/CA/OV32/CA32),
// LR and CTR from a table; run N random non-privileged instructions; store GPR0-31, CR, XER,
// LR, CTR and a checksum of the scratch buffer to a dump area. At the end the image prints the
// dump area in hex through H_PUT_TERM_CHAR and powers off through RTAS, so the printed text of
// QEMU and hvsim can be compared line by line. Entered at 0x100 big-endian with MSR[HV]=0;
// the little-endian variant first runs Linux's FIXUP_ENDIAN.
//
// Conventions inside a sequence: r30 points at the middle of an 8 KiB scratch buffer and r29
// holds a small signed index; random instructions never write r29/r30, use r30 as the base of
// every load/store (disp within ±2 KiB) and r29 as the index of X-forms, and branch only forward
// inside the sequence. Big-endian images also draw the string instructions (lswi/lswx/stswi/
// stswx), with an XER byte count of 0..24 in every sequence's initial state.
import { encode } from "./encoder";
import { BASE_INSNS, type InsnDef } from "./insn-table";
import type { Operand } from "./operands";
import { SplitMix32 } from "./prng";

const CODE_BASE = 0x1000;
const SCRATCH_SIZE = 0x2000;

/** Base mnemonics safe for random execution (non-privileged, deterministic, no stray EAs). */
const ALLOWED = new Set([
  "addi",
  "addis",
  "addic",
  "addic.",
  "subfic",
  "mulli",
  "ori",
  "oris",
  "xori",
  "xoris",
  "andi.",
  "andis.",
  "cmpi",
  "cmpli",
  "cmp",
  "cmpl",
  "add",
  "add.",
  "addo",
  "addo.",
  "addc",
  "addc.",
  "addco",
  "addco.",
  "adde",
  "adde.",
  "addeo",
  "addeo.",
  "subf",
  "subf.",
  "subfo",
  "subfo.",
  "subfc",
  "subfc.",
  "subfco",
  "subfco.",
  "subfe",
  "subfe.",
  "subfeo",
  "subfeo.",
  "mullw",
  "mullw.",
  "mullwo",
  "mullwo.",
  "mulld",
  "mulld.",
  "mulldo",
  "mulldo.",
  "divw",
  "divw.",
  "divwo",
  "divwo.",
  "divwu",
  "divwu.",
  "divwuo",
  "divwuo.",
  "divd",
  "divd.",
  "divdo",
  "divdo.",
  "divdu",
  "divdu.",
  "divduo",
  "divduo.",
  "addze",
  "addze.",
  "addzeo",
  "addzeo.",
  "addme",
  "addme.",
  "addmeo",
  "addmeo.",
  "subfze",
  "subfze.",
  "subfzeo",
  "subfzeo.",
  "subfme",
  "subfme.",
  "subfmeo",
  "subfmeo.",
  "neg",
  "neg.",
  "nego",
  "nego.",
  "mulhw",
  "mulhw.",
  "mulhwu",
  "mulhwu.",
  "mulhd",
  "mulhd.",
  "mulhdu",
  "mulhdu.",
  "modsw",
  "modsd",
  "moduw",
  "modud",
  "maddhd",
  "maddhdu",
  "maddld",
  "or",
  "or.",
  "nor",
  "nor.",
  "and",
  "and.",
  "andc",
  "andc.",
  "orc",
  "orc.",
  "xor",
  "xor.",
  "nand",
  "nand.",
  "eqv",
  "eqv.",
  "slw",
  "slw.",
  "srw",
  "srw.",
  "sraw",
  "sraw.",
  "sld",
  "sld.",
  "srd",
  "srd.",
  "srad",
  "srad.",
  "extsb",
  "extsb.",
  "extsh",
  "extsh.",
  "extsw",
  "extsw.",
  "cntlzw",
  "cntlzw.",
  "cntlzd",
  "cntlzd.",
  "cnttzw",
  "cnttzw.",
  "cnttzd",
  "cnttzd.",
  "popcntb",
  "popcntw",
  "popcntd",
  "srawi",
  "srawi.",
  "sradi",
  "sradi.",
  "extswsli",
  "extswsli.",
  "isel",
  "rlwinm",
  "rlwinm.",
  "rlwimi",
  "rlwimi.",
  "rlwnm",
  "rlwnm.",
  "rldicl",
  "rldicl.",
  "rldicr",
  "rldicr.",
  "rldic",
  "rldic.",
  "rldimi",
  "rldimi.",
  "rldcl",
  "rldcl.",
  "rldcr",
  "rldcr.",
  "cmprb",
  "cmpeqb",
  "setb",
  "addpcis",
  "mcrf",
  "crand",
  "crandc",
  "creqv",
  "crnand",
  "crnor",
  "cror",
  "crorc",
  "crxor",
  "mfcr",
  "mfocrf",
  "mtcrf",
  "mtocrf",
  "lbz",
  "lhz",
  "lha",
  "lwz",
  "stb",
  "sth",
  "stw",
  "ld",
  "lwa",
  "std",
  "lbzx",
  "lhzx",
  "lhax",
  "lwzx",
  "lwax",
  "ldx",
  "stbx",
  "sthx",
  "stwx",
  "stdx",
  "lhbrx",
  "lwbrx",
  "ldbrx",
  "sthbrx",
  "stwbrx",
  "stdbrx",
  "tw",
  "td",
  "twi",
  "tdi",
  "sync",
  "eieio",
  "isync",
]);

const TEMPLATES: readonly InsnDef[] = BASE_INSNS.filter((d) => ALLOWED.has(d.mnemonic));

/** Registers random instructions may write (all but the r29/r30 bases). */
const WRITABLE = [...Array(32).keys()].filter((r) => r !== 29 && r !== 30);

function randomOperand(o: Operand, rng: SplitMix32, isMem: boolean, pos: number): number {
  switch (o.kind) {
    case "gpr":
    case "gpr0":
      if (isMem && (o.name === "RA0" || o.name === "RA")) return 30;
      if (isMem && o.name === "RB") return 29;
      return WRITABLE[rng.below(WRITABLE.length)]!;
    case "disp": {
      const align = o.align ?? 1;
      return Math.trunc((rng.below(4096) - 2048) / align) * align;
    }
    case "crf":
    case "crbit":
    case "int":
      return o.min + rng.below(o.max - o.min + 1);
    case "rel":
    case "abs":
      throw new Error(`branch operand ${o.name} in a non-branch template`);
    default: {
      void pos;
      const never: never = o.kind;
      throw new Error(`unknown operand kind ${String(never)}`);
    }
  }
}

/** A random non-branch instruction (traps only with TO=0, i.e. never trapping). */
function randomInsn(rng: SplitMix32): number {
  for (;;) {
    const d = TEMPLATES[rng.below(TEMPLATES.length)]!;
    const isMem = d.operands.some((o) => o.kind === "disp") || /^(l|st)[bhwd].*x$/.test(d.mnemonic);
    const ops = d.operands.map((o, i) => randomOperand(o, rng, isMem, i));
    let w = d.match;
    d.operands.forEach((o, i) => (w = o.insert(w, ops[i]!)));
    w >>>= 0;
    if (/^t[wd]i?$/.test(d.mnemonic)) w = (w & ~(31 << 21)) >>> 0; // TO = 0: never traps
    if (d.mnemonic === "sync") w = (w & ~(3 << 21)) >>> 0;
    if (d.check !== undefined && !d.check(w)) continue;
    if (d.operands.some((o) => o.valid !== undefined && !o.valid(w))) continue;
    return w;
  }
}

/** Largest XER byte count a big-endian sequence starts with (six registers for lswx). */
const MAX_STRING_COUNT = 24;

/**
 * A random move-assist (string) instruction, big-endian sequences only (little-endian ones take
 * an alignment interrupt). The base is r30 (and r29 the index); the registers an lswi/lswx
 * loads never include r29/r30, so the form is valid and the bases survive.
 */
function randomString(rng: SplitMix32): number {
  const safeStart = (regs: number): number => {
    for (;;) {
      const rt = rng.below(32);
      let ok = true;
      for (let k = 0; k < regs; k++)
        if (((rt + k) & 31) === 29 || ((rt + k) & 31) === 30) ok = false;
      if (ok) return rt;
    }
  };
  const nb = 1 + rng.below(32);
  switch (rng.below(4)) {
    case 0:
      return encode("lswi", [safeStart((nb + 3) >> 2), 30, nb]);
    case 1:
      return encode("lswx", [safeStart(MAX_STRING_COUNT / 4), 30, 29]);
    case 2:
      return encode("stswi", [rng.below(32), 30, nb]);
    default:
      return encode("stswx", [rng.below(32), 30, 29]);
  }
}

/** A random forward branch over 1..maxSkip instructions. */
function randomBranch(rng: SplitMix32, maxSkip: number): number {
  const skip = 1 + rng.below(Math.max(1, maxSkip));
  const disp = 4 * (skip + 1);
  const lk = rng.below(2);
  if (rng.chance(0.3)) return (0x48000000 | disp | lk) >>> 0;
  const VALID = [0, 2, 4, 6, 7, 8, 10, 12, 14, 15, 16, 18, 20, 24, 25, 26, 27];
  const bo = VALID[rng.below(VALID.length)]!;
  return (0x40000000 | (bo << 21) | (rng.below(32) << 16) | disp | lk) >>> 0;
}

/** One generated sequence: its initial register table and its instruction words. */
export interface RandomSequence {
  /** GPR0-31, CR, XER, LR, CTR. */
  readonly init: readonly bigint[];
  /** The random instructions (branches are relative, so the body can be placed anywhere). */
  readonly body: readonly number[];
}

/**
 * Generate `count` random sequences of `length` instructions. With `strings` (big-endian
 * images) XER starts with a byte count and the move-assist instructions are drawn too.
 */
export function randomSequences(
  rng: SplitMix32,
  count: number,
  length: number,
  strings = false,
): RandomSequence[] {
  const out: RandomSequence[] = [];
  for (let s = 0; s < count; s++) {
    const init: bigint[] = [];
    for (let r = 0; r < 32; r++) {
      let val = (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
      if (rng.chance(0.15)) val = BigInt(rng.below(8)); // small values make edge cases likely
      if (rng.chance(0.05)) val = (1n << 63n) - BigInt(rng.below(2)); // INT64 limits
      if (r === 29) val = BigInt.asUintN(64, BigInt((rng.below(4096) - 2048) & ~7));
      init.push(val);
    }
    const cr = BigInt(rng.nextU32());
    let xer = BigInt((rng.nextU32() & 0xe00c0000) >>> 0);
    if (strings) xer |= BigInt(rng.below(MAX_STRING_COUNT + 1));
    const lr = (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
    const ctr = rng.chance(0.5)
      ? BigInt(rng.below(4))
      : (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
    init.push(cr, xer, lr, ctr);
    const body: number[] = [];
    for (let k = 0; k < length; k++) {
      const left = length - k - 1;
      if (left > 0 && rng.chance(0.08)) body.push(randomBranch(rng, Math.min(6, left)));
      else if (strings && rng.chance(0.03)) body.push(randomString(rng));
      else body.push(randomInsn(rng));
    }
    out.push({ init, body });
  }
  return out;
}

export interface RandomImage {
  /** The raw image, loaded at real address 0, entered at 0x100. */
  readonly bytes: Uint8Array;
  readonly sequences: number;
}

/** Number of doublewords a sequence dumps: GPR0-31, CR, XER, LR, CTR, scratch checksum. */
export const DUMP_WORDS = 37;

/**
 * Build an image of `sequences` random sequences of `length` instructions each, for the given
 * byte order of execution.
 */
export function buildRandomImage(
  rng: SplitMix32,
  sequences: number,
  length: number,
  littleEndian: boolean,
): RandomImage {
  const seqs = randomSequences(rng, sequences, length, !littleEndian);
  return buildImage(seqs, littleEndian, rng.nextU32());
}

/** Lay out an image running `seqs` in the given byte order; `scratchSeed` fills the buffer. */
export function buildImage(
  seqs: readonly RandomSequence[],
  littleEndian: boolean,
  scratchSeed: number,
): RandomImage {
  const sequences = seqs.length;
  const code: number[] = [];
  const here = (): number => CODE_BASE + 4 * code.length;
  const e = (m: string, ops: number[]): void => void code.push(encode(m, ops));
  const fixups: { at: number; target: () => number; kind: "addpcis-hi" | "addi-lo" }[] = [];

  // Data areas (placed after the code, 8-byte aligned, addresses patched in at the end).
  const initTables: bigint[][] = [];
  const dumpBase: { value: number } = { value: 0 };
  const scratch: { value: number } = { value: 0 };

  /** r = address of a data item, position-independent (addpcis + addi). */
  const loadAddr = (r: number, target: () => number): void => {
    const at = code.length;
    e("addpcis", [r, 0]);
    e("addi", [r, r, 0]);
    fixups.push({ at, target, kind: "addpcis-hi" });
  };

  // QEMU's pseries enters with MSR = 0 (32-bit mode): set MSR[SF] for the sequences.
  e("li", [11, 1]);
  e("rldicr", [11, 11, 63, 0]);
  e("mfmsr", [12]);
  e("or", [11, 11, 12]);
  e("mtmsrd", [11]);
  for (let s = 0; s < sequences; s++) {
    // --- init -----------------------------------------------------------------------------
    initTables.push([...seqs[s]!.init]);
    const tIndex = s;
    loadAddr(31, () => initTableAddr(tIndex));
    e("ld", [0, 8 * 32, 31]);
    e("mtcrf", [0xff, 0]);
    e("ld", [0, 8 * 33, 31]);
    e("mtspr", [1, 0]);
    e("ld", [0, 8 * 34, 31]);
    e("mtspr", [8, 0]);
    e("ld", [0, 8 * 35, 31]);
    e("mtspr", [9, 0]);
    for (let r = 0; r < 31; r++) if (r !== 30) e("ld", [r, 8 * r, 31]);
    // r30 = scratch middle
    loadAddr(30, () => scratch.value + SCRATCH_SIZE / 2);
    e("ld", [31, 8 * 31, 31]);

    // --- random body ------------------------------------------------------------------------
    code.push(...seqs[s]!.body);

    // --- dump -------------------------------------------------------------------------------
    const dIndex = s;
    e("mtspr", [273, 31]); // SPRG1 = r31
    loadAddr(31, () => dumpBase.value + dIndex * DUMP_WORDS * 8);
    for (let r = 0; r < 31; r++) e("std", [r, 8 * r, 31]);
    e("mfspr", [0, 273]);
    e("std", [0, 8 * 31, 31]);
    e("mfcr", [0]);
    e("std", [0, 8 * 32, 31]);
    e("mfspr", [0, 1]);
    e("std", [0, 8 * 33, 31]);
    e("mfspr", [0, 8]);
    e("std", [0, 8 * 34, 31]);
    e("mfspr", [0, 9]);
    e("std", [0, 8 * 35, 31]);
    // checksum of the scratch buffer: r3 = Σ rotl(r3, 1) ^ dword
    loadAddr(4, () => scratch.value);
    e("li", [3, 0]);
    e("li", [5, SCRATCH_SIZE / 8]);
    e("mtspr", [9, 5]);
    const loop = here();
    e("ld", [6, 0, 4]);
    e("rldicl", [3, 3, 1, 0]);
    e("xor", [3, 3, 6]);
    e("addi", [4, 4, 8]);
    code.push((0x42000000 | ((loop - here()) & 0xfffc)) >>> 0); // bdnz loop
    e("std", [3, 8 * 36, 31]);
  }

  // --- print the dump area and power off -----------------------------------------------------
  // r20 = pointer, r21 = count; per doubleword: 16 hex chars in r6:r7, H_PUT_TERM_CHAR, newline
  // after each sequence.
  loadAddr(20, () => dumpBase.value);
  e("li", [21, 0]);
  const outer = here();
  e("li", [22, DUMP_WORDS]);
  const inner = here();
  e("ld", [23, 0, 20]);
  // convert r23 to hex in r6 (high 8 chars) and r7 (low 8 chars)
  for (const [dst, shiftBase] of [
    [6, 32],
    [7, 0],
  ] as const) {
    e("li", [dst, 0]);
    for (let nib = 7; nib >= 0; nib--) {
      // r24 = (r23 >> (shiftBase + 4*nib)) & 15
      const sh = shiftBase + 4 * nib;
      e("rldicl", [24, 23, (64 - sh) & 63, 60]);
      e("cmpldi", [24, 10]);
      e("addi", [25, 24, 0x30]);
      code.push(encode("blt", [0, 8]));
      e("addi", [25, 24, 0x61 - 10]);
      e("rldicr", [dst, dst, 8, 55]);
      e("or", [dst, dst, 25]);
    }
  }
  e("li", [5, 16]);
  e("lis", [4, 0x7100]);
  e("li", [3, 0x58]);
  e("sc", [1]);
  e("addi", [20, 20, 8]);
  e("addi", [22, 22, -1]);
  e("cmpldi", [22, 0]);
  code.push(encode("bne", [0, (inner - here()) & 0xffff]));
  // newline
  e("li", [5, 1]);
  e("li", [6, 0x0a]);
  e("rldicr", [6, 6, 56, 7]);
  e("lis", [4, 0x7100]);
  e("li", [3, 0x58]);
  e("sc", [1]);
  e("addi", [21, 21, 1]);
  e("cmpldi", [21, sequences]);
  code.push(encode("blt", [0, (outer - here()) & 0xffff]));
  loadAddr(4, () => rtasArgs);
  e("li", [3, 0]);
  e("ori", [3, 3, 0xf000]);
  e("sc", [1]);
  code.push(0x48000000); // b .

  // --- layout --------------------------------------------------------------------------------
  const codeEnd = CODE_BASE + 4 * code.length;
  const align = (v: number, a: number): number => Math.ceil(v / a) * a;
  const tablesAt = align(codeEnd, 4096);
  const initTableAddr = (i: number): number => tablesAt + i * 36 * 8;
  dumpBase.value = align(tablesAt + sequences * 36 * 8, 4096);
  const rtasArgs = dumpBase.value + sequences * DUMP_WORDS * 8;
  scratch.value = align(rtasArgs + 64, 4096);
  const total = scratch.value + SCRATCH_SIZE;

  for (const f of fixups) {
    const at = CODE_BASE + 4 * f.at;
    const nia = at + 4;
    const delta = f.target() - nia;
    const hi = Math.round(delta / 65536) | 0;
    const lo = delta - hi * 65536;
    code[f.at] = encode("addpcis", [(code[f.at]! >>> 21) & 31, hi]);
    const r = (code[f.at + 1]! >>> 21) & 31;
    code[f.at + 1] = encode("addi", [r, r, lo]);
  }

  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  const le = littleEndian;
  // Entry at 0x100: FIXUP_ENDIAN for LE (its words are stored byte-swapped so they decode
  // in BE), then a branch to the code.
  let p = 0x100;
  const put = (w: number, wordLe: boolean): void => {
    v.setUint32(p, w, wordLe);
    p += 4;
  };
  if (le) {
    put(0x08000048, true); // tdi 0,0,0x48 (reads as b .+8 in BE)
    put(0x4800002c, true); // b 191f (in LE)
    for (const w of [
      0xa600607d, 0x01006b69, 0x00004039, 0x6401417d, 0x05009f42, 0xa602487d, 0x14004a39,
      0xa6035a7d, 0xa6037b7d, 0x2400004c,
    ]) {
      put(w, true); // stored so that a big-endian fetch reads the instruction
    }
  }
  const b = (CODE_BASE - p) & 0x3fffffc;
  put((0x48000000 | b) >>> 0, le);
  code.forEach((w, i) => v.setUint32(CODE_BASE + 4 * i, w, le));
  initTables.forEach((t, i) =>
    t.forEach((val, k) => v.setBigUint64(initTableAddr(i) + 8 * k, val, le)),
  );
  // RTAS args are big-endian u32s whatever the CPU's byte order.
  for (const [k, w] of [0x2003, 2, 1, 0, 0, 0].entries()) v.setUint32(rtasArgs + 4 * k, w, false);
  const fill = new SplitMix32(scratchSeed);
  for (let k = 0; k < SCRATCH_SIZE; k += 4) v.setUint32(scratch.value + k, fill.nextU32(), le);
  return { bytes, sequences };
}
