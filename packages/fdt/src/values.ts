// Property values are bytes. These helpers encode the value kinds the Devicetree Specification
// names (§2.2.4: <empty>, <u32>, <u64>, <string>, <prop-encoded-array>, <stringlist>) in the
// big-endian layout the blob uses, and decode them back. Encoders throw on values that cannot be
// represented (a programming error); decoders return undefined when the bytes do not have the
// asked-for shape, because a tree read from a file may hold anything.

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** A value to store in a property: raw bytes, built with the helpers below. */
export type PropertyValue = Uint8Array;

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`${what} must be an integer in 0..0xffffffff, got ${v}`);
  }
}

/** `<empty>`: a property that is present but has no value (e.g. `interrupt-controller;`). */
export function empty(): PropertyValue {
  return new Uint8Array(0);
}

/** One big-endian 32-bit cell. */
export function u32(v: number): PropertyValue {
  return cells([v]);
}

/** A big-endian 64-bit value (two cells, high first). */
export function u64(v: bigint | number): PropertyValue {
  const b = BigInt(v);
  if (b < 0n || b > 0xffffffffffffffffn) {
    throw new RangeError(`u64 value must be in 0..2^64-1, got ${v}`);
  }
  return cells([Number(b >> 32n), Number(b & 0xffffffffn)]);
}

/** A `<prop-encoded-array>` of 32-bit cells, e.g. `reg = <0x0 0x1000>`. */
export function cells(values: readonly number[]): PropertyValue {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    checkU32(v, `cell ${i}`);
    view.setUint32(i * 4, v);
  });
  return out;
}

/**
 * Splits 64-bit numbers into `n` cells each, as `reg` and `ranges` entries do with
 * `#address-cells`/`#size-cells` of 1 or 2. `cellsOf([[0n, 2], [0x2000_0000n, 2]])`.
 */
export function cellsOf(values: readonly (readonly [bigint | number, 1 | 2])[]): PropertyValue {
  const words: number[] = [];
  for (const [v, n] of values) {
    const b = BigInt(v);
    const limit = n === 1 ? 0xffffffffn : 0xffffffffffffffffn;
    if (b < 0n || b > limit) throw new RangeError(`${v} does not fit in ${n} cell(s)`);
    if (n === 2) words.push(Number(b >> 32n));
    words.push(Number(b & 0xffffffffn));
  }
  return cells(words);
}

function checkNoNul(s: string, what: string): void {
  if (s.includes("\0")) throw new RangeError(`${what} must not contain NUL: ${JSON.stringify(s)}`);
}

/** A NUL-terminated string (UTF-8). */
export function string(s: string): PropertyValue {
  checkNoNul(s, "string value");
  return concat([utf8.encode(s), new Uint8Array(1)]);
}

/** A `<stringlist>`: each string NUL-terminated, e.g. `compatible = "ibm,power9", "ibm,power"`. */
export function stringList(list: readonly string[]): PropertyValue {
  return concat(list.map((s) => string(s)));
}

/** Raw bytes, e.g. `ibm,pa-features = [18 00 f6 3f ...]`. */
export function bytes(values: ArrayLike<number>): PropertyValue {
  const out = Uint8Array.from(values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v > 0xff) {
      throw new RangeError(`byte ${i} must be an integer in 0..0xff, got ${v}`);
    }
  }
  return out;
}

/** Concatenates values, e.g. a `reg` made of several encoded parts. */
export function concat(parts: readonly Uint8Array[]): PropertyValue {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function view(v: Uint8Array): DataView {
  return new DataView(v.buffer, v.byteOffset, v.byteLength);
}

/** The value as one u32, or undefined unless it is exactly 4 bytes. */
export function asU32(v: Uint8Array): number | undefined {
  return v.length === 4 ? view(v).getUint32(0) : undefined;
}

/** The value as one u64, or undefined unless it is exactly 8 bytes. */
export function asU64(v: Uint8Array): bigint | undefined {
  return v.length === 8 ? view(v).getBigUint64(0) : undefined;
}

/** The value as 32-bit cells, or undefined unless its length is a multiple of 4. */
export function asCells(v: Uint8Array): number[] | undefined {
  if (v.length % 4 !== 0) return undefined;
  const dv = view(v);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 4) out.push(dv.getUint32(i));
  return out;
}

/** The value as one string, or undefined unless it is a single NUL-terminated string. */
export function asString(v: Uint8Array): string | undefined {
  const list = asStringList(v);
  return list?.length === 1 ? list[0] : undefined;
}

/** The value as a string list, or undefined unless it is non-empty and ends with NUL. */
export function asStringList(v: Uint8Array): string[] | undefined {
  if (v.length === 0 || v[v.length - 1] !== 0) return undefined;
  return utf8Decoder.decode(v.subarray(0, v.length - 1)).split("\0");
}
