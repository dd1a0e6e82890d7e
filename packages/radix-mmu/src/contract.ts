// The CPU <-> MMU contract. @hvsim/ppc-isa declares the same shapes as its `Translator` port
// (consumer side); RadixMmu satisfies it structurally, so neither package imports the other.
// Keep these declarations identical to ppc-isa's: contract.test.ts checks assignability.

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
  /**
   * HRMOR (hypervisor real mode offset), OR-ed into HV real-mode addresses whose EA bit 0 is
   * clear. Optional addition to the shared contract; absent means 0 (as on POWER9 at reset).
   */
  hrmor?: number;
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

/** The fields of a tlbie/tlbiel instruction plus the registers it executes under. */
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

export interface Translator {
  translate(
    eaHi: number,
    eaLo: number,
    access: AccessKind,
    regs: MmuRegs,
  ): TranslationOk | MmuFault;
  /** Execute tlbie (local=false) / tlbiel (local=true) with the instruction's fields. */
  tlbie(op: TlbieOp): void;
  /** Called whenever cached translations may have changed (any invalidation), so the CPU can
   *  drop its own fast caches (soft TLB, fetch page cache). Returns an unsubscribe function. */
  onInvalidate(listener: () => void): () => void;
}

/**
 * What a tlbie/tlbiel did. RadixMmu.tlbie returns it (a `void`-returning port accepts it):
 * the CPU raises the program interrupt for "invalid-form" (SRR1 illegal) and "privileged",
 * and for "hv-privileged" the Hypervisor Emulation Assistance interrupt (ISA) -- QEMU TCG
 * raises a privileged program interrupt there instead.
 */
export type TlbieOutcome =
  | { kind: "done" }
  | { kind: "invalid-form"; reason: string }
  | { kind: "privileged" }
  | { kind: "hv-privileged" };
