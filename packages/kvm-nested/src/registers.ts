// The architected registers kvm-nested reads and writes on a vCPU (Power ISA v3.0B numbers),
// and the bits it filters. Masks are 64-bit values in LSB-0 numbering (IBM bit b = 1 << (63-b)).

/** SPR numbers (ISA v3.0B Book III, SPR table). */
export const SPR = {
  DSISR: 18,
  DAR: 19,
  DEC: 22,
  SRR0: 26,
  SRR1: 27,
  CFAR: 28,
  PIDR: 48,
  DPDES: 176,
  DAWR0: 180,
  CIABR: 187,
  DAWRX0: 188,
  HFSCR: 190,
  SPRG0: 272,
  SPRG1: 273,
  SPRG2: 274,
  SPRG3: 275,
  HDSISR: 306,
  HDAR: 307,
  SPURR: 308,
  PURR: 309,
  HDEC: 310,
  LPCR: 318,
  LPIDR: 319,
  PCR: 338,
  HEIR: 339,
  AMOR: 349,
  ASDR: 816,
  PPR: 896,
} as const;

/** MSR bits. */
export const MSR_HV = 1n << 60n;
export const MSR_ME = 1n << 12n;
export const MSR_LE = 1n;
/** MSR[TS] (bits 29:30): transactional state. */
export const MSR_TS_MASK = 3n << 33n;

/** LPCR fields an L1 may choose for its L2 (Linux's kvmhv load_l2_hv_regs mask). */
export const LPCR_DPFD = 7n << 52n;
export const LPCR_ILE = 1n << 25n;
export const LPCR_AIL = 3n << 23n;
export const LPCR_LD = 1n << 17n;
export const LPCR_TC = 1n << 9n;
export const LPCR_MER = 1n << 11n;
export const LPCR_LPES = 3n << 2n;
export const LPCR_L1_MASK =
  LPCR_DPFD | LPCR_ILE | LPCR_TC | LPCR_AIL | LPCR_LD | LPCR_LPES | LPCR_MER;

/** HFSCR interrupt cause (bits 0:7). */
export const HFSCR_INTR_CAUSE = 0xffn << 56n;

/** DAWRX[HYP] (bit 61 LSB-0 2): match in hypervisor state. */
export const DAWRX_HYP = 1n << 2n;
/** CIABR[PRIV] (bits 62:63): 3 = hypervisor. */
export const CIABR_PRIV = 3n;
export const CIABR_PRIV_HYPER = 3n;
/**
 * Linux's PCR_MASK: the PCR's reserved bits, which it keeps set in every PCR it loads (so a
 * later processor's new "disable" bits disable what a guest of this one cannot know about):
 * everything but the high disable bits (VEC, VSX, TM, MMA: IBM bits 0:3) and the compat level
 * bits (ARCH_205..ARCH_31: 0x2..0x20).
 */
export const PCR_MASK = 0x0fffffffffffffc1n;

/** DSISR bits of a partition-scoped fault (also SRR1 bits for HISI). */
export const DSISR_NOHPTE = 0x40000000n;
export const DSISR_PROTFAULT = 0x08000000n;
export const DSISR_ISSTORE = 0x02000000n;
export const DSISR_PRTABLE_FAULT = 0x00020000n;
export const DSISR_UNSUPP_MMU = 0x00080000n;
/** DSISR[ATOMIC_RC] (bit 45), Linux's DSISR_SET_RC: R or C needed setting (POWER9 faults). */
export const DSISR_SET_RC = 0x00040000n;
export const DSISR_BADACCESS = 0x04000000n;
export const DSISR_KEYFAULT = 0x00200000n;
/** The fault causes Linux's DSISR_BAD_FAULT_64S names that hvsim's MMU can report. */
export const DSISR_BAD_FAULT_64S =
  DSISR_BADACCESS | DSISR_KEYFAULT | DSISR_UNSUPP_MMU | DSISR_PRTABLE_FAULT;
export const SRR1_ISI_NOPT = 0x40000000n;
export const SRR1_ISI_N_G_OR_CIP = 0x10000000n;
/** SRR1 bits of an HISI that carry fault information (DSISR_SRR1_MATCH_64S). */
export const DSISR_SRR1_MATCH_64S = 0x5a000000n;
