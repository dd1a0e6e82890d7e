// Architected register bits and SPR numbers (isa-mmu.md §3.1, §3.3-3.6). IBM bit numbers are
// given in comments; constants are masks on the high (…_HI) or low (…_LO / plain) u32 word.

// --- MSR -------------------------------------------------------------------------------------
export const MSR_SF_HI = 0x80000000; // bit 0
export const MSR_HV_HI = 0x10000000; // bit 3
export const MSR_TS_HI = 0x00000006; // bits 29:30 (transactional state)
export const MSR_TM_HI = 0x00000001; // bit 31
export const MSR_VEC = 0x02000000; // bit 38
export const MSR_VSX = 0x00800000; // bit 40
export const MSR_S = 0x00400000; // bit 41
export const MSR_EE = 0x8000; // bit 48
export const MSR_PR = 0x4000; // bit 49
export const MSR_FP = 0x2000; // bit 50
export const MSR_ME = 0x1000; // bit 51
export const MSR_FE0 = 0x0800; // bit 52
export const MSR_SE = 0x0400; // bit 53
export const MSR_BE = 0x0200; // bit 54
export const MSR_FE1 = 0x0100; // bit 55
export const MSR_IR = 0x0020; // bit 58
export const MSR_DR = 0x0010; // bit 59
export const MSR_PMM = 0x0004; // bit 61
export const MSR_RI = 0x0002; // bit 62
export const MSR_LE = 0x0001; // bit 63

/** SRR1 bits cleared from the saved MSR on interrupt: 33:36 and 42:47. */
export const SRR1_CLEAR_LO = 0x783f0000;

// Program interrupt causes in SRR1 (low word).
export const SRR1_PROGRAM_FP = 0x00100000; // bit 43
export const SRR1_PROGRAM_ILLEGAL = 0x00080000; // bit 44
export const SRR1_PROGRAM_PRIV = 0x00040000; // bit 45
export const SRR1_PROGRAM_TRAP = 0x00020000; // bit 46

// Power-saving wake-up reasons in SRR1 (bits 42:45) and state loss (46:47).
export const SRR1_WAKE_EE = 0x00200000;
export const SRR1_WAKE_DEC = 0x00180000;
export const SRR1_WAKE_DBELL = 0x00140000;
export const SRR1_WAKE_HDBELL = 0x000c0000;
export const SRR1_WAKE_HMI = 0x00280000;
export const SRR1_WAKE_HVI = 0x00240000;
export const SRR1_WAKE_RESET = 0x00100000;
export const SRR1_WAKE_NOLOSS = 0x00010000;

// --- LPCR (low word unless noted) ------------------------------------------------------------
export const LPCR_HVEE_HI = 0x00004000; // bit 17
export const LPCR_HAIL = 0x04000000; // bit 37
export const LPCR_ILE = 0x02000000; // bit 38
export const LPCR_AIL_MASK = 0x01800000; // bits 39:40
export const LPCR_AIL_SHIFT = 23;
export const LPCR_UPRT = 0x00400000; // bit 41
export const LPCR_EVIRT = 0x00200000; // bit 42
export const LPCR_HR = 0x00100000; // bit 43
export const LPCR_ONL = 0x00040000; // bit 45
export const LPCR_LD = 0x00020000; // bit 46
export const LPCR_PDEE = 0x00010000; // bit 47
export const LPCR_HDEE = 0x00008000; // bit 48
export const LPCR_EEE = 0x00004000; // bit 49
export const LPCR_DEE = 0x00002000; // bit 50
export const LPCR_OEE = 0x00001000; // bit 51
export const LPCR_MER = 0x00000800; // bit 52
export const LPCR_GTSE = 0x00000400; // bit 53
export const LPCR_TC = 0x00000200; // bit 54
export const LPCR_HEIC = 0x00000010; // bit 59
export const LPCR_LPES0 = 0x00000008; // bit 60
export const LPCR_LPES1 = 0x00000004; // bit 61
export const LPCR_HVICE = 0x00000002; // bit 62
export const LPCR_HDICE = 0x00000001; // bit 63

// --- FSCR / HFSCR: facility bits (LSB numbering) and the interrupt cause in bits 0:7 ---------
export const FSCR_FP = 0;
export const FSCR_VECVSX = 1;
export const FSCR_DSCR = 2;
export const FSCR_PM = 3;
export const FSCR_BHRB = 4;
export const FSCR_TM = 5;
export const FSCR_EBB = 7;
export const FSCR_TAR = 8;
/** Stop in a guest with PSSCR[ESL|EC] set (RFC-stop patch 1/3, `FSCR_STOP_LG 9`). */
export const FSCR_STOP = 9;
export const FSCR_MSGP = 10;
export const FSCR_SCV = 12;

// --- PSSCR ------------------------------------------------------------------------------------
export const PSSCR_PLS_HI = 0xf0000000; // bits 0:3 (status: power-saving level)
export const PSSCR_SD = 0x00400000; // bit 41 (status disable)
export const PSSCR_ESL = 0x00200000; // bit 42
export const PSSCR_EC = 0x00100000; // bit 43
export const PSSCR_PSLL = 0x000f0000; // bits 44:47
export const PSSCR_TR = 0x00000300; // bits 54:55
export const PSSCR_MTL = 0x000000f0; // bits 56:59
export const PSSCR_RL = 0x0000000f; // bits 60:63
/** Guest-visible PSSCR bits (via SPR 823): `0xf0000000000003ff`. */
export const PSSCR_GUEST_VIS_HI = 0xf0000000;
export const PSSCR_GUEST_VIS_LO = 0x000003ff;

// --- HID0 -------------------------------------------------------------------------------------
/** HID0[HILE] (bit 4 on POWER9): HV interrupts taken little-endian. */
export const HID0_HILE_HI = 0x08000000;

// --- SPR numbers -----------------------------------------------------------------------------
export const SPR = {
  XER: 1,
  DSCR_U: 3,
  AMR_U: 13,
  LR: 8,
  CTR: 9,
  DSCR: 17,
  DSISR: 18,
  DAR: 19,
  DEC: 22,
  SDR1: 25,
  SRR0: 26,
  SRR1: 27,
  CFAR: 28,
  AMR: 29,
  PIDR: 48,
  IAMR: 61,
  CTRL_R: 136,
  CTRL_W: 152,
  FSCR: 153,
  UAMOR: 157,
  DPDES: 176,
  DAWR0: 180,
  CIABR: 187,
  DAWRX0: 188,
  HFSCR: 190,
  VRSAVE: 256,
  SPRG3_U: 259,
  TB: 268,
  TBU: 269,
  SPRG0: 272,
  SPRG1: 273,
  SPRG2: 274,
  SPRG3: 275,
  TBL_W: 284,
  TBU_W: 285,
  TBU40: 286,
  PVR: 287,
  HSPRG0: 304,
  HSPRG1: 305,
  HDSISR: 306,
  HDAR: 307,
  SPURR: 308,
  PURR: 309,
  HDEC: 310,
  HRMOR: 313,
  HSRR0: 314,
  HSRR1: 315,
  LPCR: 318,
  LPIDR: 319,
  HMER: 336,
  HMEER: 337,
  PCR: 338,
  HEIR: 339,
  AMOR: 349,
  TIR: 446,
  PTCR: 464,
  MMCR0: 795,
  SIAR: 796,
  TAR: 815,
  ASDR: 816,
  PSSCR_PRIV: 823,
  PSSCR: 855,
  PPR: 896,
  PPR32: 898,
  HID0: 1008,
  PIR: 1023,
} as const;

/** POWER9 DD2.0 PVR, as QEMU's `-M pseries` reports it (`cpu-version = <0x4e1200>`). */
export const PVR_POWER9 = 0x004e1200;
