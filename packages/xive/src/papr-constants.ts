// PAPR hcall numbers, H_* return codes, the sPAPR XIVE hcall flag bits and the RTAS status
// codes this package needs, spelled as PAPR / Linux arch/powerpc/include/asm/hvcall.h and QEMU
// hw/intc/spapr_xive.c spell them.
//
// This is the one place these names enter @hvsim/xive; the hcall numbers and return codes are
// re-exported from @hvsim/hcall-abi, the flag bits below are XIVE-specific.

// Hcall numbers and H_* return codes come from @hvsim/hcall-abi, the ABI reference.
export {
  H_SUCCESS,
  H_BUSY,
  H_HARDWARE,
  H_FUNCTION,
  H_PRIVILEGE,
  H_PARAMETER,
  H_P2,
  H_P3,
  H_P4,
  H_P5,
  H_STATE,
  H_EOI,
  H_CPPR,
  H_IPI,
  H_IPOLL,
  H_XIRR,
  H_XIRR_X,
  H_INT_GET_SOURCE_INFO,
  H_INT_SET_SOURCE_CONFIG,
  H_INT_GET_SOURCE_CONFIG,
  H_INT_GET_QUEUE_INFO,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_GET_QUEUE_CONFIG,
  H_INT_SET_OS_REPORTING_LINE,
  H_INT_GET_OS_REPORTING_LINE,
  H_INT_ESB,
  H_INT_SYNC,
  H_INT_RESET,
} from "@hvsim/hcall-abi";

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
