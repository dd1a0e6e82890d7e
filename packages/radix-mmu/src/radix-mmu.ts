import type {
  AccessKind,
  MmuFault,
  MmuRegs,
  TlbieOp,
  TlbieOutcome,
  TranslationOk,
  Translator,
} from "./contract";
import { hvStorageFault, segmentFault, storageFault } from "./faults";
import { ACCESS_BIT, EAA_PERM, partPerm, procPerm, procPermNoRc } from "./permissions";
import { copyCounters, READS_HISTOGRAM_MAX, zeroCounters, type MmuCounters } from "./counters";
import { PageWalkCache, PWC_PARTITION, PWC_PROCESS, type PwcEntry } from "./page-walk-cache";
import type { PhysMem } from "./phys-mem";
import { modPow2, POW2 } from "./pow2";
import { ProcessTableCache, type PrteCacheEntry } from "./process-table-cache";
import {
  ATT_NI_IO,
  DSISR_ATOMIC_RC,
  DSISR_BADCONFIG,
  DSISR_NOPTE,
  DSISR_PROTFAULT,
  DSISR_PRTABLE_FAULT,
  PATE_HR_HI,
  PTE_ATT,
  PTE_C,
  PTE_L_HI,
  PTE_R,
  PTE_V_HI,
  SRR1_NOEXEC_GUARD,
  TWO32,
} from "./registers";
import { decodeTlbie, type Invalidation } from "./tlbie";
import { Tlb, TLB_PARTITION, TLB_PROCESS, type TlbEntry } from "./tlb";

/**
 * Where partition-table entries come from when there is no PTCR table in memory: a virtual
 * hypervisor, as QEMU's spapr machine supplies them through `get_pate`.
 */
export interface PateSource {
  /** Writes PATE[lpid] as out[0]=dw0 hi, out[1]=dw0 lo, out[2]=dw1 hi, out[3]=dw1 lo;
   *  returns false when the LPID has no entry (HDSI/HISI BADCONFIG). */
  getPate(lpid: number, out: Uint32Array): boolean;
  /** True when guest real addresses are host real addresses (QEMU's "flat" vhyp addressing
   *  for a pseries guest that is not running a nested guest): no partition-scoped walk. */
  readonly flat: boolean;
}

export interface RadixMmuOptions {
  /** Real memory the tables live in (host real addresses). */
  mem: PhysMem;
  /** Supply PATEs from a virtual hypervisor instead of reading the PTCR table. */
  pateSource?: PateSource;
  /**
   * "power9" (default): the tree shapes POWER9/POWER10 implement and QEMU enforces -- a 52-bit
   * tree with a 13-bit root, 9-bit middle levels and a 9- or 5-bit last level -- and a valid
   * PATE (HR set, RPDS >= 5). "permissive": any tree of at most 52 bits whose levels have 5..16
   * index bits and whose pages are >= 4 KiB (microwatt's 39-bit trees), and an LPID 0 PATE
   * without HR when MSR[HV]=1 (microwatt writes only dw1).
   */
  treeChecks?: "power9" | "permissive";
  /**
   * "fault" (default): R clear (any access) or C clear (store) raises a storage interrupt with
   * DSISR[ATOMIC_RC], as POWER9 hardware, current QEMU and microwatt do. "set": the MMU sets R,
   * and C on a store, in the PTE (the other behaviour the ISA allows).
   */
  rc?: "fault" | "set";
  /** TLB entries: 0 (off) or a power of two; default 1024. */
  tlbEntries?: number;
  /** Page-walk cache entries: 0 (off) or a power of two; default 64. */
  pwcEntries?: number;
  /** Cache partition- and process-table entries (invalidated by RIC=2); default true. */
  tableCache?: boolean;
  /** Receives guest errors the hardware tolerates (misaligned tables, undefined forms). */
  onGuestError?: (message: string) => void;
}

/** Plain-data MMU state (caches are state: a missing invalidation must survive migration). */
export interface RadixMmuState {
  version: 1;
  tlb: TlbEntry[];
  pwc: PwcEntry[];
  pate: { lpid: number; words: [number, number, number, number] }[];
  pateCachePtcr: [number, number];
  prte: PrteCacheEntry[];
}

const PATE_CACHE_LPIDS = 4096;
const NO_ENTRY = -1;
/** Walk outcomes. */
const WALK_OK = 0;
const WALK_FAULT = -1;
const WALK_NESTED_FAULT = -2;

function treeIndex(vaHi: number, vaLo: number, shift: number, nls: number): number {
  const v =
    shift >= 32
      ? vaHi >>> (shift - 32)
      : shift <= 0
        ? vaLo
        : (vaLo >>> shift) | (vaHi << (32 - shift));
  return (v & ((1 << nls) - 1)) >>> 0;
}

/**
 * The POWER9 radix MMU: process- and partition-scoped translation including the 2-D walk of a
 * guest, a TLB and page-walk cache tagged by LPID/PID, PATE/PRTE caches, tlbie/tlbiel and
 * faults as values. Satisfies ppc-isa's `Translator` port.
 */
export class RadixMmu implements Translator {
  private readonly mem: PhysMem;
  private readonly pateSource: PateSource | undefined;
  private readonly flat: boolean;
  private readonly strict: boolean;
  private readonly rcSet: boolean;
  private readonly tableCache: boolean;
  private readonly log: (message: string) => void;
  readonly tlb: Tlb;
  readonly pwc: PageWalkCache;
  private c: MmuCounters = zeroCounters();
  private readonly listeners = new Set<() => void>();

  // PATE cache: LPID-indexed words, valid flags, and the PTCR they were read under.
  private readonly pateWords = new Uint32Array(PATE_CACHE_LPIDS * 4);
  private readonly pateValid = new Uint8Array(PATE_CACHE_LPIDS);
  private pateCachePtcrHi = 0;
  private pateCachePtcrLo = 0;
  private readonly prteCache = new ProcessTableCache();

  // Scratch state of the walk in progress.
  private readonly pateBuf = new Uint32Array(4);
  private p0Hi = 0;
  private p0Lo = 0;
  private p1Hi = 0;
  private p1Lo = 0;
  private wReads = 0;
  private wCause = 0;
  private wShift = 0;
  private wRa = 0;
  private wPteLo = 0;
  private wPteAddr = 0;
  private pShift = 0;
  private pAttr = 0;
  private fault: MmuFault | null = null;

  constructor(opts: RadixMmuOptions) {
    this.mem = opts.mem;
    this.pateSource = opts.pateSource;
    this.flat = opts.pateSource?.flat ?? false;
    this.strict = (opts.treeChecks ?? "power9") === "power9";
    this.rcSet = (opts.rc ?? "fault") === "set";
    this.tableCache = opts.tableCache ?? true;
    this.log = opts.onGuestError ?? (() => {});
    this.tlb = new Tlb(opts.tlbEntries ?? 1024);
    this.pwc = new PageWalkCache(opts.pwcEntries ?? 64);
  }

  // ---------------------------------------------------------------- translation

  translate(
    eaHi: number,
    eaLo: number,
    access: AccessKind,
    regs: MmuRegs,
  ): TranslationOk | MmuFault {
    this.c.translations++;
    eaHi >>>= 0;
    eaLo >>>= 0;
    const reloc = access === 2 ? regs.msrIR : regs.msrDR;
    const hv = regs.msrHV;
    if (!reloc && (hv || this.flat)) return this.realMode(eaHi, eaLo, hv, regs);

    // EA bits 2:11 beyond the 52-bit tree: segment interrupt.
    if ((eaHi & 0x3ff00000) !== 0) return this.segmentFault(eaHi, eaLo, access);
    const q = eaHi >>> 30;
    let lpid: number;
    let pid: number;
    if (hv) {
      lpid = q === 1 || q === 2 ? regs.lpidr >>> 0 : 0;
      pid = q === 0 || q === 1 ? regs.pidr >>> 0 : 0;
    } else {
      if (q === 1 || q === 2) return this.segmentFault(eaHi, eaLo, access);
      lpid = regs.lpidr >>> 0;
      pid = q === 0 ? regs.pidr >>> 0 : 0;
    }
    const va = (eaHi & 0xfffff) * TWO32 + eaLo;
    if (!reloc) return this.guestRealMode(eaHi, eaLo, va, access, lpid, regs);

    // A guest with LPID 0 is invalid unless a virtual hypervisor supplies its PATE: do not let
    // it hit the host's LPID-0 entries; the walk raises the fault.
    if (hv || lpid !== 0 || this.pateSource !== undefined) {
      const slot = this.tlb.lookup(TLB_PROCESS, lpid, pid, va);
      if (slot >= 0) {
        const perm = this.entryPerm(slot, regs);
        if ((perm & ACCESS_BIT[access]!) !== 0) {
          this.c.tlbHits++;
          return {
            kind: "ok",
            ra: this.tlb.raBase[slot]! + (va - this.tlb.hitBase),
            pageShift: this.tlb.hitShift,
            perm,
          };
        }
        this.c.tlbUpgradeWalks++;
      } else {
        this.c.tlbMisses++;
      }
    } else {
      this.c.tlbMisses++;
    }
    return this.walk(eaHi, eaLo, va, access, lpid, pid, regs);
  }

  private realMode(eaHi: number, eaLo: number, hv: boolean, regs: MmuRegs): TranslationOk {
    this.c.realMode++;
    // Real mode ignores EA bits 0:3. hvsim real addresses are < 2^52 (DESIGN §5), so bits 4:11
    // are dropped too: there is no memory there to reach.
    let hi = eaHi & 0xfffff;
    let lo = eaLo;
    const hrmor = regs.hrmor ?? 0;
    if (hv && hrmor !== 0 && (eaHi & 0x80000000) === 0) {
      hi = (hi | Math.floor(hrmor / TWO32)) & 0xfffff;
      lo = (lo | hrmor) >>> 0;
    }
    return { kind: "ok", ra: hi * TWO32 + lo, pageShift: 12, perm: 7 };
  }

  private guestRealMode(
    eaHi: number,
    eaLo: number,
    gpa: number,
    access: AccessKind,
    lpid: number,
    regs: MmuRegs,
  ): TranslationOk | MmuFault {
    this.beginWalk();
    if (!this.fetchPate(lpid, regs)) {
      return this.endWalkFault(hvStorageFault(access, eaHi, eaLo, gpa, DSISR_BADCONFIG));
    }
    const hpa = this.partitionXlate(gpa, access, false, eaHi, eaLo, lpid);
    if (hpa < 0) return this.endWalkFault(this.fault!);
    this.endWalk();
    return { kind: "ok", ra: hpa, pageShift: this.pShift, perm: partPerm(this.pAttr) };
  }

  /** Full translation after a TLB miss: PATE, PRTE, process tree, partition tree. */
  private walk(
    eaHi: number,
    eaLo: number,
    va: number,
    access: AccessKind,
    lpid: number,
    pid: number,
    regs: MmuRegs,
  ): TranslationOk | MmuFault {
    this.beginWalk();
    const hv = regs.msrHV;
    if (!this.fetchPate(lpid, regs)) {
      return this.endWalkFault(hvStorageFault(access, eaHi, eaLo, va, DSISR_BADCONFIG));
    }
    // Partition-scoped translation applies to a guest, and to HV accesses to quadrants 1/2.
    const nested = (lpid !== 0 || !hv) && !this.flat;

    // Process table (PATE dw1): base aligned to its size, PID inside it.
    const prtb = (this.p1Hi & 0xfffff) * TWO32 + ((this.p1Lo & 0xfffff000) >>> 0);
    const prtSize = POW2[(this.p1Lo & 0x1f) + 12]!;
    if (modPow2(prtb, (this.p1Lo & 0x1f) + 12) !== 0) {
      return this.endWalkFault(storageFault(access, eaHi, eaLo, DSISR_BADCONFIG));
    }
    if (pid * 16 >= prtSize)
      return this.endWalkFault(storageFault(access, eaHi, eaLo, DSISR_NOPTE));
    const prteAddr = prtb + pid * 16;

    let prHi: number;
    let prLo: number;
    const cached = this.tableCache ? this.prteCache.lookup(lpid, pid) : -1;
    if (cached >= 0) {
      this.c.prteHits++;
      prHi = this.prteCache.hi[cached]!;
      prLo = this.prteCache.lo[cached]!;
    } else {
      this.c.prteMisses++;
      // With MSR[HV]=1 and LPID 0 the process table is read at its real address (the host walk
      // reads PATE + PRTE + 4 levels = 6). QEMU also runs this address through PATE[0]'s tree;
      // with the Linux and kvm-unit-tests layouts (PATE[0] = the kernel's own tree, whose
      // linear map is the identity on the tree address) both give the same address.
      let hpa = prteAddr;
      if (nested) {
        hpa = this.partitionXlate(prteAddr, access, true, eaHi, eaLo, lpid);
        if (hpa < 0) return this.endWalkFault(this.fault!);
      }
      prHi = this.mem.read32(hpa) >>> 0;
      prLo = this.mem.read32(hpa + 4) >>> 0;
      this.wReads++;
      // Linux leaves unused PIDs zero so that they fault.
      if (prHi === 0 && prLo === 0) {
        return this.endWalkFault(storageFault(access, eaHi, eaLo, DSISR_BADCONFIG));
      }
      if (this.tableCache) this.prteCache.insert(lpid, pid, prHi, prLo);
    }

    const treeBits = ((((prHi >>> 29) & 3) << 3) | ((prLo >>> 5) & 7)) + 31;
    const root = (prHi & 0xfffff) * TWO32 + ((prLo & 0xffffff00) >>> 0);
    const r = this.walkTree(
      PWC_PROCESS,
      lpid,
      pid,
      root,
      prLo & 0x1f,
      treeBits,
      va,
      nested,
      eaHi,
      eaLo,
      access,
    );
    if (r === WALK_NESTED_FAULT) return this.endWalkFault(this.fault!);
    if (r === WALK_FAULT) return this.endWalkFault(storageFault(access, eaHi, eaLo, this.wCause));

    // Process-scoped permission check. TLB entries keep only the attribute bits (the low
    // 12 bits of the PTE: SW, R, C, ATT, EAA); the full word is needed to write R/C back.
    let pteLo = this.wPteLo;
    let attr = pteLo & 0xfff;
    const procShift = this.wShift;
    const gRa = this.wRa;
    if ((attr & PTE_ATT) === ATT_NI_IO && access === 2) {
      return this.endWalkFault(storageFault(access, eaHi, eaLo, SRR1_NOEXEC_GUARD));
    }
    if ((procPermNoRc(attr, regs) & ACCESS_BIT[access]!) === 0) {
      return this.endWalkFault(
        storageFault(access, eaHi, eaLo, access === 2 ? SRR1_NOEXEC_GUARD : DSISR_PROTFAULT),
      );
    }
    const need = access === 1 ? PTE_R | PTE_C : PTE_R;
    if ((attr & need) !== need) {
      if (!this.rcSet) return this.endWalkFault(storageFault(access, eaHi, eaLo, DSISR_ATOMIC_RC));
      pteLo = this.setRc(this.wPteAddr, pteLo, need);
      attr = pteLo & 0xfff;
    }

    let ra = gRa;
    let shift = procShift;
    let partAttr = NO_ENTRY;
    let gpaBase = 0;
    if (nested) {
      const hpa = this.partitionXlate(gRa, access, false, eaHi, eaLo, lpid);
      if (hpa < 0) return this.endWalkFault(this.fault!);
      ra = hpa;
      // The TLB entry covers the smaller of the two pages.
      if (this.pShift < shift) shift = this.pShift;
      partAttr = this.pAttr;
      gpaBase = gRa - modPow2(gRa, shift);
    }
    const off = modPow2(va, shift);
    this.tlb.insert(TLB_PROCESS, lpid, pid, shift, va, ra - off, attr, partAttr, gpaBase);
    this.endWalk();
    let perm = procPerm(attr, regs);
    if (partAttr !== NO_ENTRY) perm &= partPerm(partAttr);
    return { kind: "ok", ra, pageShift: shift, perm };
  }

  /**
   * Partition-scoped translation of a guest real address (through the partition TLB, else a
   * walk of PATE dw0's tree). `isTable`: the address is that of a process-table entry or a
   * process-scoped table, translated as a read; faults then carry DSISR[PRTABLE_FAULT] and are
   * reported as HDSI. Returns the host real address, or -1 with this.fault set.
   */
  private partitionXlate(
    gpa: number,
    access: AccessKind,
    isTable: boolean,
    eaHi: number,
    eaLo: number,
    lpid: number,
  ): number {
    const eff: AccessKind = isTable ? 0 : access;
    const slot = this.tlb.lookup(TLB_PARTITION, lpid, 0, gpa);
    if (slot >= 0 && (partPerm(this.tlb.partAttr[slot]!) & ACCESS_BIT[eff]!) !== 0) {
      this.c.partitionTlbHits++;
      this.pShift = this.tlb.hitShift;
      this.pAttr = this.tlb.partAttr[slot]!;
      return this.tlb.raBase[slot]! + (gpa - this.tlb.hitBase);
    }
    this.c.partitionTlbMisses++;
    const treeBits = ((((this.p0Hi >>> 29) & 3) << 3) | ((this.p0Lo >>> 5) & 7)) + 31;
    const root = (this.p0Hi & 0xfffff) * TWO32 + ((this.p0Lo & 0xffffff00) >>> 0);
    const tableFlag = isTable ? DSISR_PRTABLE_FAULT : 0;
    const r = this.walkTree(
      PWC_PARTITION,
      lpid,
      0,
      root,
      this.p0Lo & 0x1f,
      treeBits,
      gpa,
      false,
      eaHi,
      eaLo,
      access,
    );
    if (r !== WALK_OK) {
      this.fault = hvStorageFault(access, eaHi, eaLo, gpa, this.wCause | tableFlag);
      return -1;
    }
    let pteLo = this.wPteLo;
    let attr = pteLo & 0xfff;
    if ((attr & PTE_ATT) === ATT_NI_IO && eff === 2) {
      this.fault = hvStorageFault(access, eaHi, eaLo, gpa, SRR1_NOEXEC_GUARD | tableFlag);
      return -1;
    }
    if ((EAA_PERM[attr & 7]! & ACCESS_BIT[eff]!) === 0) {
      const cause = eff === 2 ? SRR1_NOEXEC_GUARD : DSISR_PROTFAULT;
      this.fault = hvStorageFault(access, eaHi, eaLo, gpa, cause | tableFlag);
      return -1;
    }
    const need = eff === 1 ? PTE_R | PTE_C : PTE_R;
    if ((attr & need) !== need) {
      if (!this.rcSet) {
        // ISA 3.1 Book III 7.5.3/7.5.5: an R/C failure in partition-scoped translation is an
        // HDSI/HISI when the effective LPID is nonzero, a DSI/ISI when it is 0 (only reachable
        // through a virtual hypervisor). QEMU reports it with the table read's access type and
        // without PRTABLE_FAULT; so does hvsim.
        this.fault =
          lpid !== 0
            ? hvStorageFault(eff, eaHi, eaLo, gpa, DSISR_ATOMIC_RC)
            : storageFault(eff, eaHi, eaLo, DSISR_ATOMIC_RC);
        return -1;
      }
      pteLo = this.setRc(this.wPteAddr, pteLo, need);
      attr = pteLo & 0xfff;
    }
    const shift = this.wShift;
    const hpa = this.wRa;
    this.tlb.insert(
      TLB_PARTITION,
      lpid,
      0,
      shift,
      gpa,
      hpa - modPow2(gpa, shift),
      NO_ENTRY,
      attr,
      0,
    );
    this.pShift = shift;
    this.pAttr = attr;
    return hpa;
  }

  /**
   * Walks one radix tree for tree address `va` (< 2^52). `nested`: table addresses are guest
   * real and go through partitionXlate first (the 2-D walk). Leaves the leaf in wRa, wShift,
   * wPteLo, wPteAddr; on a fault, the DSISR cause in wCause.
   */
  private walkTree(
    scope: number,
    lpid: number,
    pid: number,
    rootBase: number,
    rootNls: number,
    treeBits: number,
    va: number,
    nested: boolean,
    eaHi: number,
    eaLo: number,
    access: AccessKind,
  ): number {
    this.c.treeWalks++;
    const vaHi = Math.floor(va / TWO32);
    const vaLo = va >>> 0;
    let psize = treeBits;
    let nls = rootNls;
    let base = rootBase;
    let level = 0;
    if (this.pwc.size !== 0) {
      const j = this.pwc.lookup(scope, lpid, pid, va);
      if (j >= 0) {
        base = this.pwc.nextBase[j]!;
        nls = this.pwc.nextNls[j]!;
        psize = this.pwc.coverShiftOf(j);
        level = this.pwc.levelOf(j);
        this.c.pwcHitsByLevel[level]!++;
      } else {
        this.c.pwcMisses++;
      }
    }
    if (level === 0) base = this.alignTable(base, nls);
    for (;;) {
      const entryAddr = base + treeIndex(vaHi, vaLo, psize - nls, nls) * 8;
      let hpa = entryAddr;
      if (nested) {
        hpa = this.partitionXlate(entryAddr, access, true, eaHi, eaLo, lpid);
        if (hpa < 0) return WALK_NESTED_FAULT;
      }
      if (!this.validLevel(level, psize, nls)) {
        this.log(`invalid radix configuration: level ${level} size ${psize} nls ${nls}`);
        this.wCause = DSISR_BADCONFIG;
        return WALK_FAULT;
      }
      const hi = this.mem.read32(hpa) >>> 0;
      const lo = this.mem.read32(hpa + 4) >>> 0;
      this.wReads++;
      if ((hi & PTE_V_HI) === 0) {
        this.wCause = DSISR_NOPTE;
        return WALK_FAULT;
      }
      psize -= nls;
      if ((hi & PTE_L_HI) !== 0) {
        // RPN: bits 7:51; hvsim real addresses are < 2^52, so bits 7:11 are not kept.
        const rpn = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
        this.wRa = rpn - modPow2(rpn, psize) + modPow2(va, psize);
        this.wShift = psize;
        this.wPteLo = lo;
        this.wPteAddr = hpa;
        return WALK_OK;
      }
      nls = lo & 0x1f;
      base = this.alignTable((hi & 0xfffff) * TWO32 + ((lo & 0xffffff00) >>> 0), nls);
      level++;
      this.pwc.insert(scope, lpid, pid, level, psize, va, base, nls);
    }
  }

  /** Tables are aligned to their size; hardware ignores the low bits (QEMU logs and masks). */
  private alignTable(base: number, nls: number): number {
    const size = POW2[Math.min(nls + 3, 52)]!;
    const mis = base - Math.floor(base / size) * size;
    if (mis === 0) return base;
    this.log(`misaligned page directory base 0x${base.toString(16)} (size 0x${size.toString(16)})`);
    return base - mis;
  }

  private validLevel(level: number, psize: number, nls: number): boolean {
    if (this.strict) {
      // POWER9 UM 4.10.4.1 / POWER10 UM 5.10.6.1 supported radix configurations.
      switch (level) {
        case 0:
          return psize === 52 && nls === 13;
        case 1:
        case 2:
          return nls === 9;
        case 3:
          return nls === 9 || nls === 5;
        default:
          return false;
      }
    }
    return nls >= 5 && nls <= 16 && psize - nls >= 12 && psize <= 52 && level < 8;
  }

  /** Writes R (and C) into the PTE's low word; returns the new word. */
  private setRc(pteAddr: number, pteLo: number, need: number): number {
    const updated = (pteLo | need) >>> 0;
    this.mem.write32(pteAddr + 4, updated);
    this.c.rcUpdates++;
    return updated;
  }

  /** Loads PATE[lpid] into p0/p1 (cache, PTCR table or PateSource) and validates it. */
  private fetchPate(lpid: number, regs: MmuRegs): boolean {
    if (this.pateSource !== undefined) {
      if (!this.pateSource.getPate(lpid, this.pateBuf)) return false;
      this.p0Hi = this.pateBuf[0]!;
      this.p0Lo = this.pateBuf[1]!;
      this.p1Hi = this.pateBuf[2]!;
      this.p1Lo = this.pateBuf[3]!;
      return true;
    }
    const ptcrHi = regs.ptcrHi >>> 0;
    const ptcrLo = regs.ptcrLo >>> 0;
    if (ptcrHi !== this.pateCachePtcrHi || ptcrLo !== this.pateCachePtcrLo) {
      // A new partition table: nothing cached from the old one applies.
      this.pateValid.fill(0);
      this.pateCachePtcrHi = ptcrHi;
      this.pateCachePtcrLo = ptcrLo;
    }
    // PATS: the table holds 2^(PATS+8) entries.
    if (lpid >= POW2[(ptcrLo & 0x1f) + 8]!) return false;
    const cacheable = this.tableCache && lpid < PATE_CACHE_LPIDS;
    if (cacheable && this.pateValid[lpid] === 1) {
      this.c.pateHits++;
      const w = lpid * 4;
      this.p0Hi = this.pateWords[w]!;
      this.p0Lo = this.pateWords[w + 1]!;
      this.p1Hi = this.pateWords[w + 2]!;
      this.p1Lo = this.pateWords[w + 3]!;
    } else {
      this.c.pateMisses++;
      const patb = (ptcrHi & 0xfffff) * TWO32 + ((ptcrLo & 0xfffff000) >>> 0);
      const a = patb + lpid * 16;
      this.p0Hi = this.mem.read32(a) >>> 0;
      this.p0Lo = this.mem.read32(a + 4) >>> 0;
      this.p1Hi = this.mem.read32(a + 8) >>> 0;
      this.p1Lo = this.mem.read32(a + 12) >>> 0;
      this.wReads++;
      if (cacheable) {
        const w = lpid * 4;
        this.pateWords[w] = this.p0Hi;
        this.pateWords[w + 1] = this.p0Lo;
        this.pateWords[w + 2] = this.p1Hi;
        this.pateWords[w + 3] = this.p1Lo;
        this.pateValid[lpid] = 1;
      }
    }
    const hv = regs.msrHV;
    // microwatt's bare-metal tables have no dw0 at all; only the host's own entry may do that.
    if (!this.strict && hv && lpid === 0) return true;
    if ((this.p0Hi & PATE_HR_HI) === 0) return false;
    if (lpid === 0 && !hv) return false;
    if ((this.p0Lo & 0x1f) < 5) return false;
    return true;
  }

  private entryPerm(slot: number, regs: MmuRegs): number {
    let p = procPerm(this.tlb.procAttr[slot]!, regs);
    const part = this.tlb.partAttr[slot]!;
    if (part !== NO_ENTRY) p &= partPerm(part);
    return p;
  }

  private segmentFault(eaHi: number, eaLo: number, access: AccessKind): MmuFault {
    this.c.faults++;
    return segmentFault(access, eaHi, eaLo);
  }

  private beginWalk(): void {
    this.c.walks++;
    this.wReads = 0;
    this.fault = null;
  }

  private endWalk(): void {
    const c = this.c;
    const n = this.wReads;
    c.walkReads += n;
    c.lastWalkReads = n;
    if (n > c.maxWalkReads) c.maxWalkReads = n;
    c.readsPerWalk[Math.min(n, READS_HISTOGRAM_MAX)]!++;
  }

  private endWalkFault(f: MmuFault): MmuFault {
    this.endWalk();
    this.c.faults++;
    return f;
  }

  // ---------------------------------------------------------------- invalidation

  /**
   * Executes tlbie (op.local=false) or tlbiel (true). Returns what happened; the CPU raises
   * the program / hypervisor emulation interrupt for the rejected outcomes.
   */
  tlbie(op: TlbieOp): TlbieOutcome {
    const d = decodeTlbie(op);
    switch (d.kind) {
      case "privileged":
        this.c.tlbiePrivileged++;
        return d;
      case "hv-privileged":
        this.c.tlbieHvPrivileged++;
        return d;
      case "invalid-form":
        this.c.tlbieInvalidForm++;
        this.log(`tlbie invalid form: ${d.reason}`);
        return d;
      case "everything":
        if (op.local) this.c.tlbiel++;
        else this.c.tlbie++;
        this.log(d.why);
        // A guest can only reach its own partition's entries.
        if (op.regs.msrHV) this.dropEverything();
        else this.dropLpid(op.regs.lpidr >>> 0);
        return DONE;
      case "invalidate":
        if (op.local) this.c.tlbiel++;
        else this.c.tlbie++;
        this.invalidate(d.inv);
        return DONE;
      default:
        return assertNever(d);
    }
  }

  /**
   * Performs an invalidation (the effect of tlbie/tlbiel, or of H_TLB_INVALIDATE /
   * H_RPT_INVALIDATE emulated by L0). Process scope drops process entries (host and combined);
   * partition scope drops partition entries and every combined entry built from the selected
   * guest real range, since hardware caches combined translations.
   */
  invalidate(inv: Invalidation): void {
    const t = inv.target;
    const isIndex = t.is === "va" ? 0 : t.is === "pid" ? 1 : t.is === "lpid" ? 2 : 3;
    this.c.invalidateByIs[isIndex]!++;
    this.c.invalidateByRic[inv.ric === "tlb" ? 0 : inv.ric === "pwc" ? 1 : 2]!++;
    const lpid = t.is === "all" ? undefined : t.lpid;
    const pid = t.is === "va" || t.is === "pid" ? t.pid : undefined;
    const process = inv.scope === "process";
    if (inv.ric !== "pwc") {
      const addr = t.is === "va" ? t.addr : undefined;
      const shift = t.is === "va" ? t.pageShift : 0;
      this.c.tlbEntriesDropped += this.tlb.invalidate(
        inv.scope,
        lpid,
        process ? pid : undefined,
        addr,
        shift,
      );
    }
    if (inv.ric !== "tlb") {
      this.c.pwcEntriesDropped += this.pwc.invalidate(
        process ? PWC_PROCESS : PWC_PARTITION,
        lpid,
        process ? pid : undefined,
      );
    }
    if (inv.ric === "all") {
      if (process) this.dropPrte(lpid, pid);
      else {
        this.dropPate(lpid);
        this.dropPrte(lpid, undefined);
      }
    }
    this.notify();
  }

  /** Drops everything cached for an LPID, both scopes (e.g. L0 tearing down a partition). */
  flushLpid(lpid: number): void {
    this.c.flushLpid++;
    this.dropLpid(lpid >>> 0);
  }

  private dropLpid(lpid: number): void {
    this.c.tlbEntriesDropped += this.tlb.invalidate("process", lpid, undefined, undefined, 0);
    this.c.tlbEntriesDropped += this.tlb.invalidate("partition", lpid, undefined, undefined, 0);
    this.c.pwcEntriesDropped += this.pwc.invalidate(undefined, lpid, undefined);
    this.dropPate(lpid);
    this.dropPrte(lpid, undefined);
    this.notify();
  }

  /** Drops everything cached for (LPID, PID): process-scoped entries, PWC, PRTE. */
  flushPid(lpid: number, pid: number): void {
    this.c.flushPid++;
    this.invalidateQuiet("process", lpid >>> 0, pid >>> 0);
    this.notify();
  }

  /** Drops every cached translation and table entry. */
  flushAll(): void {
    this.c.flushAll++;
    this.dropEverything();
  }

  private invalidateQuiet(scope: "process", lpid: number, pid: number): void {
    this.c.tlbEntriesDropped += this.tlb.invalidate(scope, lpid, pid, undefined, 0);
    this.c.pwcEntriesDropped += this.pwc.invalidate(PWC_PROCESS, lpid, pid);
    this.dropPrte(lpid, pid);
  }

  private dropEverything(): void {
    this.c.tlbEntriesDropped += this.tlb.clear();
    this.c.pwcEntriesDropped += this.pwc.invalidate(undefined, undefined, undefined);
    this.pateValid.fill(0);
    this.prteCache.invalidate(undefined, undefined);
    this.notify();
  }

  private dropPate(lpid: number | undefined): void {
    if (lpid === undefined) this.pateValid.fill(0);
    else if (lpid < PATE_CACHE_LPIDS) this.pateValid[lpid] = 0;
  }

  private dropPrte(lpid: number | undefined, pid: number | undefined): void {
    this.prteCache.invalidate(lpid, pid);
  }

  onInvalidate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  // ---------------------------------------------------------------- counters, state

  counters(): MmuCounters {
    return copyCounters(this.c);
  }

  resetCounters(): void {
    this.c = zeroCounters();
  }

  save(): RadixMmuState {
    const pate: RadixMmuState["pate"] = [];
    for (let l = 0; l < PATE_CACHE_LPIDS; l++) {
      if (this.pateValid[l] !== 1) continue;
      const w = l * 4;
      pate.push({
        lpid: l,
        words: [
          this.pateWords[w]!,
          this.pateWords[w + 1]!,
          this.pateWords[w + 2]!,
          this.pateWords[w + 3]!,
        ],
      });
    }
    const prte = this.prteCache.entries();
    return {
      version: 1,
      tlb: this.tlb.entries(),
      pwc: this.pwc.entries(),
      pate,
      pateCachePtcr: [this.pateCachePtcrHi, this.pateCachePtcrLo],
      prte,
    };
  }

  restore(state: RadixMmuState): void {
    if (state.version !== 1) {
      throw new Error(
        `radix-mmu state version ${String(state.version)} is not supported (expected 1)`,
      );
    }
    this.tlb.load(state.tlb);
    this.pwc.load(state.pwc);
    this.pateValid.fill(0);
    for (const p of state.pate) {
      const w = p.lpid * 4;
      this.pateWords.set(p.words, w);
      this.pateValid[p.lpid] = 1;
    }
    [this.pateCachePtcrHi, this.pateCachePtcrLo] = state.pateCachePtcr;
    this.prteCache.load(state.prte);
    this.notify();
  }
}

const DONE: TlbieOutcome = { kind: "done" };

function assertNever(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
