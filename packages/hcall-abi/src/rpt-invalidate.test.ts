import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_FUNCTION,
  H_P2,
  H_P4,
  H_P5,
  H_RPTI_END_ALL,
  H_RPTI_PAGE_1G,
  H_RPTI_PAGE_2M,
  H_RPTI_PAGE_4K,
  H_RPTI_PAGE_64K,
  H_RPTI_PAGE_ALL,
  H_RPTI_TARGET_CMMU,
  H_RPTI_TARGET_CMMU_LOCAL,
  H_RPTI_TARGET_NMMU,
  H_RPTI_TYPE_ALL,
  H_RPTI_TYPE_NESTED,
  H_RPTI_TYPE_NESTED_ALL,
  H_RPTI_TYPE_PWC,
  H_RPTI_TYPE_TLB,
  H_SUCCESS,
  H_UNSUPPORTED,
  decideL2RptInvalidate,
  decideRptInvalidate,
  decodeRptInvalidate,
  encodeRptInvalidate,
  rptiPageSizeBit,
  type RptInvalidateContext,
  type RptInvalidateRequest,
} from "./index";

const ctx = (over: Partial<RptInvalidateContext> = {}): RptInvalidateContext => ({
  hcallEnabled: true,
  radix: true,
  nestingEnabled: true,
  isNestedLpid: (l) => l === 5n,
  ...over,
});

const req = (over: Partial<RptInvalidateRequest> = {}): RptInvalidateRequest => ({
  id: 5n,
  target: H_RPTI_TARGET_CMMU,
  type: H_RPTI_TYPE_NESTED | H_RPTI_TYPE_TLB,
  pg_sizes: H_RPTI_PAGE_64K,
  start: 0x10000n,
  end: 0x30000n,
  ...over,
});

const status = (r: RptInvalidateRequest, c = ctx()): number | "exit" => {
  const o = decideRptInvalidate(r, c);
  return o.kind === "exit-to-vmm" ? "exit" : o.status;
};

describe("H_RPT_INVALIDATE flags", () => {
  it("has the hvcall.h values", () => {
    expect([H_RPTI_TARGET_CMMU, H_RPTI_TARGET_CMMU_LOCAL, H_RPTI_TARGET_NMMU]).toEqual([
      1n,
      2n,
      4n,
    ]);
    expect([H_RPTI_TYPE_NESTED, H_RPTI_TYPE_TLB, H_RPTI_TYPE_PWC]).toEqual([1n, 2n, 4n]);
    expect(H_RPTI_TYPE_ALL).toBe(0xen);
    expect(H_RPTI_TYPE_NESTED_ALL).toBe(0xen);
    expect([H_RPTI_PAGE_4K, H_RPTI_PAGE_64K, H_RPTI_PAGE_2M, H_RPTI_PAGE_1G]).toEqual([
      1n,
      2n,
      4n,
      8n,
    ]);
    expect(H_RPTI_PAGE_ALL).toBe((1n << 64n) - 1n);
    expect(rptiPageSizeBit(21)).toBe(H_RPTI_PAGE_2M);
    expect(rptiPageSizeBit(24)).toBeUndefined();
  });

  it("encodes to r4..r9 and decodes back (negative values as 64-bit)", () => {
    const r = req({ end: -1n });
    const regs = encodeRptInvalidate(r);
    expect(regs).toEqual([5n, 1n, 3n, 2n, 0x10000n, H_RPTI_END_ALL]);
    expect(decodeRptInvalidate(regs)).toEqual({ ...r, end: H_RPTI_END_ALL });
    expect(decodeRptInvalidate([])).toEqual({
      id: 0n,
      target: 0n,
      type: 0n,
      pg_sizes: 0n,
      start: 0n,
      end: 0n,
    });
  });
});

describe("Linux L0's answer to each bad input", () => {
  it("exits to the VMM when the hcall is not enabled for the VM", () => {
    expect(decideRptInvalidate(req(), ctx({ hcallEnabled: false }))).toEqual({
      kind: "exit-to-vmm",
    });
  });
  it("H_UNSUPPORTED for a hash guest", () => {
    expect(status(req(), ctx({ radix: false }))).toBe(H_UNSUPPORTED);
  });
  it("H_P5 when end < start (checked before anything about NESTED)", () => {
    expect(status(req({ start: 0x2000n, end: 0x1000n }))).toBe(H_P5);
    expect(status(req({ start: 0x2000n, end: 0x1000n, type: H_RPTI_TYPE_TLB }))).toBe(H_P5);
  });
  it("H_FUNCTION for NESTED when nesting is off", () => {
    expect(status(req(), ctx({ nestingEnabled: false }))).toBe(H_FUNCTION);
  });
  it("H_P2 for NESTED with a target other than CMMU exactly", () => {
    expect(status(req({ target: H_RPTI_TARGET_CMMU_LOCAL }))).toBe(H_P2);
    expect(status(req({ target: H_RPTI_TARGET_CMMU | H_RPTI_TARGET_NMMU }))).toBe(H_P2);
  });
  it("H_SUCCESS, ignored, for an LPID that has no nested guest yet", () => {
    const o = decideRptInvalidate(req({ id: 6n }), ctx());
    expect(o).toMatchObject({ kind: "partition-scoped", status: H_SUCCESS, flushes: [] });
  });
  it("H_P4 when a TLB range names no radix page size", () => {
    expect(status(req({ pg_sizes: 0x10n }))).toBe(H_P4);
    expect(status(req({ pg_sizes: 0n }))).toBe(H_P4);
  });
  it("does not check the target or undefined bits of a process-scoped request", () => {
    expect(status(req({ type: H_RPTI_TYPE_TLB, target: 0x80n, pg_sizes: 0x100n }))).toBe(H_SUCCESS);
  });
});

describe("the flushes Linux performs", () => {
  it("partition-scoped: NESTED_ALL is one RIC=2 flush of the LPID", () => {
    const o = decideRptInvalidate(
      req({ type: H_RPTI_TYPE_NESTED | H_RPTI_TYPE_NESTED_ALL }),
      ctx(),
    );
    expect(o).toEqual({
      kind: "partition-scoped",
      status: H_SUCCESS,
      lpid: 5n,
      flushes: [{ kind: "whole", ric: 2 }],
    });
  });
  it("partition-scoped: 0..-1 flushes the whole LPID's TLB", () => {
    const o = decideRptInvalidate(req({ start: 0n, end: H_RPTI_END_ALL }), ctx());
    expect(o).toMatchObject({ flushes: [{ kind: "whole", ric: 0 }] });
  });
  it("partition-scoped: PWC alone does nothing", () => {
    const o = decideRptInvalidate(req({ type: H_RPTI_TYPE_NESTED | H_RPTI_TYPE_PWC }), ctx());
    expect(o).toMatchObject({ status: H_SUCCESS, flushes: [] });
  });
  it("partition-scoped: a range per page size, whole LPID above 33 pages", () => {
    const both = req({
      pg_sizes: H_RPTI_PAGE_4K | H_RPTI_PAGE_2M,
      start: 0x200000n,
      end: 0x200000n + 33n * 4096n,
    });
    expect(decideRptInvalidate(both, ctx())).toMatchObject({
      flushes: [
        { kind: "range", pageShift: 12, start: 0x200000n, end: 0x200000n + 33n * 4096n },
        { kind: "range", pageShift: 21 },
      ],
    });
    const over = req({ pg_sizes: H_RPTI_PAGE_4K | H_RPTI_PAGE_2M, start: 0n, end: 34n * 4096n });
    expect(decideRptInvalidate(over, ctx())).toMatchObject({
      flushes: [{ kind: "whole", ric: 0 }],
    });
    // 64K pages first fit, 4K would not: the loop goes 4K, 64K, 2M, 1G.
    const mixed = req({ pg_sizes: H_RPTI_PAGE_64K | H_RPTI_PAGE_1G, start: 0n, end: 0x200000n });
    expect(decideRptInvalidate(mixed, ctx())).toMatchObject({
      flushes: [
        { kind: "range", pageShift: 16 },
        { kind: "range", pageShift: 30 },
      ],
    });
  });
  it("process-scoped: ALL is one RIC=2 flush of the PID", () => {
    const o = decideRptInvalidate(req({ id: 77n, type: H_RPTI_TYPE_ALL }), ctx());
    expect(o).toEqual({
      kind: "process-scoped",
      status: H_SUCCESS,
      pid: 77n,
      flushes: [{ kind: "whole", ric: 2 }],
    });
  });
  it("process-scoped: PWC then whole-PID TLB for 0..-1", () => {
    const o = decideRptInvalidate(
      req({ type: H_RPTI_TYPE_TLB | H_RPTI_TYPE_PWC, start: 0n, end: -1n }),
      ctx(),
    );
    expect(o).toMatchObject({
      flushes: [
        { kind: "whole", ric: 1 },
        { kind: "whole", ric: 0 },
      ],
    });
  });
  it("process-scoped: ranges, whole PID above the ceiling (unsigned end - start)", () => {
    expect(
      decideRptInvalidate(
        req({ type: H_RPTI_TYPE_TLB, start: 0x1000n, end: 0x3000n, pg_sizes: H_RPTI_PAGE_4K }),
        ctx(),
      ),
    ).toMatchObject({
      flushes: [{ kind: "range", pageShift: 12, start: 0x1000n, end: 0x3000n }],
    });
    expect(
      decideRptInvalidate(
        req({ type: H_RPTI_TYPE_TLB, start: 0x1000n, end: -1n, pg_sizes: H_RPTI_PAGE_ALL }),
        ctx(),
      ),
    ).toMatchObject({
      flushes: [{ kind: "whole", ric: 0 }],
    });
  });
});

// An independent statement of the same rules, status only, written from nested-hv.md §2.3.
function modelStatus(r: RptInvalidateRequest, c: RptInvalidateContext): number | "exit" {
  if (!c.hcallEnabled) return "exit";
  if (!c.radix) return -67;
  const u = (v: bigint): bigint => BigInt.asUintN(64, v);
  if (u(r.end) < u(r.start)) return -58;
  if ((u(r.type) & 1n) === 0n) return 0;
  if (!c.nestingEnabled) return -2;
  if (u(r.target) !== 1n) return -55;
  if (!c.isNestedLpid(u(r.id))) return 0;
  if ((u(r.type) & 0xen) === 0xen) return 0;
  if (u(r.start) === 0n && u(r.end) === (1n << 64n) - 1n) return 0;
  if ((u(r.type) & 2n) === 0n) return 0;
  return (u(r.pg_sizes) & 0xfn) === 0n ? -57 : 0;
}

describe("decideRptInvalidate vs an independent model (fast-check)", () => {
  const small = fc.oneof(
    fc.bigInt({ min: 0n, max: 16n }),
    fc.constant((1n << 64n) - 1n),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  );
  const addr = fc.oneof(
    fc.constant(0n),
    fc.constant(-1n),
    fc.bigInt({ min: 0n, max: 1n << 40n }).map((a) => a << 12n),
  );
  it("gives the same status for every input", () => {
    fc.assert(
      fc.property(
        fc.record({
          id: small,
          target: small,
          type: small,
          pg_sizes: small,
          start: addr,
          end: addr,
        }),
        fc.record({
          hcallEnabled: fc.boolean(),
          radix: fc.boolean(),
          nestingEnabled: fc.boolean(),
        }),
        (r, flags) => {
          const c: RptInvalidateContext = { ...flags, isNestedLpid: (l) => l % 2n === 1n };
          expect(status(r, c)).toBe(modelStatus(r, c));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("H_RPT_INVALIDATE issued by an L2", () => {
  it("reflects NESTED requests to L1 and does process-scoped ones in L0 without checks", () => {
    expect(decideL2RptInvalidate(req())).toEqual({ kind: "reflect-to-l1" });
    const o = decideL2RptInvalidate(
      req({ id: 9n, type: H_RPTI_TYPE_TLB, start: 0x3000n, end: 0x1000n }),
    );
    expect(o).toMatchObject({ kind: "process-scoped", status: H_SUCCESS, pid: 9n });
    expect(decideL2RptInvalidate(req({ type: H_RPTI_TYPE_ALL }))).toMatchObject({
      flushes: [{ kind: "whole", ric: 2 }],
    });
  });
});
