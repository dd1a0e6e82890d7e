// Unflattening: a blob to a DeviceTree, checking everything a malformed or hostile blob can get
// wrong. Each read is bounds-checked against the block it belongs to before it happens, every
// loop advances through a finite block, and nesting is tracked on an explicit stack, so any
// input ends in a tree or in an FdtError naming the offset — never in a RangeError from a
// DataView, a hang or a stack overflow. The checks are libfdt's `fdt_check_header` plus what
// walking the structure block needs.
import { FdtError } from "./errors";
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  FDT_V16_HEADER_SIZE,
  FDT_V17_HEADER_SIZE,
  FDT_VERSION,
  HDR,
  align,
} from "./format";
import { FdtNode } from "./node";
import { DeviceTree, type MemoryReservation } from "./tree";

/** The header fields, named after `struct fdt_header`. */
export interface FdtHeader {
  magic: number;
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  /** Absent from version-16 headers; then the structure block runs to `totalsize`. */
  sizeDtStruct: number | undefined;
}

export interface ParsedFdt {
  tree: DeviceTree;
  header: FdtHeader;
  /** The strings block as found; pass it to `buildFdt({ strings })` to keep its layout. */
  strings: Uint8Array;
}

export type FdtParseResult = { ok: true; fdt: ParsedFdt } | { ok: false; error: FdtError };

export interface ParseOptions {
  /** Deepest nesting accepted (the root is depth 1). Default 64, as Linux's FDT_MAX_DEPTH. */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 64;

const hex = (n: number): string => `0x${n.toString(16)}`;

function latin1(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** Index of the first NUL in b[from, to), or -1. */
function findNul(b: Uint8Array, from: number, to: number): number {
  const i = b.subarray(from, to).indexOf(0);
  return i < 0 ? -1 : from + i;
}

function readHeader(blob: Uint8Array): FdtHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const word = (at: number): number => view.getUint32(at);
  if (blob.length < 4) {
    throw new FdtError("truncated", blob.length, `blob of ${blob.length} bytes has no magic`);
  }
  const magic = word(HDR.magic);
  if (magic !== FDT_MAGIC) {
    throw new FdtError(
      "bad-magic",
      HDR.magic,
      `bad magic ${hex(magic)}`,
      `expected ${hex(FDT_MAGIC)}: not a flattened device tree`,
    );
  }
  if (blob.length < HDR.bootCpuidPhys) {
    throw new FdtError("truncated", blob.length, `blob of ${blob.length} bytes ends in the header`);
  }
  const version = word(HDR.version);
  const lastCompVersion = word(HDR.lastCompVersion);
  if (version < 16) {
    throw new FdtError(
      "unsupported-version",
      HDR.version,
      `version ${version}`,
      "only versions 16 and 17 are read",
    );
  }
  if (lastCompVersion > FDT_VERSION) {
    throw new FdtError(
      "unsupported-version",
      HDR.lastCompVersion,
      `last_comp_version ${lastCompVersion}`,
      `a version-${FDT_VERSION} reader cannot read it`,
    );
  }
  const hdrSize = version >= 17 ? FDT_V17_HEADER_SIZE : FDT_V16_HEADER_SIZE;
  if (blob.length < hdrSize) {
    throw new FdtError(
      "truncated",
      blob.length,
      `blob of ${blob.length} bytes ends in the ${hdrSize}-byte header`,
    );
  }
  const header: FdtHeader = {
    magic,
    totalsize: word(HDR.totalsize),
    offDtStruct: word(HDR.offDtStruct),
    offDtStrings: word(HDR.offDtStrings),
    offMemRsvmap: word(HDR.offMemRsvmap),
    version,
    lastCompVersion,
    bootCpuidPhys: word(HDR.bootCpuidPhys),
    sizeDtStrings: word(HDR.sizeDtStrings),
    sizeDtStruct: version >= 17 ? word(HDR.sizeDtStruct) : undefined,
  };
  checkHeader(header, hdrSize, blob.length);
  return header;
}

function checkHeader(h: FdtHeader, hdrSize: number, available: number): void {
  if (h.totalsize < hdrSize || h.totalsize > available) {
    throw new FdtError(
      "bad-totalsize",
      HDR.totalsize,
      `totalsize ${h.totalsize}`,
      h.totalsize > available
        ? `the blob has only ${available} bytes: truncated?`
        : `smaller than the ${hdrSize}-byte header`,
    );
  }
  const block = (field: keyof typeof HDR, off: number, size: number, what: string): void => {
    if (off < hdrSize || off > h.totalsize || size > h.totalsize - off) {
      throw new FdtError(
        "block-out-of-range",
        HDR[field],
        `${what} at ${hex(off)} (${size} bytes)`,
        `outside the header..totalsize range ${hex(hdrSize)}..${hex(h.totalsize)}`,
      );
    }
  };
  block("offMemRsvmap", h.offMemRsvmap, 0, "memory-reservation map");
  block("offDtStruct", h.offDtStruct, h.sizeDtStruct ?? 0, "structure block");
  block("offDtStrings", h.offDtStrings, h.sizeDtStrings, "strings block");
  if (h.offMemRsvmap % 8 !== 0) {
    throw new FdtError(
      "misaligned",
      HDR.offMemRsvmap,
      `memory-reservation map at ${hex(h.offMemRsvmap)}`,
      "must be 8-byte aligned",
    );
  }
  if (h.offDtStruct % 4 !== 0) {
    throw new FdtError(
      "misaligned",
      HDR.offDtStruct,
      `structure block at ${hex(h.offDtStruct)}`,
      "must be 4-byte aligned",
    );
  }
}

function readReservations(blob: Uint8Array, h: FdtHeader): MemoryReservation[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: MemoryReservation[] = [];
  for (let at = h.offMemRsvmap; ; at += FDT_RESERVE_ENTRY_SIZE) {
    if (at + FDT_RESERVE_ENTRY_SIZE > h.totalsize) {
      throw new FdtError(
        "unterminated-rsvmap",
        at,
        "memory-reservation map runs past totalsize",
        "no entry of size 0 ends it",
      );
    }
    const address = view.getBigUint64(at);
    const size = view.getBigUint64(at + 8);
    // The format ends the map with (0, 0); libfdt and dtc stop at any size of 0, and so do we.
    if (size === 0n) return out;
    out.push({ address, size });
  }
}

function readStructure(blob: Uint8Array, h: FdtHeader, maxDepth: number): FdtNode {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const end = h.offDtStruct + (h.sizeDtStruct ?? h.totalsize - h.offDtStruct);
  const stringsEnd = h.offDtStrings + h.sizeDtStrings;
  const names = new Map<number, string>();
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;

  const propName = (nameoff: number, fieldAt: number): string => {
    const cached = names.get(nameoff);
    if (cached !== undefined) return cached;
    if (nameoff >= h.sizeDtStrings) {
      throw new FdtError(
        "bad-string-offset",
        fieldAt,
        `property name offset ${hex(nameoff)}`,
        `the strings block has ${h.sizeDtStrings} bytes`,
      );
    }
    const from = h.offDtStrings + nameoff;
    const nul = findNul(blob, from, stringsEnd);
    if (nul < 0) {
      throw new FdtError(
        "unterminated-string",
        from,
        "property name",
        "no NUL before the end of the strings block",
      );
    }
    const name = latin1(blob, from, nul);
    names.set(nameoff, name);
    return name;
  };

  let p = h.offDtStruct;
  for (;;) {
    if (p + 4 > end) {
      throw new FdtError("truncated", p, "structure block ends without FDT_END");
    }
    const token = view.getUint32(p);
    switch (token) {
      case FDT_BEGIN_NODE: {
        if (root !== undefined && stack.length === 0) {
          throw new FdtError("bad-structure", p, "a second root node");
        }
        if (stack.length >= maxDepth) {
          throw new FdtError("too-deep", p, `node nested deeper than ${maxDepth} levels`);
        }
        const nul = findNul(blob, p + 4, end);
        if (nul < 0) {
          throw new FdtError(
            "unterminated-string",
            p + 4,
            "node name",
            "no NUL before the end of the structure block",
          );
        }
        const node = new FdtNode(latin1(blob, p + 4, nul));
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(node);
        else root = node;
        stack.push(node);
        p = align(nul + 1, 4);
        break;
      }
      case FDT_END_NODE:
        if (stack.pop() === undefined) {
          throw new FdtError("bad-structure", p, "FDT_END_NODE outside any node");
        }
        p += 4;
        break;
      case FDT_PROP: {
        const node = stack[stack.length - 1];
        if (node === undefined) {
          throw new FdtError("bad-structure", p, "FDT_PROP outside any node");
        }
        if (p + 12 > end) {
          throw new FdtError("truncated", p, "property header runs past the structure block");
        }
        const len = view.getUint32(p + 4);
        const nameoff = view.getUint32(p + 8);
        if (len > end - (p + 12)) {
          throw new FdtError(
            "truncated",
            p + 4,
            `property value of ${len} bytes`,
            `runs past the structure block end ${hex(end)}`,
          );
        }
        // Properties that follow subnodes are kept with their node; dtc accepts them too
        // (with a warning). The blob rebuilt from the tree then lists them before the subnodes.
        node.properties.push({
          name: propName(nameoff, p + 8),
          value: blob.slice(p + 12, p + 12 + len),
        });
        p = align(p + 12 + len, 4);
        break;
      }
      case FDT_NOP:
        p += 4;
        break;
      case FDT_END: {
        const open = stack[stack.length - 1];
        if (open !== undefined) {
          throw new FdtError(
            "bad-structure",
            p,
            `FDT_END inside node ${JSON.stringify(open.name)}`,
            `${stack.length} node(s) not closed`,
          );
        }
        if (root === undefined) throw new FdtError("bad-structure", p, "no root node");
        return root;
      }
      default:
        throw new FdtError("bad-token", p, `structure-block token ${hex(token)}`);
    }
  }
}

/** Parses a blob. Never throws for bad input: a malformed blob gives `{ ok: false, error }`. */
export function parseFdt(blob: Uint8Array, opts: ParseOptions = {}): FdtParseResult {
  try {
    return { ok: true, fdt: parseFdtOrThrow(blob, opts) };
  } catch (e) {
    if (e instanceof FdtError) return { ok: false, error: e };
    throw e;
  }
}

/** Parses a blob; throws FdtError for a malformed one. */
export function parseFdtOrThrow(blob: Uint8Array, opts: ParseOptions = {}): ParsedFdt {
  const header = readHeader(blob);
  const reservations = readReservations(blob, header);
  const root = readStructure(blob, header, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  const tree = new DeviceTree(root);
  tree.reservations.push(...reservations);
  tree.bootCpuidPhys = header.bootCpuidPhys;
  const strings = blob.slice(header.offDtStrings, header.offDtStrings + header.sizeDtStrings);
  return { tree, header, strings };
}
