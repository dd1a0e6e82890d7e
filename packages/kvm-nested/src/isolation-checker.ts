// The isolation checker: every host-memory access made on behalf of a VM is checked against
// what that VM owns. A test switches it on for a whole run by building the Kvm over
// `checker.memory` (`new Kvm({ hostMemory: checker.memory })`) and watching its VMs; the first
// access outside fails the run with an `IsolationViolation` (a broken simulator invariant:
// tier 3). `hvsim run -d isolation` does this for a pseries machine.
//
// Host memory is reached through two ports, and each has its own rule:
// - the data port (`read`, `write`, `window`): the vCPUs' loads, stores and fetches (the CPU's
//   bus), and L0 copying guest memory (Vm.readGuest/writeGuest: hcall arguments, hv_guest_state,
//   the L1's partition table and trees that kvm-nested walks). It must stay inside the VM's
//   memslots: whatever an L2 touches is L1 memory, so an L2 counts as its L1.
// - the page-table port (`read32`, `write32`): the MMU's walks and L0's page-table code
//   (radix-mmu's builders, the table allocator). A read must be inside the VM's memslots (a
//   guest's process table or process-scoped tree, reached through a partition-scoped leaf) or
//   inside the page-table memory L0 keeps for the VM: its entries in the partition table and the
//   directories of the trees they name -- its own partition-scoped tree and its L2s' shadow
//   trees (found by walking them from those entries, as the hardware would). A write may also
//   go to memory no VM owns (a table being built before it is linked), never into another VM's
//   RAM or tables.
// A shadow leaf that points outside the L1's memslots therefore fails the first MMU read or
// vCPU access through it, even one the CPU's own bus check (Vm's `isolation:` error) never sees
// (a process-table read, an L0 copy).
import { HOST_CHUNK_SIZE, HostMemory } from "@hvsim/kvm-hv-core";
import type { HostMemoryState, Vm } from "@hvsim/kvm-hv-core";
import type { PartitionTable } from "@hvsim/radix-mmu";
import type { KvmNested } from "./kvm-nested";

/** Which port an access came through. */
export type IsolationPort =
  /** vCPU loads/stores/fetches and L0's guest-memory copies. */
  | "data"
  /** MMU walks and L0's page-table code. */
  | "page-table";

/** One access outside what the acting VM owns. */
export interface IsolationViolationInfo {
  /** LPID of the VM the access was made for. */
  lpid: number;
  port: IsolationPort;
  write: boolean;
  hostAddr: number;
  length: number;
  /** What the address is: another VM's RAM or tables, or host memory no VM owns. */
  target: string;
}

export class IsolationViolation extends Error {
  constructor(readonly info: IsolationViolationInfo) {
    const i = info;
    super(
      `isolation: a ${i.write ? "write" : "read"} of ${i.length} bytes at host 0x${i.hostAddr.toString(16)} ` +
        `on behalf of LPID ${i.lpid} (${i.port === "data" ? "vCPU bus or L0 guest copy" : "MMU walk or L0 page-table code"}) ` +
        `reached ${i.target}, outside LPID ${i.lpid}'s memslots and page tables`,
    );
    this.name = "IsolationViolation";
  }
}

export interface IsolationCheckerOptions {
  /** Host physical address space in bytes (default 1 TiB, as Kvm's). */
  hostBytes?: number;
  /** Called for each violation instead of throwing (tests that want to look at several). */
  onViolation?: (v: IsolationViolationInfo) => void;
}

interface Watched {
  readonly vm: Vm;
  readonly nested: KvmNested | undefined;
  /** Owned page-table memory as sorted, merged [start, end) ranges; recomputed when stale. */
  ranges: number[];
  /** `tableWrites` when `ranges` was computed. */
  at: number;
}

/** The 16-byte granule of a PATE, and the size of a directory of `nls` index bits. */
const PATE_BYTES = 16;
const V = 0x80000000;
const L = 0x40000000;

/** Host memory whose every access goes through the checker (pass it to `new Kvm`). */
class CheckedHostMemory extends HostMemory {
  constructor(
    size: number,
    private readonly checker: IsolationChecker,
  ) {
    super(size);
  }
  override read32(addr: number): number {
    this.checker.check(addr, 4, "page-table", false);
    return super.read32(addr);
  }
  override write32(addr: number, value: number): void {
    this.checker.check(addr, 4, "page-table", true);
    super.write32(addr, value);
  }
  override read(addr: number, len: number): Uint8Array {
    this.checker.check(addr, len, "data", false);
    return super.read(addr, len);
  }
  override write(addr: number, data: Uint8Array): void {
    this.checker.check(addr, data.length, "data", true);
    super.write(addr, data);
  }
  override window(addr: number): { bytes: Uint8Array; view: DataView; base: number } {
    const base = addr - (addr % HOST_CHUNK_SIZE);
    // The CPU keeps the whole chunk for direct access from now on.
    this.checker.check(base, HOST_CHUNK_SIZE, "data", true);
    return super.window(addr);
  }
  override restore(s: HostMemoryState): void {
    // A whole-host restore is L0's own business, not an access for a VM.
    this.checker.unchecked(() => super.restore(s));
  }
  /** Reads for the checker's own walks. */
  raw(addr: number, len: number): Uint8Array {
    return super.read(addr, len);
  }
}

export class IsolationChecker {
  /** The host memory to build the Kvm over. */
  readonly memory: HostMemory;
  private readonly watched: Watched[] = [];
  private partitionTable: PartitionTable | undefined;
  private acting: Watched | undefined | null = undefined;
  private bypass = 0;
  /** Page-table-port writes outside every memslot so far (table memory may have changed). */
  private tableWrites = 0;
  private readonly onViolation: (v: IsolationViolationInfo) => void;
  /** Accesses checked, by port (for --stats and tests). */
  readonly checked: Record<IsolationPort, number> = { data: 0, "page-table": 0 };

  constructor(opts: IsolationCheckerOptions = {}) {
    this.memory = new CheckedHostMemory(opts.hostBytes ?? 2 ** 40, this);
    this.onViolation =
      opts.onViolation ??
      ((v) => {
        throw new IsolationViolation(v);
      });
  }

  /**
   * Check accesses made for `vm` (and, through `nested`, for its L2s: their shadow LPIDs and
   * trees are the VM's too). `partitionTable` is the Kvm's (`kvm.partitionTable`).
   */
  watch(vm: Vm, partitionTable: PartitionTable, nested?: KvmNested): void {
    if (this.watched.some((w) => w.vm === vm)) return;
    this.partitionTable = partitionTable;
    const w: Watched = { vm, nested, ranges: [], at: -1 };
    this.watched.push(w);
    w.ranges = this.unchecked(() => this.tableRanges(w));
    w.at = this.tableWrites;
  }

  /**
   * Run `fn` with its accesses attributed to `vm` (null: to L0 itself, unchecked). Without it,
   * accesses are attributed to the only watched VM, and unchecked when several are watched.
   */
  actingFor<T>(vm: Vm | null, fn: () => T): T {
    const prev = this.acting;
    this.acting = vm === null ? null : this.find(vm);
    try {
      return fn();
    } finally {
      this.acting = prev;
    }
  }

  /** Run `fn` without checks (L0's own whole-memory operations). */
  unchecked<T>(fn: () => T): T {
    this.bypass++;
    try {
      return fn();
    } finally {
      this.bypass--;
    }
  }

  private find(vm: Vm): Watched {
    const w = this.watched.find((x) => x.vm === vm);
    if (w === undefined) throw new Error(`isolation checker: LPID ${vm.lpid} is not watched`);
    return w;
  }

  private actor(): Watched | undefined {
    if (this.acting !== undefined) return this.acting ?? undefined;
    return this.watched.length === 1 ? this.watched[0] : undefined;
  }

  /** @internal Called by the checked host memory for every access. */
  check(addr: number, len: number, port: IsolationPort, write: boolean): void {
    if (this.bypass > 0) return;
    const w = this.actor();
    if (w === undefined) return;
    this.checked[port]++;
    if (w.vm.memslots.ownsHost(addr, len)) return;
    const other = this.watched.find((x) => x !== w && x.vm.memslots.ownsHost(addr, len));
    if (other !== undefined) {
      this.report(w, addr, len, port, write, `the RAM of LPID ${other.vm.lpid}`);
      return;
    }
    if (port === "data") {
      this.report(w, addr, len, port, write, this.describe(addr, len));
      return;
    }
    if (write) {
      // Writes are checked against the tables as last walked (walking again on every write
      // would make a zero-filled 64 KiB root cost 16384 walks): memory that is neither the
      // VM's nor another VM's is a table being built, not linked yet, which L0 may write.
      this.tableWrites++;
      if (inRanges(w.ranges, addr, len)) return;
      const owner = this.watched.find((x) => x !== w && inRanges(x.ranges, addr, len));
      if (owner !== undefined) {
        this.report(w, addr, len, port, write, `page-table memory of LPID ${owner.vm.lpid}`);
      }
      return;
    }
    if (this.ownsTable(w, addr, len)) return;
    this.report(w, addr, len, port, write, this.describe(addr, len));
  }

  private describe(addr: number, len: number): string {
    for (const x of this.watched) {
      if (this.ownsTable(x, addr, len)) return `page-table memory of LPID ${x.vm.lpid}`;
    }
    return "host memory no VM owns";
  }

  private report(
    w: Watched,
    addr: number,
    len: number,
    port: IsolationPort,
    write: boolean,
    target: string,
  ): void {
    this.onViolation({ lpid: w.vm.lpid, port, write, hostAddr: addr, length: len, target });
  }

  /** [addr, addr+len) inside the page-table memory of `w` (recomputed if tables changed). */
  private ownsTable(w: Watched, addr: number, len: number): boolean {
    if (inRanges(w.ranges, addr, len)) return true;
    if (w.at === this.tableWrites) return false;
    w.ranges = this.unchecked(() => this.tableRanges(w));
    w.at = this.tableWrites;
    return inRanges(w.ranges, addr, len);
  }

  /**
   * The VM's page-table memory: the partition-table entries of its LPIDs (its own and its
   * L2s' shadow LPIDs) and every directory of its trees (its partition-scoped tree and the
   * shadow trees), walked from the roots L0 created them with -- not from the PATEs, whose
   * contents are what a broken L0 might get wrong.
   */
  private tableRanges(w: Watched): number[] {
    const t = this.partitionTable;
    const mem = this.memory as CheckedHostMemory;
    const guests = w.nested?.guests.list() ?? [];
    const out: [number, number][] = [];
    if (t !== undefined) {
      for (const lpid of [w.vm.lpid, ...guests.map((g) => g.shadowLpid)]) {
        if (lpid >= 2 ** (t.pats + 8)) continue;
        const pate = t.base + lpid * PATE_BYTES;
        out.push([pate, pate + PATE_BYTES]);
      }
    }
    for (const tree of [w.vm.tree, ...guests.map((g) => g.shadowTree)]) {
      this.directories(mem, tree.root, tree.shape.levels[0]!, 0, out);
    }
    out.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [s, e] of out) {
      const n = merged.length;
      if (n > 0 && s <= merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 1]!, e);
      else merged.push(s, e);
    }
    return merged;
  }

  private directories(
    mem: CheckedHostMemory,
    base: number,
    nls: number,
    level: number,
    out: [number, number][],
  ): void {
    if (nls < 5 || nls > 16 || level > 4) return;
    const size = 8 * 2 ** nls;
    out.push([base, base + size]);
    const bytes = mem.raw(base, size);
    const dv = new DataView(bytes.buffer);
    for (let off = 0; off < size; off += 8) {
      const hi = dv.getUint32(off, false);
      if ((hi & V) === 0 || (hi & L) !== 0) continue;
      const lo = dv.getUint32(off + 4, false);
      this.directories(
        mem,
        (hi & 0xfffff) * 2 ** 32 + ((lo & 0xffffff00) >>> 0),
        lo & 0x1f,
        level + 1,
        out,
      );
    }
  }
}

/** [addr, addr+len) inside one of the sorted [start, end) pairs of `r`. */
function inRanges(r: readonly number[], addr: number, len: number): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = r[2 * mid]!;
    const e = r[2 * mid + 1]!;
    if (addr < s) hi = mid - 1;
    else if (addr >= e) lo = mid + 1;
    else return addr + len <= e;
  }
  return false;
}
