// Event Notification Descriptor (END, formerly EQD): 8 big-endian 32-bit words describing an
// event queue, its notification target (an NVT and a priority) and its escalation.
import { ppcBit32, ppcBitmask32 } from "./ppc-bit";

// w0
export const END_W0_VALID = ppcBit32(0);
/** q: events are written to the queue. */
export const END_W0_ENQUEUE = ppcBit32(1);
/** n: notify unconditionally, bypassing the ESn PQ coalescing. */
export const END_W0_UCOND_NOTIFY = ppcBit32(2);
/** b: when no thread has the NVT dispatched, record the priority in the NVT's IPB. */
export const END_W0_BACKLOG = ppcBit32(3);
export const END_W0_PRECL_ESC_CTL = ppcBit32(4);
/** e: escalate when no thread has the NVT dispatched. */
export const END_W0_ESCALATE_CTL = ppcBit32(5);
/** u: escalate without the ESe PQ coalescing. */
export const END_W0_UNCOND_ESCALATE = ppcBit32(6);
/** s: silent escalation, skip the notification and go straight to escalation. */
export const END_W0_SILENT_ESCALATE = ppcBit32(7);
/** Queue size: 2^(QSIZE+12) bytes, 2^(QSIZE+10) entries. */
export const END_W0_QSIZE = ppcBitmask32(12, 15);
export const END_W0_SW0 = ppcBit32(16);
// w1
export const END_W1_ESN = ppcBitmask32(0, 1);
export const END_W1_ESE = ppcBitmask32(2, 3);
export const END_W1_GENERATION = ppcBit32(9);
export const END_W1_PAGE_OFF = ppcBitmask32(10, 31);
// w2/w3 queue address
export const END_W2_EQ_ADDR_HI = ppcBitmask32(4, 31);
// w4/w5 escalation, used as an EAS
export const END_W4_ESC_END_BLOCK = ppcBitmask32(4, 7);
export const END_W4_ESC_END_INDEX = ppcBitmask32(8, 31);
export const END_W5_ESC_END_DATA = ppcBitmask32(1, 31);
// w6
export const END_W6_FORMAT_BIT = ppcBit32(8);
export const END_W6_NVT_BLOCK = ppcBitmask32(9, 12);
export const END_W6_NVT_INDEX = ppcBitmask32(13, 31);
// w7 (format 0)
export const END_W7_F0_IGNORE = ppcBit32(0);
export const END_W7_F0_BLK_GROUPING = ppcBit32(1);
export const END_W7_F0_PRIORITY = ppcBitmask32(8, 15);

export const END_WORDS = 8;

/** Queue address from w2/w3 (`(w2 & 0x0fffffff) << 32 | w3`). Below 2^52, so a number. */
export function endQueueAddress(w2: number, w3: number): number {
  return (w2 & END_W2_EQ_ADDR_HI) * 2 ** 32 + (w3 >>> 0);
}
