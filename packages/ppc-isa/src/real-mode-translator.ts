// A translator for a machine without an MMU (tests, `hvsim exec`, the benchmarks): every
// effective address maps to the real address with EA bits 0:3 ignored, as in hypervisor real
// mode (ISA v3.0 Book III 5.7.3), whatever MSR[IR/DR] say. Real addresses are limited to 52
// bits; an EA beyond that faults like an access to a non-existent address would.
import type { AccessKind, MmuFault, MmuRegs, TlbieOp, TranslationOk, Translator } from "./ports";

const RA_LIMIT_HI = 1 << 20; // 2^52 = hi word 2^20

export class RealModeTranslator implements Translator {
  private readonly listeners = new Set<() => void>();

  translate(
    eaHi: number,
    eaLo: number,
    access: AccessKind,
    _regs: MmuRegs,
  ): TranslationOk | MmuFault {
    const hi = eaHi & 0x0fffffff;
    if (hi >= RA_LIMIT_HI) {
      const data = access !== 2;
      return {
        kind: "fault",
        vector: data ? 0x300 : 0x400,
        dsisr: data ? (access === 1 ? 0x42000000 : 0x40000000) : 0,
        srr1Cause: data ? 0 : 0x40000000,
        eaHi,
        eaLo,
        asdr: 0,
      };
    }
    return { kind: "ok", ra: hi * 0x100000000 + (eaLo >>> 0), pageShift: 12, perm: 7 };
  }

  tlbie(_op: TlbieOp): void {
    for (const l of this.listeners) l();
  }

  onInvalidate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
