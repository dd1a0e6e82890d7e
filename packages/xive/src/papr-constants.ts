// PAPR hcall numbers, H_* return codes, the sPAPR XIVE hcall flag bits and the RTAS status
// codes this package needs, spelled as PAPR / Linux arch/powerpc/include/asm/hvcall.h and QEMU
// hw/intc/spapr_xive.c spell them.
//
// This is the ONE place these numbers live in @hvsim/xive: when @hvsim/hcall-abi lands, this file
// becomes a list of re-exports from it.

// --- H_* return codes (hvcall.h) ---
export const H_SUCCESS = 0;
export const H_BUSY = 1;
export const H_HARDWARE = -1;
export const H_FUNCTION = -2;
export const H_PRIVILEGE = -3;
export const H_PARAMETER = -4;
export const H_P2 = -55;
export const H_P3 = -56;
export const H_P4 = -57;
export const H_P5 = -58;
export const H_STATE = -75;

// --- XICS hcalls (hvcall.h) ---
export const H_EOI = 0x64;
export const H_CPPR = 0x68;
export const H_IPI = 0x6c;
export const H_IPOLL = 0x70;
export const H_XIRR = 0x74;
export const H_XIRR_X = 0x2fc;

// --- sPAPR XIVE exploitation hcalls (QEMU include/hw/ppc/spapr.h) ---
export const H_INT_GET_SOURCE_INFO = 0x3a8;
export const H_INT_SET_SOURCE_CONFIG = 0x3ac;
export const H_INT_GET_SOURCE_CONFIG = 0x3b0;
export const H_INT_GET_QUEUE_INFO = 0x3b4;
export const H_INT_SET_QUEUE_CONFIG = 0x3b8;
export const H_INT_GET_QUEUE_CONFIG = 0x3bc;
export const H_INT_SET_OS_REPORTING_LINE = 0x3c0;
export const H_INT_GET_OS_REPORTING_LINE = 0x3c4;
export const H_INT_ESB = 0x3c8;
export const H_INT_SYNC = 0x3cc;
export const H_INT_RESET = 0x3d0;

// --- H_INT_* flag bits, IBM numbering in a 64-bit register: PPC_BIT(n) = 1 << (63 - n) ---
/** H_INT_GET_SOURCE_INFO R4: the source must be driven through H_INT_ESB, not MMIO. PPC_BIT(60). */
export const SPAPR_XIVE_SRC_H_INT_ESB = 1n << 3n;
/** H_INT_GET_SOURCE_INFO R4: level-sensitive source. PPC_BIT(61). */
export const SPAPR_XIVE_SRC_LSI = 1n << 2n;
/** H_INT_GET_SOURCE_INFO R4: trigger by a store on the full-function (single) page. PPC_BIT(62). */
export const SPAPR_XIVE_SRC_TRIGGER = 1n << 1n;
/** H_INT_GET_SOURCE_INFO R4: the source supports StoreEOI. PPC_BIT(63). */
export const SPAPR_XIVE_SRC_STORE_EOI = 1n << 0n;
/** H_INT_SET_SOURCE_CONFIG flags: set the EISN from R8. PPC_BIT(62). */
export const SPAPR_XIVE_SRC_SET_EISN = 1n << 1n;
/** H_INT_SET_SOURCE_CONFIG flags: mask the source (events are dropped at the EAS). PPC_BIT(63). */
export const SPAPR_XIVE_SRC_MASK = 1n << 0n;
/** H_INT_SET/GET_QUEUE_CONFIG flags: unconditional notification (END `n` bit). PPC_BIT(63). */
export const SPAPR_XIVE_END_ALWAYS_NOTIFY = 1n << 0n;
/** H_INT_GET_QUEUE_CONFIG in-flags: debug, also return generation and queue index. PPC_BIT(63). */
export const SPAPR_XIVE_END_DEBUG = 1n << 0n;
/** H_INT_GET_QUEUE_CONFIG out-flags (debug): the queue's generation bit. PPC_BIT(62). */
export const SPAPR_XIVE_END_GENERATION = 1n << 1n;
/** H_INT_ESB flags: the access is a store (else a load). PPC_BIT(63). */
export const SPAPR_XIVE_ESB_STORE = 1n << 0n;

// --- XICS interrupt numbers (arch/powerpc/include/asm/xics.h, KVM book3s_xive.c) ---
/** XISR value for "nothing pending". */
export const XICS_IRQ_SPURIOUS = 0;
/** XISR value of the inter-processor interrupt synthesized from MFRR. */
export const XICS_IPI = 2;
/** KVM's placeholder EISN for a queue entry taken away by H_CPPR (never returned to the guest). */
export const XICS_DUMMY = 1;

// --- RTAS status codes used by ibm,set-xive / get-xive / int-on / int-off (QEMU spapr_rtas.h) ---
export const RTAS_OUT_SUCCESS = 0;
export const RTAS_OUT_HW_ERROR = -1;
export const RTAS_OUT_PARAM_ERROR = -3;
