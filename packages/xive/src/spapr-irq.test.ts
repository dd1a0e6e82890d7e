import { describe, expect, it } from "vitest";
import { callHcall } from "./hcall-table";
import {
  H_CPPR,
  H_FUNCTION,
  H_HARDWARE,
  H_INT_GET_SOURCE_INFO,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_SUCCESS,
  H_XIRR,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_SRC_SET_EISN,
} from "./papr-constants";
import { SpaprIrq, type SpaprIrqState } from "./spapr-irq";
import { TestLines, TestRam } from "./test-support";
import { XIVE_ESB_SET_PQ_00 } from "./xive-source";

function dual(icMode: "xics" | "xive" | "dual" = "dual") {
  const lines = new TestLines();
  const ram = new TestRam(0x1000000);
  const irq = new SpaprIrq({ icMode, nrVcpus: 2, guestMemory: ram, interrupts: lines });
  const h = (nr: number, ...a: bigint[]) => callHcall(irq.hcalls(), nr, 0, a);
  return { irq, lines, ram, h };
}

describe("SpaprIrq (ic-mode, active controller, hcall gating)", () => {
  it("dual: XICS before CAS, XIVE after; the other side's hcalls refuse", () => {
    const m = dual();
    expect(m.irq.active).toBe("xics");
    expect(m.h(H_INT_GET_SOURCE_INFO, 0n, 0n).ret).toBe(H_FUNCTION);
    expect(m.h(H_CPPR, 0xffn).ret).toBe(H_SUCCESS);
    m.irq.setActive("xive");
    expect(m.h(H_INT_GET_SOURCE_INFO, 0n, 0n).ret).toBe(H_SUCCESS);
    expect(m.h(H_XIRR).ret).toBe(H_HARDWARE);
    m.irq.reset();
    expect(m.irq.active).toBe("xics");
  });

  it("xive-only and xics-only machines", () => {
    const x = dual("xive");
    expect(x.irq.active).toBe("xive");
    expect(x.h(H_XIRR).ret).toBe(H_FUNCTION);
    expect(() => x.irq.setActive("xics")).toThrow(/no xics/);
    const c = dual("xics");
    expect(c.h(H_INT_GET_SOURCE_INFO, 0n, 0n).ret).toBe(H_FUNCTION);
    expect(() => c.irq.setActive("xive")).toThrow(/no xive/);
  });

  it("device interrupts reach only the active controller; claims reach both", () => {
    const m = dual();
    m.irq.claimIrq(0x1100, false);
    expect(m.irq.xics!.isClaimed(0x1100) && m.irq.xive!.isClaimed(0x1100)).toBe(true);
    // XIVE mode: configure like Linux and deliver
    m.irq.setActive("xive");
    expect(
      m.h(H_INT_SET_QUEUE_CONFIG, SPAPR_XIVE_END_ALWAYS_NOTIFY, 0n, 6n, 0x100000n, 16n).ret,
    ).toBe(H_SUCCESS);
    expect(
      m.h(H_INT_SET_SOURCE_CONFIG, SPAPR_XIVE_SRC_SET_EISN, 0x1100n, 0n, 6n, 0x1100n).ret,
    ).toBe(H_SUCCESS);
    const xive = m.irq.xive!;
    xive.esb.read(xive.source.mgmtPageOffset(0x1100) + XIVE_ESB_SET_PQ_00);
    xive.tima.write((2 << 16) + 0x11, 1, 0xffn, 0);
    m.irq.setIrq(0x1100, true);
    expect(m.lines.up(0)).toBe(true);
    expect(m.irq.xics!.source.pq(0x1100)).toBe(2); // untouched: still masked in XICS
    m.irq.freeIrq(0x1100);
    expect(m.irq.xics!.isClaimed(0x1100) || m.irq.xive!.isClaimed(0x1100)).toBe(false);
  });

  it("save/restore carries both controllers and the active one; ic-mode must match", () => {
    const m = dual();
    m.irq.claimIrq(0x1100, false);
    m.irq.setActive("xive");
    const state = JSON.parse(JSON.stringify(m.irq.save())) as SpaprIrqState;
    const n = dual();
    n.irq.claimIrq(0x1100, false);
    n.irq.restore(state);
    expect(n.irq.active).toBe("xive");
    expect(n.irq.save()).toEqual(state);
    const c = dual("xics");
    expect(() => c.irq.restore(state)).toThrow(/ic-mode=dual/);
    expect(() => c.irq.restore({ ...state, version: 2 } as unknown as SpaprIrqState)).toThrow(
      /version/,
    );
  });

  it("switching the active controller hands over the vCPU lines", () => {
    const m = dual();
    m.h(H_CPPR, 0xffn);
    m.irq.xics!.hIpi(0, 5);
    expect(m.lines.up(0)).toBe(true);
    m.irq.setActive("xive");
    expect(m.lines.up(0)).toBe(false);
    m.irq.setActive("xics");
    expect(m.lines.up(0)).toBe(true);
  });

  it("push/pull go to the active controller", () => {
    const m = dual();
    expect(m.irq.pullOsContext(1).pending).toBe(false);
    expect(m.irq.rearmEscalation(1)).toBe(true);
    m.irq.pushOsContext(1);
    m.irq.setActive("xive");
    expect(m.irq.pullOsContext(1).word2).toBe((0x80000000 | 0x401) >>> 0);
    expect(m.irq.rearmEscalation(1)).toBe(true);
    m.irq.pushOsContext(1);
  });
});
