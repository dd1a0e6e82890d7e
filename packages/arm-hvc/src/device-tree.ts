// Device-tree ports. The guest's discovery client reads a tree through `DeviceTreeView`; the
// machine writes its tree through `DeviceTreeSink`. Both are consumer-side ports: the machine
// uses `@hvsim/fdt`'s builder and parser through the adapters in `fdt-device-tree.ts` (a real
// DTB), and `MemoryDeviceTree` implements both in memory for tests that hand-make a tree.
// Property values are the bytes a flattened tree holds: strings NUL-terminated, cells
// big-endian u32.

/** What the discovery client needs to read (paths are absolute: "/psci", "/hypervisor"). */
export interface DeviceTreeView {
  hasNode(path: string): boolean;
  getProperty(path: string, name: string): Uint8Array | undefined;
  /** Names of the children of `path` ("cpu@0", "hypervisor", ...). */
  childNames(path: string): readonly string[];
}

/** What the machine needs to emit a tree, depth-first (an FDT builder's shape). */
export interface DeviceTreeSink {
  beginNode(name: string): void;
  property(name: string, value: Uint8Array): void;
  endNode(): void;
}

export function propString(s: string): Uint8Array {
  return new TextEncoder().encode(`${s}\0`);
}
export function propStringList(list: readonly string[]): Uint8Array {
  return new TextEncoder().encode(list.map((s) => `${s}\0`).join(""));
}
export function propCells(...cells: readonly number[]): Uint8Array {
  const b = new Uint8Array(cells.length * 4);
  const v = new DataView(b.buffer);
  cells.forEach((c, i) => v.setUint32(i * 4, c >>> 0, false));
  return b;
}
export function propEmpty(): Uint8Array {
  return new Uint8Array(0);
}

/** The strings of a string-list property (empty strings dropped). */
export function readStringList(value: Uint8Array | undefined): string[] {
  if (value === undefined) return [];
  return new TextDecoder()
    .decode(value)
    .split("\0")
    .filter((s) => s.length > 0);
}
/** The big-endian u32 cells of a property; undefined when its length is not a multiple of 4. */
export function readCells(value: Uint8Array | undefined): number[] | undefined {
  if (value === undefined || value.length % 4 !== 0) return undefined;
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return Array.from({ length: value.length / 4 }, (_, i) => v.getUint32(i * 4, false));
}

interface Node {
  readonly name: string;
  readonly props: Map<string, Uint8Array>;
  readonly children: Node[];
}

/** An in-memory device tree: a `DeviceTreeSink` to build it, a `DeviceTreeView` to read it. */
export class MemoryDeviceTree implements DeviceTreeSink, DeviceTreeView {
  private root: Node | undefined;
  private readonly stack: Node[] = [];

  beginNode(name: string): void {
    const node: Node = { name, props: new Map(), children: [] };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      if (this.root !== undefined) throw new Error("a device tree has one root node");
      if (name !== "") throw new Error(`the root node's name is empty, not "${name}"`);
      this.root = node;
    } else {
      if (parent.children.some((c) => c.name === name)) {
        throw new Error(`node "${name}" appears twice under the same parent`);
      }
      parent.children.push(node);
    }
    this.stack.push(node);
  }

  property(name: string, value: Uint8Array): void {
    const node = this.stack[this.stack.length - 1];
    if (node === undefined) throw new Error(`property "${name}" written outside any node`);
    node.props.set(name, value.slice());
  }

  endNode(): void {
    if (this.stack.pop() === undefined) throw new Error("endNode without a matching beginNode");
  }

  hasNode(path: string): boolean {
    return this.find(path) !== undefined;
  }

  getProperty(path: string, name: string): Uint8Array | undefined {
    return this.find(path)?.props.get(name)?.slice();
  }

  childNames(path: string): readonly string[] {
    return this.find(path)?.children.map((c) => c.name) ?? [];
  }

  /** Replays the tree into another sink (e.g. an FDT builder). */
  emit(sink: DeviceTreeSink): void {
    const walk = (n: Node) => {
      sink.beginNode(n.name);
      for (const [k, v] of n.props) sink.property(k, v);
      for (const c of n.children) walk(c);
      sink.endNode();
    };
    if (this.root === undefined) throw new Error("the device tree is empty");
    if (this.stack.length !== 0) throw new Error("the device tree has unclosed nodes");
    walk(this.root);
  }

  private find(path: string): Node | undefined {
    if (this.root === undefined || !path.startsWith("/")) return undefined;
    let node: Node | undefined = this.root;
    for (const part of path.split("/").filter((p) => p.length > 0)) {
      node = node.children.find((c: Node) => c.name === part);
      if (node === undefined) return undefined;
    }
    return node;
  }
}

/** ACPI's word on PSCI: the FADT `arm_boot_flags` and hypervisor vendor identity (ACPI 6.x). */
export interface AcpiFadtView {
  readonly armBootFlags: number;
  /** FADT "Hypervisor Vendor Identity" (8 bytes, ACPI 6.0); 0 when absent. */
  readonly hypervisorVendorId: bigint;
}
export const ACPI_FADT_PSCI_COMPLIANT = 1 << 0;
export const ACPI_FADT_PSCI_USE_HVC = 1 << 1;

/** What firmware tells the guest about the platform: a device tree or ACPI tables (or neither). */
export interface FirmwareDescription {
  readonly deviceTree?: DeviceTreeView;
  readonly acpi?: AcpiFadtView;
}
