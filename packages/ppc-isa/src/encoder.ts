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
 * row `d`. With fewer values than operands, optional operands are omitted: the trailing ones
 * when the row ends with one (`tlbiel r3`), else the leading ones (`cmpdi r3,5`).
 */
export function encodeRow(d: InsnDef, ops: readonly number[]): number {
  const omit = new Set<number>();
  let skip = d.operands.length - ops.length;
  const fromEnd = d.operands[d.operands.length - 1]?.optional === true;
  const order = d.operands.map((_, i) => (fromEnd ? d.operands.length - 1 - i : i));
  for (const i of order) {
    if (skip > 0 && d.operands[i]!.optional === true) {
      omit.add(i);
      skip--;
    }
  }
  let w = d.match;
  let k = 0;
  d.operands.forEach((o, i) => {
    w = o.insert(w, omit.has(i) ? (o.dflt ?? 0) : (ops[k++] ?? o.dflt ?? 0));
  });
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
    let w = encodeRow(d, ops);
    if (d.fill !== undefined) w = d.fill(w) >>> 0;
    if (d.check !== undefined && !d.check(w)) continue;
    return w;
  }
  throw new Error(`"${mnemonic}" does not take ${ops.length} operands`);
}
