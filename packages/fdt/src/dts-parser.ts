// Device-tree source in, DeviceTree out: the part of dtc's source language that describes
// content directly (dtc-lexer.l / dtc-parser.y), so that `buildFdt(parseDts(text))` gives the
// bytes `dtc -I dts -O dtb` gives for the same text. Accepted:
//   /dts-v1/;  /memreserve/ ADDR SIZE;  / { ... };  (repeated root blocks merge, as in dtc)
//   name;  name = VALUE, VALUE, ...;  node-name@unit { ... };
//   VALUE: "string" (escapes \a \b \t \n \v \f \r \\ \" \' \xHH \OOO), <cells> with integers
//   (hex, octal, decimal, U/L suffixes) or 'c' character literals, /bits/ 8|16|32|64 <...>,
//   [hex bytes]; comments /* */ and //.
// Not accepted (an error names the line and column): labels and &references (they need
// dtc's phandle fix-ups), expressions in cells, /include/, /plugin/, /delete-node/,
// /delete-property/, /omit-if-no-ref/, and cell values that do not fit their width (dtc only
// warns and truncates). dtc's checks are not run either: a `name` property that dtc would
// delete is kept, and duplicate names are reported as errors here.
import type { FdtNode } from "./node";
import { DeviceTree } from "./tree";
import { concat } from "./values";

/** A syntax error in device-tree source, with its 1-based line and column. */
export class DtsError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    what: string,
  ) {
    super(`${what} at line ${line}, column ${column}`);
    this.name = "DtsError";
  }
}

export type DtsParseResult = { ok: true; tree: DeviceTree } | { ok: false; error: DtsError };

const NAME = /[a-zA-Z0-9,._+*#?@-]+/y;
const DIRECTIVE = /\/([a-z0-9-]+)\//y;
const INTEGER = /(0[xX][0-9a-fA-F]+|[0-9]+)(ULL|UL|LL|U|L)?/y;
const utf8 = new TextEncoder();

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  "\\": 0x5c,
  '"': 0x22,
  "'": 0x27,
};

class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  fail(what: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
    throw new DtsError(line, at - lineStart + 1, what);
  }

  /** Skips whitespace and comments. */
  skip(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
        this.pos++;
      } else if (this.text.startsWith("/*", this.pos)) {
        const end = this.text.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("unterminated comment");
        this.pos = end + 2;
      } else if (this.text.startsWith("//", this.pos)) {
        const end = this.text.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.text.length : end + 1;
      } else {
        return;
      }
    }
  }

  peek(): string | undefined {
    this.skip();
    return this.text[this.pos];
  }

  atEnd(): boolean {
    return this.peek() === undefined;
  }

  /** Consumes `s` if it comes next. */
  accept(s: string): boolean {
    this.skip();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, context: string): void {
    if (!this.accept(s)) this.fail(`expected '${s}' ${context}, found ${this.describeNext()}`);
  }

  describeNext(): string {
    this.skip();
    if (this.pos >= this.text.length) return "end of input";
    return JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  /** A `/keyword/` directive, or undefined (position unchanged) if none comes next. */
  directive(): string | undefined {
    this.skip();
    const m = this.sticky(DIRECTIVE);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[1];
  }

  /** `re` (a sticky regex) matched at the current position, or null. */
  sticky(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    return re.exec(this.text);
  }

  name(what: string): string {
    this.skip();
    const m = this.sticky(NAME);
    if (!m) this.fail(`expected a ${what}, found ${this.describeNext()}`);
    this.pos += m[0].length;
    return m[0];
  }

  /** One escape after a backslash inside a string or character literal, as dtc reads it. */
  escape(): number {
    const c = this.text[this.pos];
    if (c === undefined) this.fail("unterminated escape");
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    if (c === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(this.text.slice(this.pos + 1, this.pos + 3));
      if (!m) this.fail("\\x needs hex digits");
      this.pos += 1 + m[0].length;
      return parseInt(m[0], 16);
    }
    const oct = /^[0-7]{1,3}/.exec(this.text.slice(this.pos, this.pos + 3));
    if (oct) {
      this.pos += oct[0].length;
      // Up to three octal digits; dtc keeps the low byte of \400..\777.
      return parseInt(oct[0], 8) & 0xff;
    }
    // dtc keeps an unknown escape as the character itself.
    this.pos++;
    return c.charCodeAt(0);
  }

  /** A double-quoted string literal (it may span lines, as in dtc), as bytes with its NUL. */
  string(): Uint8Array {
    const start = this.pos;
    this.pos++; // opening quote
    const out: number[] = [];
    for (;;) {
      const code = this.text.codePointAt(this.pos);
      if (code === undefined) this.fail("unterminated string", start);
      const c = String.fromCodePoint(code);
      this.pos += c.length;
      if (c === '"') break;
      if (c === "\\") out.push(this.escape());
      else if (code < 0x80) out.push(code);
      else out.push(...utf8.encode(c));
    }
    out.push(0);
    return Uint8Array.from(out);
  }

  /** An integer literal or a character literal inside `< >`. */
  cell(): bigint {
    this.skip();
    const start = this.pos;
    if (this.text[this.pos] === "'") {
      this.pos++;
      const c = this.text[this.pos];
      let v: number;
      if (c === "\\") {
        this.pos++;
        v = this.escape();
      } else if (c === undefined || c === "'") {
        this.fail("empty character literal", start);
      } else {
        v = c.charCodeAt(0);
        this.pos++;
      }
      if (this.text[this.pos] !== "'") this.fail("a character literal holds one character", start);
      this.pos++;
      return BigInt(v);
    }
    const m = this.sticky(INTEGER);
    if (!m) {
      if (this.text[this.pos] === "(") this.fail("expressions in cells are not supported");
      if (this.text[this.pos] === "&") this.fail("phandle references are not supported");
      this.fail(`expected a number or '>', found ${this.describeNext()}`);
    }
    this.pos += m[0].length;
    const digits = m[1] as string;
    if (/^0[0-9]/.test(digits) && /[89]/.test(digits))
      this.fail(`bad octal number ${digits}`, start);
    const v = /^0[0-7]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
    if (v > 0xffffffffffffffffn) this.fail(`${digits} does not fit in 64 bits`, start);
    return v;
  }
}

/** `<...>` after an optional `/bits/ N`. */
function cellArray(s: Scanner, bits: number): Uint8Array {
  const bytesPer = bits / 8;
  const values: bigint[] = [];
  while (!s.accept(">")) {
    if (s.atEnd()) s.fail("unterminated '<'");
    const at = s.pos;
    const v = s.cell();
    if (v >> BigInt(bits) !== 0n) s.fail(`${v} does not fit in ${bits} bits`, at);
    values.push(v);
  }
  const out = new Uint8Array(values.length * bytesPer);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    const at = i * bytesPer;
    if (bits === 64) view.setBigUint64(at, v);
    else if (bits === 32) view.setUint32(at, Number(v));
    else if (bits === 16) view.setUint16(at, Number(v));
    else view.setUint8(at, Number(v));
  });
  return out;
}

/** `[..]`: hex digit pairs, spaces optional between pairs. */
function byteString(s: Scanner): Uint8Array {
  const out: number[] = [];
  while (!s.accept("]")) {
    s.skip();
    const pair = s.text.slice(s.pos, s.pos + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) {
      if (s.atEnd()) s.fail("unterminated '['");
      s.fail(`expected two hex digits or ']', found ${s.describeNext()}`);
    }
    out.push(parseInt(pair, 16));
    s.pos += 2;
  }
  return Uint8Array.from(out);
}

function propertyValue(s: Scanner): Uint8Array {
  const parts: Uint8Array[] = [];
  do {
    s.skip();
    const c = s.text[s.pos];
    if (c === '"') {
      parts.push(s.string());
    } else if (s.accept("<")) {
      parts.push(cellArray(s, 32));
    } else if (s.accept("[")) {
      parts.push(byteString(s));
    } else {
      const at = s.pos;
      const d = s.directive();
      if (d !== "bits") {
        if (c === "&") s.fail("phandle and path references are not supported");
        s.fail(`expected a value, found ${s.describeNext()}`, at);
      }
      s.skip();
      const widthAt = s.pos;
      const width = Number(s.cell());
      if (![8, 16, 32, 64].includes(width)) s.fail("/bits/ must be 8, 16, 32 or 64", widthAt);
      s.expect("<", "after /bits/ N");
      parts.push(cellArray(s, width));
    }
  } while (s.accept(","));
  return concat(parts);
}

/** Deepest node nesting accepted, so hostile text cannot exhaust the JavaScript stack. */
const MAX_DTS_DEPTH = 256;

/** The body of a node after its `{`, up to and including `};`. */
function nodeBody(s: Scanner, node: FdtNode, merging: boolean, depth: number): void {
  if (depth > MAX_DTS_DEPTH) s.fail(`nodes nested deeper than ${MAX_DTS_DEPTH} levels`);
  const seenProps = new Set<string>();
  const seenChildren = new Set<string>();
  let inSubnodes = false;
  for (;;) {
    if (s.accept("}")) {
      s.expect(";", "after '}'");
      return;
    }
    if (s.atEnd()) s.fail(`unterminated node ${JSON.stringify(node.name || "/")}`);
    const at = s.pos;
    const d = s.directive();
    if (d !== undefined) s.fail(`/${d}/ is not supported`, at);
    const name = s.name("property or node name");
    if (s.accept(":")) s.fail("labels are not supported", at);
    if (s.accept("{")) {
      if (seenChildren.has(name)) s.fail(`duplicate node ${JSON.stringify(name)}`, at);
      seenChildren.add(name);
      const existing = merging ? node.children.find((c) => c.name === name) : undefined;
      const child = existing ?? node.addChild(name);
      nodeBody(s, child, existing !== undefined, depth + 1);
      inSubnodes = true;
      continue;
    }
    if (inSubnodes) s.fail(`property ${JSON.stringify(name)} after a subnode`, at);
    if (seenProps.has(name)) s.fail(`duplicate property ${JSON.stringify(name)}`, at);
    seenProps.add(name);
    if (name.includes("@")) s.fail(`'@' in property name ${JSON.stringify(name)}`, at);
    if (s.accept(";")) {
      node.setEmpty(name);
      continue;
    }
    s.expect("=", `after property ${JSON.stringify(name)}`);
    node.set(name, propertyValue(s));
    s.expect(";", `after the value of ${JSON.stringify(name)}`);
  }
}

/** Parses device-tree source; a syntax error gives `{ ok: false, error }`. */
export function parseDts(text: string): DtsParseResult {
  try {
    return { ok: true, tree: parseDtsOrThrow(text) };
  } catch (e) {
    if (e instanceof DtsError) return { ok: false, error: e };
    throw e;
  }
}

/** Parses device-tree source; throws DtsError for a syntax error. */
export function parseDtsOrThrow(text: string): DeviceTree {
  const s = new Scanner(text);
  const tree = new DeviceTree();
  if (s.directive() !== "dts-v1") s.fail("expected /dts-v1/; first", 0);
  s.expect(";", "after /dts-v1/");
  for (;;) {
    const at = s.pos;
    const d = s.directive();
    if (d === undefined) break;
    if (d !== "memreserve") s.fail(`/${d}/ is not supported`, at);
    const address = s.cell();
    const size = s.cell();
    s.expect(";", "after /memreserve/ address size");
    // dtc writes any entry; a size-0 entry ends the map for every reader (see tree.reserve).
    if (size === 0n) s.fail("a /memreserve/ of size 0 would end the map", at);
    tree.reserve(address, size);
  }
  let roots = 0;
  while (!s.atEnd()) {
    const at = s.pos;
    const d = s.directive();
    if (d !== undefined) s.fail(`/${d}/ is not supported`, at);
    s.expect("/", "to open the root node");
    s.expect("{", "after '/'");
    nodeBody(s, tree.root, roots > 0, 1);
    roots++;
  }
  if (roots === 0) s.fail("no root node ('/ { ... };')");
  return tree;
}
