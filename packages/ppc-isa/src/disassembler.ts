// Disassembler in GNU objdump syntax (`objdump -d -M power9`), driven by the instruction table.
import { INSN_TABLE, type InsnDef } from "./insn-table";
import type { Operand } from "./operands";

const BUCKETS: InsnDef[][] = Array.from({ length: 64 }, () => []);
for (const d of INSN_TABLE) BUCKETS[d.match >>> 26]!.push(d);

function rowMatches(d: InsnDef, w: number): boolean {
  if ((w & d.mask) >>> 0 !== d.match) return false;
  if (d.check !== undefined && !d.check(w)) return false;
  for (const o of d.operands) if (o.valid !== undefined && !o.valid(w)) return false;
  return true;
}

/**
 * The table row that spells `word` (the one objdump would print: extended mnemonics first), or
 * undefined when the word is outside hvsim's instruction subset.
 */
export function decode(word: number): InsnDef | undefined {
  const w = word >>> 0;
  for (const d of BUCKETS[w >>> 26]!) if (rowMatches(d, w)) return d;
  return undefined;
}

const CR_BITS = ["lt", "gt", "eq", "so"];

/** A CR bit as objdump writes it: `eq` in cr0, `4*cr1+eq` elsewhere. */
export function crBitName(bit: number): string {
  const cr = bit >> 2;
  const c = CR_BITS[bit & 3]!;
  return cr === 0 ? c : `4*cr${cr}+${c}`;
}

function hex64(v: bigint): string {
  return "0x" + BigInt.asUintN(64, v).toString(16);
}

function isDefault(o: Operand, w: number): boolean {
  return o.extract(w) === (o.dflt ?? 0);
}

/**
 * Operand text of `word` for row `d` at address `addr`. An optional operand is omitted when it
 * and every later optional operand hold their default value (objdump's rule: `cmpd r3,r4`,
 * `beqlr cr0,1`, `tlbie r3,r0,0,0,1`).
 */
/** How a branch target is written: objdump's raw-binary style (`0x1c`) unless told otherwise. */
export type TargetFormat = (target: bigint) => string;

const plainTarget: TargetFormat = (t) => hex64(t);

function formatOperands(d: InsnDef, w: number, addr: bigint, target: TargetFormat): string {
  const ops = d.operands;
  const parts: string[] = [];
  let skipping = false;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    if (o.optional === true) {
      if (!skipping) {
        skipping = true;
        for (let j = i; j < ops.length; j++) {
          const p = ops[j]!;
          if (p.optional === true && !isDefault(p, w)) {
            skipping = false;
            break;
          }
        }
      }
      if (skipping) continue;
    }
    const v = o.extract(w);
    switch (o.kind) {
      case "gpr":
        parts.push(`r${v}`);
        break;
      case "gpr0":
        parts.push(v === 0 ? "0" : `r${v}`);
        break;
      case "int":
        parts.push(String(v));
        break;
      case "crf":
        parts.push(`cr${v}`);
        break;
      case "crbit":
        parts.push(crBitName(v));
        break;
      case "rel":
        parts.push(target(BigInt.asUintN(64, addr + BigInt(v))));
        break;
      case "abs":
        // objdump shows absolute targets as a 32-bit value (`ba 0xfffffff0`).
        parts.push(target(BigInt(v >>> 0)));
        break;
      case "disp": {
        const next = ops[++i];
        if (next === undefined) throw new Error(`row ${d.mnemonic}: displacement without base`);
        const r = next.extract(w);
        parts.push(`${v}(${next.kind === "gpr0" && r === 0 ? "0" : `r${r}`})`);
        break;
      }
      default: {
        const never: never = o.kind;
        throw new Error(`unknown operand kind ${String(never)}`);
      }
    }
  }
  return parts.join(",");
}

/**
 * One instruction as objdump prints it, e.g. `addi    r3,r4,5` or `.long 0x4000000`; branch
 * targets through `target` (objdump prints `20000 <f>` when the file has symbols).
 */
export function disassemble(
  word: number,
  addr: bigint = 0n,
  target: TargetFormat = plainTarget,
): string {
  const w = word >>> 0;
  const d = decode(w);
  if (d === undefined) return `.long 0x${w.toString(16)}`;
  const ops = formatOperands(d, w, addr, target);
  return ops === "" ? d.mnemonic : `${d.mnemonic.padEnd(7)} ${ops}`;
}

export interface DisasmLine {
  readonly addr: bigint;
  readonly word: number;
  /** The four bytes as stored, in memory order. */
  readonly bytes: readonly number[];
  readonly text: string;
}

/**
 * Disassemble a buffer of instructions (length rounded down to a multiple of 4), each word read
 * in the given byte order, the first one at address `base`.
 */
export function disassembleBuffer(
  code: Uint8Array,
  base: bigint,
  littleEndian: boolean,
  target: TargetFormat = plainTarget,
): DisasmLine[] {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const lines: DisasmLine[] = [];
  for (let off = 0; off + 4 <= code.length; off += 4) {
    const word = view.getUint32(off, littleEndian);
    const addr = base + BigInt(off);
    lines.push({
      addr,
      word,
      bytes: [code[off]!, code[off + 1]!, code[off + 2]!, code[off + 3]!],
      text: disassemble(word, addr, target),
    });
  }
  return lines;
}

/**
 * Width of objdump's address column for a block ending at `end`: the 16 hex digits of the end
 * address less its leading zeros, rounded so that whole groups of four are dropped (at least 4
 * digits below 0x10000, 8 below 2^32 ...).
 */
export function objdumpAddressWidth(end: bigint): number {
  const digits = BigInt.asUintN(64, end).toString(16).padStart(16, "0");
  const zeros = digits.length - digits.replace(/^0+/, "").length;
  return 16 - (zeros === 0 ? 0 : (zeros - 1) & ~3);
}

/** A line in objdump's layout: `   1c:\t78 0b 21 7c \tmr      r1,r1` (address column `width`). */
export function formatObjdumpLine(line: DisasmLine, width = 4): string {
  const a = line.addr.toString(16).padStart(width, " ");
  const b = line.bytes.map((x) => x.toString(16).padStart(2, "0")).join(" ");
  return `${a}:\t${b} \t${line.text}`;
}
