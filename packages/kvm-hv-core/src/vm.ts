// A VM (partition): its LPID and PATE, memslots, the partition-scoped radix tree KVM builds in
// host memory and fills on demand from HDSI/HISI, the vCPUs and their scheduler, the per-VM
// hcall enable bitmap and the capabilities enabled on it.
import {
  H_SUCCESS,
  H_PARAMETER,
  KVMPPC_H_RTAS,
  KVM_CAP_PPC_ENABLE_HCALL,
  KVM_CAP_PPC_NESTED_HV,
  KVM_HV_DEFAULT_ENABLED_HCALLS,
  checkEnableHcall,
  hcallByOpcode,
  isGatedByHcallBitmap,
} from "@hvsim/hcall-abi";
import {
  LPCR_GTSE,
  LPCR_HDICE,
  LPCR_HR,
  LPCR_HVICE,
  LPCR_LD,
  LPCR_LPES0,
  LPCR_LPES1,
  LPCR_UPRT,
  MSR_EE,
  MSR_ME,
  MSR_SF_HI,
  PSSCR_EC,
  PSSCR_ESL,
  SPR,
  SRR1_PROGRAM_ILLEGAL,
  SRR1_PROGRAM_PRIV,
} from "@hvsim/ppc-isa";
import type { InterruptLines, PhysicalBus, RamWindow, VhypOutcome } from "@hvsim/ppc-isa";
import {
  RadixMmu,
  SHAPE_LINUX_64K,
  createTree,
  lookupLeaf,
  mapPage,
  radixPate,
  setPate,
  unmapPage,
} from "@hvsim/radix-mmu";
import type { PartitionTable, RadixTree, TableAllocator } from "@hvsim/radix-mmu";
import { KvmError } from "./errors";
import type { VcpuExit, VcpuExitKind } from "./exits";
import { IN_KERNEL_HCALLS } from "./hcalls";
import type { HcallOutcome } from "./hcalls";
import type { HostMemory } from "./host-memory";
import { HOST_CHUNK_SIZE } from "./host-memory";
import { Memslots } from "./memslots";
import type { Memslot } from "./memslots";
import {
  byteSwap,
  decodeMmioInsn,
  mmioStoreValue,
  type InKernelMmioRegion,
  type MmioSize,
} from "./mmio";
import { handleRtasInKernel, type InKernelRtasCall } from "./rtas";
import type { NestedHostResources, NestedHvPort, NestedHvState } from "./nested-port";
import { Vcpu } from "./vcpu";
import type { VcpuState } from "./vcpu";

/** The port an in-kernel interrupt controller (KVM's XICS or XIVE device) plugs into. */
export interface InKernelIrqchip {
  /** The external interrupt input of vCPU `vcpu` (level). */
  externalPending(vcpu: number): boolean;
  /** An hcall the controller implements in kernel (H_EOI, H_XIRR, H_IPI...): the H_* return
   *  value, or undefined when it is not one of its hcalls. */
  hcall?(vcpu: Vcpu, nr: number): number | undefined;
  /**
   * An RTAS call whose token the VMM defined in kernel (KVM_PPC_RTAS_DEFINE_TOKEN; KVM has
   * ibm,set-xive, ibm,get-xive, ibm,int-off and ibm,int-on): the return values (rets[0] is
   * the status), or undefined to leave it to the VMM.
   */
  rtas?(vcpu: Vcpu, call: InKernelRtasCall): readonly number[] | undefined;
}

/** KVM_CREATE_DEVICE types an interrupt controller can be (include/uapi/linux/kvm.h). */
export const KVM_DEV_TYPE_XICS = 3;
export const KVM_DEV_TYPE_XIVE = 9;

/** HDEC time slice, in timebase ticks, of a vCPU between two scheduling decisions. */
export const HDEC_SLICE = 0x10000;

/** Where the VM's partition-scoped pages come from and where its tables go (Kvm supplies). */
export interface VmHost {
  readonly mem: HostMemory;
  readonly partitionTable: PartitionTable;
  readonly tableAlloc: TableAllocator;
  /** POWER9 DD2.2 cannot let a guest `stop` natively: KVM makes it trap (PSSCR[ESL|EC]). */
  readonly guestStopTraps: boolean;
  freeLpid(lpid: number): void;
  /** Another LPID from the same pool (shadow LPIDs for kvm-nested); undefined if exhausted. */
  allocLpid?(): number | undefined;
  /** KVM_CREATE_DEVICE of an in-kernel interrupt controller: undefined when the host KVM
   *  has it, else why not (the XIVE native device is absent from a nested L1's KVM). */
  irqchipUnavailable?(type: number): string | undefined;
}

/**
 * Host physical addresses at and above this are device pages (the XIVE's, as KVM maps them
 * into a guest), never host RAM: the bus sends accesses there to the device, not to memory.
 */
export const HOST_IO_BASE = 2 ** 48;

/** What a tracer sees (timestamps are the vCPU's timebase). */
export type VmTraceEvent =
  /** A vCPU ran from `startTb` to `endTb` (one scheduling slice). */
  | { kind: "slice"; vcpu: number; startTb: number; endTb: number; insns: number }
  /** An hcall, handled in the kernel or passed to the VMM. */
  | { kind: "hcall"; vcpu: number; tb: number; name: string; where: "kernel" | "vmm" }
  /** A partition-scoped fault KVM resolved by mapping a page. */
  | { kind: "page-fault"; vcpu: number; tb: number; gpa: number; vector: number };

export interface VmOptions {
  /** Log of guest errors hardware tolerates. */
  log?: (message: string) => void;
  /** Receives scheduling, hcall and page-fault events (for `--trace`). */
  trace?: (event: VmTraceEvent) => void;
}

export interface VmStats {
  exits: Partial<Record<VcpuExitKind, number>>;
  hcallsInKernel: Record<string, number>;
  hcallsToVmm: Record<string, number>;
  hdsi: number;
  hisi: number;
  pagesMapped: number;
  hdecSlices: number;
  /** Guest `stop` instructions emulated after a Hypervisor Facility Unavailable (DD2.2). */
  stopsEmulated: number;
  /** Loads and stores to unbacked guest addresses emulated for the VMM (KVM_EXIT_MMIO). */
  mmioExits: number;
  /** Pages of in-kernel devices mapped into the guest on first touch (then no trap at all). */
  devicePagesMapped: number;
  /** RTAS calls answered in kernel (tokens defined with defineRtasToken), by name. */
  rtasInKernel: Record<string, number>;
}

export interface VmState {
  /** 2 added `openSlice`; a version 1 state restores with none open. 3 added `nested`; a
   *  version 1 or 2 state has none (it was saved with every vCPU in its L1 and no nested-HV
   *  state carried: restored as such). */
  version: 1 | 2 | 3;
  lpid: number;
  memslots: Memslot[];
  enabledHcalls: number[];
  nestedHv: boolean;
  processTable: { dw1: string; gtse: boolean } | null;
  vcpus: VcpuState[];
  /** Guest memory contents, per allocated 64 KiB chunk of every slot (by guest address). */
  memory: { gpa: number; data: Uint8Array }[];
  /** Guest pages the partition-scoped tree mapped: the tree is rebuilt with them on restore so
   *  the restored run takes exactly the HDSI/HISI exits the original would have (bit-exact). */
  mappedPages: number[];
  /** In-kernel device pages mapped so far (KVM inserts them on first touch): mapped again on
   *  restore, as soon as the VMM has set up the device region, so that the restored run takes
   *  the same HDSIs the original would have. */
  devicePages?: number[];
  rr: number;
  round: { tb: number; end: number; ran: number[] };
  /** The HDEC slice `run` was paused in, to be continued (see Vm.openSlice). */
  openSlice?: { vcpu: number; left: number } | null;
  /** The nested-HV implementation's L0 state (the L1's partition table, the vCPUs inside
   *  H_ENTER_NESTED ...), null when none is attached. */
  nested?: NestedHvState | null;
}

/** LPCR[ILE] (bit 38) and LPCR[AIL] (bits 39:40), as 64-bit masks. */
const LPCR_ILE_BIT = 1n << 25n;
const LPCR_AIL_BITS = 3n << 23n;

/** HFSCR interrupt cause of a guest `stop` (FSCR_STOP_LG). */
const HFSCR_IC_STOP = 9;

const LPCR_BASE = LPCR_HR | LPCR_LD | LPCR_LPES0 | LPCR_LPES1 | LPCR_HVICE | LPCR_HDICE;

function hcallName(nr: number): string {
  return hcallByOpcode(nr)?.name ?? `0x${nr.toString(16)}`;
}

export class Vm {
  readonly memslots = new Memslots();
  readonly mmu: RadixMmu;
  readonly vcpus: Vcpu[] = [];
  readonly tree: RadixTree;
  private readonly enabled = new Set<number>(KVM_HV_DEFAULT_ENABLED_HCALLS);
  private nestedHv = false;
  private processTable: { dw1: bigint; gtse: boolean } | null = null;
  private irqchip: InKernelIrqchip | null = null;
  private nested: NestedHvPort | null = null;
  private readonly log: (m: string) => void;
  private readonly trace: ((e: VmTraceEvent) => void) | undefined;
  private rr = 0;
  private destroyed = false;
  private readonly mapped = new Set<number>();
  /**
   * One machine, one timebase: vCPUs run one after another but stand for threads running side
   * by side, so scheduling goes in rounds. Every slice of a round starts no earlier than
   * `roundTb`; when every runnable vCPU has had its slice, the next round starts at the latest
   * timebase any of them reached (a vCPU that left its slice early, for the VMM or a yield,
   * catches up then). With one vCPU this is plain instruction-driven time.
   */
  private roundTb = 0;
  private roundEnd = 0;
  private readonly ranThisRound = new Set<number>();
  /**
   * A slice cut short by `run`'s instruction budget (a pause, not a preemption): the next `run`
   * continues it (same vCPU, HDEC left running, `left` instructions of its cap) instead of
   * starting a new one, so that running N instructions and then the rest schedules exactly as
   * running them in one go (bit-exact migration at any instruction).
   */
  private openSlice: { vcpu: Vcpu; left: number } | null = null;
  private readonly statsData: VmStats = {
    exits: {},
    hcallsInKernel: {},
    hcallsToVmm: {},
    hdsi: 0,
    hisi: 0,
    pagesMapped: 0,
    hdecSlices: 0,
    stopsEmulated: 0,
    mmioExits: 0,
    devicePagesMapped: 0,
    rtasInKernel: {},
  };
  /** In-kernel device regions and the host I/O addresses their pages are mapped from. */
  private readonly deviceRegions: { region: InKernelMmioRegion; hostBase: number }[] = [];
  private nextHostIo = HOST_IO_BASE;
  /** KVM_PPC_RTAS_DEFINE_TOKEN: token -> name of the RTAS calls handled in kernel. */
  private readonly rtasTokens = new Map<number, string>();

  constructor(
    readonly lpid: number,
    private readonly host: VmHost,
    opts: VmOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
    this.trace = opts.trace;
    this.tree = createTree(host.mem, host.tableAlloc, SHAPE_LINUX_64K);
    this.writePate();
    this.mmu = new RadixMmu({ mem: host.mem, onGuestError: this.log });
  }

  // --- memory -------------------------------------------------------------------------------

  /** KVM_SET_USER_MEMORY_REGION. Deleting or moving a slot unmaps its pages from the tree. */
  setUserMemoryRegion(m: Memslot): void {
    const old = this.memslots.list().find((s) => s.slot === m.slot);
    if (m.size !== 0 && m.hostAddr + m.size > this.host.mem.size) {
      throw new KvmError(
        "EINVAL",
        `memslot ${m.slot}: host range [0x${m.hostAddr.toString(16)}, +0x${m.size.toString(16)}) is outside host memory`,
      );
    }
    this.memslots.set(m);
    if (old !== undefined) {
      // KVM unmaps the old range; the tree is rebuilt on demand. Shadow entries kvm-nested
      // built on that range go too (its rmap).
      this.nested?.l1RangeUnmapped(old.gpa, old.size);
      this.resetPartitionTree();
    }
  }

  /** Copy from guest physical memory (isolation-checked); undefined if not RAM. */
  readGuest(gpa: number, len: number): Uint8Array | undefined {
    const h = this.memslots.toHost(gpa, len);
    return h === undefined ? undefined : this.host.mem.read(h, len);
  }

  /** Copy into guest physical memory (isolation-checked); false if not RAM. */
  writeGuest(gpa: number, data: Uint8Array): boolean {
    const h = this.memslots.toHost(gpa, data.length);
    if (h === undefined) return false;
    this.host.mem.write(h, data);
    // Anything the vCPUs cached about those bytes (reservations) goes.
    for (const l of this.writeListeners) l(h, data.length);
    return true;
  }

  private readonly writeListeners: ((ra: number, length: number) => void)[] = [];

  /**
   * The bus vCPU `vcpu` sees: host memory, but only what this VM's memslots cover, and the
   * host I/O pages of its in-kernel devices (a device learns which thread accessed it).
   */
  private makeBus(vcpu: number): PhysicalBus {
    const mem = this.host.mem;
    const slots = this.memslots;
    const lpid = this.lpid;
    const owned = (ra: number, len: number): void => {
      if (!slots.ownsHost(ra, len)) {
        throw new Error(
          `isolation: LPID ${lpid} accessed host address 0x${ra.toString(16)}, outside its memslots (a partition-scoped tree entry is stale)`,
        );
      }
    };
    return {
      ramWindow: (ra: number): RamWindow | null => {
        if (ra >= HOST_IO_BASE) return null;
        owned(ra, 1);
        const w = mem.window(ra);
        return { bytes: w.bytes, view: w.view, raBase: w.base, offset: 0, length: HOST_CHUNK_SIZE };
      },
      load: (ra, size, le, out) => {
        if (ra >= HOST_IO_BASE) {
          const v = this.deviceAccess(vcpu, ra, size, le, undefined);
          out[0] = Number(v >> 32n);
          out[1] = Number(v & 0xffffffffn);
          return true;
        }
        owned(ra, size);
        const b = mem.read(ra, size);
        const dv = new DataView(b.buffer);
        out[0] = 0;
        switch (size) {
          case 1:
            out[1] = b[0]!;
            break;
          case 2:
            out[1] = dv.getUint16(0, le);
            break;
          case 4:
            out[1] = dv.getUint32(0, le);
            break;
          case 8:
            out[0] = le ? dv.getUint32(4, true) : dv.getUint32(0, false);
            out[1] = le ? dv.getUint32(0, true) : dv.getUint32(4, false);
            break;
        }
        return true;
      },
      store: (ra, size, le, hi, lo) => {
        if (ra >= HOST_IO_BASE) {
          this.deviceAccess(vcpu, ra, size, le, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
          return true;
        }
        owned(ra, size);
        const b = new Uint8Array(size);
        const dv = new DataView(b.buffer);
        switch (size) {
          case 1:
            b[0] = lo & 0xff;
            break;
          case 2:
            dv.setUint16(0, lo & 0xffff, le);
            break;
          case 4:
            dv.setUint32(0, lo >>> 0, le);
            break;
          case 8:
            dv.setUint32(0, (le ? lo : hi) >>> 0, le);
            dv.setUint32(4, (le ? hi : lo) >>> 0, le);
            break;
        }
        mem.write(ra, b);
        return true;
      },
      onWrite: (listener) => {
        this.writeListeners.push(listener);
        return () => {
          const i = this.writeListeners.indexOf(listener);
          if (i >= 0) this.writeListeners.splice(i, 1);
        };
      },
    };
  }

  /**
   * A vCPU's load (`store` undefined) or store at host I/O address `ra`: the device of the
   * region mapped there gets the offset and the big-endian value. Hardware answers an access
   * size the device does not decode with all ones (loads) or drops it (stores): a guest error.
   */
  private deviceAccess(
    vcpu: number,
    ra: number,
    size: MmioSize,
    le: boolean,
    store: bigint | undefined,
  ): bigint {
    const d = this.deviceRegions.find((r) => ra >= r.hostBase && ra < r.hostBase + r.region.size);
    if (d === undefined) {
      throw new Error(
        `isolation: LPID ${this.lpid} reached host I/O address 0x${ra.toString(16)}, where none of its devices is (a stale partition-scoped entry)`,
      );
    }
    const offset = ra - d.hostBase;
    const mask = (1n << BigInt(8 * size)) - 1n;
    if (!d.region.device.accessSizes.includes(size)) {
      this.log(
        `${d.region.name}: ${size}-byte ${store === undefined ? "load" : "store"} at offset 0x${offset.toString(16)} (the device decodes ${d.region.device.accessSizes.join("/")}-byte accesses)`,
      );
      return mask;
    }
    if (store === undefined) {
      const v = d.region.device.read(offset, size, vcpu) & mask;
      return le ? byteSwap(v, size) : v;
    }
    const v = store & mask;
    d.region.device.write(offset, size, le ? byteSwap(v, size) : v, vcpu);
    return 0n;
  }

  // --- the partition table entry ------------------------------------------------------------

  private writePate(): void {
    const [d0h, d0l] = radixPate(this.tree, undefined);
    const dw1 = this.processTable?.dw1 ?? 0n;
    setPate(this.host.partitionTable, this.lpid, [
      d0h,
      d0l,
      Number(dw1 >> 32n),
      Number(dw1 & 0xffffffffn),
    ]);
  }

  /** Drop every partition-scoped mapping (memslot change): a new empty tree, PATE updated. */
  private resetPartitionTree(): void {
    const fresh = createTree(this.host.mem, this.host.tableAlloc, SHAPE_LINUX_64K);
    (this as { tree: RadixTree }).tree = fresh;
    this.mapped.clear();
    this.mappedDevicePages.clear();
    this.writePate();
    this.mmu.flushLpid(this.lpid);
  }

  /**
   * KVM_PPC_CONFIGURE_V3_MMU: the guest's process table (PATE doubleword 1: PRTB | PRTS) and
   * whether it may use tlbie (GTSE). Radix only: hvsim's KVM has no HPT guests.
   */
  configureV3Mmu(processTableDw1: bigint, gtse: boolean): void {
    this.processTable = { dw1: BigInt.asUintN(64, processTableDw1), gtse };
    this.writePate();
    this.mmu.flushLpid(this.lpid);
    for (const v of this.vcpus) this.applyLpcr(v);
  }

  private lpcrFor(): number {
    let lo = LPCR_BASE;
    if (this.processTable !== null) {
      lo |= LPCR_UPRT;
      if (this.processTable.gtse) lo |= LPCR_GTSE;
    }
    return lo >>> 0;
  }

  private applyLpcr(v: Vcpu): void {
    // LPCR[ILE] and LPCR[AIL] are the VMM's (H_SET_MODE); the rest is KVM's.
    const keep = BigInt.asUintN(64, v.getSpr(SPR.LPCR)) & (LPCR_ILE_BIT | LPCR_AIL_BITS);
    v.setSpr(SPR.LPCR, BigInt(this.lpcrFor()) | keep);
  }

  private setLpcrField(mask: bigint, value: bigint): void {
    for (const v of this.vcpus) {
      const l = BigInt.asUintN(64, v.getSpr(SPR.LPCR)) & ~mask;
      v.setSpr(SPR.LPCR, l | (value & mask));
    }
  }

  /**
   * A machine reset as QEMU performs it on KVM: every vCPU back to its reset registers (the
   * VMM then stops the secondaries and sets the boot state), the process table unregistered
   * (LPCR back to pre-CAS). Memory and the partition-scoped tree stay: RAM survives a reset.
   */
  reset(): void {
    this.processTable = null;
    this.writePate();
    this.mmu.flushLpid(this.lpid);
    for (const v of this.vcpus) {
      v.reset();
      this.applyLpcr(v);
    }
  }

  /** H_SET_MODE(LE) through the VMM: set or clear LPCR[ILE] on every vCPU. */
  setInterruptLittleEndian(le: boolean): void {
    this.setLpcrField(LPCR_ILE_BIT, le ? LPCR_ILE_BIT : 0n);
  }

  /** H_SET_MODE(ADDR_TRANS_MODE) through the VMM: LPCR[AIL] (0, 2 or 3) on every vCPU. */
  setAlternateInterruptLocation(ail: 0 | 2 | 3): void {
    this.setLpcrField(LPCR_AIL_BITS, BigInt(ail) << 23n);
  }

  // --- capabilities --------------------------------------------------------------------------

  /** KVM_ENABLE_CAP on the VM. */
  enableCap(cap: number, args: readonly number[] = []): void {
    switch (cap) {
      case KVM_CAP_PPC_NESTED_HV:
        this.nestedHv = (args[0] ?? 1) !== 0;
        return;
      case KVM_CAP_PPC_ENABLE_HCALL: {
        const [hcall = -1, enable = -1] = args;
        const r = checkEnableHcall(hcall, enable);
        if (!r.ok) throw new KvmError("EINVAL", `KVM_CAP_PPC_ENABLE_HCALL: ${r.reason}`);
        if (enable) this.enabled.add(hcall);
        else this.enabled.delete(hcall);
        return;
      }
      default:
        throw new KvmError("EINVAL", `capability ${cap} cannot be enabled on a VM here`);
    }
  }

  get nestedHvEnabled(): boolean {
    return this.nestedHv;
  }

  hcallEnabled(nr: number): boolean {
    return !isGatedByHcallBitmap(nr) || this.enabled.has(nr);
  }

  /** Plug in (or remove) the nested-HV implementation (kvm-nested). */
  setNestedHv(port: NestedHvPort | null): void {
    this.nested?.release();
    this.nested = port;
  }

  /** The VM runs radix (a process table was registered with LPCR[HR|UPRT]). */
  get radix(): boolean {
    return this.processTable !== null;
  }

  /** Host resources a nested-HV implementation needs (host memory, partition table, LPIDs). */
  nestedHost(): NestedHostResources {
    const host = this.host;
    return {
      mem: host.mem,
      partitionTable: host.partitionTable,
      tableAlloc: host.tableAlloc,
      allocLpid: () => host.allocLpid?.(),
      freeLpid: (l) => host.freeLpid(l),
    };
  }

  /**
   * The host address backing guest physical address `gpa`, mapping its 64 KiB page in the
   * partition-scoped tree first if needed (KVM's kvmppc_book3s_instantiate_page); undefined
   * when no memslot covers it.
   */
  instantiateGuestPage(gpa: number): number | undefined {
    const slot = this.memslots.find(gpa);
    if (slot === undefined) return undefined;
    const page = gpa - (gpa % HOST_CHUNK_SIZE);
    if (lookupLeaf(this.tree, page) === undefined) {
      this.mapGuestPage(page);
      this.statsData.pagesMapped++;
    }
    return slot.hostAddr + (gpa - slot.gpa);
  }

  /** vCPU `vcpu`'s external interrupt input is up: from the in-kernel irqchip, or the level
   *  the VMM set with setExternalInterrupt (for kvm-nested: an L1 with one pending is not
   *  entered into its L2). */
  externalPending(vcpu: number): boolean {
    return (this.irqchip?.externalPending(vcpu) ?? false) || this.vcpu(vcpu).externalLine;
  }

  /** Plug in (or remove) an in-kernel interrupt controller without the device checks. */
  setIrqchip(chip: InKernelIrqchip | null): void {
    this.irqchip = chip;
  }

  /**
   * KVM_CREATE_DEVICE(KVM_DEV_TYPE_XICS | KVM_DEV_TYPE_XIVE) with its implementation: the
   * VMM composes the controller (it lives in @hvsim/xive) and hands it in through the port.
   * Fails with ENODEV where the host KVM has no such device (the XIVE native device in a
   * nested L1's KVM), EEXIST when the VM already has an in-kernel controller.
   */
  createIrqchip(type: number, chip: InKernelIrqchip): void {
    if (type !== KVM_DEV_TYPE_XICS && type !== KVM_DEV_TYPE_XIVE) {
      throw new KvmError(
        "ENODEV",
        `KVM_CREATE_DEVICE: device type ${type} is not an interrupt controller this KVM has`,
      );
    }
    const why = this.host.irqchipUnavailable?.(type);
    if (why !== undefined) throw new KvmError("ENODEV", `KVM_CREATE_DEVICE: ${why}`);
    if (this.irqchip !== null) {
      throw new KvmError(
        "EEXIST",
        "KVM_CREATE_DEVICE: the VM already has an in-kernel interrupt controller",
      );
    }
    this.irqchip = chip;
  }

  /** Close the in-kernel controller's device (QEMU's disconnect at a reset of ic-mode=dual):
   *  its RTAS tokens and device mappings go with it. */
  destroyIrqchip(): void {
    this.irqchip = null;
    this.rtasTokens.clear();
    for (const d of [...this.deviceRegions]) this.unmapInKernelMmio(d.region.name);
  }

  get hasIrqchip(): boolean {
    return this.irqchip !== null;
  }

  /**
   * KVM_INTERRUPT (KVM_INTERRUPT_SET_LEVEL / UNSET): the VMM's own interrupt controller
   * drives vCPU `vcpu`'s external input. The vCPU re-checks it, and wakes from H_CEDE.
   */
  setExternalInterrupt(vcpu: number, level: boolean): void {
    const v = this.vcpu(vcpu);
    if (v.externalLine === level) return;
    v.externalLine = level;
    this.interruptChanged(vcpu);
  }

  /**
   * The irqchip's output for `vcpu` changed (KVM's kvm_vcpu_kick): the CPU re-checks its
   * interrupt lines before its next instruction, and a ceded vCPU with a pending external
   * interrupt wakes up.
   */
  interruptChanged(vcpu: number): void {
    const v = this.vcpu(vcpu);
    v.cpu.kick();
    if (v.ceded && this.externalPending(vcpu)) {
      v.ceded = false;
      v.cpu.stopped = false;
    }
  }

  /**
   * Map an in-kernel device into guest physical space (QEMU: the KVM device's mmap as a
   * memory region; KVM then inserts the device's pages on first touch). Accesses to it never
   * leave the kernel; the first one to each 64 KiB page costs an HDSI that maps it.
   */
  mapInKernelMmio(region: InKernelMmioRegion): void {
    const PAGE = HOST_CHUNK_SIZE;
    if (region.gpa % PAGE !== 0 || region.size % PAGE !== 0 || region.size <= 0) {
      throw new KvmError("EINVAL", `${region.name}: device regions are whole 64 KiB pages`);
    }
    const overlaps = (a: number, n: number): boolean =>
      region.gpa < a + n && a < region.gpa + region.size;
    if (
      this.deviceRegions.some(
        (d) => d.region.name === region.name || overlaps(d.region.gpa, d.region.size),
      ) ||
      this.memslots.list().some((m) => overlaps(m.gpa, m.size))
    ) {
      throw new KvmError("EEXIST", `${region.name}: overlaps RAM or another device region`);
    }
    this.deviceRegions.push({ region, hostBase: this.nextHostIo });
    this.nextHostIo += Math.ceil(region.size / PAGE) * PAGE;
    this.mapRestoredDevicePages();
  }

  /** Insert the device page `page` of `dev` into the partition-scoped tree. */
  private mapDevicePage(dev: { region: InKernelMmioRegion; hostBase: number }, page: number): void {
    mapPage(this.tree, page, dev.hostBase + (page - dev.region.gpa), 16, {
      perm: 0b110,
      att: 0x20,
    });
    this.mappedDevicePages.add(page);
  }

  /** Device pages a restored state had mapped, waiting for their region (see VmState). */
  private restoredDevicePages = new Set<number>();

  private mapRestoredDevicePages(): void {
    for (const page of this.restoredDevicePages) {
      const dev = this.deviceRegionAt(page);
      if (dev === undefined) continue;
      this.mapDevicePage(dev, page);
      this.restoredDevicePages.delete(page);
    }
  }

  private deviceRegionAt(
    page: number,
  ): { region: InKernelMmioRegion; hostBase: number } | undefined {
    return this.deviceRegions.find(
      (d) => page >= d.region.gpa && page < d.region.gpa + d.region.size,
    );
  }

  /** Remove a device region; its pages leave the partition-scoped tree and the TLBs. */
  unmapInKernelMmio(name: string): void {
    const i = this.deviceRegions.findIndex((d) => d.region.name === name);
    if (i < 0) return;
    const { region } = this.deviceRegions[i]!;
    this.deviceRegions.splice(i, 1);
    for (let page = region.gpa; page < region.gpa + region.size; page += HOST_CHUNK_SIZE) {
      if (this.mappedDevicePages.delete(page)) unmapPage(this.tree, page);
    }
    this.mmu.flushLpid(this.lpid);
  }

  private readonly mappedDevicePages = new Set<number>();

  /** KVM_PPC_RTAS_DEFINE_TOKEN: RTAS calls with this token are answered in kernel by the
   *  irqchip (token 0 removes the name). */
  defineRtasToken(name: string, token: number): void {
    for (const [t, n] of this.rtasTokens) if (n === name) this.rtasTokens.delete(t);
    if (token !== 0) this.rtasTokens.set(token, name);
  }

  // --- vCPUs ----------------------------------------------------------------------------------

  /** The L1's external interrupt input: the in-kernel irqchip's output or, with the irqchip in
   *  the VMM, the line it raises with KVM_INTERRUPT. */
  private l1ExternalPending(id: number, v: Vcpu): boolean {
    return (this.irqchip?.externalPending(id) ?? false) || v.externalLine;
  }

  /** KVM_CREATE_VCPU: reset state of a pseries vCPU (big-endian, 64-bit, MSR[ME], guest state). */
  createVcpu(id: number): Vcpu {
    if (this.destroyed) throw new KvmError("ENXIO", "the VM was destroyed");
    if (this.vcpus.some((v) => v.id === id)) {
      throw new KvmError("EINVAL", `vCPU ${id} already exists`);
    }
    // While the vCPU runs an L2, an interrupt for the L1 is not the L2's: as POWER9's XIVE
    // escalates it to the hypervisor (L0 pulled the L1's context before entering the L2), it
    // reaches L0 as a hypervisor virtualization interrupt, which takes the vCPU out of the L2.
    const inL2 = (): boolean => {
      const v = this.vcpus.find((x) => x.id === id);
      return v !== undefined && (this.nested?.inL2(v) ?? false);
    };
    const lines: InterruptLines = {
      external: () => this.l1ExternalPending(id, v) && !inL2(),
      hvVirtualization: () => this.l1ExternalPending(id, v) && inL2(),
    };
    const v = new Vcpu(
      id,
      this.makeBus(id),
      this.mmu,
      {
        hcall: (vc) => this.hcall(vc),
        hypervisorInterrupt: (vc, vector, srr1) => this.hvInterrupt(vc, vector, srr1),
      },
      lines,
      this.log,
    );
    v.msr = (BigInt(MSR_SF_HI) << 32n) | BigInt(MSR_ME);
    v.setSpr(SPR.PTCR, this.ptcr());
    v.setSpr(SPR.LPIDR, BigInt(this.lpid));
    this.applyLpcr(v);
    if (this.host.guestStopTraps) {
      // As KVM on POWER9 DD2.2: PSSCR[ESL|EC] (hypervisor-owned) make the guest's `stop` raise
      // HFU so the hypervisor can emulate it; the guest cannot see or change these bits.
      v.setSpr(SPR.PSSCR, BigInt(PSSCR_ESL | PSSCR_EC));
    }
    v.captureResetState();
    this.vcpus.push(v);
    this.vcpus.sort((a, b) => a.id - b.id);
    return v;
  }

  vcpu(id: number): Vcpu {
    const v = this.vcpus.find((x) => x.id === id);
    if (v === undefined) throw new KvmError("ENXIO", `no vCPU ${id}`);
    return v;
  }

  private ptcr(): bigint {
    const t = this.host.partitionTable;
    return (BigInt(t.ptcrHi) << 32n) | BigInt(t.ptcrLo);
  }

  /** H_CEDE: enable MSR[EE] and sleep until an interrupt is pending. */
  cede(v: Vcpu): HcallOutcome {
    v.msr = v.msr | BigInt(MSR_EE);
    if (v.decPending() || this.externalPending(v.id)) {
      return { kind: "done", ret: H_SUCCESS };
    }
    v.ceded = true;
    v.cpu.stopped = true;
    return { kind: "yield", ret: H_SUCCESS };
  }

  /** H_PROD: wake a ceded vCPU. */
  prod(target: number): number {
    const t = this.vcpus.find((x) => x.id === target);
    if (t === undefined) return H_PARAMETER;
    if (t.ceded) {
      t.ceded = false;
      t.cpu.stopped = false;
    }
    return H_SUCCESS;
  }

  private count(rec: Record<string, number>, key: string): void {
    rec[key] = (rec[key] ?? 0) + 1;
  }

  private hcall(v: Vcpu): VhypOutcome {
    if (this.nested?.inL2(v)) return this.nested.l2Hcall(v);
    const nr = Number(v.getGpr(3) & 0xffffffffn);
    if (this.hcallEnabled(nr)) {
      const nestedOutcome = this.nested?.l1Hcall(v, nr);
      if (nestedOutcome !== undefined) {
        this.count(this.statsData.hcallsInKernel, hcallName(nr));
        switch (nestedOutcome.kind) {
          case "done":
          case "yield":
            // H_ENTER_NESTED leaves the vCPU running the L2: r3 is the L2's then.
            if (!this.nested?.inL2(v)) v.setGpr(3, BigInt(nestedOutcome.ret));
            if (nestedOutcome.kind === "yield") return { kind: "exit", reason: "yield" };
            return { kind: "handled" };
          case "too-hard":
            break;
          default: {
            const never: never = nestedOutcome;
            throw new Error(`unknown hcall outcome ${JSON.stringify(never)}`);
          }
        }
      }
      if (nr === KVMPPC_H_RTAS && this.rtasTokens.size > 0 && this.irqchip?.rtas) {
        const chip = this.irqchip;
        const r = handleRtasInKernel(
          {
            readU32: (gpa) => {
              const b = this.readGuest(gpa, 4);
              return b === undefined
                ? undefined
                : new DataView(b.buffer, b.byteOffset).getUint32(0, false);
            },
            writeU32: (gpa, value) => {
              const b = new Uint8Array(4);
              new DataView(b.buffer).setUint32(0, value >>> 0, false);
              this.writeGuest(gpa, b);
            },
            tokenName: (t) => this.rtasTokens.get(t),
          },
          Number(v.getGpr(4) & 0xfffffffffffffn),
          (call) => chip.rtas?.(v, call),
        );
        if (r.handled) {
          this.count(this.statsData.hcallsInKernel, hcallName(nr));
          this.count(this.statsData.rtasInKernel, r.name);
          this.trace?.({
            kind: "hcall",
            vcpu: v.id,
            tb: v.cpu.tb,
            name: `RTAS ${r.name}`,
            where: "kernel",
          });
          v.setGpr(3, BigInt(H_SUCCESS));
          return { kind: "handled" };
        }
      }
      const chipRet = this.irqchip?.hcall?.(v, nr);
      if (chipRet !== undefined) {
        this.count(this.statsData.hcallsInKernel, hcallName(nr));
        this.trace?.({
          kind: "hcall",
          vcpu: v.id,
          tb: v.cpu.tb,
          name: hcallName(nr),
          where: "kernel",
        });
        v.setGpr(3, BigInt(chipRet));
        return { kind: "handled" };
      }
      const h = isGatedByHcallBitmap(nr) ? IN_KERNEL_HCALLS.get(nr) : undefined;
      if (h !== undefined) {
        const o = h.handler(this, v);
        switch (o.kind) {
          case "done":
            this.count(this.statsData.hcallsInKernel, h.name);
            this.trace?.({
              kind: "hcall",
              vcpu: v.id,
              tb: v.cpu.tb,
              name: h.name,
              where: "kernel",
            });
            v.setGpr(3, BigInt(o.ret));
            return { kind: "handled" };
          case "yield":
            this.count(this.statsData.hcallsInKernel, h.name);
            this.trace?.({
              kind: "hcall",
              vcpu: v.id,
              tb: v.cpu.tb,
              name: h.name,
              where: "kernel",
            });
            v.setGpr(3, BigInt(o.ret));
            v.pendingExit = null;
            return { kind: "exit", reason: "yield" };
          case "too-hard":
            break;
          default: {
            const never: never = o;
            throw new Error(`unknown hcall outcome ${JSON.stringify(never)}`);
          }
        }
      }
    }
    this.count(this.statsData.hcallsToVmm, hcallName(nr));
    this.trace?.({ kind: "hcall", vcpu: v.id, tb: v.cpu.tb, name: hcallName(nr), where: "vmm" });
    const args: bigint[] = [];
    for (let r = 4; r <= 12; r++) args.push(v.getGpr(r));
    v.pendingExit = { kind: "papr-hcall", vcpu: v.id, nr, args };
    return { kind: "exit", reason: "papr-hcall" };
  }

  private hvInterrupt(v: Vcpu, vector: number, srr1: bigint): VhypOutcome {
    if (this.nested?.inL2(v)) {
      const o = this.nested.l2Interrupt(v, vector, srr1);
      if (o !== undefined) return o;
    }
    switch (vector) {
      case 0x980:
        this.statsData.hdecSlices++;
        v.pendingExit = null;
        if (v.cpu.stopWokenByHdecOnly) {
          // The slice ended while the guest idled in `stop` (native or emulated): only the
          // host's timer woke it, so it goes back to sleep rather than resume early. Guests see
          // wake-ups from their own events only, whatever the host revision and slice length.
          v.cpu.stopWokenByHdecOnly = false;
          v.cpu.stopped = true;
        }
        return { kind: "exit", reason: "hdec" };
      case 0xe00:
      case 0xe20:
        return this.pageFault(v, vector);
      case 0xf80:
        if (Number(BigInt.asUintN(64, v.getSpr(SPR.HFSCR)) >> 56n) === HFSCR_IC_STOP) {
          // The guest executed `stop` with PSSCR[ESL|EC] forced on: idle the thread exactly as
          // a native EC=0 stop would (resume at the next instruction on any wake-up event),
          // so the guest sees the same behaviour on every host revision.
          this.statsData.stopsEmulated++;
          v.pc = v.pc + 4n;
          v.cpu.stopped = true;
          return { kind: "handled" };
        }
        v.cpu.deliverInterrupt(0x700, SRR1_PROGRAM_PRIV, false);
        return { kind: "handled" };
      case 0xc00:
        // `sc 1` from the guest's problem state: a radix guest cannot be running PR KVM, so
        // KVM-HV gives its kernel a privileged program interrupt (SRR0 past the `sc`), never an
        // hcall.
        v.cpu.deliverInterrupt(0x700, SRR1_PROGRAM_PRIV, false);
        return { kind: "handled" };
      case 0xe40:
        // An instruction the guest may not execute (HEAI): KVM-HV reflects a program interrupt
        // to a PAPR guest.
        v.cpu.deliverInterrupt(
          0x700,
          v.cpu.lastHeaiPrivileged ? SRR1_PROGRAM_PRIV : SRR1_PROGRAM_ILLEGAL,
          false,
        );
        return { kind: "handled" };
      default:
        v.pendingExit = {
          kind: "internal-error",
          vcpu: v.id,
          reason: `unhandled hypervisor interrupt 0x${vector.toString(16)} at 0x${v.pc.toString(16)}`,
        };
        return { kind: "exit", reason: "internal-error" };
    }
  }

  /** HDSI/HISI: map the 64 KiB page of ASDR's guest real address from its memslot and retry. */
  private pageFault(v: Vcpu, vector: number): VhypOutcome {
    if (vector === 0xe00) this.statsData.hdsi++;
    else this.statsData.hisi++;
    const gpa = Number(BigInt.asUintN(64, v.getSpr(SPR.ASDR)) & 0xffffffffff000n);
    const page = gpa - (gpa % HOST_CHUNK_SIZE);
    const slot = this.memslots.find(gpa);
    if (slot === undefined) {
      const dev = this.deviceRegionAt(page);
      if (dev !== undefined && vector === 0xe00) {
        // KVM's fault handler of the device mapping inserts the device page (no exit).
        this.mapDevicePage(dev, page);
        this.statsData.devicePagesMapped++;
        return { kind: "handled" };
      }
      // The in-page offset comes from HDAR (ASDR holds the page's guest real address).
      const full = gpa + Number(BigInt.asUintN(64, v.getSpr(SPR.HDAR)) & 0xfffn);
      return vector === 0xe00 ? this.emulateMmio(v, full) : this.mmioFetch(v, full);
    }
    if (lookupLeaf(this.tree, page) !== undefined) {
      v.pendingExit = {
        kind: "internal-error",
        vcpu: v.id,
        reason: `${vector === 0xe00 ? "HDSI" : "HISI"} on mapped guest page 0x${page.toString(16)} (HDSISR 0x${v.getSpr(SPR.HDSISR).toString(16)})`,
      };
      return { kind: "exit", reason: "internal-error" };
    }
    this.mapGuestPage(page);
    this.statsData.pagesMapped++;
    this.trace?.({ kind: "page-fault", vcpu: v.id, tb: v.cpu.tb, gpa, vector });
    return { kind: "handled" };
  }

  /** Instruction fetch from a guest address with neither RAM nor a device: the VMM decides. */
  private mmioFetch(v: Vcpu, gpa: number): VhypOutcome {
    v.pendingExit = {
      kind: "mmio",
      vcpu: v.id,
      gpa,
      size: 4,
      isWrite: false,
      data: 0n,
      fetch: true,
    };
    return { kind: "exit", reason: "mmio" };
  }

  /**
   * kvmppc_hv_emulate_mmio: read the faulting instruction through the guest's translation,
   * decode it, do the register side (RS of a store, RA of an update form, PC) now and leave
   * the device side to the VMM (`mmio` exit); a load's value arrives with Vcpu.completeMmio.
   * An instruction that is no integer load/store gets a program interrupt, as KVM injects.
   */
  private emulateMmio(v: Vcpu, gpa: number): VhypOutcome {
    const word = this.fetchGuestInsn(v);
    const insn = word === undefined ? undefined : decodeMmioInsn(word);
    if (insn === undefined) {
      this.log(
        `MMIO emulation failed at 0x${v.pc.toString(16)} (instruction 0x${(word ?? 0).toString(16).padStart(8, "0")}), guest physical 0x${gpa.toString(16)}`,
      );
      v.cpu.deliverInterrupt(0x700, 0, false);
      return { kind: "handled" };
    }
    const msrLe = (v.msr & 1n) !== 0n;
    const data = insn.isWrite ? mmioStoreValue(insn, v.getGpr(insn.reg), msrLe) : 0n;
    if (insn.update) v.setGpr(insn.ra, v.getSpr(SPR.HDAR));
    if (!insn.isWrite) {
      v.mmioLoad = {
        reg: insn.reg,
        size: insn.size,
        signExtend: insn.signExtend,
        byteReverse: insn.byteReverse,
        msrLe,
      };
    }
    v.pc = v.pc + 4n;
    this.statsData.mmioExits++;
    v.pendingExit = {
      kind: "mmio",
      vcpu: v.id,
      gpa,
      size: insn.size,
      isWrite: insn.isWrite,
      data,
      fetch: false,
    };
    return { kind: "exit", reason: "mmio" };
  }

  /** The instruction at the vCPU's PC, fetched through its translation (kvmppc_load_last_inst). */
  private fetchGuestInsn(v: Vcpu): number | undefined {
    const pc = v.pc;
    const t = v.cpu.translator.translate(
      Number(pc >> 32n),
      Number(pc & 0xffffffffn),
      2,
      v.cpu.mmuRegs,
    );
    if (t.kind === "fault" || t.ra >= HOST_IO_BASE || !this.memslots.ownsHost(t.ra, 4)) {
      return undefined;
    }
    const b = this.host.mem.read(t.ra, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, (v.msr & 1n) !== 0n);
  }

  /** Map the 64 KiB guest page at `page` (inside a memslot) in the partition-scoped tree. */
  private mapGuestPage(page: number): void {
    const slot = this.memslots.find(page);
    if (slot === undefined) throw new Error(`guest page 0x${page.toString(16)} is in no memslot`);
    const r = mapPage(this.tree, page, slot.hostAddr + (page - slot.gpa), 16, { perm: 0b111 });
    if (r.replacedDirectory) this.mmu.flushLpid(this.lpid);
    this.mapped.add(page);
  }

  // --- running --------------------------------------------------------------------------------

  /**
   * Run the vCPUs round-robin in HDEC slices until one exits to the VMM or `maxInsns`
   * timebase ticks' worth of instructions have run. Deterministic: the order is by vCPU id.
   */
  run(maxInsns: number): VcpuExit {
    const exit = this.runInner(maxInsns);
    this.statsData.exits[exit.kind] = (this.statsData.exits[exit.kind] ?? 0) + 1;
    return exit;
  }

  /**
   * KVM_RUN on one vCPU: run only `v` (in HDEC slices) until it exits to the VMM or has used
   * `maxInsns`. A stopped vCPU returns `halted` at once.
   */
  runVcpu(v: Vcpu, maxInsns: number): VcpuExit {
    if (!this.vcpus.includes(v)) throw new KvmError("EINVAL", `vCPU ${v.id} is not in this VM`);
    const exit = this.runInner(maxInsns, v);
    this.statsData.exits[exit.kind] = (this.statsData.exits[exit.kind] ?? 0) + 1;
    return exit;
  }

  private runInner(maxInsns: number, only?: Vcpu): VcpuExit {
    if (this.destroyed) throw new KvmError("ENXIO", "the VM was destroyed");
    const waiting = this.vcpus.find((x) => x.mmioLoad !== null);
    if (waiting !== undefined) {
      throw new KvmError(
        "EBUSY",
        `vCPU ${waiting.id} waits for the value of its MMIO load: answer the mmio exit with completeMmio() before running again`,
      );
    }
    let remaining = maxInsns;
    let idleRun = 0;
    while (remaining > 0) {
      const runnable = (only === undefined ? this.vcpus : [only]).filter(
        (v) => v.mpState === "runnable",
      );
      if (runnable.length === 0) {
        return { kind: "halted", vcpu: only?.id ?? -1 };
      }
      const open = this.openSlice;
      this.openSlice = null;
      const v =
        open !== null && runnable.includes(open.vcpu)
          ? open.vcpu
          : (only ?? runnable[this.rr % runnable.length]!);
      const before = v.cpu.icount;
      const startTb = v.cpu.tb;
      if (v.ceded && !v.cpu.stopped) {
        // Woken (DEC, external interrupt, H_PROD) since it ceded.
        v.ceded = false;
      }
      let cap: number;
      if (open !== null && open.vcpu === v) {
        cap = open.left; // the paused slice goes on: its HDEC is still counting
      } else {
        if (v.cpu.tb < this.roundTb) v.cpu.tbOffset += this.roundTb - v.cpu.tb;
        // A running vCPU is preempted by HDEC; a ceded one by the slice budget (its idle time
        // is fast-forwarded to its next timer event, at most one slice).
        v.setSpr(SPR.HDEC, v.cpu.stopped ? -1n : BigInt(HDEC_SLICE));
        if (this.nested?.inL2(v) && !v.cpu.stopped) {
          // An L2 also stops at its L1's hdec_expiry.
          v.setSpr(SPR.HDEC, BigInt(this.nested.sliceHdec(v, HDEC_SLICE)));
        }
        cap = v.cpu.stopped ? HDEC_SLICE : HDEC_SLICE * 4;
      }
      v.pendingExit = null;
      const r = v.cpu.run(Math.min(remaining, cap));
      if (r.kind === "max-insns" && remaining < cap) {
        // Paused by the budget, not preempted: keep the slice open for the next run.
        this.openSlice = { vcpu: v, left: cap - (v.cpu.icount - before) };
        return { kind: "budget", vcpu: v.id };
      }
      this.roundEnd = Math.max(this.roundEnd, v.cpu.tb);
      this.ranThisRound.add(v.id);
      if (runnable.every((x) => this.ranThisRound.has(x.id))) {
        this.roundTb = this.roundEnd;
        this.ranThisRound.clear();
      }
      remaining -= Math.max(1, v.cpu.icount - before);
      this.trace?.({
        kind: "slice",
        vcpu: v.id,
        startTb,
        endTb: v.cpu.tb,
        insns: v.cpu.icount - before,
      });
      if (v.ceded && !v.cpu.stopped) v.ceded = false;
      switch (r.kind) {
        case "exit":
          if (v.pendingExit !== null) {
            this.rr++;
            return v.pendingExit;
          }
          this.rr++;
          idleRun = 0;
          continue;
        case "max-insns":
          this.rr++;
          idleRun = 0;
          continue;
        case "idle":
          this.rr++;
          if (++idleRun >= runnable.length) return { kind: "halted", vcpu: v.id };
          continue;
        case "attn":
          return { kind: "debug", vcpu: v.id };
        case "checkstop":
          return { kind: "shutdown", vcpu: v.id, reason: r.reason };
        case "interrupt":
          return {
            kind: "internal-error",
            vcpu: v.id,
            reason: `interrupt 0x${r.vector.toString(16)} stopped the CPU`,
          };
        default: {
          const never: never = r;
          throw new Error(`unknown stop reason ${JSON.stringify(never)}`);
        }
      }
    }
    return { kind: "budget", vcpu: this.vcpus[0]?.id ?? -1 };
  }

  stats(): VmStats {
    return structuredClone(this.statsData);
  }

  // --- lifecycle ------------------------------------------------------------------------------

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.nested?.release();
    this.nested = null;
    setPate(this.host.partitionTable, this.lpid, [0, 0, 0, 0]);
    this.mmu.flushLpid(this.lpid);
    for (const v of this.vcpus) v.cpu.dispose();
    for (const s of this.memslots.list()) this.host.mem.discard(s.hostAddr, s.size);
    this.host.freeLpid(this.lpid);
  }

  save(): VmState {
    const memory: { gpa: number; data: Uint8Array }[] = [];
    for (const s of this.memslots.list()) {
      for (const c of this.host.mem.chunksIn(s.hostAddr, s.size)) {
        memory.push({ gpa: s.gpa + (c.base - s.hostAddr), data: c.data });
      }
    }
    return {
      version: 3,
      lpid: this.lpid,
      memslots: this.memslots.list().map((s) => ({ ...s })),
      enabledHcalls: [...this.enabled].sort((a, b) => a - b),
      nestedHv: this.nestedHv,
      processTable:
        this.processTable === null
          ? null
          : { dw1: this.processTable.dw1.toString(), gtse: this.processTable.gtse },
      vcpus: this.vcpus.map((v) => v.save()),
      memory,
      mappedPages: [...this.mapped].sort((a, b) => a - b),
      devicePages: [...this.mappedDevicePages].sort((a, b) => a - b),
      rr: this.rr,
      round: {
        tb: this.roundTb,
        end: this.roundEnd,
        ran: [...this.ranThisRound].sort((a, b) => a - b),
      },
      openSlice:
        this.openSlice === null
          ? null
          : { vcpu: this.openSlice.vcpu.id, left: this.openSlice.left },
      // A vCPU inside H_ENTER_NESTED holds the L2's registers; the port keeps the L1's.
      nested: this.nested?.save() ?? null,
    };
  }

  /**
   * Restore into a fresh VM (possibly on another host, with another LPID and other host
   * addresses): memslots must be set up by the VMM first, with the same guest ranges. The
   * partition-scoped tree is a cache and is rebuilt on demand.
   */
  restore(s: VmState): void {
    if (s.version !== 1 && s.version !== 2 && s.version !== 3) {
      throw new Error(
        `VM state version ${s.version as number} is not supported (1, 2, 3): restore it with the hvsim that saved it`,
      );
    }
    const nested = s.nested ?? null;
    if (nested !== null && this.nested === null) {
      throw new KvmError(
        "EINVAL",
        `the state carries nested-HV state (${nested.kind}) but this VM runs no nested hypervisors: enable KVM_CAP_PPC_NESTED_HV and attach the nested-HV implementation before restoring`,
      );
    }
    for (const m of s.memslots) {
      const mine = this.memslots.list().find((x) => x.slot === m.slot);
      if (mine === undefined || mine.gpa !== m.gpa || mine.size !== m.size) {
        throw new Error(
          `VM state has memslot ${m.slot} at 0x${m.gpa.toString(16)} (+0x${m.size.toString(16)}): create the same memslots before restoring`,
        );
      }
    }
    this.enabled.clear();
    for (const h of s.enabledHcalls) this.enabled.add(h);
    this.nestedHv = s.nestedHv;
    this.processTable =
      s.processTable === null
        ? null
        : { dw1: BigInt(s.processTable.dw1), gtse: s.processTable.gtse };
    // The state's memory replaces all of this VM's: what the destination wrote before (its own
    // boot images) goes, so chunks the source never touched read as zero again.
    for (const slot of this.memslots.list()) this.host.mem.discard(slot.hostAddr, slot.size);
    for (const v of this.vcpus) v.cpu.flushTlb();
    for (const m of s.memory) {
      if (!this.writeGuest(m.gpa, m.data)) {
        throw new Error(`VM state memory at 0x${m.gpa.toString(16)} is outside the memslots`);
      }
    }
    this.resetPartitionTree();
    for (const page of s.mappedPages) this.mapGuestPage(page);
    this.restoredDevicePages = new Set(s.devicePages ?? []);
    this.mapRestoredDevicePages();
    for (const vs of s.vcpus) {
      const v = this.vcpus.find((x) => x.id === vs.id) ?? this.createVcpu(vs.id);
      v.restore(vs);
      // Host-owned registers follow this host.
      v.setSpr(SPR.PTCR, this.ptcr());
      v.setSpr(SPR.LPIDR, BigInt(this.lpid));
    }
    this.rr = s.rr;
    this.roundTb = s.round.tb;
    this.roundEnd = s.round.end;
    this.ranThisRound.clear();
    for (const id of s.round.ran) this.ranThisRound.add(id);
    const open = s.openSlice ?? null;
    this.openSlice =
      open === null ? null : { vcpu: this.vcpus.find((x) => x.id === open.vcpu)!, left: open.left };
    // After the vCPUs: the port puts the vCPUs that were inside an L2 back on their shadow LPID.
    if (nested !== null) this.nested!.restore(nested);
    else this.nested?.release();
  }
}
