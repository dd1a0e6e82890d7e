// Fuzzing with arbitrary guest input: any hcall number and arguments, any ESB and TIMA access
// (offset, size, value, vCPU), device triggers and dispatch changes. Whatever the guest does, the
// model must not throw (guest misuse is an outcome or a logged guest error, never a simulator
// crash), must answer with a PAPR status, and must keep its own invariants:
//   every thread context: PIPR = most favoured IPB priority, and the line is up iff the OS ring
//   signals an exception (NSR.EO) which it does iff PIPR < CPPR;
//   every END page offset stays inside its queue; the escalation ENDs stay valid.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getField32 } from "./ppc-bit";
import { END_W0_ENQUEUE, END_W0_QSIZE, END_W0_VALID, END_W1_PAGE_OFF } from "./end";
import { callHcall } from "./hcall-table";
import {
  H_CPPR,
  H_EOI,
  H_FUNCTION,
  H_HARDWARE,
  H_INT_ESB,
  H_INT_GET_QUEUE_CONFIG,
  H_INT_GET_QUEUE_INFO,
  H_INT_GET_SOURCE_CONFIG,
  H_INT_GET_SOURCE_INFO,
  H_INT_RESET,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_INT_SYNC,
  H_IPI,
  H_IPOLL,
  H_P2,
  H_P3,
  H_P4,
  H_P5,
  H_PARAMETER,
  H_SUCCESS,
  H_XIRR,
  H_XIRR_X,
} from "./papr-constants";
import { SpaprIrq } from "./spapr-irq";
import type { XiveRouter } from "./router";
import { ipbToPipr, TM_CPPR, TM_IPB, TM_NSR, TM_PIPR, TM_QW1_NSR_EO, TM_QW1_OS } from "./tctx";
import { TestLines, TestRam } from "./test-support";

const NR_VCPUS = 2;
const HCALLS = [
  H_INT_GET_SOURCE_INFO,
  H_INT_SET_SOURCE_CONFIG,
  H_INT_GET_SOURCE_CONFIG,
  H_INT_GET_QUEUE_INFO,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_GET_QUEUE_CONFIG,
  H_INT_ESB,
  H_INT_SYNC,
  H_INT_RESET,
  H_XIRR,
  H_XIRR_X,
  H_EOI,
  H_CPPR,
  H_IPI,
  H_IPOLL,
  0x3c0,
  0x3c4,
  0x999,
];
const STATUSES = new Set([H_SUCCESS, H_FUNCTION, H_HARDWARE, H_PARAMETER, H_P2, H_P3, H_P4, H_P5]);

/** Interesting 64-bit argument values. */
const arg64 = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    2n,
    3n,
    5n,
    6n,
    7n,
    8n,
    12n,
    16n,
    0xffn,
    0x100n,
    0x1100n,
    0x1fffn,
    0x2000n,
    0x100000n,
    0x110000n,
    0xc00n,
    0x20000n,
  ),
  fc.constantFrom(
    0xff001100n,
    0x05000002n,
    0xffff_ffff_ffff_ffffn,
    1n << 63n,
    0x0006_0100_0000_0000n,
  ),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

type Op =
  | { kind: "hcall"; vcpu: number; nr: number; args: bigint[] }
  | { kind: "esb"; load: boolean; lisn: number; offset: number }
  | {
      kind: "tima";
      load: boolean;
      vcpu: number;
      offset: number;
      size: 1 | 2 | 4 | 8;
      value: bigint;
    }
  | { kind: "irq"; irq: number; level: boolean }
  | { kind: "dispatch"; vcpu: number; push: boolean }
  | { kind: "cas"; xive: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("hcall" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      nr: fc.constantFrom(...HCALLS),
      args: fc.array(arg64, { maxLength: 6 }),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("esb" as const),
      load: fc.boolean(),
      lisn: fc.constantFrom(0, 1, 0x1100, 0x1200),
      offset: fc.oneof(
        fc.constantFrom(0, 0x400, 0x800, 0xc00, 0xd00, 0xe00, 0xf00),
        fc.nat(0x1ffff),
      ),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("tima" as const),
      load: fc.boolean(),
      vcpu: fc.nat(NR_VCPUS - 1),
      offset: fc
        .tuple(
          fc.nat(3),
          fc.oneof(
            fc.constantFrom(0x10, 0x11, 0x12, 0x18, 0x30, 0x810, 0x812, 0x818, 0x830, 0xc10),
            fc.nat(0xfff),
          ),
        )
        .map(([p, o]) => (p << 16) + o),
      size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      value: arg64,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("irq" as const),
      irq: fc.constantFrom(0x1100, 0x1200),
      level: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("dispatch" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      push: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("cas" as const), xive: fc.boolean() }), weight: 1 },
);

function checkInvariants(router: XiveRouter, lines: TestLines, active: boolean): void {
  for (const t of router.tctx) {
    const r = t.regs;
    expect(r[TM_QW1_OS + TM_PIPR]).toBe(ipbToPipr(r[TM_QW1_OS + TM_IPB]!));
    const eo = (r[TM_QW1_OS + TM_NSR]! & TM_QW1_NSR_EO) !== 0;
    expect(eo).toBe(r[TM_QW1_OS + TM_PIPR]! < r[TM_QW1_OS + TM_CPPR]!);
    // A pulled (undispatched) context keeps its NSR but drops the line until it is pushed back.
    if (t.outputLevel) expect(eo).toBe(true);
    // The inactive controller of a dual machine has let go of the lines (SpaprIrq.setActive).
    if (active && eo && t.osCam !== undefined) expect(t.outputLevel).toBe(true);
    if (active) expect(lines.up(t.vcpu)).toBe(t.outputLevel);
  }
  for (let i = 0; i < router.nrEnds; i++) {
    const w0 = router.endWord(i, 0);
    if (w0 & END_W0_VALID && w0 & END_W0_ENQUEUE) {
      expect(getField32(END_W1_PAGE_OFF, router.endWord(i, 1))).toBeLessThan(
        2 ** (getField32(END_W0_QSIZE, w0) + 10),
      );
    }
  }
  for (let v = 0; v < router.nrVcpus; v++)
    expect(router.escEndt[v * 8]! & END_W0_VALID).toBeTruthy();
}

describe("fuzz: arbitrary guest input never breaks the model", () => {
  it("ESB/TIMA accesses, hcalls, device lines, dispatch and CAS in a dual-mode machine", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const lines = new TestLines();
        const m = new SpaprIrq({
          icMode: "dual",
          nrVcpus: NR_VCPUS,
          guestMemory: new TestRam(0x200000),
          interrupts: lines,
        });
        m.claimIrq(0x1100, false);
        m.claimIrq(0x1200, true);
        const xive = m.xive!;
        const xics = m.xics!;
        // Start from what a booted guest has set up, in both modes, then let anything happen.
        for (let v = 0; v < NR_VCPUS; v++) {
          xics.hCppr(v, 0xff);
          xive.router.tctx[v]!.setOsCppr(0xff);
        }
        xics.setXive(0x1100, 0, 5);
        xics.setXive(0x1200, 1, 4);
        m.setActive("xive");
        for (let v = 0; v < NR_VCPUS; v++) {
          callHcall(m.hcalls(), H_INT_SET_QUEUE_CONFIG, 0, [
            1n,
            BigInt(v),
            6n,
            BigInt(0x100000 + v * 0x10000),
            16n,
          ]);
        }
        for (const [i, lisn] of [0, 1, 0x1100, 0x1200].entries()) {
          callHcall(m.hcalls(), H_INT_SET_SOURCE_CONFIG, 0, [
            2n,
            BigInt(lisn),
            BigInt(i % NR_VCPUS),
            6n,
            BigInt(lisn),
          ]);
          xive.source.setPq(lisn, 0);
        }
        m.setActive("xics");
        for (const o of ops) {
          switch (o.kind) {
            case "hcall": {
              const r = callHcall(m.hcalls(), o.nr, o.vcpu, o.args);
              expect(STATUSES.has(r.ret), `status ${r.ret}`).toBe(true);
              for (const out of r.outs) expect(out >= 0n && out < 1n << 64n).toBe(true);
              break;
            }
            case "esb": {
              const at = xive.source.triggerPageOffset(o.lisn) + o.offset;
              if (o.load) expect(xive.esb.read(at, 8, 0) < 1n << 64n).toBe(true);
              else xive.esb.write(at, 8, 0n, 0);
              break;
            }
            case "tima":
              if (o.load)
                expect(xive.tima.read(o.offset, o.size, o.vcpu) < 1n << BigInt(8 * o.size)).toBe(
                  true,
                );
              else
                xive.tima.write(
                  o.offset,
                  o.size,
                  o.value & ((1n << BigInt(8 * o.size)) - 1n),
                  o.vcpu,
                );
              break;
            case "irq":
              m.setIrq(o.irq, o.level);
              break;
            case "dispatch":
              if (o.push) m.pushOsContext(o.vcpu);
              else {
                m.pullOsContext(o.vcpu);
                m.rearmEscalation(o.vcpu);
              }
              break;
            case "cas":
              m.setActive(o.xive ? "xive" : "xics");
              break;
          }
          checkInvariants(xive.router, lines, m.active === "xive");
          checkInvariants(xics.router, lines, m.active === "xics");
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000); // under a second alone; far slower on a loaded machine with coverage
});
