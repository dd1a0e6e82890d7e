// Architected bit values the radix MMU reads or produces. IBM bit numbers (bit 0 = MSB of 64)
// are given in comments; masks are for the 32-bit half that holds the field.

// --- PTE / PDE (8 bytes, big-endian). hi = bits 0:31, lo = bits 32:63 ---
/** V, bit 0 (hi). */
export const PTE_V_HI = 0x80000000;
/** L (leaf), bit 1 (hi). */
export const PTE_L_HI = 0x40000000;
/** SW0, bit 2 (hi). */
export const PTE_SW0_HI = 0x20000000;
/** R (reference), bit 55 (lo). */
export const PTE_R = 0x100;
/** C (change), bit 56 (lo). */
export const PTE_C = 0x080;
/** ATT, bits 58:59 (lo). */
export const PTE_ATT = 0x030;
export const ATT_NORMAL = 0x00;
export const ATT_SAO = 0x10;
/** Non-idempotent I/O: treated as guarded (no instruction fetch). */
export const ATT_NI_IO = 0x20;
export const ATT_TOLERANT_IO = 0x30;
/** EAA[0] privileged, bit 60. */
export const EAA_PRIV = 0x8;
/** EAA[1] read, bit 61. */
export const EAA_READ = 0x4;
/** EAA[2] read/write, bit 62. */
export const EAA_RW = 0x2;
/** EAA[3] execute, bit 63. */
export const EAA_EXEC = 0x1;
/** NLS / RPDS, bits 59:63 (lo). */
export const NLS_MASK = 0x1f;

// --- DSISR / SRR1 cause bits (low 32-bit word; IBM bit n of the 64-bit register) ---
/** bit 33: no valid PTE. */
export const DSISR_NOPTE = 0x40000000;
/** bit 35 (SRR1 only): instruction fetch from no-execute or guarded storage. */
export const SRR1_NOEXEC_GUARD = 0x10000000;
/** bit 36: EAA / AMR denies the access. */
export const DSISR_PROTFAULT = 0x08000000;
/** bit 38: the access was a store. */
export const DSISR_ISSTORE = 0x02000000;
/** bit 44: invalid radix configuration (PATE, PRTE, tree shape). */
export const DSISR_BADCONFIG = 0x00080000;
/** bit 45: R or C needs setting and the MMU does not set it. */
export const DSISR_ATOMIC_RC = 0x00040000;
/** bit 46: the fault happened while translating a process-table or page-table address. */
export const DSISR_PRTABLE_FAULT = 0x00020000;

// --- Interrupt vectors ---
export const VEC_DSI = 0x300;
export const VEC_DSEG = 0x380;
export const VEC_ISI = 0x400;
export const VEC_ISEG = 0x480;
export const VEC_HDSI = 0xe00;
export const VEC_HISI = 0xe20;

// --- LPCR (low word) ---
/** LPCR[UPRT], bit 42: use process table (radix guests always set it). */
export const LPCR_UPRT = 0x00400000;
/** LPCR[HR], bit 43: host radix; the partition is radix. */
export const LPCR_HR = 0x00100000;
/** LPCR[GTSE], bit 53: guest translation shootdown enable (guest may broadcast tlbie). */
export const LPCR_GTSE = 0x00000400;

// --- Permissions as reported in TranslationOk.perm ---
export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_EXEC = 4;

// --- PATE dw0 ---
/** PATE dw0 HR, bit 0 (hi): host radix. */
export const PATE_HR_HI = 0x80000000;

/** 2^32, for composing hi/lo halves into a number. */
export const TWO32 = 4294967296;
