// Encoding from the instruction table: a mnemonic and numeric operands to a 32-bit word.
// This is the core of the assembler; the generated tests use it to build programs.
import { INSN_TABLE, type InsnDef } from "./insn-table";

const BY_MNEMONIC = new Map<string, InsnDef[]>();
for (const d of INSN_TABLE) {
  const list = BY_MNEMONIC.get(d.mnemonic);
  if (list) list.push(d);
  else BY_MNEMONIC.set(d.mnemonic, [d]);
}

/** Rows spelled `mnemonic` (several when optional operands or aliases differ). */
export function rowsFor(mnemonic: string): readonly InsnDef[] {
  return BY_MNEMONIC.get(mnemonic) ?? [];
}

/**
 * Encode `ops` (in printed order; a displacement and its base register are two entries) for
 * row `d`. With fewer values than operands, the leading optional operands are the omitted ones
 * (as gas reads `cmpdi r3,5` or `tlbiel r3`); omitted operands take their default.
 */
export function encodeRow(d: InsnDef, ops: readonly number[]): number {
  let skip = d.operands.length - ops.length;
  let w = d.match;
  let k = 0;
  for (const o of d.operands) {
    if (skip > 0 && o.optional === true) {
      skip--;
      w = o.insert(w, o.dflt ?? 0);
      continue;
    }
    w = o.insert(w, ops[k++] ?? o.dflt ?? 0);
  }
  return w >>> 0;
}

/**
 * Encode `mnemonic` with numeric operands. Throws when the mnemonic is unknown or the operand
 * count fits no row.
 */
export function encode(mnemonic: string, ops: readonly number[]): number {
  const rows = rowsFor(mnemonic);
  if (rows.length === 0) throw new Error(`unknown mnemonic "${mnemonic}"`);
  for (const d of rows) {
    const required = d.operands.filter((o) => o.optional !== true).length;
    if (ops.length < required || ops.length > d.operands.length) continue;
    const w = encodeRow(d, ops);
    if (d.check !== undefined && !d.check(w)) continue;
    return w;
  }
  throw new Error(`"${mnemonic}" does not take ${ops.length} operands`);
}
