import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_PARAMETER,
  H_SUCCESS,
  decideTlbInvalidate,
  decodeTlbInvalidate,
  encodeTlbInvalidate,
  radixApForShift,
  tlbieP1Enc,
} from "./index";

describe("H_TLB_INVALIDATE encoding", () => {
  it("H_TLBIE_P1_ENC puts RIC at bit 18, PRS at 17, R at 16", () => {
    expect(tlbieP1Enc(0, 0, 1)).toBe(0x10000);
    expect(tlbieP1Enc(1, 0, 1)).toBe(0x50000);
    expect(tlbieP1Enc(2, 0, 1)).toBe(0x90000);
    expect(tlbieP1Enc(3, 1, 1)).toBe(0xf0000);
  });

  it("builds what a Linux L1 sends for one 64K page of LPID 3", () => {
    // kvmhv_flush_lpid-style call: H_TLBIE_P1_ENC(0,0,1), lpid, addr | AP << PPC_BITLSHIFT(58)
    const regs = encodeTlbInvalidate({
      ric: 0,
      prs: 0,
      r: 1,
      lpid: 3,
      is: 0,
      ap: radixApForShift(16)!,
      epn: 0x12340n,
    });
    expect(regs).toEqual({ r4: 0x10000n, r5: 3n, r6: 0x12340000n | (5n << 5n) });
    expect(decideTlbInvalidate(regs.r4, regs.r5, regs.r6)).toEqual({
      ok: true,
      status: H_SUCCESS,
      op: { kind: "address", lpid: 3, pageShift: 16, addr: 0x12340000n },
    });
  });

  it("aligns the address down to the page size given by AP", () => {
    const regs = encodeTlbInvalidate({
      ric: 0,
      prs: 0,
      r: 1,
      lpid: 1,
      is: 0,
      ap: 1,
      epn: 0x12345n,
    });
    expect(decideTlbInvalidate(regs.r4, regs.r5, regs.r6)).toMatchObject({
      op: { pageShift: 21, addr: 0x12200000n },
    });
  });

  it("decodes only the LPID's low 32 bits and ignores unrelated r4 bits", () => {
    const f = decodeTlbInvalidate(0x7c000264n | 0x10000n, 0xffff_0000_0000_0009n, 0x800n);
    expect(f).toMatchObject({ r: 1, prs: 0, ric: 0, lpid: 9, is: 2, ap: 0, epn: 0n });
  });

  it("round-trips the fields (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.record({
          ric: fc.integer({ min: 0, max: 3 }),
          prs: fc.integer({ min: 0, max: 1 }),
          r: fc.integer({ min: 0, max: 1 }),
          lpid: fc.integer({ min: 0, max: 0xffffffff }),
          is: fc.integer({ min: 0, max: 3 }),
          ap: fc.integer({ min: 0, max: 7 }),
          epn: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }),
        }),
        (f) => {
          const { r4, r5, r6 } = encodeTlbInvalidate(f);
          expect(decodeTlbInvalidate(r4, r5, r6)).toEqual(f);
        },
      ),
    );
  });
});

describe("Linux's validity matrix", () => {
  const call = (ric: number, prs: number, r: number, is: number, ap = 0) => {
    const x = encodeTlbInvalidate({ ric, prs, r, lpid: 7, is, ap, epn: 0x100n });
    return decideTlbInvalidate(x.r4, x.r5, x.r6);
  };

  it("rejects R=0, PRS=1, RIC=3, IS=1 and IS=0 with RIC 1/2 with H_PARAMETER", () => {
    for (const o of [
      call(0, 0, 0, 2),
      call(0, 1, 1, 2),
      call(3, 0, 1, 2),
      call(0, 0, 1, 1),
      call(1, 0, 1, 0),
      call(2, 0, 1, 0),
    ]) {
      expect(o.ok).toBe(false);
      expect(o.status).toBe(H_PARAMETER);
    }
    expect(call(0, 0, 1, 0, 3)).toMatchObject({ ok: false, reason: "AP=3 is no radix page size" });
  });

  it("accepts IS=2 and IS=3 with RIC 0..2", () => {
    expect(call(2, 0, 1, 2)).toEqual({
      ok: true,
      status: H_SUCCESS,
      op: { kind: "lpid", lpid: 7, ric: 2 },
    });
    expect(call(1, 0, 1, 3)).toEqual({
      ok: true,
      status: H_SUCCESS,
      op: { kind: "all-lpids", ric: 1 },
    });
  });

  it("matches an independent model on every combination", () => {
    const validAp = new Set([0, 1, 2, 5]);
    for (let ric = 0; ric < 4; ric++)
      for (let prs = 0; prs < 2; prs++)
        for (let r = 0; r < 2; r++)
          for (let is = 0; is < 4; is++)
            for (let ap = 0; ap < 8; ap++) {
              const ok =
                r === 1 &&
                prs === 0 &&
                ric !== 3 &&
                is !== 1 &&
                (is !== 0 || (ric === 0 && validAp.has(ap)));
              expect(
                call(ric, prs, r, is, ap).ok,
                `ric=${ric} prs=${prs} r=${r} is=${is} ap=${ap}`,
              ).toBe(ok);
            }
  });
});
