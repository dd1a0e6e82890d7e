// The nested-guest table of one L1 (Linux's kvm->arch.kvm_nested_guest_idr and struct
// kvm_nested_guest): keyed by the L1's LPID for the L2, each with a shadow LPID from the
// common pool, a shadow partition-scoped tree in host memory, the L1's PATE for it (cached),
// and a reference count (one held by the table, one per user).
import type { NestedHostResources } from "@hvsim/kvm-hv-core";
import { SHAPE_LINUX_64K, createTree, radixPate, setPate, unmapPage } from "@hvsim/radix-mmu";
import type { RadixTree, TableAllocator } from "@hvsim/radix-mmu";

export interface NestedGuest {
  readonly l1Lpid: number;
  readonly shadowLpid: number;
  readonly shadowTree: RadixTree;
  /** PATE dw0 the L1 holds for this L2 (its partition-scoped tree); 0 = invalid / not read. */
  l1GrToHr: bigint;
  /** PATE dw1 the L1 holds for this L2 (the L2's process table, L2 guest-physical). */
  processTable: bigint;
  refcnt: number;
  /** Shadow leaves: L2 guest-physical 64 KiB page -> L1 guest-physical page backing it. */
  readonly shadow: Map<number, number>;
  /** Host memory the shadow tree's directories took (they are reused, never freed). */
  readonly tables: { bytes: number };
}

/** PTCR/PATE masks: PRTB (bits 4:51) and PRTS (bits 59:63). */
export const PRTB_MASK = 0x0ffffffffffff000n;
export const PRTS_MASK = 0x1fn;
/** Linux's KVM_MAX_NESTED_GUESTS_SHIFT: at most 4096 PATEs (what hardware supports). */
export const KVM_MAX_NESTED_GUESTS_SHIFT = 12;

/** Entries in the L1's partition table described by `ptcr` (PATS + 12 - 4 bits of LPID). */
export function ptcrEntries(ptcr: bigint): number {
  return 2 ** (Number(ptcr & PRTS_MASK) + 12 - 4);
}

export type GetNested =
  | { kind: "ok"; guest: NestedGuest }
  | { kind: "out-of-range" }
  | { kind: "no-lpid" }
  | { kind: "absent" };

export class NestedGuests {
  private readonly byLpid = new Map<number, NestedGuest>();

  constructor(
    private readonly host: NestedHostResources,
    /** Called before a guest's shadow leaves are dropped (they must leave the rmap). */
    private readonly onShadowCleared: (g: NestedGuest) => void,
  ) {}

  has(l1Lpid: number): boolean {
    return this.byLpid.has(l1Lpid);
  }

  list(): NestedGuest[] {
    return [...this.byLpid.values()].sort((a, b) => a.l1Lpid - b.l1Lpid);
  }

  /**
   * kvmhv_get_nested: the guest with a reference taken, created when `create` is set and the
   * LPID fits the L1's partition table. A created guest holds two references (table + caller).
   */
  get(l1Lpid: number, ptcr: bigint, create: boolean): GetNested {
    const g = this.byLpid.get(l1Lpid);
    if (g !== undefined) {
      g.refcnt++;
      return { kind: "ok", guest: g };
    }
    if (!create) return { kind: "absent" };
    if (l1Lpid < 0 || l1Lpid >= ptcrEntries(ptcr)) return { kind: "out-of-range" };
    const guest = this.create(l1Lpid);
    if (guest === undefined) return { kind: "no-lpid" };
    this.byLpid.set(l1Lpid, guest);
    return { kind: "ok", guest };
  }

  /**
   * A guest restored from a saved state (KvmNested.restore), with a new shadow LPID and an empty
   * shadow tree; in the table when `inTable`. `refcnt` counts the table's reference and its
   * runs'. Undefined when the LPID pool is exhausted.
   */
  restoreGuest(
    l1Lpid: number,
    l1GrToHr: bigint,
    processTable: bigint,
    refcnt: number,
    inTable: boolean,
  ): NestedGuest | undefined {
    const guest = this.create(l1Lpid);
    if (guest === undefined) return undefined;
    guest.l1GrToHr = l1GrToHr;
    guest.processTable = processTable;
    guest.refcnt = refcnt;
    if (inTable) this.byLpid.set(l1Lpid, guest);
    this.writeShadowPate(guest);
    return guest;
  }

  /** The table's guest for `l1Lpid`, without taking a reference. */
  peek(l1Lpid: number): NestedGuest | undefined {
    return this.byLpid.get(l1Lpid);
  }

  /** A new guest with two references (table + caller), its shadow PATE written. */
  private create(l1Lpid: number): NestedGuest | undefined {
    const shadowLpid = this.host.allocLpid();
    if (shadowLpid === undefined) return undefined;
    const tables = { bytes: 0 };
    const alloc: TableAllocator = {
      allocTable: (bytes) => {
        tables.bytes += bytes;
        return this.host.tableAlloc.allocTable(bytes);
      },
    };
    const guest: NestedGuest = {
      l1Lpid,
      shadowLpid,
      shadowTree: createTree(this.host.mem, alloc, SHAPE_LINUX_64K),
      l1GrToHr: 0n,
      processTable: 0n,
      refcnt: 2,
      shadow: new Map(),
      tables,
    };
    this.writeShadowPate(guest);
    return guest;
  }

  /** kvmhv_put_nested: drop a reference; at zero the guest is released. */
  put(g: NestedGuest): void {
    if (g.refcnt <= 0) throw new Error(`nested guest ${g.l1Lpid}: reference count underflow`);
    if (--g.refcnt === 0) this.release(g);
  }

  /** kvmhv_remove_nested: out of the table (its reference goes); released when unused. */
  remove(g: NestedGuest): void {
    if (this.byLpid.get(g.l1Lpid) !== g) return;
    this.byLpid.delete(g.l1Lpid);
    this.put(g);
  }

  /** kvmhv_release_all_nested: everything goes, whatever the references. */
  releaseAll(): void {
    for (const g of this.list()) {
      this.byLpid.delete(g.l1Lpid);
      g.refcnt = 0;
      this.release(g);
    }
  }

  /** The shadow PATE: dw0 = the shadow tree (host real), dw1 = the L1's dw1 as-is. */
  writeShadowPate(g: NestedGuest): void {
    const [d0h, d0l] = radixPate(g.shadowTree, undefined);
    setPate(this.host.partitionTable, g.shadowLpid, [
      d0h,
      d0l,
      Number((g.processTable >> 32n) & 0xffffffffn),
      Number(g.processTable & 0xffffffffn),
    ]);
  }

  /** Unmap every shadow leaf (the directories stay allocated for reuse). */
  clearShadow(g: NestedGuest): void {
    for (const page of g.shadow.keys()) unmapPage(g.shadowTree, page);
    this.onShadowCleared(g);
    g.shadow.clear();
  }

  private release(g: NestedGuest): void {
    this.clearShadow(g);
    setPate(this.host.partitionTable, g.shadowLpid, [0, 0, 0, 0]);
    this.host.freeLpid(g.shadowLpid);
  }
}
