// The ports the CPU reaches the world through (DESIGN §6.2, consumer side). Other packages
// satisfy them structurally: @hvsim/radix-mmu's RadixMmu is a Translator, kvm-hv-core provides
// the bus over host memory and plays the VirtualHypervisor, the machine wires InterruptLines.

/** 0 = data load, 1 = data store, 2 = instruction fetch. */
export type AccessKind = 0 | 1 | 2;

/** The CPU's live translation-relevant registers, 64-bit values as hi/lo u32 halves. */
export interface MmuRegs {
  msrHV: boolean;
  msrPR: boolean;
  msrIR: boolean;
  msrDR: boolean;
  lpidr: number;
  pidr: number;
  ptcrHi: number;
  ptcrLo: number;
  lpcrHi: number;
  lpcrLo: number;
  amrHi: number;
  amrLo: number;
  iamrHi: number;
  iamrLo: number;
}

/** A translation fault as a value; the CPU turns it into the interrupt. */
export interface MmuFault {
  kind: "fault";
  /** 0x300 DSI, 0x380 data segment, 0x400 ISI, 0x480 instr segment, 0xe00 HDSI, 0xe20 HISI */
  vector: number;
  /** DSISR for DSI, HDSISR for HDSI (32 bits); 0 for instruction faults. */
  dsisr: number;
  /** Cause bits OR-ed into the low word of SRR1 (ISI) or HSRR1 (HISI); 0 for data faults. */
  srr1Cause: number;
  /** The faulting EA: goes to DAR (DSI) or HDAR (HDSI). */
  eaHi: number;
  eaLo: number;
  /** Guest real address for ASDR on HDSI/HISI (0 otherwise). */
  asdr: number;
}

export interface TranslationOk {
  kind: "ok";
  /** Real (host physical) address, < 2^52, as a plain number. */
  ra: number;
  /** log2 of the page size of the leaf that mapped it (12, 16, 21, 30), so the CPU can cache it. */
  pageShift: number;
  /** Permissions granted for the whole page under these regs: bit0 read, bit1 write, bit2 execute. */
  perm: number;
}

export interface TlbieOp {
  rbHi: number;
  rbLo: number;
  rsHi: number;
  rsLo: number;
  ric: number;
  prs: number;
  r: number;
  local: boolean;
  regs: MmuRegs;
}

/** What the translator made of a tlbie (radix-mmu answers with its TlbieOutcome). */
export interface TlbieResult {
  kind: string;
}

/** Effective-to-real translation for one CPU's translation context (radix-mmu implements it). */
export interface Translator {
  translate(
    eaHi: number,
    eaLo: number,
    access: AccessKind,
    regs: MmuRegs,
  ): TranslationOk | MmuFault;
  /** Execute tlbie (local=false) / tlbiel (local=true) with the instruction's fields. An
   *  `{ kind: "invalid-form" }` answer makes the CPU treat the instruction as illegal. */
  tlbie(op: TlbieOp): TlbieResult | void;
  /** Called whenever cached translations may have changed (any invalidation), so the CPU can
   *  drop its own fast caches (soft TLB, fetch page cache). Returns an unsubscribe function. */
  onInvalidate(listener: () => void): () => void;
}

/** Access size in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * A window of host RAM backing real addresses: `bytes[offset + (ra - raBase)]` is the byte at
 * `ra` for every ra in [raBase, raBase + length). The CPU caches windows in its soft TLB so
 * ordinary loads and stores never call the bus.
 */
export interface RamWindow {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Real address of bytes[offset]. */
  readonly raBase: number;
  readonly offset: number;
  readonly length: number;
}

/**
 * The physical address space seen by the CPU: RAM and MMIO by real address.
 * Values are register images: a load returns the value the CPU puts in a register for an access
 * of `size` bytes in the given byte order.
 */
export interface PhysicalBus {
  /** The RAM window containing the naturally aligned 4 KiB page of `ra`, or null (MMIO/hole). */
  ramWindow(ra: number): RamWindow | null;
  /** Load `size` bytes at `ra`; the value goes to out[0] (high word) and out[1] (low word).
   *  Returns false when nothing answers at `ra` (the CPU raises a machine check). */
  load(ra: number, size: AccessSize, littleEndian: boolean, out: Uint32Array): boolean;
  /** Store the low `size` bytes of hi:lo at `ra`. Returns false when nothing answers. */
  store(ra: number, size: AccessSize, littleEndian: boolean, hi: number, lo: number): boolean;
  /** Called when RAM contents change outside the CPU (DMA, loader), so it can drop reservations. */
  onWrite?(listener: (ra: number, length: number) => void): () => void;
}

/** What a virtual hypervisor did with an hcall or intercepted interrupt. */
export type VhypOutcome =
  /** Handled: the CPU continues at the next instruction (registers may have changed). */
  | { kind: "handled" }
  /** The run loop must stop and hand control to the caller (e.g. exit to userspace). */
  | { kind: "exit"; reason: string };

/**
 * The role QEMU's PPCVirtualHypervisorClass plays: the CPU runs a guest (MSR[HV]=0) with no
 * real hypervisor state above it, and the simulator itself is the hypervisor.
 */
export interface VirtualHypervisor {
  /** `sc 1` from MSR[HV]=0, MSR[PR]=0: the hcall number is in r3. */
  hcall(cpu: CpuView): VhypOutcome;
  /**
   * A hypervisor-class interrupt (0x980 HDEC, 0xE00 HDSI, 0xE20 HISI, 0xE40 HEAI, 0xE80,
   * 0xEA0, 0xF80 HFU, or 0x500 with LPES0=0) raised while the guest runs. `srr0`/`srr1` are
   * what HSRR0/HSRR1 would have received.
   */
  hypervisorInterrupt(
    cpu: CpuView,
    vector: number,
    srr0Hi: number,
    srr0Lo: number,
    srr1Hi: number,
    srr1Lo: number,
  ): VhypOutcome;
  /** Partition-table entry for `lpid` (two doublewords as hi/lo), or null if none. */
  getPate?(lpid: number): { dw0Hi: number; dw0Lo: number; dw1Hi: number; dw1Lo: number } | null;
}

/** The asynchronous inputs of one CPU thread. */
export interface InterruptLines {
  /** External interrupt input (0x500), level-sensitive. */
  external(): boolean;
  /** Hypervisor virtualization interrupt input (0xEA0, XIVE), level-sensitive. */
  hvVirtualization(): boolean;
  /** msgsnd/msgsndp to another thread: `rb` is the instruction's RB low word. */
  doorbell?(rbLo: number, privileged: boolean): void;
}

/** The part of the CPU a port may see and change (registers as hi/lo, plus BigInt helpers). */
export interface CpuView {
  getGpr(n: number): bigint;
  setGpr(n: number, v: bigint): void;
  readonly pir: number;
}
