// A whole device tree: the root node, the memory-reservation map and the header's
// boot_cpuid_phys. It is what `buildFdt` writes and `parseFdt` returns.
import { FdtNode } from "./node";
import { asU32 } from "./values";

/** One memory-reservation map entry (`/memreserve/ address size;`). */
export interface MemoryReservation {
  address: bigint;
  size: bigint;
}

/** A node reached by a walk, with its absolute path. */
export interface WalkEntry {
  path: string;
  node: FdtNode;
  depth: number;
}

export class DeviceTree {
  readonly root: FdtNode;
  readonly reservations: MemoryReservation[] = [];
  /**
   * The header's boot_cpuid_phys. When undefined, `buildFdt` uses what dtc does for source
   * input: the `reg` of the first child of `/cpus` if it is one cell, else 0 (`bootCpuidOf`).
   * `parseFdt` always sets it from the header.
   */
  bootCpuidPhys: number | undefined;

  constructor(root: FdtNode = new FdtNode("")) {
    this.root = root;
    this.bootCpuidPhys = undefined;
  }

  /**
   * Appends a memory-reservation entry. A size of 0 is refused: libfdt (`fdt_num_mem_rsv`),
   * dtc and so Linux end the map at the first entry whose size is 0, not only at (0, 0).
   */
  reserve(address: bigint | number, size: bigint | number): this {
    const a = BigInt(address);
    const s = BigInt(size);
    const max = 0xffffffffffffffffn;
    if (a < 0n || a > max || s < 0n || s > max) {
      throw new RangeError(`reservation (${address}, ${size}) does not fit in two u64s`);
    }
    if (s === 0n) {
      throw new RangeError(
        `reservation at ${address} has size 0: readers take it as the map's end`,
      );
    }
    this.reservations.push({ address: a, size: s });
    return this;
  }

  /**
   * The node at `path`: absolute (`/cpus/PowerPC,POWER9@0`), or starting with an alias from
   * `/aliases` (`serial0/child`), as libfdt's `fdt_path_offset` resolves it. A component
   * without a unit address matches a node that has one (`/memory` finds `/memory@0`).
   */
  node(path: string): FdtNode | undefined {
    let start: FdtNode | undefined = this.root;
    let rest = path;
    if (!path.startsWith("/")) {
      const slash = path.indexOf("/");
      const alias = slash < 0 ? path : path.slice(0, slash);
      const target = this.root.child("aliases")?.getString(alias);
      if (target === undefined || !target.startsWith("/")) return undefined;
      start = this.node(target);
      rest = slash < 0 ? "" : path.slice(slash);
    }
    for (const part of rest.split("/")) {
      if (part === "" || start === undefined) continue;
      start = start.child(part);
    }
    return start;
  }

  /** Every node, depth first in blob order, with its path. */
  *walk(): Generator<WalkEntry> {
    const stack: WalkEntry[] = [{ path: "/", node: this.root, depth: 0 }];
    while (stack.length > 0) {
      const e = stack.pop() as WalkEntry;
      yield e;
      for (let i = e.node.children.length - 1; i >= 0; i--) {
        const c = e.node.children[i] as FdtNode;
        const path = e.path === "/" ? `/${c.name}` : `${e.path}/${c.name}`;
        stack.push({ path, node: c, depth: e.depth + 1 });
      }
    }
  }

  /** The absolute path of `node`, or undefined if it is not in this tree. */
  pathOf(node: FdtNode): string | undefined {
    for (const e of this.walk()) if (e.node === node) return e.path;
    return undefined;
  }

  /** The phandle of `node` (`phandle`, or the older `linux,phandle`), if it has one. */
  static phandleOf(node: FdtNode): number | undefined {
    const v = node.get("phandle") ?? node.get("linux,phandle");
    return v && asU32(v);
  }

  /** The node whose phandle is `phandle`. */
  nodeByPhandle(phandle: number): FdtNode | undefined {
    for (const { node } of this.walk()) if (DeviceTree.phandleOf(node) === phandle) return node;
    return undefined;
  }

  /**
   * The phandle of `node`, giving it one first if it has none: the lowest value from 1 up that
   * no node uses, as dtc numbers the nodes a source refers to. 0 and 0xffffffff are never
   * phandles (Devicetree Specification §2.3.3).
   */
  phandle(node: FdtNode): number {
    const have = DeviceTree.phandleOf(node);
    if (have !== undefined) return have;
    const used = new Set<number>();
    for (const e of this.walk()) {
      const p = DeviceTree.phandleOf(e.node);
      if (p !== undefined) used.add(p);
    }
    let p = 1;
    while (used.has(p)) p++;
    node.setU32("phandle", p);
    return p;
  }
}

/**
 * The boot CPU dtc writes into the header for a tree from source: the one-cell `reg` of the
 * first child of `/cpus`, else 0 (dtc livetree.c `guess_boot_cpuid`).
 */
export function bootCpuidOf(tree: DeviceTree): number {
  const first = tree.root.children.find((c) => c.name === "cpus")?.children[0];
  const reg = first?.get("reg");
  return (reg && asU32(reg)) ?? 0;
}
