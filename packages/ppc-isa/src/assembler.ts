// Assembler for GNU as syntax over hvsim's instruction subset, driven by the instruction table.
//
// Supported: labels (`name:` and numeric `1:` with `1b`/`1f`), `sym = expr` / `.set`,
// expressions (+ - * / % << >> & | ^ ~, parentheses, `.`), the @l/@h/@ha/@higher/@highera/
// @highest/@highesta operators, `r3`/`%r3`/`3` registers, `crN`, `4*cr1+eq` CR bits, `d(rA)`
// memory operands, and the directives .long .int .word .quad .short .hword .2byte .4byte .8byte
// .byte .ascii .asciz .string .space .skip .zero .org .align .p2align .balign .text .data
// .section .globl .global .machine .abiversion .type .size .end (the last six are accepted
// and ignored). Errors carry the line number and say what was expected.
import { rowsFor } from "./encoder";
import { F_BE_ONLY, type InsnDef } from "./insn-table";
import type { Operand } from "./operands";

export class AsmError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "AsmError";
  }
}

export interface AsmOptions {
  /** Byte order of the output (default little-endian, as ppc64le). */
  littleEndian?: boolean;
  /**
   * Lay the sections out in memory: .text at `origin`, every other section after the previous
   * one in order of first appearance, each at the next 4 KiB boundary, and give labels their
   * addresses (what a linker would do for a one-object executable). Without it every section
   * starts at 0 and labels are section-relative offsets.
   */
  origin?: bigint;
}

export interface AsmResult {
  /** Section contents by name (".text", ".data", ...). */
  readonly sections: ReadonlyMap<string, Uint8Array>;
  /** Address of each section: the layout of `origin`, or 0 for all without it. */
  readonly addresses: ReadonlyMap<string, bigint>;
  /** Symbol values: addresses of labels (see `addresses`), values of `=` / `.set` symbols. */
  readonly symbols: ReadonlyMap<string, bigint>;
  /** The section of each label (symbols defined by `=` or `.set` are absolute: not here). */
  readonly labelSections: ReadonlyMap<string, string>;
  /** Names given to `.globl` / `.global`. */
  readonly globals: ReadonlySet<string>;
}

interface Section {
  bytes: number[];
}

type Value = bigint;

const CR_NAMES: Record<string, bigint> = { lt: 0n, gt: 1n, eq: 2n, so: 3n, un: 3n };

/** Split on commas outside parentheses and quotes. */
function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = "",
    quote = false;
  for (const ch of s) {
    if (ch === '"') quote = !quote;
    if (!quote && ch === "(") depth++;
    if (!quote && ch === ")") depth--;
    if (!quote && depth === 0 && ch === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

class Expr {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly lookup: (name: string) => Value | undefined,
    private readonly here: Value,
    private readonly line: number,
  ) {}

  parse(): Value {
    const v = this.or();
    this.ws();
    if (this.pos < this.s.length) {
      throw new AsmError(
        this.line,
        `unexpected "${this.s.slice(this.pos)}" in expression "${this.s}"`,
      );
    }
    return v;
  }
  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }
  private eat(t: string): boolean {
    this.ws();
    if (this.s.startsWith(t, this.pos)) {
      this.pos += t.length;
      return true;
    }
    return false;
  }
  private or(): Value {
    let v = this.xor();
    while (this.peekOp("|")) v |= this.xor();
    return v;
  }
  private xor(): Value {
    let v = this.and();
    while (this.peekOp("^")) v ^= this.and();
    return v;
  }
  private and(): Value {
    let v = this.shift();
    while (this.peekOp("&")) v &= this.shift();
    return v;
  }
  private shift(): Value {
    let v = this.add();
    for (;;) {
      if (this.eat("<<")) v <<= this.add();
      else if (this.eat(">>")) v >>= this.add();
      else return v;
    }
  }
  private add(): Value {
    let v = this.mul();
    for (;;) {
      if (this.peekOp("+")) v += this.mul();
      else if (this.peekOp("-")) v -= this.mul();
      else return v;
    }
  }
  private mul(): Value {
    let v = this.unary();
    for (;;) {
      if (this.peekOp("*")) v *= this.unary();
      else if (this.peekOp("/")) {
        const d = this.unary();
        if (d === 0n) throw new AsmError(this.line, "division by zero in expression");
        v /= d;
      } else if (this.peekOp("%")) v %= this.unary();
      else return v;
    }
  }
  private peekOp(op: string): boolean {
    this.ws();
    if (this.s[this.pos] !== op) return false;
    const next = this.s[this.pos + 1];
    if ((op === "|" || op === "&") && next === op) return false;
    if ((op === "<" || op === ">") && next === op) return false;
    this.pos++;
    return true;
  }
  private unary(): Value {
    if (this.peekOp("-")) return -this.unary();
    if (this.peekOp("+")) return this.unary();
    if (this.peekOp("~")) return ~this.unary();
    return this.suffixed(this.atom());
  }
  private suffixed(v: Value): Value {
    this.ws();
    const m = /^@(highesta|highest|highera|higher|ha|h|l)\b/.exec(this.s.slice(this.pos));
    if (!m) return v;
    this.pos += m[0].length;
    const u = BigInt.asUintN(64, v);
    switch (m[1]) {
      case "l":
        return u & 0xffffn;
      case "h":
        return (u >> 16n) & 0xffffn;
      case "ha":
        return ((u + 0x8000n) >> 16n) & 0xffffn;
      case "higher":
        return (u >> 32n) & 0xffffn;
      case "highera":
        return ((u + 0x80008000n) >> 32n) & 0xffffn;
      case "highest":
        return (u >> 48n) & 0xffffn;
      default:
        return ((u + 0x800080008000n) >> 48n) & 0xffffn;
    }
  }
  private atom(): Value {
    this.ws();
    if (this.eat("(")) {
      const v = this.or();
      if (!this.eat(")")) throw new AsmError(this.line, `missing ")" in "${this.s}"`);
      return v;
    }
    const rest = this.s.slice(this.pos);
    let m = /^(0x[0-9a-f]+|0b[01]+|[0-9]+)([bf])?(?![\w.])/i.exec(rest);
    if (m) {
      this.pos += m[0].length;
      if (m[2] !== undefined) {
        const v = this.lookup(`${m[1]}${m[2]}`);
        if (v === undefined)
          throw new AsmError(this.line, `local label ${m[1]}${m[2]} is not defined`);
        return v;
      }
      return BigInt(m[1]!);
    }
    m = /^'(.)'/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return BigInt(m[1]!.charCodeAt(0));
    }
    m = /^%?[A-Za-z_.$][\w.$]*/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      const name = m[0].replace(/^%/, "");
      if (name === ".") return this.here;
      const v = this.lookup(name);
      if (v !== undefined) return v;
      const reg = /^r(\d+)$/.exec(name);
      if (reg && Number(reg[1]) < 32) return BigInt(reg[1]!);
      const cr = /^cr([0-7])$/.exec(name);
      if (cr) return BigInt(cr[1]!);
      if (name in CR_NAMES) return CR_NAMES[name]!;
      throw new AsmError(this.line, `undefined symbol "${name}"`);
    }
    throw new AsmError(this.line, `expected a number, symbol or "(" in "${this.s}"`);
  }
}

interface Stmt {
  line: number;
  section: string;
  offset: number;
  /** Address of the statement (section address + offset), set once the layout is known. */
  address: bigint;
  kind: "insn" | "data";
  mnemonic: string;
  args: string;
}

/** Assemble `source`. Throws AsmError with the line number on the first error. */
export function assemble(source: string, opts: AsmOptions = {}): AsmResult {
  const le = opts.littleEndian ?? true;
  const sections = new Map<string, Section>([[".text", { bytes: [] }]]);
  const sizes = new Map<string, number>([[".text", 0]]);
  const symbols = new Map<string, bigint>();
  const labels = new Map<string, { section: string; offset: number }>();
  const assigns: { name: string; expr: string; section: string; offset: number; line: number }[] =
    [];
  const globals = new Set<string>();
  const numeric: { name: string; section: string; offset: number; index: number }[] = [];
  const stmts: Stmt[] = [];
  const lines = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).split("\n");

  // Pass 1: labels, sizes.
  let section = ".text";
  let stmtIndex = 0;
  const cur = (): number => sizes.get(section)!;
  const setSize = (n: number): void => void sizes.set(section, n);
  const lookupPass1 = (name: string): Value | undefined => symbols.get(name);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const text = raw.replace(/#.*$/, "");
    for (let part of text.split(";")) {
      part = part.trim();
      for (;;) {
        const m = /^([A-Za-z_.$][\w.$]*|\d+):/.exec(part);
        if (!m) break;
        if (/^\d+$/.test(m[1]!))
          numeric.push({ name: m[1]!, section, offset: cur(), index: stmtIndex });
        else {
          if (symbols.has(m[1]!)) throw new AsmError(lineNo, `symbol "${m[1]}" is already defined`);
          symbols.set(m[1]!, BigInt(cur()));
          labels.set(m[1]!, { section, offset: cur() });
        }
        part = part.slice(m[0].length).trim();
      }
      if (part === "") continue;
      const eq = /^([A-Za-z_.$][\w.$]*)\s*=\s*(.+)$/.exec(part);
      if (eq) {
        symbols.set(eq[1]!, new Expr(eq[2]!, lookupPass1, BigInt(cur()), lineNo).parse());
        assigns.push({ name: eq[1]!, expr: eq[2]!, section, offset: cur(), line: lineNo });
        continue;
      }
      const m = /^(\S+)\s*(.*)$/.exec(part)!;
      const mn = m[1]!.toLowerCase();
      const args = m[2]!.trim();
      if (mn.startsWith(".")) {
        const size = directiveSize(mn, args, lineNo, cur(), lookupPass1);
        switch (mn) {
          case ".text":
          case ".data":
          case ".section": {
            section = mn === ".section" ? (splitOperands(args)[0] ?? ".text") : mn;
            if (!sections.has(section)) {
              sections.set(section, { bytes: [] });
              sizes.set(section, 0);
            }
            continue;
          }
          case ".set": {
            const [name, e] = splitOperands(args);
            if (name === undefined || e === undefined)
              throw new AsmError(lineNo, ".set needs a name and an expression");
            symbols.set(name, new Expr(e, lookupPass1, BigInt(cur()), lineNo).parse());
            assigns.push({ name, expr: e, section, offset: cur(), line: lineNo });
            continue;
          }
          case ".globl":
          case ".global":
            for (const g of splitOperands(args)) globals.add(g);
            break;
          default:
            break;
        }
        stmts.push({
          line: lineNo,
          section,
          offset: cur(),
          address: 0n,
          kind: "data",
          mnemonic: mn,
          args,
        });
        stmtIndex++;
        setSize(cur() + size);
        continue;
      }
      stmts.push({
        line: lineNo,
        section,
        offset: cur(),
        address: 0n,
        kind: "insn",
        mnemonic: mn,
        args,
      });
      stmtIndex++;
      setSize(cur() + 4);
    }
  });

  // Layout: section addresses, then label addresses and the `=` symbols evaluated again in
  // order (pass 1 saw section-relative values; differences within a section do not change).
  const addresses = new Map<string, bigint>();
  let next = opts.origin ?? 0n;
  for (const [name] of sections) {
    if (opts.origin === undefined) {
      addresses.set(name, 0n);
      continue;
    }
    addresses.set(name, next);
    next = ((next + BigInt(sizes.get(name)!) + 4095n) / 4096n) * 4096n;
  }
  const base = (sec: string): bigint => addresses.get(sec)!;
  if (opts.origin !== undefined) {
    for (const [name, l] of labels) symbols.set(name, base(l.section) + BigInt(l.offset));
    for (const a of assigns) {
      const here = base(a.section) + BigInt(a.offset);
      symbols.set(a.name, new Expr(a.expr, (n) => symbols.get(n), here, a.line).parse());
    }
  }
  for (const st of stmts) st.address = base(st.section) + BigInt(st.offset);

  // Pass 2: emit.
  let current: Stmt | undefined;
  let currentIndex = 0;
  const lookup = (name: string): Value | undefined => {
    const local = /^(\d+)([bf])$/.exec(name);
    if (local && current) {
      const cands = numeric.filter((n) => n.name === local[1] && n.section === current!.section);
      const pick =
        local[2] === "b"
          ? cands.filter((n) => n.index <= currentIndex).pop()
          : cands.find((n) => n.index > currentIndex);
      return pick === undefined ? undefined : base(pick.section) + BigInt(pick.offset);
    }
    return symbols.get(name);
  };
  stmts.forEach((st, k) => {
    current = st;
    currentIndex = k;
    const out = sections.get(st.section)!.bytes;
    while (out.length < st.offset) out.push(0);
    if (st.kind === "data") {
      emitDirective(st, out, le, lookup);
      return;
    }
    const w = encodeStatement(st, lookup, le);
    const b = [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff];
    out.push(...(le ? b.reverse() : b));
  });
  const result = new Map<string, Uint8Array>();
  for (const [name, s] of sections) {
    while (s.bytes.length < sizes.get(name)!) s.bytes.push(0);
    result.set(name, new Uint8Array(s.bytes));
  }
  const labelSections = new Map<string, string>();
  for (const [name, l] of labels) labelSections.set(name, l.section);
  return { sections: result, addresses, symbols, labelSections, globals };
}

function directiveSize(
  mn: string,
  args: string,
  line: number,
  here: number,
  lookup: (n: string) => Value | undefined,
): number {
  const n = splitOperands(args).length;
  const constant = (e: string): number => Number(new Expr(e, lookup, BigInt(here), line).parse());
  switch (mn) {
    case ".long":
    case ".int":
    case ".4byte":
    case ".word":
      return 4 * n;
    case ".quad":
    case ".8byte":
      return 8 * n;
    case ".short":
    case ".hword":
    case ".2byte":
      return 2 * n;
    case ".byte":
      return n;
    case ".ascii":
    case ".asciz":
    case ".string":
      return splitOperands(args).reduce(
        (a, s) => a + parseString(s, line).length + (mn === ".ascii" ? 0 : 1),
        0,
      );
    case ".space":
    case ".skip":
    case ".zero":
      return constant(splitOperands(args)[0] ?? "0");
    case ".org": {
      const to = constant(splitOperands(args)[0] ?? "0");
      if (to < here)
        throw new AsmError(
          line,
          `.org 0x${to.toString(16)} moves backwards (already at 0x${here.toString(16)})`,
        );
      return to - here;
    }
    case ".align":
    case ".p2align":
    case ".balign": {
      const v = constant(splitOperands(args)[0] ?? "0");
      const a = mn === ".balign" ? v : 1 << v;
      return (a - (here % a)) % a;
    }
    case ".globl":
    case ".global":
    case ".machine":
    case ".abiversion":
    case ".type":
    case ".size":
    case ".end":
    case ".text":
    case ".data":
    case ".section":
    case ".set":
      return 0;
    default:
      throw new AsmError(line, `unknown directive "${mn}"`);
  }
}

function parseString(s: string, line: number): number[] {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(s.trim());
  if (!m) throw new AsmError(line, `expected a "quoted string", got ${s}`);
  const out: number[] = [];
  const body = m[1]!;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out.push(c.charCodeAt(0));
      continue;
    }
    const e = body[++i]!;
    const map: Record<string, number> = { n: 10, t: 9, r: 13, "0": 0, "\\": 92, '"': 34 };
    out.push(map[e] ?? e.charCodeAt(0));
  }
  return out;
}

function emitDirective(
  st: Stmt,
  out: number[],
  le: boolean,
  lookup: (n: string) => Value | undefined,
): void {
  const args = splitOperands(st.args);
  const val = (e: string): bigint => new Expr(e, lookup, st.address, st.line).parse();
  const put = (v: bigint, size: number): void => {
    const bytes: number[] = [];
    const u = BigInt.asUintN(size * 8, v);
    for (let k = size - 1; k >= 0; k--) bytes.push(Number((u >> BigInt(8 * k)) & 0xffn));
    out.push(...(le ? bytes.reverse() : bytes));
  };
  switch (st.mnemonic) {
    case ".long":
    case ".int":
    case ".4byte":
    case ".word":
      args.forEach((a) => put(val(a), 4));
      return;
    case ".quad":
    case ".8byte":
      args.forEach((a) => put(val(a), 8));
      return;
    case ".short":
    case ".hword":
    case ".2byte":
      args.forEach((a) => put(val(a), 2));
      return;
    case ".byte":
      args.forEach((a) => put(val(a), 1));
      return;
    case ".ascii":
    case ".asciz":
    case ".string":
      for (const a of args) {
        out.push(...parseString(a, st.line));
        if (st.mnemonic !== ".ascii") out.push(0);
      }
      return;
    case ".align":
    case ".p2align":
    case ".balign": {
      // gas pads code sections with nops (zero bytes up to the next word boundary first).
      if (!st.section.startsWith(".text")) return;
      const v = Number(val(args[0] ?? "0"));
      const a = st.mnemonic === ".balign" ? v : 1 << v;
      let at = st.offset;
      const end = at + ((a - (at % a)) % a);
      while (at < end && at % 4 !== 0) {
        out.push(0);
        at++;
      }
      const nop = le ? [0, 0, 0, 0x60] : [0x60, 0, 0, 0];
      for (; at + 4 <= end; at += 4) out.push(...nop);
      return;
    }
    default:
      // .space/.org and ignored directives: zero fill happens through offsets.
      return;
  }
}

/** The operand texts of `args` mapped onto a row's operands ("d(rA)" counts as two). */
function operandTexts(args: string, line: number): string[] {
  const out: string[] = [];
  for (const a of splitOperands(args)) {
    const m = /^(.*)\(\s*(%?r?\d+|0)\s*\)$/.exec(a);
    if (m && m[1]!.trim() !== "") {
      out.push(m[1]!.trim(), m[2]!);
    } else if (m) {
      throw new AsmError(line, `expected a displacement before "(${m[2]})"`);
    } else out.push(a);
  }
  return out;
}

function fitsRow(d: InsnDef, n: number): boolean {
  const required = d.operands.filter((o) => o.optional !== true).length;
  return n >= required && n <= d.operands.length;
}

function operandValue(
  o: Operand,
  text: string,
  st: Stmt,
  lookup: (n: string) => Value | undefined,
): number {
  const v = new Expr(text, lookup, st.address, st.line).parse();
  let n: bigint = v;
  if (o.kind === "rel") n = BigInt.asIntN(64, v - st.address);
  // objdump prints absolute branch targets as 32-bit values: read them back as signed.
  if (o.kind === "abs") n = BigInt.asIntN(32, v);
  if (o.kind === "gpr" || o.kind === "gpr0") {
    if (!/^(%?r\d+|\d+)$/.test(text.trim()) && !/^[A-Za-z_]/.test(text.trim())) {
      throw new AsmError(st.line, `expected a register for ${o.name}, got "${text}"`);
    }
  }
  const align = o.align ?? 1;
  if (n % BigInt(align) !== 0n) {
    throw new AsmError(st.line, `${o.name} operand ${text} must be a multiple of ${align}`);
  }
  // Immediates accept both signed and unsigned spellings of the field (li r3,0xffff).
  const lo = BigInt(o.min),
    hi = BigInt(o.max);
  const width = o.max - o.min + 1;
  if (n < lo || n > hi) {
    if (o.min < 0 && n > hi && n < BigInt(2 * o.max + 2)) n -= BigInt(2 * o.max + 2);
    else if (o.min === 0 && (width & (width - 1)) === 0 && n < 0n && n >= -BigInt(width))
      n += BigInt(width);
    else
      throw new AsmError(
        st.line,
        `${o.name} operand ${text} = ${v} is out of range ${o.min}..${o.max}`,
      );
  }
  return Number(n);
}

function encodeStatement(st: Stmt, lookup: (n: string) => Value | undefined, le: boolean): number {
  const rows = rowsFor(st.mnemonic);
  if (rows.length === 0) throw new AsmError(st.line, `unknown instruction "${st.mnemonic}"`);
  if (le && rows.every((d) => (d.flags & F_BE_ONLY) !== 0)) {
    // As GNU as: the string instructions cannot run little-endian (alignment interrupt).
    throw new AsmError(st.line, `"${st.mnemonic}" is invalid when little-endian`);
  }
  const texts = st.args === "" ? [] : operandTexts(st.args, st.line);
  let lastError: AsmError | undefined;
  for (const d of rows) {
    if (!fitsRow(d, texts.length)) continue;
    try {
      // Omitted operands are optional ones: trailing ones when the row ends with an optional
      // operand (tlbiel r3, lwarx r3,0,r4, beqlr cr1), leading ones otherwise (cmpdi r3,5).
      const omit = new Set<number>();
      let skip = d.operands.length - texts.length;
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
        w = omit.has(i)
          ? o.insert(w, o.dflt ?? 0)
          : o.insert(w, operandValue(o, texts[k++]!, st, lookup));
      });
      w = d.fill ? d.fill(w) : w;
      // gas (POWER4 and later) turns an mtcrf naming exactly one field into mtocrf.
      if (d.mnemonic === "mtcrf") {
        const fxm = (w >>> 12) & 0xff;
        if (fxm !== 0 && (fxm & (fxm - 1)) === 0) w |= 0x00100000;
      }
      if (d.check !== undefined && !d.check(w)) continue;
      if (d.operands.some((o) => o.valid !== undefined && !o.valid(w))) {
        throw new AsmError(st.line, `invalid operand combination for ${st.mnemonic} ${st.args}`);
      }
      const rule = d.asmCheck?.(w);
      if (rule !== undefined) throw new AsmError(st.line, `${rule}: ${st.mnemonic} ${st.args}`);
      return w >>> 0;
    } catch (e) {
      if (e instanceof AsmError) lastError = e;
      else throw e;
    }
  }
  if (lastError) throw lastError;
  const counts = [...new Set(rows.map((d) => d.operands.length))].join(" or ");
  throw new AsmError(st.line, `"${st.mnemonic}" expects ${counts} operands, got ${texts.length}`);
}
