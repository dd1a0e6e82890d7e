import type { TreeInput, TreeOutput } from "../address-kinds";
import type { PhysMem } from "../phys-mem";
import { POW2 } from "../pow2";
import {
  EAA_EXEC,
  EAA_PRIV,
  EAA_READ,
  EAA_RW,
  PTE_ATT,
  PTE_C,
  PTE_L_HI,
  PTE_R,
  PTE_V_HI,
  TWO32,
} from "../registers";
import type { TableAllocator } from "./allocator";

/** A tree's geometry: address bits translated (RTS + 31) and index bits per level, root first. */
export interface TreeShape {
  treeBits: number;
  levels: readonly number[];
}

/** Linux with 4 KiB pages (and kvm-unit-tests): 52-bit tree, 13/9/9/9 -> 1G, 2M, 4K leaves. */
export const SHAPE_LINUX_4K: TreeShape = { treeBits: 52, levels: [13, 9, 9, 9] };
/** Linux with 64 KiB pages: 13/9/9/5 -> 1G, 2M, 64K leaves. */
export const SHAPE_LINUX_64K: TreeShape = { treeBits: 52, levels: [13, 9, 9, 5] };
/** microwatt's test tree: 39 bits, 9/9/9 -> 1G, 2M, 4K leaves (needs treeChecks "permissive"). */
export const SHAPE_MICROWATT_39: TreeShape = { treeBits: 39, levels: [9, 9, 9] };

/** A radix tree in memory. `mem` is the space its table addresses live in: host real memory
 *  for host and partition-scoped trees, a guest real view for a guest's process trees. */
export interface RadixTree {
  readonly mem: PhysMem;
  readonly alloc: TableAllocator;
  readonly shape: TreeShape;
  /** Address of the root directory. */
  readonly root: TreeOutput;
}

/** Attributes of a leaf. `perm` uses TranslationOk's encoding: bit0 read, bit1 write, bit2 exec. */
export interface LeafFlags {
  perm: number;
  /** EAA privileged: no access from MSR[PR]=1 (process-scoped trees). Default false. */
  priv?: boolean;
  /** ATT (0 normal, 0x10 SAO, 0x20 non-idempotent I/O, 0x30 tolerant I/O). Default 0. */
  att?: number;
  /** Reference bit; default true (preset, as kvm-unit-tests and KVM do). */
  r?: boolean;
  /** Change bit; default true. */
  c?: boolean;
}

/** A leaf found by lookupLeaf. */
export interface Leaf {
  /** Address the leaf maps, as given to mapPage (aligned to the page). */
  va: TreeInput;
  pa: TreeOutput;
  pageShift: number;
  perm: number;
  priv: boolean;
  att: number;
  r: boolean;
  c: boolean;
  /** Address of the PTE in tree.mem. */
  entryAddr: number;
}

export function createTree(
  mem: PhysMem,
  alloc: TableAllocator,
  shape: TreeShape = SHAPE_LINUX_4K,
): RadixTree {
  checkShape(shape);
  return { mem, alloc, shape, root: alloc.allocTable(8 * 2 ** shape.levels[0]!) };
}

function checkShape(shape: TreeShape): void {
  const sum = shape.levels.reduce((a, b) => a + b, 0);
  if (
    shape.treeBits < 31 ||
    shape.treeBits > 62 ||
    shape.treeBits - sum < 12 ||
    shape.levels.length === 0
  ) {
    throw new Error(
      `tree shape ${JSON.stringify(shape)} is not usable: treeBits must be 31..62 and leave >= 12 page-offset bits`,
    );
  }
}

/** Page shifts this shape can map, largest first (one per level). */
export function pageShifts(shape: TreeShape): number[] {
  const out: number[] = [];
  let p = shape.treeBits;
  for (const n of shape.levels) {
    p -= n;
    out.push(p);
  }
  return out;
}

/** The RTS/RPDB/RPDS doubleword naming this tree (PRTE dw0, or PATE dw0 without HR). */
export function rootEntry(tree: RadixTree): [number, number] {
  const rts = tree.shape.treeBits - 31;
  const hi = (((rts >>> 3) & 3) << 29) | (Math.floor(tree.root / TWO32) & 0x0fffffff);
  const lo = ((tree.root >>> 0) & 0xffffff00) | ((rts & 7) << 5) | tree.shape.levels[0]!;
  return [hi >>> 0, lo >>> 0];
}

/** EAA bits for a TranslationOk-style perm. */
export function eaaBits(perm: number, priv = false): number {
  return (
    ((perm & 2) !== 0 ? EAA_RW : (perm & 1) !== 0 ? EAA_READ : 0) |
    ((perm & 4) !== 0 ? EAA_EXEC : 0) |
    (priv ? EAA_PRIV : 0)
  );
}

function permOfEaa(eaa: number): number {
  return (
    ((eaa & (EAA_READ | EAA_RW)) !== 0 ? 1 : 0) |
    ((eaa & EAA_RW) !== 0 ? 2 : 0) |
    ((eaa & EAA_EXEC) !== 0 ? 4 : 0)
  );
}

/** Encodes a leaf PTE as [hi, lo]. */
export function encodePte(pa: number, flags: LeafFlags): [number, number] {
  const hi = PTE_V_HI | PTE_L_HI | (Math.floor(pa / TWO32) & 0x01ffffff);
  const lo =
    ((pa >>> 0) & 0xfffff000) |
    ((flags.r ?? true) ? PTE_R : 0) |
    ((flags.c ?? true) ? PTE_C : 0) |
    ((flags.att ?? 0) & PTE_ATT) |
    eaaBits(flags.perm, flags.priv);
  return [hi >>> 0, lo >>> 0];
}

/** Encodes a directory entry (PDE) as [hi, lo]. */
export function encodePde(nextBase: number, nls: number): [number, number] {
  const hi = PTE_V_HI | (Math.floor(nextBase / TWO32) & 0x0fffffff);
  const lo = ((nextBase >>> 0) & 0xffffff00) | (nls & 0x1f);
  return [hi >>> 0, lo >>> 0];
}

function levelIndex(shape: TreeShape, va: number, level: number): number {
  let p = shape.treeBits;
  for (let i = 0; i <= level; i++) p -= shape.levels[i]!;
  return Math.floor(va / POW2[p]!) % POW2[shape.levels[level]!]!;
}

function checkVa(tree: RadixTree, va: number, shift: number): void {
  if (!Number.isSafeInteger(va) || va < 0 || va >= 2 ** tree.shape.treeBits) {
    throw new Error(
      `address 0x${va.toString(16)} is outside this ${tree.shape.treeBits}-bit tree (pass the EA without its quadrant bits)`,
    );
  }
  if (va % POW2[shift]! !== 0) {
    throw new Error(`address 0x${va.toString(16)} is not aligned to the ${2 ** shift}-byte page`);
  }
}

/** What mapPage changed beyond the leaf. */
export interface MapResult {
  /** A directory with no valid entries left was replaced by the leaf: cached directory
   *  entries (page-walk cache) are stale, so invalidate with RIC=2, not just the TLB. */
  replacedDirectory: boolean;
}

/**
 * Maps one page: va (tree address; for a process tree the EA without quadrant bits) -> pa,
 * with a leaf at the level whose page size is 2^pageShift. Creates directories as needed,
 * replaces an existing leaf of the same size or an emptied directory. Throws if a mapping of
 * another size is in the way. After changing a live tree, the caller must invalidate (tlbie /
 * RadixMmu.invalidate): the TLB for a replaced leaf, the PWC too for a replaced directory.
 */
export function mapPage(
  tree: RadixTree,
  va: TreeInput,
  pa: TreeOutput,
  pageShift: number,
  flags: LeafFlags,
): MapResult {
  const shifts = pageShifts(tree.shape);
  const leafLevel = shifts.indexOf(pageShift);
  if (leafLevel < 0) {
    throw new Error(
      `page shift ${pageShift} is not available in this tree (available: ${shifts.join(", ")})`,
    );
  }
  checkVa(tree, va, pageShift);
  if (pa % POW2[pageShift]! !== 0 || pa < 0 || pa >= 2 ** 52) {
    throw new Error(
      `target 0x${pa.toString(16)} is not a ${2 ** pageShift}-byte aligned address below 2^52`,
    );
  }
  const { mem, shape } = tree;
  let table = tree.root;
  for (let level = 0; level < leafLevel; level++) {
    const e = table + levelIndex(shape, va, level) * 8;
    const hi = mem.read32(e) >>> 0;
    const lo = mem.read32(e + 4) >>> 0;
    if ((hi & PTE_V_HI) === 0) {
      const nls = shape.levels[level + 1]!;
      const next = tree.alloc.allocTable(8 * 2 ** nls);
      const [ph, pl] = encodePde(next, nls);
      mem.write32(e, ph);
      mem.write32(e + 4, pl);
      table = next;
    } else if ((hi & PTE_L_HI) !== 0) {
      throw new Error(
        `0x${va.toString(16)} is already mapped by a larger page (shift ${shifts[level]}); unmap it first`,
      );
    } else {
      table = (hi & 0x0fffffff) * TWO32 + ((lo & 0xffffff00) >>> 0);
    }
  }
  const e = table + levelIndex(shape, va, leafLevel) * 8;
  const hi = mem.read32(e) >>> 0;
  let replacedDirectory = false;
  if ((hi & PTE_V_HI) !== 0 && (hi & PTE_L_HI) === 0) {
    const lo = mem.read32(e + 4) >>> 0;
    if (!directoryEmpty(mem, (hi & 0x0fffffff) * TWO32 + ((lo & 0xffffff00) >>> 0), lo & 0x1f)) {
      throw new Error(`0x${va.toString(16)} has smaller pages mapped below it; unmap them first`);
    }
    // An emptied directory is replaced by the leaf (its table is leaked, not reused).
    replacedDirectory = true;
  }
  const [nh, nl] = encodePte(pa, flags);
  // Low word first, then the word holding V, so a concurrent walker never sees a half entry.
  mem.write32(e + 4, nl);
  mem.write32(e, nh);
  return { replacedDirectory };
}

/** True when no entry below this directory is valid. */
function directoryEmpty(mem: PhysMem, table: number, nls: number): boolean {
  const n = 2 ** nls;
  for (let i = 0; i < n; i++) {
    const hi = mem.read32(table + i * 8) >>> 0;
    if ((hi & PTE_V_HI) === 0) continue;
    if ((hi & PTE_L_HI) !== 0) return false;
    const lo = mem.read32(table + i * 8 + 4) >>> 0;
    if (!directoryEmpty(mem, (hi & 0x0fffffff) * TWO32 + ((lo & 0xffffff00) >>> 0), lo & 0x1f))
      return false;
  }
  return true;
}

/** Finds the leaf mapping `va` (any address inside the page), or undefined. */
export function lookupLeaf(tree: RadixTree, va: TreeInput): Leaf | undefined {
  checkVa(tree, va, 0);
  const { mem, shape } = tree;
  let table = tree.root;
  let p = shape.treeBits;
  for (let level = 0; level < shape.levels.length; level++) {
    p -= shape.levels[level]!;
    const e = table + levelIndex(shape, va, level) * 8;
    const hi = mem.read32(e) >>> 0;
    const lo = mem.read32(e + 4) >>> 0;
    if ((hi & PTE_V_HI) === 0) return undefined;
    if ((hi & PTE_L_HI) !== 0) {
      const size = POW2[p]!;
      const eaa = lo & 0xf;
      return {
        va: va - (va % size),
        pa:
          (hi & 0x01ffffff) * TWO32 +
          ((lo & 0xfffff000) >>> 0) -
          (((lo & 0xfffff000) >>> 0) % size),
        pageShift: p,
        perm: permOfEaa(eaa),
        priv: (eaa & EAA_PRIV) !== 0,
        att: lo & PTE_ATT,
        r: (lo & PTE_R) !== 0,
        c: (lo & PTE_C) !== 0,
        entryAddr: e,
      };
    }
    table = (hi & 0x0fffffff) * TWO32 + ((lo & 0xffffff00) >>> 0);
  }
  return undefined;
}

/** Removes the leaf mapping `va`; returns it (so the caller can invalidate its page size). */
export function unmapPage(tree: RadixTree, va: TreeInput): Leaf | undefined {
  const leaf = lookupLeaf(tree, va);
  if (leaf === undefined) return undefined;
  tree.mem.write32(leaf.entryAddr, 0);
  tree.mem.write32(leaf.entryAddr + 4, 0);
  return leaf;
}

function rewriteLeaf(tree: RadixTree, va: number, change: (f: LeafFlags) => LeafFlags): Leaf {
  const leaf = lookupLeaf(tree, va);
  if (leaf === undefined) throw new Error(`0x${va.toString(16)} is not mapped`);
  const flags = change({ perm: leaf.perm, priv: leaf.priv, att: leaf.att, r: leaf.r, c: leaf.c });
  const [, lo] = encodePte(leaf.pa, flags);
  tree.mem.write32(leaf.entryAddr + 4, lo);
  return leaf;
}

/** Changes a mapped page's permissions (and optionally its privilege bit). Returns the old leaf. */
export function protectPage(tree: RadixTree, va: TreeInput, perm: number, priv?: boolean): Leaf {
  return rewriteLeaf(tree, va, (f) => ({ ...f, perm, priv: priv ?? f.priv }));
}

/** Sets or clears a mapped page's R and C bits. Returns the old leaf. */
export function setPageRc(tree: RadixTree, va: TreeInput, r: boolean, c: boolean): Leaf {
  return rewriteLeaf(tree, va, (f) => ({ ...f, r, c }));
}

/**
 * Maps [va, va + length) -> [pa, ...) with the largest pages that fit the alignment of both
 * addresses and the remaining length (or only `pageShift` pages when given).
 * Returns the number of leaves written.
 */
export function mapRange(
  tree: RadixTree,
  va: TreeInput,
  pa: TreeOutput,
  length: number,
  flags: LeafFlags,
  pageShift?: number,
): number {
  const shifts = pageShift === undefined ? pageShifts(tree.shape) : [pageShift];
  const smallest = shifts[shifts.length - 1]!;
  if (length % POW2[smallest]! !== 0) {
    throw new Error(
      `length 0x${length.toString(16)} is not a multiple of the ${2 ** smallest}-byte page`,
    );
  }
  let n = 0;
  let off = 0;
  while (off < length) {
    const s = shifts.find((sh) => {
      const size = POW2[sh]!;
      return (va + off) % size === 0 && (pa + off) % size === 0 && length - off >= size;
    });
    if (s === undefined) {
      throw new Error(
        `0x${(va + off).toString(16)} -> 0x${(pa + off).toString(16)} is not aligned to any page size`,
      );
    }
    mapPage(tree, va + off, pa + off, s, flags);
    off += POW2[s]!;
    n++;
  }
  return n;
}
