import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequeueEvent, enqueueEvent, queueEntries } from "./end-queue";
import { TestRam } from "./test-support";

describe("END event queue", () => {
  it("has 2^(qshift-2) entries", () => {
    expect(queueEntries(12)).toBe(1024);
    expect(queueEntries(16)).toBe(16384);
  });

  it("writes big-endian {generation, EISN} words, wraps and flips the generation", () => {
    const ram = new TestRam(0x10000);
    const qaddr = 0x1000;
    let p = { index: 0, bit: 1 };
    p = enqueueEvent(ram, qaddr, 4, p, 0x1234);
    expect(ram.load32(qaddr)).toBe(0x80001234);
    for (let i = 0; i < 3; i++) p = enqueueEvent(ram, qaddr, 4, p, 0x10 + i);
    expect(p).toEqual({ index: 0, bit: 0 });
    p = enqueueEvent(ram, qaddr, 4, p, 0x7fffffff + 1 + 5); // data is 31 bits
    expect(ram.load32(qaddr)).toBe(0x00000005);
    expect(p).toEqual({ index: 1, bit: 0 });
  });

  it("consumer with toggle 0 reads exactly what the producer (generation 1) wrote, across wraps", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).map((k) => 2 ** k),
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 0x7fffffff })), {
          maxLength: 60,
        }),
        (entries, ops) => {
          const ram = new TestRam(0x1000);
          let prod = { index: 0, bit: 1 };
          let cons = { index: 0, bit: 0 };
          const model: number[] = [];
          for (const op of ops) {
            if (op === -1) {
              const r = dequeueEvent(ram, 0, entries, cons);
              cons = r.cursor;
              expect(r.data).toBe(model.shift() ?? 0);
            } else if (model.length < entries) {
              // a queue is sized so it never overflows (one entry per source at most)
              prod = enqueueEvent(ram, 0, entries, prod, op);
              model.push(op);
            }
          }
        },
      ),
    );
  });
});
