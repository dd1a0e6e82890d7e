// The hvsim snapshot file: a machine's saved state (plain data, DESIGN §6.9) in a versioned,
// checksummed container, so that a truncated, corrupted or foreign file is refused with a
// message that says which, instead of restoring something half-right.
//
// Layout (all integers little-endian):
//   0   8  magic "HVSIMSNP"
//   8   4  container format version (SNAPSHOT_FORMAT_VERSION)
//   12  4  header length H
//   16  4  CRC-32 of the header
//   20  H  header, UTF-8 JSON: { kind, sections: [{ name, length, crc32 }] }
//   ..     the sections' payloads, in header order, each deflated (raw DEFLATE)
// Section "state" holds the state tree as JSON; every Uint8Array in the tree (memory chunks) is
// stored as a section of its own ("bytes/N") and referenced from the JSON as {"$bytes": N};
// bigints as {"$bigint": "0x..."}. CRCs are over the stored (deflated) payloads.
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";

export const SNAPSHOT_MAGIC = "HVSIMSNP";
export const SNAPSHOT_FORMAT_VERSION = 1;
const FIXED_HEADER = 20;

/** Why a snapshot file was refused. */
export type SnapshotProblem = "not-a-snapshot" | "version" | "truncated" | "corrupt" | "kind";

/** A snapshot that cannot be restored; the message says what was wrong and what to do. */
export class SnapshotError extends Error {
  constructor(
    readonly problem: SnapshotProblem,
    message: string,
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

interface SectionEntry {
  name: string;
  length: number;
  crc32: number;
}

interface SnapshotHeader {
  kind: string;
  sections: SectionEntry[];
}

/** Serialise `state` (plain data: objects, arrays, strings, numbers, booleans, null, bigints and
 *  Uint8Arrays) as a snapshot of machine `kind`. */
export function writeSnapshot(kind: string, state: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(state, function (this: unknown, key: string, value: unknown) {
    // JSON.stringify hands toJSON'd values to the replacer; Uint8Array has no toJSON, so the
    // raw array arrives here.
    if (value instanceof Uint8Array) {
      blobs.push(value);
      return { $bytes: blobs.length - 1 };
    }
    if (typeof value === "bigint") return { $bigint: `0x${value.toString(16)}` };
    return value;
  });
  if (json === undefined) throw new Error("writeSnapshot: the state is not plain data");
  const payloads = [
    { name: "state", data: deflateRawSync(new TextEncoder().encode(json)) },
    ...blobs.map((b, i) => ({ name: `bytes/${i}`, data: deflateRawSync(b) })),
  ];
  const header: SnapshotHeader = {
    kind,
    sections: payloads.map((p) => ({
      name: p.name,
      length: p.data.length,
      crc32: crc32(p.data),
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const total = FIXED_HEADER + headerBytes.length + payloads.reduce((n, p) => n + p.data.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  dv.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  dv.setUint32(12, headerBytes.length, true);
  dv.setUint32(16, crc32(headerBytes), true);
  out.set(headerBytes, FIXED_HEADER);
  let at = FIXED_HEADER + headerBytes.length;
  for (const p of payloads) {
    out.set(p.data, at);
    at += p.data.length;
  }
  return out;
}

/** The state tree of a snapshot of machine `kind`, checked end to end before anything is
 *  returned. Throws SnapshotError. */
export function readSnapshot(bytes: Uint8Array, kind: string): unknown {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 8 || magic !== SNAPSHOT_MAGIC) {
    throw new SnapshotError(
      "not-a-snapshot",
      "not an hvsim snapshot (no HVSIMSNP magic): give a file written by hvsim migrate or --save",
    );
  }
  if (bytes.length < FIXED_HEADER) truncated(`${bytes.length} bytes, the fixed header needs 20`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(
      "version",
      `snapshot format version ${version}, this hvsim reads version ${SNAPSHOT_FORMAT_VERSION}: restore it with the hvsim that wrote it`,
    );
  }
  const headerLen = dv.getUint32(12, true);
  if (bytes.length < FIXED_HEADER + headerLen) {
    truncated(`the header needs ${headerLen} bytes, ${bytes.length - FIXED_HEADER} are there`);
  }
  const headerBytes = bytes.subarray(FIXED_HEADER, FIXED_HEADER + headerLen);
  if (crc32(headerBytes) !== dv.getUint32(16, true)) corrupt("the header's checksum is wrong");
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes)) as SnapshotHeader;
  } catch {
    return corrupt("the header is not valid JSON");
  }
  if (header.kind !== kind) {
    throw new SnapshotError(
      "kind",
      `this is a snapshot of machine type ${header.kind}, not ${kind}: restore it with -M ${header.kind}`,
    );
  }
  const declared = header.sections.reduce((n, s) => n + s.length, 0);
  const have = bytes.length - FIXED_HEADER - headerLen;
  if (have < declared) truncated(`the sections need ${declared} bytes, ${have} are there`);
  if (have > declared) corrupt(`${have - declared} bytes follow the last section`);
  const sections = new Map<string, Uint8Array>();
  let at = FIXED_HEADER + headerLen;
  for (const s of header.sections) {
    const stored = bytes.subarray(at, at + s.length);
    at += s.length;
    if (crc32(stored) !== s.crc32) corrupt(`section ${s.name}: checksum mismatch`);
    try {
      sections.set(s.name, new Uint8Array(inflateRawSync(stored)));
    } catch {
      corrupt(`section ${s.name}: does not inflate`);
    }
  }
  const stateText = sections.get("state");
  if (stateText === undefined) return corrupt("no state section");
  return JSON.parse(new TextDecoder().decode(stateText), (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      if (typeof o.$bytes === "number" && Object.keys(o).length === 1) {
        const b = sections.get(`bytes/${o.$bytes}`);
        if (b === undefined) corrupt(`the state names bytes/${o.$bytes}, which is missing`);
        return b;
      }
      if (typeof o.$bigint === "string" && Object.keys(o).length === 1) return BigInt(o.$bigint);
    }
    return value;
  });
}

function truncated(detail: string): never {
  throw new SnapshotError(
    "truncated",
    `snapshot truncated (${detail}): the copy is incomplete; save it again from the paused source`,
  );
}

function corrupt(detail: string): never {
  throw new SnapshotError(
    "corrupt",
    `snapshot corrupted (${detail}): the file changed after it was written; save it again from the paused source`,
  );
}
