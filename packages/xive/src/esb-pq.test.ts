import { describe, expect, it } from "vitest";
import { esbEoi, esbTrigger, PQ_OFF, PQ_PENDING, PQ_QUEUED, PQ_RESET, type Pq } from "./esb-pq";

describe("ESB PQ state machine", () => {
  // The golden table of xive-arm.md §1.2 (QEMU xive_esb_trigger / xive_esb_eoi).
  const table: [Pq, Pq, boolean, Pq, boolean][] = [
    // old, trigger->new, forward, eoi->new, forward
    [PQ_RESET, PQ_PENDING, true, PQ_RESET, false],
    [PQ_PENDING, PQ_QUEUED, false, PQ_RESET, false],
    [PQ_QUEUED, PQ_QUEUED, false, PQ_PENDING, true],
    [PQ_OFF, PQ_OFF, false, PQ_OFF, false],
  ];
  it.each(table)(
    "PQ %i: trigger -> %i (fwd %s), EOI -> %i (fwd %s)",
    (old, tNew, tFwd, eNew, eFwd) => {
      expect(esbTrigger(old)).toEqual({ pq: tNew, forward: tFwd });
      expect(esbEoi(old)).toEqual({ pq: eNew, forward: eFwd });
    },
  );

  it("encodes P as 0b10 and Q as 0b01", () => {
    expect([PQ_RESET, PQ_OFF, PQ_PENDING, PQ_QUEUED]).toEqual([0, 1, 2, 3]);
  });
});
