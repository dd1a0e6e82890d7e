// A table-driven codec for the fixed-layout ABI structs a guest hands to the hypervisor
// (DESIGN §6.6): each struct is an append-only table of fields {name, offset, size, count,
// signed, sinceVersion}; a version's size is the end of its last field. Both byte orders:
// an L1 runs big- or little-endian and the struct is in *its* byte order (Linux L0 byteswaps
// when the L1's endianness differs from the host's; QEMU TCG copies bytes as they are).

export type Endian = "big" | "little";

/** One field of an ABI struct. 4-byte fields decode to `number`, 8-byte ones to `bigint`. */
export interface StructField {
  readonly name: string;
  readonly offset: number;
  readonly size: 4 | 8;
  /** Array length (`u64 sprg[4]` has count 4); 1 for a scalar. */
  readonly count: number;
  readonly signed: boolean;
  /** First struct version that has this field. */
  readonly sinceVersion: number;
}

/** Why bytes could not be decoded: values, not exceptions (DESIGN §6.5). */
export type StructDecodeError =
  | {
      readonly kind: "short-buffer";
      readonly struct: string;
      readonly need: number;
      readonly have: number;
    }
  | {
      readonly kind: "bad-version";
      readonly struct: string;
      readonly version: bigint;
      readonly supported: readonly number[];
    };

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: StructDecodeError };

export function describeDecodeError(e: StructDecodeError): string {
  switch (e.kind) {
    case "short-buffer":
      return `${e.struct}: need ${e.need} bytes, have ${e.have}`;
    case "bad-version":
      return `${e.struct}: version ${e.version} not supported (supported: ${e.supported.join(", ")})`;
  }
}

/** Build a field table from `[name, size, count?, signed?]` rows laid out back to back. */
export function layoutFields(
  rows: readonly (readonly [
    name: string,
    size: 4 | 8,
    count?: number,
    signed?: boolean,
    since?: number,
  ])[],
): StructField[] {
  const out: StructField[] = [];
  let offset = 0;
  for (const [name, size, count = 1, signed = false, sinceVersion = 1] of rows) {
    out.push({ name, offset, size, count, signed, sinceVersion });
    offset += size * count;
  }
  return out;
}

/** End offset of the last field present in `version`. */
export function structSize(fields: readonly StructField[], version: number): number {
  let end = 0;
  for (const f of fields) {
    if (f.sinceVersion <= version) end = Math.max(end, f.offset + f.size * f.count);
  }
  return end;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readOne(dv: DataView, off: number, f: StructField, le: boolean): number | bigint {
  if (f.size === 4) return f.signed ? dv.getInt32(off, le) : dv.getUint32(off, le);
  return f.signed ? dv.getBigInt64(off, le) : dv.getBigUint64(off, le);
}

/** Decode the fields of `version` into a plain record. The caller checked the length. */
export function decodeFields(
  fields: readonly StructField[],
  version: number,
  bytes: Uint8Array,
  endian: Endian,
): Record<string, number | bigint | (number | bigint)[]> {
  const dv = view(bytes);
  const le = endian === "little";
  const out: Record<string, number | bigint | (number | bigint)[]> = {};
  for (const f of fields) {
    if (f.sinceVersion > version) {
      // Fields the version lacks read as zero (Linux zero-fills its copy of the struct).
      out[f.name] =
        f.count === 1 ? (f.size === 4 ? 0 : 0n) : new Array(f.count).fill(f.size === 4 ? 0 : 0n);
      continue;
    }
    if (f.count === 1) {
      out[f.name] = readOne(dv, f.offset, f, le);
    } else {
      const arr: (number | bigint)[] = [];
      for (let i = 0; i < f.count; i++) arr.push(readOne(dv, f.offset + i * f.size, f, le));
      out[f.name] = arr;
    }
  }
  return out;
}

function writeOne(dv: DataView, off: number, f: StructField, v: unknown, le: boolean): void {
  if (f.size === 4) {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`field ${f.name} needs an integer number, got ${String(v)}`);
    }
    if (f.signed) dv.setInt32(off, v, le);
    else dv.setUint32(off, v >>> 0, le);
    return;
  }
  if (typeof v !== "bigint")
    throw new TypeError(`field ${f.name} needs a bigint, got ${String(v)}`);
  // Both signed and unsigned 64-bit fields are stored as their 64-bit two's complement.
  dv.setBigUint64(off, BigInt.asUintN(64, v), le);
}

/** Encode `version`'s fields of `record` into a fresh buffer of that version's size. */
export function encodeFields(
  fields: readonly StructField[],
  version: number,
  record: Readonly<Record<string, unknown>>,
  endian: Endian,
): Uint8Array {
  const bytes = new Uint8Array(structSize(fields, version));
  const dv = view(bytes);
  const le = endian === "little";
  for (const f of fields) {
    if (f.sinceVersion > version) continue;
    const v = record[f.name];
    if (f.count === 1) {
      writeOne(dv, f.offset, f, v, le);
    } else {
      if (!Array.isArray(v) || v.length !== f.count) {
        throw new TypeError(`field ${f.name} needs an array of ${f.count} values`);
      }
      for (let i = 0; i < f.count; i++) writeOne(dv, f.offset + i * f.size, f, v[i], le);
    }
  }
  return bytes;
}
