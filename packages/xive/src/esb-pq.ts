// The Event State Buffer PQ state machine (XIVE ESB). Every source (and every END, for its
// notification and escalation) has two bits: P "an event was forwarded and is not yet EOId",
// Q "another event arrived while P was set". Only the transition 00 -> 10 forwards an event;
// the EOI of 11 re-forwards the coalesced one.
//
//   old PQ | trigger -> new, forward | EOI -> new, forward
//   00     | 10, yes                 | 00, no
//   10     | 11, no (coalesced)      | 00, no
//   11     | 11, no                  | 10, yes
//   01     | 01, no (off)            | 01, no

/** PQ encodings: P = 0b10, Q = 0b01. */
export const PQ_RESET = 0b00;
export const PQ_OFF = 0b01;
export const PQ_PENDING = 0b10;
export const PQ_QUEUED = 0b11;

export type Pq = 0 | 1 | 2 | 3;

export interface PqTransition {
  readonly pq: Pq;
  /** True when the event goes on to the router (or presenter, for an END ESB). */
  readonly forward: boolean;
}

export function esbTrigger(pq: Pq): PqTransition {
  switch (pq) {
    case PQ_RESET:
      return { pq: PQ_PENDING, forward: true };
    case PQ_PENDING:
    case PQ_QUEUED:
      return { pq: PQ_QUEUED, forward: false };
    case PQ_OFF:
      return { pq: PQ_OFF, forward: false };
  }
}

export function esbEoi(pq: Pq): PqTransition {
  switch (pq) {
    case PQ_RESET:
    case PQ_PENDING:
      return { pq: PQ_RESET, forward: false };
    case PQ_QUEUED:
      return { pq: PQ_PENDING, forward: true };
    case PQ_OFF:
      return { pq: PQ_OFF, forward: false };
  }
}

export function asPq(value: number): Pq {
  return (value & 3) as Pq;
}
