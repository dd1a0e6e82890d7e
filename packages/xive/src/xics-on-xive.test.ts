import { describe, expect, it } from "vitest";
import { callHcall } from "./hcall-table";
import {
  H_CPPR,
  H_EOI,
  H_FUNCTION,
  H_IPI,
  H_IPOLL,
  H_PARAMETER,
  H_SUCCESS,
  H_XIRR,
  H_XIRR_X,
  RTAS_OUT_PARAM_ERROR,
  RTAS_OUT_SUCCESS,
  XICS_IPI,
} from "./papr-constants";
import { TestLines } from "./test-support";
import { XicsOnXive, xivePrioFromGuest } from "./xics-on-xive";

export function xicsMachine(nrVcpus = 2) {
  const lines = new TestLines();
  const escalated: number[] = [];
  const xics = new XicsOnXive({
    nrVcpus,
    interrupts: lines,
    escalation: { escalate: (v) => escalated.push(v) },
    timebase: { now: () => 0x1234n },
  });
  xics.active = true;
  const h = (v: number, nr: number, ...args: bigint[]) => callHcall(xics.hcalls(), nr, v, args);
  return { xics, lines, escalated, h };
}

/** What Linux's icp-hv does on an external interrupt: XIRR, (IPI: MFRR <- 0xFF), EOI. */
export function linuxXicsHandle(m: ReturnType<typeof xicsMachine>, v: number): number {
  const xirr = Number(m.h(v, H_XIRR).outs[0]);
  const irq = xirr & 0xffffff;
  if (irq === 0) return 0;
  if (irq === XICS_IPI) m.h(v, H_IPI, BigInt(v), 0xffn);
  expect(m.h(v, H_EOI, BigInt(xirr)).ret).toBe(H_SUCCESS);
  return irq;
}

describe("XICS over XIVE (KVM XICS-on-XIVE)", () => {
  it("maps guest priorities 0..5 as is, 0xFF masked, the rest to 6", () => {
    expect([0, 5, 6, 7, 0x10, 0xfe, 0xff].map(xivePrioFromGuest)).toEqual([0, 5, 6, 6, 6, 6, 0xff]);
  });

  it("an interrupt from a device: set-xive, trigger, H_XIRR, H_EOI", () => {
    const m = xicsMachine();
    const irq = 0x1100;
    m.xics.claimIrq(irq, false);
    expect(m.h(1, H_CPPR, 0xffn).ret).toBe(H_SUCCESS);
    expect(m.xics.setXive(irq, 1, 5)).toBe(RTAS_OUT_SUCCESS);
    expect(m.xics.getXive(irq)).toEqual({ status: RTAS_OUT_SUCCESS, server: 1, priority: 5 });
    m.xics.setIrq(irq, true);
    expect(m.lines.up(1)).toBe(true);
    expect(m.lines.up(0)).toBe(false);
    const r = m.h(1, H_XIRR);
    expect(r).toEqual({ ret: H_SUCCESS, outs: [0xff001100n] });
    expect(m.xics.icp(1).cppr).toBe(5);
    expect(m.lines.up(1)).toBe(false);
    // nothing else: XIRR returns 0 with the current CPPR
    expect(m.h(1, H_XIRR).outs[0]).toBe(BigInt((5 << 24) >>> 0));
    expect(m.h(1, H_EOI, BigInt(((0xff << 24) | irq) >>> 0)).ret).toBe(H_SUCCESS);
    expect(m.xics.icp(1).cppr).toBe(0xff);
    expect(m.xics.source.pq(irq)).toBe(0);
    // H_XIRR_X also returns the timebase
    expect(m.h(1, H_XIRR_X).outs).toEqual([0xff000000n, 0x1234n]);
  });

  it("IPIs: H_IPI with MFRR below the target CPPR interrupts it; H_IPOLL peeks", () => {
    const m = xicsMachine();
    m.h(1, H_CPPR, 0xffn);
    expect(m.h(0, H_IPI, 1n, 4n).ret).toBe(H_SUCCESS);
    expect(m.lines.up(1)).toBe(true);
    expect(m.h(0, H_IPOLL, 1n).outs).toEqual([0xff000002n, 4n]);
    expect(m.h(1, H_IPOLL, 1n).outs[0]).toBe(0xff000002n);
    expect(linuxXicsHandle(m, 1)).toBe(XICS_IPI);
    expect(m.xics.icp(1)).toMatchObject({ cppr: 0xff, mfrr: 0xff });
    expect(m.lines.up(1)).toBe(false);
    expect(linuxXicsHandle(m, 1)).toBe(0);
    // MFRR not below CPPR: no interrupt
    m.h(1, H_CPPR, 3n);
    m.h(0, H_IPI, 1n, 4n);
    expect(m.lines.up(1)).toBe(false);
    // lowering the mask (CPPR up) lets it through
    m.h(1, H_CPPR, 0xffn);
    expect(m.lines.up(1)).toBe(true);
    expect(linuxXicsHandle(m, 1)).toBe(XICS_IPI);
  });

  it("priority: a more favoured IPI is returned before a queued device interrupt", () => {
    const m = xicsMachine(1);
    m.xics.claimIrq(0x1200, false);
    m.xics.setXive(0x1200, 0, 5);
    m.h(0, H_CPPR, 0xffn);
    m.xics.setIrq(0x1200, true);
    m.h(0, H_IPI, 0n, 2n);
    expect(linuxXicsHandle(m, 0)).toBe(XICS_IPI);
    expect(linuxXicsHandle(m, 0)).toBe(0x1200);
    expect(linuxXicsHandle(m, 0)).toBe(0);
  });

  it("masking with int-off keeps a trigger and int-on delivers it", () => {
    const m = xicsMachine(1);
    const irq = 0x1300;
    m.xics.claimIrq(irq, false);
    m.h(0, H_CPPR, 0xffn);
    m.xics.setXive(irq, 0, 4);
    expect(m.xics.intOff(irq)).toBe(RTAS_OUT_SUCCESS);
    expect(m.xics.getXive(irq).priority).toBe(0xff);
    m.xics.setIrq(irq, true);
    expect(m.lines.up(0)).toBe(false);
    expect(m.xics.intOn(irq)).toBe(RTAS_OUT_SUCCESS);
    expect(m.xics.getXive(irq).priority).toBe(4);
    expect(linuxXicsHandle(m, 0)).toBe(irq);
    expect(linuxXicsHandle(m, 0)).toBe(0);
  });

  it("set-xive with 0xFF masks; a masked in-service interrupt is EOId at unmask", () => {
    const m = xicsMachine(1);
    const irq = 0x1301;
    m.xics.claimIrq(irq, false);
    m.h(0, H_CPPR, 0xffn);
    m.xics.setXive(irq, 0, 4);
    m.xics.setIrq(irq, true);
    const xirr = Number(m.h(0, H_XIRR).outs[0]);
    m.xics.setXive(irq, 0, 0xff);
    m.xics.setIrq(irq, true); // coalesced into Q while masked
    m.h(0, H_EOI, BigInt(xirr));
    m.xics.setXive(irq, 0, 4);
    expect(linuxXicsHandle(m, 0)).toBe(irq);
    expect(linuxXicsHandle(m, 0)).toBe(0);
  });

  it("LSI: re-triggered at H_EOI while the line is still asserted", () => {
    const m = xicsMachine(1);
    const irq = 0x1200;
    m.xics.claimIrq(irq, true);
    m.h(0, H_CPPR, 0xffn);
    m.xics.setXive(irq, 0, 5);
    m.xics.setIrq(irq, true);
    expect(linuxXicsHandle(m, 0)).toBe(irq);
    expect(linuxXicsHandle(m, 0)).toBe(irq); // still asserted
    m.xics.setIrq(irq, false);
    expect(linuxXicsHandle(m, 0)).toBe(irq);
    expect(linuxXicsHandle(m, 0)).toBe(0);
  });

  it("H_CPPR masking more re-sends interrupts re-routed to another server", () => {
    const m = xicsMachine(2);
    const irq = 0x1100;
    m.xics.claimIrq(irq, false);
    m.h(0, H_CPPR, 0xffn);
    m.h(1, H_CPPR, 0xffn);
    m.xics.setXive(irq, 0, 5);
    m.h(0, H_CPPR, 0n); // vCPU 0 masks everything
    m.xics.setIrq(irq, true); // queued for vCPU 0, not signalled
    expect(m.lines.up(0)).toBe(false);
    m.xics.setXive(irq, 1, 5); // re-routed
    m.h(0, H_CPPR, 0n); // masking (not less): the entry becomes a DUMMY and is re-sent to vCPU 1
    expect(m.lines.up(1)).toBe(true);
    expect(linuxXicsHandle(m, 1)).toBe(irq);
    m.h(0, H_CPPR, 0xffn);
    expect(linuxXicsHandle(m, 0)).toBe(0); // the DUMMY is skipped
  });

  it("argument errors and H_FUNCTION while XIVE exploitation is active", () => {
    const m = xicsMachine(2);
    expect(m.h(0, H_IPI, 2n, 0n).ret).toBe(H_PARAMETER);
    expect(m.h(0, H_IPOLL, 2n).ret).toBe(H_PARAMETER);
    expect(m.h(0, H_EOI, 0xff001234n).ret).toBe(H_PARAMETER); // no such source
    expect(m.xics.setXive(0x1fff, 0, 5)).toBe(RTAS_OUT_PARAM_ERROR);
    m.xics.claimIrq(0x1fff, false);
    expect(m.xics.setXive(0x1fff, 2, 5)).toBe(RTAS_OUT_PARAM_ERROR);
    expect(m.xics.getXive(0x1ffe).status).toBe(RTAS_OUT_PARAM_ERROR);
    expect(m.xics.intOff(0x1ffe)).toBe(RTAS_OUT_PARAM_ERROR);
    expect(m.xics.intOn(0x1fff)).toBe(RTAS_OUT_PARAM_ERROR); // never targeted
    expect(() => m.xics.claimIrq(0x10, false)).toThrow(/outside/);
    expect(() => m.xics.claimIrq(0x1fff, false)).toThrow(/already/);
    expect(() => m.xics.setIrq(0x1ffe, true)).toThrow(/not claimed/);
    m.xics.freeIrq(0x1fff);
    expect(m.xics.isClaimed(0x1fff)).toBe(false);
    m.xics.active = false;
    for (const nr of m.xics.hcalls().keys()) expect(m.h(0, nr, 0n, 0n).ret).toBe(H_FUNCTION);
  });

  it("escalation: a device interrupt for a ceded vCPU kicks it, pull reports pending IPIs", () => {
    const m = xicsMachine(1);
    m.xics.claimIrq(0x1100, false);
    m.h(0, H_CPPR, 0xffn);
    m.xics.setXive(0x1100, 0, 5);
    expect(m.xics.pullOsContext(0).pending).toBe(false);
    expect(m.xics.rearmEscalation(0)).toBe(true);
    m.xics.setIrq(0x1100, true);
    expect(m.escalated).toEqual([0]);
    expect(m.lines.up(0)).toBe(false);
    m.xics.pushOsContext(0);
    expect(m.lines.up(0)).toBe(true);
    expect(linuxXicsHandle(m, 0)).toBe(0x1100);
    m.xics.hIpi(0, 3);
    expect(m.xics.pullOsContext(0).pending).toBe(true);
    expect(m.xics.rearmEscalation(0)).toBe(false);
  });
});
