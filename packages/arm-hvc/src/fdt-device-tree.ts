// The device-tree ports over `@hvsim/fdt`: `FdtTreeSink` turns the machine's depth-first
// beginNode/property/endNode calls into an FDT tree and a DTB blob (the bytes dtc would write),
// and `FdtTreeView` answers the discovery client's reads from a parsed blob, so a guest reads
// exactly what a real guest finds where firmware left its DTB.
import { DeviceTree, buildFdt, parseFdt } from "@hvsim/fdt";
import type { FdtError, FdtNode } from "@hvsim/fdt";
import type { DeviceTreeSink, DeviceTreeView } from "./device-tree";

/** A `DeviceTreeSink` that builds an `@hvsim/fdt` tree; `blob()` flattens it (DTB v17). */
export class FdtTreeSink implements DeviceTreeSink {
  private readonly tree = new DeviceTree();
  private readonly stack: FdtNode[] = [];
  private rootSeen = false;

  beginNode(name: string): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      if (this.rootSeen) throw new Error("a device tree has one root node");
      if (name !== "") throw new Error(`the root node's name is empty, not "${name}"`);
      this.rootSeen = true;
      this.stack.push(this.tree.root);
      return;
    }
    if (parent.children.some((c) => c.name === name)) {
      throw new Error(`node "${name}" appears twice under the same parent`);
    }
    this.stack.push(parent.addChild(name));
  }

  property(name: string, value: Uint8Array): void {
    const node = this.stack[this.stack.length - 1];
    if (node === undefined) throw new Error(`property "${name}" written outside any node`);
    node.set(name, value.slice());
  }

  endNode(): void {
    if (this.stack.pop() === undefined) throw new Error("endNode without a matching beginNode");
  }

  /** The finished tree. Throws if nothing was written or a node is still open. */
  deviceTree(): DeviceTree {
    if (!this.rootSeen) throw new Error("the device tree is empty");
    if (this.stack.length !== 0) throw new Error("the device tree has unclosed nodes");
    return this.tree;
  }

  /** The flattened tree: the bytes `dtc -I dts -O dtb` writes for the same source. */
  blob(): Uint8Array {
    return buildFdt(this.deviceTree());
  }
}

/**
 * A `DeviceTreeView` over an `@hvsim/fdt` tree. Paths are absolute and resolved as libfdt's
 * `fdt_path_offset` resolves them (what Linux's early boot code uses): a component without a
 * unit address also finds a node that has one (`/memory` finds `/memory@40000000`).
 */
export class FdtTreeView implements DeviceTreeView {
  constructor(readonly tree: DeviceTree) {}

  /** Parses a DTB; a malformed blob is `{ ok: false }` with `@hvsim/fdt`'s error (its offset). */
  static parse(
    blob: Uint8Array,
  ):
    | { readonly ok: true; readonly view: FdtTreeView }
    | { readonly ok: false; readonly error: FdtError } {
    const r = parseFdt(blob);
    return r.ok ? { ok: true, view: new FdtTreeView(r.fdt.tree) } : { ok: false, error: r.error };
  }

  hasNode(path: string): boolean {
    return this.find(path) !== undefined;
  }

  getProperty(path: string, name: string): Uint8Array | undefined {
    return this.find(path)?.get(name)?.slice();
  }

  childNames(path: string): readonly string[] {
    return this.find(path)?.children.map((c) => c.name) ?? [];
  }

  private find(path: string): FdtNode | undefined {
    // Relative paths would go through /aliases in libfdt; the port takes absolute paths only.
    return path.startsWith("/") ? this.tree.node(path) : undefined;
  }
}
