// Device-tree source output: the text `dtc -I dtb -O dts` (dtc 1.6.1, Debian's) prints for a
// blob, character for character. A blob carries no types, so dtc guesses each value's form
// (treesource.c `guess_value_type`):
//   - a string when the last byte is NUL, every byte is printable or NUL or one of
//     \a \b \t \n \v \f \r, and NULs are at most half the bytes. A string list is printed as
//     one string with `\0` inside (dtc 1.7 splits it into "a", "b": `splitStringLists`);
//   - else cells `<0x..>` (each `0x%02x`) when the length is a multiple of 4;
//   - else bytes `[..]` (`%02x`).
// An empty value prints as `name;`. Labels are never printed (a blob has none). Like dtc, a
// `name` property equal to its node's base name is left out: dtc's `name_properties` check
// deletes such redundant properties from every tree it reads.
import type { FdtNode } from "./node";
import type { DeviceTree } from "./tree";

export interface DtsOptions {
  /** Print `name` properties that repeat the node name, which dtc drops. Default false. */
  keepNameProperties?: boolean;
  /**
   * Print a string list as `"a", "b"`, as dtc 1.7 and later do, instead of dtc 1.6.1's
   * `"a\0b"`. Same bytes either way. Default false.
   */
  splitStringLists?: boolean;
}

/** isprint() in the C locale. */
function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** The escapes dtc accepts inside a string, and prints for these bytes. */
const ESCAPES: Readonly<Record<number, string>> = {
  0x07: "\\a",
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
  0x5c: "\\\\",
  0x22: '\\"',
  0x00: "\\0",
};

/** The three forms dtc can show a value in. */
export type DtsValueForm = "string" | "cells" | "bytes";

/** The form `dtc -I dtb -O dts` chooses for a (non-empty) value. */
export function guessValueForm(v: Uint8Array): DtsValueForm {
  let notString = 0;
  let nul = 0;
  for (const c of v) {
    if (c === 0) nul++;
    else if (!isPrint(c) && !(c >= 0x07 && c <= 0x0d)) notString++;
  }
  if (v[v.length - 1] === 0 && notString === 0 && nul <= v.length - nul) return "string";
  return v.length % 4 === 0 ? "cells" : "bytes";
}

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/** Bytes [from, to) as a quoted string; only printable bytes and the escapes reach here. */
function quote(v: Uint8Array, from: number, to: number): string {
  let s = '"';
  for (let i = from; i < to; i++) {
    const c = v[i] as number;
    s += ESCAPES[c] ?? String.fromCharCode(c);
  }
  return `${s}"`;
}

/** A value as dtc prints it after `name =`, e.g. `<0x00 0x1000>`, without the `;`. */
export function formatValue(v: Uint8Array, opts: DtsOptions = {}): string {
  switch (guessValueForm(v)) {
    case "string": {
      if (!opts.splitStringLists) return quote(v, 0, v.length - 1);
      const parts: string[] = [];
      for (let from = 0; from < v.length;) {
        const nul = v.indexOf(0, from);
        parts.push(quote(v, from, nul));
        from = nul + 1;
      }
      return parts.join(", ");
    }
    case "cells": {
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      const words: string[] = [];
      for (let i = 0; i < v.length; i += 4) words.push(`0x${hex2(view.getUint32(i))}`);
      return `<${words.join(" ")}>`;
    }
    case "bytes":
      return `[${Array.from(v, hex2).join(" ")}]`;
  }
}

/** The index of the property dtc drops: the first `name`, when it is "<base name>\0". */
function redundantNameIndex(node: FdtNode): number {
  const i = node.properties.findIndex((p) => p.name === "name");
  const value = node.properties[i]?.value;
  const base = node.baseName;
  if (value === undefined || value.length !== base.length + 1 || value[base.length] !== 0) {
    return -1;
  }
  for (let k = 0; k < base.length; k++) if (value[k] !== base.charCodeAt(k)) return -1;
  return i;
}

/** The tree in device-tree source syntax, as `dtc -I dtb -O dts` prints it. */
export function toDts(tree: DeviceTree, opts: DtsOptions = {}): string {
  const out: string[] = ["/dts-v1/;\n\n"];
  const hex16 = (n: bigint): string => `0x${n.toString(16).padStart(16, "0")}`;
  for (const r of tree.reservations) {
    out.push(`/memreserve/\t${hex16(r.address)} ${hex16(r.size)};\n`);
  }
  // Explicit stack of [node, depth] and closers, so deep trees need no JavaScript stack.
  type Step = { node: FdtNode; depth: number; first: boolean } | { close: number };
  const stack: Step[] = [{ node: tree.root, depth: 0, first: true }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    if ("close" in step) {
      out.push(`${"\t".repeat(step.close)}};\n`);
      continue;
    }
    const { node, depth } = step;
    const indent = "\t".repeat(depth);
    if (!step.first) out.push("\n");
    out.push(`${indent}${node.name === "" ? "/" : node.name} {\n`);
    const skip = opts.keepNameProperties ? -1 : redundantNameIndex(node);
    for (const [i, p] of node.properties.entries()) {
      if (i === skip) continue;
      const value = p.value.length === 0 ? ";" : ` = ${formatValue(p.value, opts)};`;
      out.push(`${indent}\t${p.name}${value}\n`);
    }
    stack.push({ close: depth });
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i] as FdtNode, depth: depth + 1, first: false });
    }
  }
  return out.join("");
}
