import { SPR } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import type { HostModel } from "./kvm";
import { HDEC_SLICE } from "./vm";
import { I, vmWith } from "./test-guest";

const STOP = 0x4c0002e4;
const DD22: HostModel = { cpu: "POWER9 DD2.2", rptInvalidate: false, nestedHv: true };
const DD23: HostModel = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true };

/** A guest that sets DEC, executes `stop` with MSR[EE]=0, then counts and reads the TB. */
function runStopGuest(host: HostModel, decHigh = 1) {
  const t = vmWith(
    [
      I.lis(4, decHigh), // DEC = decHigh << 16
      0x7c9603a6, // mtdec r4
      STOP,
      I.li(9, 1),
      0x7d4c42a6, // mftb r10
      STOP, // DEC is pending now: returns at once
      I.li(11, 1),
      I.self,
    ],
    0x100,
    { host },
  );
  const exit = t.vm.run(300_000 * decHigh);
  const v = t.v;
  return {
    exit: exit.kind,
    pc: v.pc,
    r9: v.getGpr(9),
    r10: v.getGpr(10),
    r11: v.getGpr(11),
    msr: v.msr,
    srr0: v.getSpr(SPR.SRR0),
    guestPsscr: v.cpu.getSpr(SPR.PSSCR_PRIV),
    tb: v.cpu.tb,
    stopsEmulated: t.vm.stats().stopsEmulated,
  };
}

describe("guest stop on POWER9 DD2.2 (emulated) and DD2.3 (native)", () => {
  it("looks the same to the guest on both hosts", () => {
    const a = runStopGuest(DD22);
    const b = runStopGuest(DD23);
    expect(a.stopsEmulated).toBe(2);
    expect(b.stopsEmulated).toBe(0);
    const { stopsEmulated: _a, ...guestA } = a;
    const { stopsEmulated: _b, ...guestB } = b;
    expect(guestA).toEqual(guestB);
    expect(guestA.r9).toBe(1n);
    expect(guestA.r11).toBe(1n);
    expect(guestA.r10).toBeGreaterThanOrEqual(0x10000n);
  });

  it("sleeps through the host's HDEC time slices: only the guest's own events wake it", () => {
    // DEC fires 64 slices after the stop; the host preempts the idle vCPU at every slice end.
    const a = runStopGuest(DD22, 64);
    const b = runStopGuest(DD23, 64);
    expect(a.r10).toBeGreaterThanOrEqual(BigInt(64 * HDEC_SLICE));
    const { stopsEmulated: _a, ...guestA } = a;
    const { stopsEmulated: _b, ...guestB } = b;
    expect(guestA).toEqual(guestB);
  });

  it("keeps the trap bits in the hypervisor's half of PSSCR, invisible to the guest", () => {
    const t = vmWith([I.self], 0x100, { host: DD22 });
    expect(t.v.cpu.getSpr(SPR.PSSCR_PRIV)).toBe(0n);
    expect(t.v.getSpr(SPR.PSSCR) & 0x300000n).toBe(0x300000n);
    const n = vmWith([I.self], 0x100, { host: DD23 });
    expect(n.v.getSpr(SPR.PSSCR) & 0x300000n).toBe(0n);
  });
});
