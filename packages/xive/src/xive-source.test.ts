import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { esbEoi, esbTrigger, PQ_OFF, PQ_PENDING, PQ_QUEUED, PQ_RESET, type Pq } from "./esb-pq";
import { TestLog } from "./test-support";
import {
  ESB_INVALID_LOAD,
  EsbDevice,
  XIVE_ESB_GET,
  XIVE_ESB_SET_PQ_00,
  XIVE_ESB_SET_PQ_01,
  XIVE_ESB_SET_PQ_10,
  XIVE_ESB_SET_PQ_11,
  XIVE_ESB_STORE_EOI,
  XiveSource,
  type EsbShift,
} from "./xive-source";

function make(esbShift: EsbShift = 17, storeEoi = false) {
  const fired: number[] = [];
  const log = new TestLog();
  const src = new XiveSource({ nrIrqs: 8, esbShift, storeEoi, notify: (s) => fired.push(s), log });
  return { src, fired, log, esb: new EsbDevice(src) };
}

describe("XIVE source ESB pages", () => {
  it("starts with every PQ off (01)", () => {
    const { src } = make();
    expect(src.pq(3)).toBe(PQ_OFF);
  });

  it("lays out two 64K pages per source: even trigger, odd management", () => {
    const { src, esb } = make(17);
    expect(src.triggerPageOffset(3)).toBe(3 * 0x20000);
    expect(src.mgmtPageOffset(3)).toBe(3 * 0x20000 + 0x10000);
    expect(src.pageSize).toBe(0x10000);
    expect(esb.size).toBe(8 * 0x20000);
    expect(esb.accessSizes).toEqual([8]);
    const one = make(16).src;
    expect(one.mgmtPageOffset(3)).toBe(one.triggerPageOffset(3));
  });

  it("SET_PQ loads return the old PQ and set the new one; GET has no side effect", () => {
    const { src, esb } = make();
    const m = src.mgmtPageOffset(2);
    expect(esb.read(m + XIVE_ESB_SET_PQ_00)).toBe(BigInt(PQ_OFF));
    expect(esb.read(m + XIVE_ESB_SET_PQ_11)).toBe(BigInt(PQ_RESET));
    expect(esb.read(m + XIVE_ESB_GET)).toBe(BigInt(PQ_QUEUED));
    expect(esb.read(m + XIVE_ESB_GET + 0x3f8)).toBe(BigInt(PQ_QUEUED));
    expect(esb.read(m + XIVE_ESB_SET_PQ_10 + 0xf8)).toBe(BigInt(PQ_QUEUED));
    expect(esb.read(m + XIVE_ESB_SET_PQ_01)).toBe(BigInt(PQ_PENDING));
    expect(src.pq(2)).toBe(PQ_OFF);
    // the op is selected by the low 12 bits of the page offset
    expect(esb.read(m + 0x1000 + XIVE_ESB_SET_PQ_00)).toBe(BigInt(PQ_OFF));
    esb.write(m + XIVE_ESB_SET_PQ_10);
    expect(src.pq(2)).toBe(PQ_PENDING);
  });

  it("a store on the trigger page triggers; a load there is invalid", () => {
    const { src, esb, fired, log } = make();
    src.setPq(1, PQ_RESET);
    esb.write(src.triggerPageOffset(1) + 0x100);
    expect(fired).toEqual([1]);
    expect(src.pq(1)).toBe(PQ_PENDING);
    expect(esb.read(src.triggerPageOffset(1))).toBe(ESB_INVALID_LOAD);
    expect(log.messages.length).toBe(1);
    esb.write(src.triggerPageOffset(1));
    expect(src.pq(1)).toBe(PQ_QUEUED);
    // LOAD_EOI of 11 returns 1 and forwards the coalesced event
    expect(esb.read(src.mgmtPageOffset(1))).toBe(1n);
    expect(fired).toEqual([1, 1]);
    expect(src.pq(1)).toBe(PQ_PENDING);
    expect(esb.read(src.mgmtPageOffset(1) + 0x7f8)).toBe(0n);
    expect(src.pq(1)).toBe(PQ_RESET);
  });

  it("StoreEOI only on sources with the StoreEOI flag", () => {
    const a = make(17, false);
    a.src.setPq(0, PQ_QUEUED);
    a.esb.write(a.src.mgmtPageOffset(0) + XIVE_ESB_STORE_EOI);
    expect(a.src.pq(0)).toBe(PQ_QUEUED);
    expect(a.log.messages[0]).toMatch(/Store EOI/);
    const b = make(17, true);
    b.src.setPq(0, PQ_QUEUED);
    b.esb.write(b.src.mgmtPageOffset(0) + XIVE_ESB_STORE_EOI);
    expect(b.src.pq(0)).toBe(PQ_PENDING);
    expect(b.fired).toEqual([0]);
  });

  it("a store at 0x800 of a management page is a guest error", () => {
    const { src, esb, log } = make();
    esb.write(src.mgmtPageOffset(0) + XIVE_ESB_GET);
    expect(log.messages[0]).toMatch(/invalid ESB write/);
  });

  it("one-page sources trigger with a store at 0 and EOI with a load at 0", () => {
    const { src, esb, fired } = make(16);
    src.setPq(4, PQ_RESET);
    esb.write(src.triggerPageOffset(4));
    expect(fired).toEqual([4]);
    expect(esb.read(src.triggerPageOffset(4))).toBe(0n);
    expect(src.pq(4)).toBe(PQ_RESET);
  });

  it("LSI: forwards from 00 only, does not use Q, and re-triggers at EOI while asserted", () => {
    const { src, esb, fired } = make();
    src.setLsi(5, true);
    src.setPq(5, PQ_RESET);
    src.setIrq(5, true);
    expect(fired).toEqual([5]);
    expect(src.asserted(5)).toBe(true);
    src.setIrq(5, true); // still asserted: no new event, Q not set
    expect(src.pq(5)).toBe(PQ_PENDING);
    expect(esb.read(src.mgmtPageOffset(5))).toBe(1n); // EOI while asserted -> forwarded again
    expect(fired).toEqual([5, 5]);
    src.setIrq(5, false);
    expect(esb.read(src.mgmtPageOffset(5))).toBe(0n);
    expect(src.pq(5)).toBe(PQ_RESET);
    expect(fired).toEqual([5, 5]);
  });

  it("MSI: setIrq(false) does nothing", () => {
    const { src, fired } = make();
    src.setPq(0, PQ_RESET);
    src.setIrq(0, false);
    expect(fired).toEqual([]);
  });

  it("rejects out-of-range sources as a simulator bug", () => {
    const { src } = make();
    expect(() => src.pq(8)).toThrow(/out of range/);
  });

  it("fuzz: random ESB accesses follow the PQ model, and notifications = forwarded transitions", () => {
    const offsets = [0x000, 0x400, 0x800, 0xc00, 0xd00, 0xe00, 0xf00];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ load: fc.boolean(), op: fc.constantFrom(...offsets), trig: fc.boolean() }),
          { maxLength: 80 },
        ),
        (accesses) => {
          const { src, esb, fired } = make();
          let pq: Pq = PQ_OFF;
          let expectedFires = 0;
          for (const a of accesses) {
            if (a.trig && !a.load) {
              esb.write(src.triggerPageOffset(0));
              const t = esbTrigger(pq);
              pq = t.pq;
              if (t.forward) expectedFires++;
              continue;
            }
            const at = src.mgmtPageOffset(0) + a.op;
            if (a.load) {
              const v = esb.read(at);
              if (a.op < 0x800) {
                const t = esbEoi(pq);
                expect(v).toBe(t.forward ? 1n : 0n);
                pq = t.pq;
                if (t.forward) expectedFires++;
              } else {
                expect(v).toBe(BigInt(pq));
                if (a.op >= 0xc00) pq = ((a.op >> 8) & 3) as Pq;
              }
            } else {
              esb.write(at);
              if (a.op < 0x400) {
                const t = esbTrigger(pq);
                pq = t.pq;
                if (t.forward) expectedFires++;
              } else if (a.op >= 0xc00) {
                pq = ((a.op >> 8) & 3) as Pq;
              }
            }
            expect(src.pq(0)).toBe(pq);
          }
          expect(fired.length).toBe(expectedFires);
        },
      ),
    );
  });

  it("an ESB device can cover a sub-range of sources, offsets relative to its first", () => {
    const { src, fired } = make();
    const dev = new EsbDevice(src, 4, 2);
    expect(dev.size).toBe(2 * 0x20000);
    src.setPq(5, PQ_RESET);
    dev.write(0x20000);
    expect(fired).toEqual([5]);
    expect(dev.read(0x30000 + XIVE_ESB_GET)).toBe(BigInt(PQ_PENDING));
    expect(() => dev.read(0x40000)).toThrow(/outside/);
    expect(() => new EsbDevice(src, 7, 2)).toThrow(/not all/);
  });
});
