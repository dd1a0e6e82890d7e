// Integration with @hvsim/ppc-isa (a devDependency: the package itself imports nothing). Real
// machine code, assembled by ppc-isa's assembler, runs on ppc-isa's Cpu with RadixMmu as its
// Translator; page tables are built with this package's builders in the same RAM the CPU uses
// (FlatRamBus, seen by the MMU through physMemOverBus). Interrupt handlers are assembly too:
// they read the fault registers with mfspr and recover by writing a PTE, then rfid/hrfid.
import { Cpu, FlatRamBus, SPR, assemble, type StopReason } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import { BumpAllocator } from "./builders/allocator";
import { guestRealView } from "./builders/guest-real-view";
import {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
} from "./builders/tables";
import {
  createTree,
  lookupLeaf,
  mapPage,
  mapRange,
  unmapPage,
  type RadixTree,
} from "./builders/tree";
import { physMemOverBus, type PhysMem } from "./phys-mem";
import { RadixMmu } from "./radix-mmu";

const RAM = 32 << 20;
/** Host page-table pages. */
const TABLES = 0x1000000;
const TABLES_END = 0x1400000;
/** Where handlers find the PTE to install: [entry address (LE quad), PTE bytes] x 4 slots. */
const FIXUP = 0xf000;
/** The quadrant-3 kernel base: EA 0xc000000000000000 + x is tree address x. */
const KBASE = 0xc000000000000000n;

// MSR images (IBM bits: SF 0, HV 3, ME 51, IR 58, DR 59, LE 63).
const MSR_HV_KERNEL = 0x9000000000001031n; // SF|HV|ME|IR|DR|LE
const MSR_GUEST_KERNEL = 0x8000000000001031n; // SF|ME|IR|DR|LE, MSR[HV]=0
/** What (H)SRR1 receives from an interrupted MSR: bits 33:36 and 42:47 cleared. */
const srr1Of = (msr: bigint, cause = 0n): bigint => (msr & ~0x783f0000n) | cause;

const HID0_HILE = 0x0800000000000000n; // HV interrupts taken little-endian
const LPCR_HR = 0x100000n; // bit 43: the guest uses radix
const LPCR_ILE = 0x2000000n; // bit 38: guest interrupts little-endian
const LPCR_GTSE = 0x400n; // bit 53

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** `li`-free 64-bit constant load (the five-instruction sequence Linux's LOAD_REG_IMMEDIATE uses). */
function load64(reg: number, v: bigint): string {
  const h = (s: bigint): string => hex((v >> s) & 0xffffn);
  return [
    `lis r${reg}, ${h(48n)}`,
    `ori r${reg}, r${reg}, ${h(32n)}`,
    `sldi r${reg}, r${reg}, 32`,
    `oris r${reg}, r${reg}, ${h(16n)}`,
    `ori r${reg}, r${reg}, ${h(0n)}`,
  ].join("\n");
}
const mtspr = (spr: number, reg: number, v: bigint): string =>
  `${load64(reg, v)}\nmtspr ${spr}, r${reg}`;

/** A handler epilogue: copy fixup slot `slot` (entry address, PTE bytes) into the tree. */
function installPte(slot: number): string {
  return [
    load64(25, BigInt(FIXUP + 16 * slot)),
    "ld r26, 0(r25)",
    "ld r27, 8(r25)",
    "std r27, 0(r26)", // the 8 bytes move unchanged: the PTE stays big-endian in memory
    "ptesync",
  ].join("\n");
}

class Machine {
  readonly bus = new FlatRamBus(RAM);
  readonly mem: PhysMem = physMemOverBus(this.bus);
  readonly alloc = new BumpAllocator(this.mem, TABLES, TABLES_END);
  readonly partitionTable = createPartitionTable(this.mem, this.alloc);
  readonly mmu = new RadixMmu({ mem: this.mem });
  readonly cpu = new Cpu({ bus: this.bus, translator: this.mmu });
  private readonly view = new DataView(this.bus.bytes.buffer);

  load(ra: number, source: string): Map<string, bigint> {
    const out = assemble(source);
    this.bus.loadImage(ra, out.sections.get(".text")!);
    return new Map(out.symbols);
  }

  /**
   * Prepares fixup slot `slot` with the leaf that maps `addr` in `tree` (as the builders
   * wrote it), then removes or replaces that leaf: the handler puts it back.
   */
  stagePte(tree: RadixTree, slot: number, addr: number, then: () => void): void {
    const leaf = lookupLeaf(tree, addr)!;
    // Entry addresses are host real for host and partition-scoped trees.
    const entry = leaf.entryAddr;
    const a = FIXUP + 16 * slot;
    this.view.setBigUint64(a, BigInt(entry), true);
    this.bus.bytes.copyWithin(a + 8, entry, entry + 8);
    then();
  }

  quad(ra: number, v: bigint): void {
    this.view.setBigUint64(ra, v, true);
  }

  u64(ra: number): bigint {
    return this.view.getBigUint64(ra, true);
  }

  run(max = 100_000): StopReason {
    this.cpu.pc = 0x100n;
    return this.cpu.run(max);
  }

  reg(n: number): bigint {
    return this.cpu.getGpr(n);
  }
}

/**
 * The hypervisor-state setup kvm-unit-tests uses on powernv: PTCR names a partition table whose
 * PATE[0] holds the process table; PRTE[0] (the kernel's PID, used by quadrant 3) is a
 * Linux-shaped tree mapping 0xc000000000000000 + x to real x. 4 KiB pages in the first 2 MiB
 * (so single pages can be unmapped), the largest pages above.
 */
function hostMachine(opts: { lpcr?: bigint } = {}) {
  const m = new Machine();
  const processTable = createProcessTable(m.mem, m.alloc);
  const tree = createTree(m.mem, m.alloc);
  mapRange(tree, 0, 0, 0x200000, { perm: 7, priv: true }, 12);
  mapRange(tree, 0x200000, 0x200000, RAM - 0x200000, { perm: 7, priv: true });
  setPrte(processTable, 0, tree);
  // PATE[0] dw0 names the kernel tree too, as Linux's radix__early_init_mmu writes it (POWER9
  // checks HR and RPDS in dw0 even for the host's own entry).
  setPate(m.partitionTable, 0, radixPate(tree, processTable));
  const ptcr = (BigInt(m.partitionTable.ptcrHi) << 32n) | BigInt(m.partitionTable.ptcrLo);
  // Boot in hypervisor real mode at 0x100, as firmware would: set up the MMU registers, then
  // rfid to the kernel at 0xc000000000010000 with relocation on.
  const boot = [
    ".org 0x100",
    mtspr(1008, 3, HID0_HILE),
    mtspr(SPR.PTCR, 3, ptcr),
    mtspr(SPR.LPCR, 3, opts.lpcr ?? 0n), // AIL=0: interrupts at their real vectors
    "li r3, 0",
    `mtspr ${SPR.PIDR}, r3`,
    `mtspr ${SPR.LPIDR}, r3`,
    load64(3, KBASE + 0x10000n),
    load64(4, MSR_HV_KERNEL),
    "mtsrr0 r3",
    "mtsrr1 r4",
    "rfid",
  ];
  return { m, tree, boot };
}

/** DSI/ISI/program handlers: record DAR, DSISR, SRR0, SRR1 in r20..r23, count in r24. */
function hvHandlers(dsiSlot: number, isiSlot: number): string[] {
  const record = (ret: string) =>
    [
      `mfspr r20, ${SPR.DAR}`,
      `mfspr r21, ${SPR.DSISR}`,
      `mfspr r22, ${SPR.SRR0}`,
      `mfspr r23, ${SPR.SRR1}`,
      "addi r24, r24, 1",
      ret,
    ].join("\n");
  return [
    ".org 0x300",
    "b dsi",
    ".org 0x400",
    "b isi",
    ".org 0x700",
    "b program",
    ".org 0x1000",
    `dsi:\n${record(installPte(dsiSlot))}\nrfid`,
    `isi:\n${record(installPte(isiSlot))}\nrfid`,
    // Program interrupt: record, skip the instruction.
    `program:\n${record("")}\naddi r22, r22, 4\nmtsrr0 r22\nrfid`,
  ];
}

describe("ppc-isa Cpu on RadixMmu: hypervisor state (PTCR, PATE[0], quadrant 3)", () => {
  it("runs at 0xc000000000000000 with relocation on through an identity map", () => {
    const { m, boot } = hostMachine();
    const sym = m.load(
      0,
      [
        ...boot,
        ".org 0x10000",
        load64(3, KBASE + 0x20000n),
        "ld r4, 0(r3)",
        "addi r4, r4, 1",
        "std r4, 8(r3)",
        "bl 1f",
        "done: attn",
        "1: mflr r5",
        "blr",
      ].join("\n"),
    );
    m.quad(0x20000, 0x1122334455667788n);
    expect(m.run()).toEqual({ kind: "attn" });
    const done = KBASE + sym.get("done")!;
    expect(hex(m.cpu.pc)).toBe(hex(done));
    expect(hex(m.reg(4))).toBe("0x1122334455667789");
    expect(m.u64(0x20008)).toBe(0x1122334455667789n);
    expect(hex(m.reg(5))).toBe(hex(done));
    expect(m.cpu.msr).toBe(MSR_HV_KERNEL);
    // The translations went through the MMU's walk and TLB.
    const c = m.mmu.counters();
    expect(c.walks).toBeGreaterThan(0);
    expect(c.tlbHits + c.walks).toBeGreaterThan(0);
  });

  it("DSI (no PTE) with DAR, DSISR, SRR0, SRR1; the assembly handler maps the page", () => {
    const { m, tree, boot } = hostMachine();
    const sym = m.load(
      0,
      [
        ...boot,
        ...hvHandlers(0, 1),
        ".org 0x10000",
        "li r24, 0",
        load64(3, KBASE + 0x30000n),
        "faulting: ld r4, 8(r3)",
        "attn",
      ].join("\n"),
    );
    m.quad(0x30008, 0xabcdefn);
    m.stagePte(tree, 0, 0x30000, () => unmapPage(tree, 0x30000));
    expect(m.run()).toEqual({ kind: "attn" });
    expect(m.reg(24)).toBe(1n); // one fault, then the retried load succeeded
    expect(hex(m.reg(4))).toBe("0xabcdef");
    expect(hex(m.reg(20))).toBe(hex(KBASE + 0x30008n)); // DAR
    expect(hex(m.reg(21))).toBe("0x40000000"); // DSISR: no PTE (load)
    expect(hex(m.reg(22))).toBe(hex(KBASE + sym.get("faulting")!)); // SRR0
    expect(hex(m.reg(23))).toBe(hex(srr1Of(MSR_HV_KERNEL))); // SRR1: the MSR, no cause bits
  });

  it("DSI (protection, store) on a read-only page; the handler makes it writable", () => {
    const { m, tree, boot } = hostMachine();
    m.load(
      0,
      [
        ...boot,
        ...hvHandlers(0, 1),
        ".org 0x10000",
        "li r24, 0",
        load64(3, KBASE + 0x31000n),
        "ld r4, 0(r3)", // reading is allowed
        "li r5, 42",
        "std r5, 16(r3)",
        "ld r6, 16(r3)",
        "attn",
      ].join("\n"),
    );
    // Slot 0 holds the writable PTE; the page is then remapped read-only.
    m.stagePte(tree, 0, 0x31000, () =>
      mapPage(tree, 0x31000, 0x31000, 12, { perm: 0b001, priv: true }),
    );
    expect(m.run()).toEqual({ kind: "attn" });
    expect(m.reg(24)).toBe(1n);
    expect(m.reg(6)).toBe(42n);
    expect(hex(m.reg(20))).toBe(hex(KBASE + 0x31010n));
    expect(hex(m.reg(21))).toBe("0xa000000"); // PROTFAULT | ISSTORE
  });

  it.each([
    ["no PTE", 0x40000000n],
    ["no-execute page", 0x10000000n],
  ])("ISI (%s) with SRR0 and SRR1 cause bits; the handler maps the page", (_n, cause) => {
    const { m, tree, boot } = hostMachine();
    m.load(
      0,
      [
        ...boot,
        ...hvHandlers(0, 1),
        ".org 0x10000",
        "li r24, 0",
        "li r20, 0",
        "li r21, 0",
        load64(3, KBASE + 0x50000n),
        "mtctr r3",
        "bctrl",
        "attn",
        ".org 0x50000",
        "li r9, 99",
        "blr",
      ].join("\n"),
    );
    m.stagePte(tree, 1, 0x50000, () =>
      cause === 0x40000000n
        ? unmapPage(tree, 0x50000)
        : mapPage(tree, 0x50000, 0x50000, 12, { perm: 0b011, priv: true }),
    );
    expect(m.run()).toEqual({ kind: "attn" });
    expect(m.reg(24)).toBe(1n);
    expect(m.reg(9)).toBe(99n);
    expect(hex(m.reg(22))).toBe(hex(KBASE + 0x50000n)); // SRR0 = the target
    expect(hex(m.reg(23))).toBe(hex(srr1Of(MSR_HV_KERNEL, cause))); // SRR1 cause bits
    expect(m.reg(20)).toBe(0n); // DAR and DSISR are not set by an ISI
    expect(m.reg(21)).toBe(0n);
  });
});

/** Guest RAM: guest real [0, 4 MiB) lives at host real [8 MiB, 12 MiB). */
const GUEST_HPA = 0x800000;
const GUEST_SIZE = 0x400000;
const LPID = 1;

/**
 * A radix guest (MSR[HV]=0, LPIDR=1) under hypervisor code that runs in real mode, with no
 * virtual hypervisor: PATE[1] = (partition-scoped tree, guest process table). The partition
 * tree maps guest real memory with 4 KiB pages; the guest's own tables live in guest real
 * memory (built through guestRealView) and map 0xc000000000000000 + x to guest real x.
 */
function guestMachine() {
  const m = new Machine();
  const partitionTree = createTree(m.mem, m.alloc);
  mapRange(partitionTree, 0, GUEST_HPA, GUEST_SIZE, { perm: 7 }, 12);
  const gmem = guestRealView(partitionTree);
  const galloc = new BumpAllocator(gmem, 0x100000, 0x200000);
  const processTable = createProcessTable(gmem, galloc);
  const guestTree = createTree(gmem, galloc);
  mapRange(guestTree, 0, 0, GUEST_SIZE, { perm: 7, priv: true });
  setPrte(processTable, 0, guestTree);
  setPate(m.partitionTable, LPID, radixPate(partitionTree, processTable));
  const ptcr = (BigInt(m.partitionTable.ptcrHi) << 32n) | BigInt(m.partitionTable.ptcrLo);
  // The hypervisor: set PTCR, LPIDR, LPCR[HR|ILE|GTSE] (AIL=0), enter the guest with hrfid.
  const hv = [
    ".org 0x100",
    mtspr(1008, 3, HID0_HILE),
    mtspr(SPR.PTCR, 3, ptcr),
    mtspr(SPR.LPCR, 3, LPCR_HR | LPCR_ILE | LPCR_GTSE),
    "li r3, 0",
    `mtspr ${SPR.PIDR}, r3`,
    `li r3, ${LPID}`,
    `mtspr ${SPR.LPIDR}, r3`,
    mtspr(SPR.HSRR0, 3, KBASE + 0x10000n),
    mtspr(SPR.HSRR1, 4, MSR_GUEST_KERNEL),
    "hrfid",
    // sc 1 from the guest: the hypervisor stops the machine.
    ".org 0xc00",
    "attn",
    // HDSI: record HDAR, HDSISR, ASDR, HSRR0, HSRR1 in r14..r18; map the page; hrfid.
    ".org 0xe00",
    "b hdsi",
    // HISI: record ASDR, HSRR0, HSRR1 in r19..r21; map the page; hrfid.
    ".org 0xe20",
    "b hisi",
    ".org 0x1000",
    "hdsi:",
    `mfspr r14, ${SPR.HDAR}`,
    `mfspr r15, ${SPR.HDSISR}`,
    `mfspr r16, ${SPR.ASDR}`,
    `mfspr r17, ${SPR.HSRR0}`,
    `mfspr r18, ${SPR.HSRR1}`,
    "addi r24, r24, 1",
    installPte(0),
    "hrfid",
    "hisi:",
    `mfspr r19, ${SPR.ASDR}`,
    `mfspr r20, ${SPR.HSRR0}`,
    `mfspr r21, ${SPR.HSRR1}`,
    "addi r24, r24, 1",
    installPte(1),
    "hrfid",
  ];
  return { m, partitionTree, guestTree, hv };
}

describe("ppc-isa Cpu on RadixMmu: guest state (MSR[HV]=0, LPIDR=1) under hypervisor code", () => {
  it("runs the guest at 0xc000000000000000 through the 2-D walk; the guest takes its own DSI", () => {
    const { m, hv } = guestMachine();
    m.load(0, hv.join("\n"));
    // The guest kernel, loaded in guest real memory. Its DSI handler (guest real 0x300, run
    // with relocation off: guest real mode goes through the partition tree) skips the load.
    const sym = m.load(
      GUEST_HPA,
      [
        ".org 0x300",
        `mfspr r26, ${SPR.DAR}`,
        `mfspr r27, ${SPR.DSISR}`,
        `mfspr r28, ${SPR.SRR0}`,
        `mfspr r29, ${SPR.SRR1}`,
        "addi r30, r28, 4",
        "mtsrr0 r30",
        "rfid",
        ".org 0x10000",
        load64(3, KBASE + 0x20000n),
        "ld r4, 0(r3)",
        load64(5, KBASE + 0x500000n), // beyond the guest's 4 MiB map: a process-scoped fault
        "bad: ld r6, 0(r5)",
        "sc 1",
      ].join("\n"),
    );
    m.quad(GUEST_HPA + 0x20000, 0x600dn);
    expect(m.run()).toEqual({ kind: "attn" });
    expect(m.reg(4)).toBe(0x600dn);
    expect(hex(m.reg(26))).toBe(hex(KBASE + 0x500000n)); // guest DAR
    expect(hex(m.reg(27))).toBe("0x40000000"); // guest DSISR: no PTE
    expect(hex(m.reg(28))).toBe(hex(KBASE + sym.get("bad")!));
    expect(hex(m.reg(29))).toBe(hex(srr1Of(MSR_GUEST_KERNEL))); // MSR[HV]=0 in SRR1
    // sc 1 entered the hypervisor: SRR1 shows guest state, MSR has HV.
    expect(hex(m.cpu.getSpr(SPR.SRR1))).toBe(hex(srr1Of(MSR_GUEST_KERNEL)));
    expect(m.cpu.msr & 0x1000000000000000n).toBe(0x1000000000000000n);
    expect(m.mmu.counters().walks).toBeGreaterThan(0);
  });

  it("HDSI and HISI go to the hypervisor (HSRR0/1, HDAR, HDSISR, ASDR), which maps and hrfids", () => {
    const { m, partitionTree, hv } = guestMachine();
    m.load(0, hv.join("\n"));
    const sym = m.load(
      GUEST_HPA,
      [
        ".org 0x10000",
        "li r24, 0",
        load64(3, KBASE + 0x300000n),
        "hdsi_at: ld r4, 8(r3)",
        load64(5, KBASE + 0x310000n),
        "mtctr r5",
        "bctrl",
        "sc 1",
      ].join("\n"),
    );
    // (Loaded apart: one image up to 0x310000 would overwrite the guest's page tables.)
    m.load(GUEST_HPA + 0x310000, "li r9, 99\nblr");
    m.quad(GUEST_HPA + 0x300008, 0xfeedn);
    // Guest real pages 0x300000 (data) and 0x310000 (code) are missing from the partition tree.
    m.stagePte(partitionTree, 0, 0x300000, () => unmapPage(partitionTree, 0x300000));
    m.stagePte(partitionTree, 1, 0x310000, () => unmapPage(partitionTree, 0x310000));
    expect(m.run()).toEqual({ kind: "attn" });
    expect(m.reg(24)).toBe(2n);
    expect(m.reg(4)).toBe(0xfeedn);
    expect(m.reg(9)).toBe(99n);
    // HDSI
    expect(hex(m.reg(14))).toBe(hex(KBASE + 0x300008n)); // HDAR = EA
    expect(hex(m.reg(15))).toBe("0x40000000"); // HDSISR: no PTE
    // ASDR = the guest real address (QEMU's g_raddr; KVM uses only its page bits).
    expect(hex(m.reg(16))).toBe("0x300008");
    expect(hex(m.reg(17))).toBe(hex(KBASE + sym.get("hdsi_at")!)); // HSRR0
    expect(hex(m.reg(18))).toBe(hex(srr1Of(MSR_GUEST_KERNEL))); // HSRR1: guest MSR
    // HISI
    expect(hex(m.reg(19))).toBe("0x310000"); // ASDR
    expect(hex(m.reg(20))).toBe(hex(KBASE + 0x310000n)); // HSRR0 = fetch address
    expect(hex(m.reg(21))).toBe(hex(srr1Of(MSR_GUEST_KERNEL, 0x40000000n))); // HSRR1 cause
  });
});

describe("ppc-isa Cpu on RadixMmu: tlbie executed by the CPU", () => {
  /**
   * The kernel reads page A (caching its translation), retargets A's PTE from real 0x32000 to
   * 0x33000 with a plain store, reads again, then (optionally) executes Linux's global
   * invalidation sequence for that page and reads a third time.
   */
  function retarget(withTlbie: boolean) {
    const { m, tree, boot } = hostMachine();
    m.load(
      0,
      [
        ...boot,
        ".org 0x10000",
        load64(3, KBASE + 0x32000n),
        "ld r4, 0(r3)",
        installPte(0), // the new PTE (A -> 0x33000), ending with ptesync
        "ld r5, 0(r3)",
        // tlbie RB = EA | AP(4K)=0 | IS=0, RS = PID 0 << 32 | LPID 0, RIC=0, PRS=1, R=1
        "li r6, 0",
        withTlbie ? "tlbie r3, r6, 0, 1, 1" : "nop",
        "eieio",
        "tlbsync",
        "ptesync",
        "ld r7, 0(r3)",
        "attn",
      ].join("\n"),
    );
    m.quad(0x32000, 0xaaaan);
    m.quad(0x33000, 0xbbbbn);
    // Slot 0 gets the new PTE; the tree keeps the old one: the program installs the new one.
    mapPage(tree, 0x32000, 0x33000, 12, { perm: 7, priv: true });
    m.stagePte(tree, 0, 0x32000, () =>
      mapPage(tree, 0x32000, 0x32000, 12, { perm: 7, priv: true }),
    );
    expect(m.run()).toEqual({ kind: "attn" });
    return { m, first: m.reg(4), beforeTlbie: m.reg(5), after: m.reg(7) };
  }

  it("a stale translation survives the PTE change and disappears with tlbie", () => {
    const r = retarget(true);
    expect(r.first).toBe(0xaaaan);
    expect(r.beforeTlbie).toBe(0xaaaan); // the TLB really caches
    expect(r.after).toBe(0xbbbbn);
    expect(r.m.mmu.translate(0xc0000000, 0x32008, 0, r.m.cpu.mmuRegs)).toMatchObject({
      ra: 0x33008,
    });
    expect(r.m.mmu.counters().tlbie).toBe(1);
    expect(r.m.mmu.counters().tlbEntriesDropped).toBe(1);
  });

  it("without the tlbie the stale translation stays", () => {
    const r = retarget(false);
    expect(r.first).toBe(0xaaaan);
    expect(r.after).toBe(0xaaaan);
    expect(r.m.mmu.counters().tlbie).toBe(0);
    // The stale entry is the MMU's, not only the CPU's soft TLB.
    expect(r.m.mmu.translate(0xc0000000, 0x32008, 0, r.m.cpu.mmuRegs)).toMatchObject({
      ra: 0x32008,
    });
  });

  // The ISA makes RIC=3 an invalid form. RadixMmu's tlbie answers { kind: "invalid-form" } and
  // the Cpu treats the word as illegal: HEAI (0xE40, HEIR = the word) in hypervisor state, as
  // POWER9 does for illegal instructions. QEMU raises a program interrupt with SRR1[illegal].
  it("an invalid tlbie form (RIC=3) is an illegal instruction: HEAI with HEIR", () => {
    const { m, boot } = hostMachine();
    const outcomes: unknown[] = [];
    const tlbie = m.mmu.tlbie.bind(m.mmu);
    m.mmu.tlbie = (op) => {
      const o = tlbie(op);
      outcomes.push(o);
      return o;
    };
    const sym = m.load(
      0,
      [
        ...boot,
        ".org 0xe40",
        "b heai",
        ".org 0x1000",
        "heai:",
        `mfspr r22, ${SPR.HSRR0}`,
        `mfspr r23, ${SPR.HEIR}`,
        "addi r24, r24, 1",
        "addi r22, r22, 4",
        `mtspr ${SPR.HSRR0}, r22`,
        "hrfid",
        ".org 0x10000",
        "li r24, 0",
        "li r3, 0",
        "li r6, 0",
        "bad: tlbie r3, r6, 3, 1, 1",
        "attn",
      ].join("\n"),
    );
    expect(m.run()).toEqual({ kind: "attn" });
    expect(outcomes).toEqual([{ kind: "invalid-form", reason: expect.any(String) }]);
    expect(m.reg(24)).toBe(1n);
    expect(hex(m.reg(22))).toBe(hex(KBASE + sym.get("bad")! + 4n));
    expect(m.reg(23) & 0xffffffffn).toBe(0x7ccf1a64n); // HEIR: tlbie r3,r6,3,1,1
  });
});
