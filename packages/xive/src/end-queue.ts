// The END event queue: a ring of big-endian 32-bit entries in memory. The producer (the router)
// writes `generation << 31 | EISN` at the page offset and advances it, flipping its generation
// bit when the index wraps to 0. The consumer keeps a toggle starting at 0 and takes an entry
// iff its top bit differs from the toggle, flipping the toggle when it wraps.
import type { GuestMemory } from "./ports";

export interface QueueCursor {
  /** Entry index. */
  readonly index: number;
  /** Producer: generation bit written next. Consumer: the toggle (valid iff entry>>>31 != toggle). */
  readonly bit: number;
}

/** Number of entries in a queue of 2^qshift bytes. */
export function queueEntries(qshift: number): number {
  return 2 ** (qshift - 2);
}

/** Producer step (xive_end_enqueue): write one entry, return the advanced cursor. */
export function enqueueEvent(
  mem: GuestMemory,
  qaddr: number,
  entries: number,
  at: QueueCursor,
  data: number,
): QueueCursor {
  mem.store32(qaddr + at.index * 4, ((at.bit << 31) | (data & 0x7fffffff)) >>> 0);
  const index = (at.index + 1) % entries;
  return { index, bit: index === 0 ? at.bit ^ 1 : at.bit };
}

export interface DequeueResult {
  /** EISN of the entry taken, or 0 when the queue is empty. */
  readonly data: number;
  readonly cursor: QueueCursor;
}

/** Consumer step (Linux xive_read_eq / KVM __xive_read_eq). */
export function dequeueEvent(
  mem: GuestMemory,
  qaddr: number,
  entries: number,
  at: QueueCursor,
): DequeueResult {
  const entry = mem.load32(qaddr + at.index * 4);
  if (entry >>> 31 === at.bit) return { data: 0, cursor: at };
  const index = (at.index + 1) % entries;
  return { data: entry & 0x7fffffff, cursor: { index, bit: index === 0 ? at.bit ^ 1 : at.bit } };
}
