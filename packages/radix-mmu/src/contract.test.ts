import { describe, expect, expectTypeOf, it } from "vitest";
import { RadixMmu } from "./radix-mmu";
import { SparseMemory } from "./sparse-memory";

// A verbatim copy of ppc-isa's Translator port, re-declared locally: RadixMmu must satisfy it
// without either package importing the other.
type PAccessKind = 0 | 1 | 2;
interface PMmuRegs {
  msrHV: boolean;
  msrPR: boolean;
  msrIR: boolean;
  msrDR: boolean;
  lpidr: number;
  pidr: number;
  ptcrHi: number;
  ptcrLo: number;
  lpcrHi: number;
  lpcrLo: number;
  amrHi: number;
  amrLo: number;
  iamrHi: number;
  iamrLo: number;
}
interface PMmuFault {
  kind: "fault";
  vector: number;
  dsisr: number;
  srr1Cause: number;
  eaHi: number;
  eaLo: number;
  asdr: number;
}
interface PTranslationOk {
  kind: "ok";
  ra: number;
  pageShift: number;
  perm: number;
}
interface PTranslator {
  translate(
    eaHi: number,
    eaLo: number,
    access: PAccessKind,
    regs: PMmuRegs,
  ): PTranslationOk | PMmuFault;
  tlbie(op: {
    rbHi: number;
    rbLo: number;
    rsHi: number;
    rsLo: number;
    ric: number;
    prs: number;
    r: number;
    local: boolean;
    regs: PMmuRegs;
  }): void;
  onInvalidate(listener: () => void): () => void;
}

describe("CPU <-> MMU contract", () => {
  it("RadixMmu is assignable to ppc-isa's Translator port", () => {
    const mmu = new RadixMmu({ mem: new SparseMemory() });
    const port: PTranslator = mmu;
    expectTypeOf(mmu).toMatchTypeOf<PTranslator>();
    // A regs object typed as ppc-isa's MmuRegs (no hrmor) is accepted.
    const r: PMmuRegs = {
      msrHV: true,
      msrPR: false,
      msrIR: false,
      msrDR: false,
      lpidr: 0,
      pidr: 0,
      ptcrHi: 0,
      ptcrLo: 0,
      lpcrHi: 0,
      lpcrLo: 0,
      amrHi: 0,
      amrLo: 0,
      iamrHi: 0,
      iamrLo: 0,
    };
    expect(port.translate(0, 0x1234, 0, r)).toEqual({
      kind: "ok",
      ra: 0x1234,
      pageShift: 12,
      perm: 7,
    });
    let calls = 0;
    const off = port.onInvalidate(() => calls++);
    port.tlbie({
      rbHi: 0,
      rbLo: 3 << 10,
      rsHi: 0,
      rsLo: 0,
      ric: 2,
      prs: 1,
      r: 1,
      local: true,
      regs: r,
    });
    off();
    port.tlbie({
      rbHi: 0,
      rbLo: 3 << 10,
      rsHi: 0,
      rsLo: 0,
      ric: 2,
      prs: 1,
      r: 1,
      local: true,
      regs: r,
    });
    expect(calls).toBe(1);
  });
});
