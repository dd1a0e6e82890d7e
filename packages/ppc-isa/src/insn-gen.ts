// Random instruction words drawn from the table's encodings, for generated tests (disassembler
// vs objdump, assembler vs gas, interpreter vs QEMU). Register fields are biased towards the
// interesting relations (RA = RT, RS = RB, RA = 0) that select extended mnemonics and invalid
// forms.
import type { InsnDef } from "./insn-table";
import type { SplitMix32 } from "./prng";

function copyField(w: number, from: number, to: number): number {
  const v = (w >>> from) & 31;
  return ((w & ~(31 << to)) | (v << to)) >>> 0;
}

/** A random word of row `d`: fixed bits from the row, operand bits random (biased). */
export function randomWord(d: InsnDef, rng: SplitMix32): number {
  let w = (d.match | (rng.nextU32() & ~d.mask)) >>> 0;
  let t = w;
  if (rng.chance(0.2)) t = copyField(t, 21, 16);
  if (rng.chance(0.2)) t = copyField(t, 21, 11);
  if (rng.chance(0.2)) t = copyField(t, 16, 11);
  if (rng.chance(0.2)) t = (t & ~(31 << 16)) >>> 0;
  if (rng.chance(0.1)) t = (t & ~(31 << 11)) >>> 0;
  if (rng.chance(0.1)) t = (t & ~0xffff) >>> 0;
  if (rng.chance(0.1)) t = (t & ~(31 << 6)) >>> 0;
  w = ((w & d.mask) | (t & ~d.mask)) >>> 0;
  return w;
}
