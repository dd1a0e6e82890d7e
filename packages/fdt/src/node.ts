// A device-tree node: a name, an ordered list of properties and an ordered list of children.
// Order is kept exactly, because the blob (and dtc's output) depends on it. The node holds no
// parent pointer, so a tree is plain data: two trees with the same content compare equal.
import {
  asCells,
  asString,
  asStringList,
  asU32,
  asU64,
  cells,
  empty,
  string,
  stringList,
  u32,
  u64,
  type PropertyValue,
} from "./values";

/** One property: its name and its raw value bytes. */
export interface FdtProperty {
  name: string;
  value: Uint8Array;
}

/**
 * Where a new property or child goes. `"last"` is dtc's order (source order). `"first"` is what
 * libfdt's read-write functions do (`fdt_setprop` and `fdt_add_subnode` insert a new property
 * or subnode before the existing ones), so a builder that replays QEMU's libfdt calls in QEMU's
 * order gets QEMU's layout by passing `"first"`.
 */
export type InsertAt = "last" | "first";

export interface InsertOptions {
  at?: InsertAt;
}

/**
 * Names are stored one byte per character (Latin-1), so any byte sequence read from a blob
 * round-trips. NUL would end the name in the blob; in a node name '/' would split paths, and
 * only the root has an empty name.
 */
function checkName(name: string, kind: "node" | "property"): void {
  if (kind === "node" && name.length === 0) throw new RangeError("node name must not be empty");
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0 || c > 0xff || (c === 0x2f && kind === "node")) {
      throw new RangeError(
        `${kind} name ${JSON.stringify(name)} has a character that cannot be stored`,
      );
    }
  }
}

export class FdtNode {
  readonly properties: FdtProperty[] = [];
  readonly children: FdtNode[] = [];

  /**
   * `name` is `node-name@unit-address`, or "" for the root. Not checked here, so a parser can
   * keep whatever a blob holds; `addChild` checks the names it is given.
   */
  constructor(readonly name: string) {}

  /** The name without its unit address (`cpu@0` → `cpu`). */
  get baseName(): string {
    const at = this.name.indexOf("@");
    return at < 0 ? this.name : this.name.slice(0, at);
  }

  /** The unit address after `@`, or undefined. */
  get unitAddress(): string | undefined {
    const at = this.name.indexOf("@");
    return at < 0 ? undefined : this.name.slice(at + 1);
  }

  // ---- properties ----

  property(name: string): FdtProperty | undefined {
    return this.properties.find((p) => p.name === name);
  }

  has(name: string): boolean {
    return this.property(name) !== undefined;
  }

  /** The raw value of `name`, or undefined when absent. */
  get(name: string): Uint8Array | undefined {
    return this.property(name)?.value;
  }

  /**
   * Sets `name` to `value`. An existing property keeps its place and gets the new value (as
   * `fdt_setprop` does); a new one is appended, or put first with `{ at: "first" }`.
   */
  set(name: string, value: PropertyValue, opts: InsertOptions = {}): this {
    checkName(name, "property");
    const existing = this.property(name);
    if (existing) {
      existing.value = value;
    } else if (opts.at === "first") {
      this.properties.unshift({ name, value });
    } else {
      this.properties.push({ name, value });
    }
    return this;
  }

  setEmpty(name: string, opts?: InsertOptions): this {
    return this.set(name, empty(), opts);
  }
  setU32(name: string, v: number, opts?: InsertOptions): this {
    return this.set(name, u32(v), opts);
  }
  setU64(name: string, v: bigint | number, opts?: InsertOptions): this {
    return this.set(name, u64(v), opts);
  }
  setCells(name: string, v: readonly number[], opts?: InsertOptions): this {
    return this.set(name, cells(v), opts);
  }
  setString(name: string, v: string, opts?: InsertOptions): this {
    return this.set(name, string(v), opts);
  }
  setStringList(name: string, v: readonly string[], opts?: InsertOptions): this {
    return this.set(name, stringList(v), opts);
  }

  /** Removes `name`; true if it was there. */
  delete(name: string): boolean {
    const i = this.properties.findIndex((p) => p.name === name);
    if (i < 0) return false;
    this.properties.splice(i, 1);
    return true;
  }

  /** Typed reads: undefined when absent or when the value does not have that shape. */
  getU32(name: string): number | undefined {
    const v = this.get(name);
    return v && asU32(v);
  }
  getU64(name: string): bigint | undefined {
    const v = this.get(name);
    return v && asU64(v);
  }
  getCells(name: string): number[] | undefined {
    const v = this.get(name);
    return v && asCells(v);
  }
  getString(name: string): string | undefined {
    const v = this.get(name);
    return v && asString(v);
  }
  getStringList(name: string): string[] | undefined {
    const v = this.get(name);
    return v && asStringList(v);
  }

  // ---- children ----

  /**
   * The first child called `name`, matched as libfdt's `fdt_subnode_offset` matches: a name
   * without a unit address also matches a child that has one (`cpus` finds `cpus`, `memory`
   * finds `memory@0`), and the first child that matches wins.
   */
  child(name: string): FdtNode | undefined {
    const withUnit = name.includes("@");
    return this.children.find((c) => c.name === name || (!withUnit && c.baseName === name));
  }

  /** Adds a child (appended, or first with `{ at: "first" }`). Throws if one has that name. */
  addChild(name: string, opts: InsertOptions = {}): FdtNode {
    checkName(name, "node");
    if (this.children.some((c) => c.name === name)) {
      throw new RangeError(
        `node ${JSON.stringify(this.name || "/")} already has a child ${JSON.stringify(name)}`,
      );
    }
    const node = new FdtNode(name);
    if (opts.at === "first") this.children.unshift(node);
    else this.children.push(node);
    return node;
  }

  /** The child called exactly `name`, added if missing. */
  ensureChild(name: string, opts?: InsertOptions): FdtNode {
    return this.children.find((c) => c.name === name) ?? this.addChild(name, opts);
  }

  /** Removes the child called exactly `name`; true if it was there. */
  removeChild(name: string): boolean {
    const i = this.children.findIndex((c) => c.name === name);
    if (i < 0) return false;
    this.children.splice(i, 1);
    return true;
  }
}
