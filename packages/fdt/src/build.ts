// Flattening: a DeviceTree to a version-17 blob laid out byte for byte as `dtc -I dts -O dtb`
// lays it out (dtc flattree.c, version 17 without -p/-S/-a):
//   - header (40 bytes), memory-reservation map at 0x28 (8-aligned) with its (0, 0)
//     terminator, structure block, strings block; no padding, totalsize = the sum;
//   - version 17, last_comp_version 16, boot_cpuid_phys as dtc guesses it unless given;
//   - each node: FDT_BEGIN_NODE, name + NUL padded to 4, its properties, then its children,
//     FDT_END_NODE; the block ends with FDT_END;
//   - each property: FDT_PROP, len, nameoff, value padded to 4 with zeros;
//   - strings are added in the order properties are met; a name reuses the first place in the
//     table where it already appears NUL-terminated, which may be the tail of a longer name
//     (a later "cells" shares the bytes of an earlier "#size-cells").
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  FDT_V17_HEADER_SIZE,
  FDT_VERSION,
  HDR,
  align,
} from "./format";
import type { FdtNode } from "./node";
import { bootCpuidOf, type DeviceTree } from "./tree";

export interface BuildOptions {
  /**
   * A strings block to start from, e.g. the one `parseFdt` returned for a blob made by
   * another writer. Names already in it keep their offsets and new names are appended, so a
   * tree parsed from QEMU's blob (whose strings are in libfdt's insertion order, not dtc's)
   * rebuilds to the same bytes. Must be empty or end with NUL.
   */
  strings?: Uint8Array;
}

/** Grows a byte buffer; writes big-endian words. */
class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, v);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Zero bytes up to the next multiple of `to`. */
  pad(to: number): void {
    const n = align(this.length, to) - this.length;
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The strings block: first-occurrence lookup over the whole table, as dtc's is. */
class StringTable {
  private table: string;
  private readonly known = new Map<string, number>();

  constructor(seed: Uint8Array | undefined) {
    if (seed !== undefined && seed.length > 0 && seed[seed.length - 1] !== 0) {
      throw new RangeError("BuildOptions.strings must end with a NUL byte");
    }
    let s = "";
    for (const b of seed ?? []) s += String.fromCharCode(b);
    this.table = s;
  }

  /** The offset of `name`. A match found once stays the first one: the table only grows at
   *  its end, and the old end is a NUL, so no earlier match can appear later. */
  offsetOf(name: string): number {
    const hit = this.known.get(name);
    if (hit !== undefined) return hit;
    let at = this.table.indexOf(`${name}\0`);
    if (at < 0) {
      at = this.table.length;
      this.table += `${name}\0`;
    }
    this.known.set(name, at);
    return at;
  }

  bytes(): Uint8Array {
    return latin1(this.table);
  }
}

function flattenStruct(root: FdtNode, strings: StringTable): Uint8Array {
  const w = new ByteWriter();
  // Explicit stack: `undefined` marks "close the node opened before", so depth costs no
  // JavaScript stack.
  const stack: (FdtNode | undefined)[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === undefined) {
      w.u32(FDT_END_NODE);
      continue;
    }
    w.u32(FDT_BEGIN_NODE);
    w.bytes(latin1(node.name));
    w.bytes(new Uint8Array(1));
    w.pad(4);
    for (const p of node.properties) {
      w.u32(FDT_PROP);
      w.u32(p.value.length);
      w.u32(strings.offsetOf(p.name));
      w.bytes(p.value);
      w.pad(4);
    }
    stack.push(undefined);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  w.u32(FDT_END);
  return w.result();
}

/** The tree as a version-17 flattened device tree, laid out as dtc lays it out. */
export function buildFdt(tree: DeviceTree, opts: BuildOptions = {}): Uint8Array {
  const strings = new StringTable(opts.strings);
  const struct = flattenStruct(tree.root, strings);
  const stringsBlock = strings.bytes();

  const bootCpuidPhys = tree.bootCpuidPhys ?? bootCpuidOf(tree);
  if (!Number.isInteger(bootCpuidPhys) || bootCpuidPhys < 0 || bootCpuidPhys > 0xffffffff) {
    throw new RangeError(`bootCpuidPhys must be a u32, got ${bootCpuidPhys}`);
  }
  const offMemRsvmap = align(FDT_V17_HEADER_SIZE, 8);
  const rsvmapSize = (tree.reservations.length + 1) * FDT_RESERVE_ENTRY_SIZE;
  const offDtStruct = offMemRsvmap + rsvmapSize;
  const offDtStrings = offDtStruct + struct.length;
  const totalsize = offDtStrings + stringsBlock.length;

  const w = new ByteWriter();
  w.u32(FDT_MAGIC);
  w.u32(totalsize);
  w.u32(offDtStruct);
  w.u32(offDtStrings);
  w.u32(offMemRsvmap);
  w.u32(FDT_VERSION);
  w.u32(FDT_LAST_COMP_VERSION);
  w.u32(bootCpuidPhys);
  w.u32(stringsBlock.length);
  w.u32(struct.length);
  if (w.length !== HDR.sizeDtStruct + 4) throw new Error("fdt header layout is broken");
  w.pad(8);
  for (const r of tree.reservations) {
    if (r.size === 0n) {
      throw new RangeError("a memory reservation of size 0 would end the map early; remove it");
    }
    w.u64(r.address);
    w.u64(r.size);
  }
  w.u64(0n);
  w.u64(0n);
  w.bytes(struct);
  w.bytes(stringsBlock);
  return w.result();
}
