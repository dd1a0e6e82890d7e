import { describe, expect, it } from "vitest";
import {
  H_FUNCTION,
  H_HARDWARE,
  H_INT_ESB,
  H_INT_GET_OS_REPORTING_LINE,
  H_INT_GET_QUEUE_CONFIG,
  H_INT_GET_QUEUE_INFO,
  H_INT_GET_SOURCE_CONFIG,
  H_INT_GET_SOURCE_INFO,
  H_INT_RESET,
  H_INT_SET_OS_REPORTING_LINE,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_INT_SYNC,
  H_P2,
  H_P3,
  H_P4,
  H_P5,
  H_PARAMETER,
  H_SUCCESS,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_END_DEBUG,
  SPAPR_XIVE_ESB_STORE,
  SPAPR_XIVE_SRC_H_INT_ESB,
  SPAPR_XIVE_SRC_LSI,
  SPAPR_XIVE_SRC_MASK,
  SPAPR_XIVE_SRC_SET_EISN,
} from "./papr-constants";
import { SPAPR_XIVE_VC_BASE, SPAPR_IRQ_VIO } from "./spapr-layout";

import { TM_QW1_OS, TM_CPPR, TM_IPB, TM_PIPR } from "./tctx";
import { GuestOs, machine } from "./test-support";
import {
  TM_SPC_ACK_OS_REG,
  TM_SPC_PULL_OS_CTX,
  TM_SPC_SET_OS_PENDING,
  XIVE_TM_HV_PAGE,
  XIVE_TM_OS_PAGE,
} from "./tima";
import { XIVE_ESB_SET_PQ_01 } from "./xive-source";
import { U64_MINUS_1 } from "./hcall-table";

const OS = XIVE_TM_OS_PAGE << 16;
const HV = XIVE_TM_HV_PAGE << 16;

describe("sPAPR XIVE end to end (exploitation mode)", () => {
  it("an IPI between two vCPUs: trigger, queue entry, ACK_OS_REG, EOI, CPPR restore", () => {
    const m = machine();
    const g1 = new GuestOs(m, 1);
    expect(g1.configureQueue(6)).toBe(H_SUCCESS);
    g1.setCppr(0xff);
    g1.route(1, 6, 0x41);
    // vCPU 0 sends the IPI: a store on LISN 1's trigger page
    m.xive.esb.write(m.xive.source.triggerPageOffset(1));
    expect(m.lines.up(1)).toBe(true);
    expect(m.lines.up(0)).toBe(false);
    const regs = m.xive.router.tctx[1]!.regs;
    expect(regs[TM_QW1_OS + TM_IPB]).toBe(0x02);
    expect(regs[TM_QW1_OS + TM_PIPR]).toBe(6);
    // ACK: NSR (EO) << 8 | new CPPR
    expect(g1.ack()).toBe(0x8006);
    expect(m.lines.up(1)).toBe(false);
    expect(regs[TM_QW1_OS + TM_IPB]).toBe(0);
    expect(g1.pop(6)).toBe(0x41);
    expect(g1.pop(6)).toBe(0);
    // a second IPI before the EOI coalesces (PQ 10 -> 11) and is replayed by the EOI
    m.xive.esb.write(m.xive.source.triggerPageOffset(1));
    expect(m.lines.up(1)).toBe(false);
    g1.eoi(1);
    expect(g1.pop(6)).toBe(0x41); // re-triggered into the queue
    g1.setCppr(0xff);
    expect(m.lines.up(1)).toBe(true); // PIPR 6 < CPPR 0xFF
    expect(g1.ack()).toBe(0x8006);
    g1.eoi(1);
    g1.setCppr(0xff);
    expect(m.lines.up(1)).toBe(false);
    expect(m.log.messages).toEqual([]);
  });

  it("priority masking: CPPR holds back equal and less favoured priorities", () => {
    const m = machine();
    const g = new GuestOs(m, 0);
    g.configureQueue(3);
    g.configureQueue(5);
    m.xive.claimIrq(SPAPR_IRQ_VIO, false);
    g.route(SPAPR_IRQ_VIO, 5, 0x1100);
    m.xive.claimIrq(SPAPR_IRQ_VIO + 1, false);
    g.route(SPAPR_IRQ_VIO + 1, 3, 0x1101);
    g.setCppr(5);
    m.xive.setIrq(SPAPR_IRQ_VIO, true);
    expect(m.lines.up(0)).toBe(false); // 5 is not < 5
    m.xive.setIrq(SPAPR_IRQ_VIO + 1, true);
    expect(m.lines.up(0)).toBe(true); // 3 < 5
    expect(g.ack()).toBe(0x8003);
    expect(g.pop(3)).toBe(0x1101);
    // CPPR back to 0xFF exposes priority 5
    g.setCppr(0xff);
    expect(m.lines.up(0)).toBe(true);
    // masking over a signalled exception withdraws the signal; nothing is lost
    g.setCppr(0);
    expect(m.lines.up(0)).toBe(false);
    g.setCppr(0xff);
    expect(g.ack()).toBe(0x8005);
    expect(g.pop(5)).toBe(0x1100);
  });

  it("TIMA: SET_OS_PENDING, CPPR > 7 stored as 0xFF, ACK with nothing pending", () => {
    const m = machine(1);
    const t = m.xive.tima;
    expect(t.read(OS + TM_SPC_ACK_OS_REG, 2, 0)).toBe(0x00n); // NSR 0, CPPR 0 after reset
    t.write(OS + TM_QW1_OS + TM_CPPR, 1, 9n, 0);
    expect(m.xive.router.tctx[0]!.regs[TM_QW1_OS + TM_CPPR]).toBe(0xff);
    t.write(OS + TM_SPC_SET_OS_PENDING, 1, 4n, 0);
    expect(m.lines.up(0)).toBe(true);
    expect(t.read(OS + TM_SPC_ACK_OS_REG, 2, 0)).toBe(0x8004n);
    // raw 8-byte read of QW1 from the OS page: WORD2 is hidden from the OS
    const qw1 = t.read(OS + TM_QW1_OS, 8, 0);
    expect(qw1 >> 56n).toBe(0n); // NSR
    expect((qw1 >> 48n) & 0xffn).toBe(4n); // CPPR
    expect(t.read(OS + TM_QW1_OS + 8, 4, 0)).toBe(0n);
    expect(t.read(HV + TM_QW1_OS + 8, 4, 0)).toBe(BigInt((0x80000000 | 0x400) >>> 0));
    // byte loads of raw registers are invalid
    expect(t.read(OS + TM_QW1_OS, 1, 0)).toBe(0xffn);
    expect(m.log.messages.length).toBe(1);
  });

  it("TIMA: ops need their page; PULL_OS_CTX from the HV page; push replays the backlog", () => {
    const m = machine(1);
    const g = new GuestOs(m, 0);
    g.configureQueue(6);
    g.setCppr(0xff);
    g.route(0, 6, 7);
    const t = m.xive.tima;
    // the OS page cannot pull
    expect(t.read(OS + TM_SPC_PULL_OS_CTX, 4, 0)).toBe(0xffffffffn);
    const w2 = t.read(HV + TM_SPC_PULL_OS_CTX, 4, 0);
    expect(w2).toBe(BigInt((0x80000000 | 0x400) >>> 0));
    // undispatched: the event goes to the queue, the NVT backlog, no line
    m.xive.setIrq(0, true);
    expect(m.lines.up(0)).toBe(false);
    expect(m.xive.router.nvtBacklog(0)).toBe(0x02);
    // push the context back (HV page, WORD2 store): the backlog is replayed
    t.write(HV + TM_QW1_OS + 8, 4, w2, 0);
    expect(m.lines.up(0)).toBe(true);
    expect(m.xive.router.nvtBacklog(0)).toBe(0);
    expect(g.handle(6)).toEqual([7]);
  });

  it("escalation: an event for a ceded vCPU escalates once until re-armed", () => {
    const m = machine(2);
    const g = new GuestOs(m, 1);
    g.configureQueue(6);
    g.setCppr(0xff);
    g.route(1, 6, 1);
    // an exit: pulled, escalation still masked -> the event only goes to the backlog
    expect(m.xive.pullOsContext(1)).toEqual({ word2: (0x80000000 | 0x401) >>> 0, pending: false });
    m.xive.setIrq(1, true);
    expect(m.escalated).toEqual([]);
    expect(m.xive.router.nvtBacklog(1)).toBe(0x02);
    // ceding now must be refused: something is pending in the backlog
    expect(m.xive.rearmEscalation(1)).toBe(false);
    m.xive.pushOsContext(1);
    expect(g.handle(6)).toEqual([1]);
    g.eoi(1);
    // a real cede: pulled and re-armed; the next event escalates once, then coalesces
    m.xive.pullOsContext(1);
    expect(m.xive.rearmEscalation(1)).toBe(true);
    m.xive.setIrq(1, true);
    expect(m.escalated).toEqual([1]);
    m.xive.source.setPq(1, 0);
    m.xive.setIrq(1, true);
    expect(m.escalated).toEqual([1]);
    m.xive.pushOsContext(1);
    expect(m.lines.up(1)).toBe(true);
    expect(g.handle(6)).toEqual([1, 1]);
    // pulling with something pending reports it
    m.xive.router.tctx[1]!.osIpbUpdate(0x02);
    expect(m.xive.pullOsContext(1).pending).toBe(true);
  });

  it("H_INT_ESB drives LSIs (which must use it) and returns -1 for stores", () => {
    const m = machine(1);
    const lisn = SPAPR_IRQ_VIO;
    m.xive.claimIrq(lisn, true);
    const info = m.h(H_INT_GET_SOURCE_INFO, 0n, BigInt(lisn));
    expect(info.ret).toBe(H_SUCCESS);
    expect(info.outs).toEqual([
      SPAPR_XIVE_SRC_H_INT_ESB | SPAPR_XIVE_SRC_LSI,
      U64_MINUS_1,
      U64_MINUS_1,
      16n,
    ]);
    const g = new GuestOs(m, 0);
    g.configureQueue(6);
    g.setCppr(0xff);
    expect(
      m.h(H_INT_SET_SOURCE_CONFIG, SPAPR_XIVE_SRC_SET_EISN, BigInt(lisn), 0n, 6n, 0x99n).ret,
    ).toBe(H_SUCCESS);
    expect(m.h(H_INT_ESB, 0n, BigInt(lisn), 0xc00n, 0n)).toEqual({ ret: H_SUCCESS, outs: [1n] }); // old PQ 01
    m.xive.setIrq(lisn, true);
    expect(g.handle(6)).toEqual([0x99]);
    // LSI EOI (load 0x000) while still asserted re-triggers
    expect(m.h(H_INT_ESB, 0n, BigInt(lisn), 0n, 0n).outs).toEqual([1n]);
    g.setCppr(0xff);
    expect(g.handle(6)).toEqual([0x99]);
    m.xive.setIrq(lisn, false);
    expect(m.h(H_INT_ESB, 0n, BigInt(lisn), 0n, 0n).outs).toEqual([0n]);
    expect(m.h(H_INT_ESB, SPAPR_XIVE_ESB_STORE, BigInt(lisn), XIVE_ESB_SET_PQ_01_BIG, 0n)).toEqual({
      ret: H_SUCCESS,
      outs: [U64_MINUS_1],
    });
    expect(m.xive.source.pq(lisn)).toBe(1);
  });
});

const XIVE_ESB_SET_PQ_01_BIG = BigInt(XIVE_ESB_SET_PQ_01);

describe("H_INT_* argument checks", () => {
  it("every H_INT_* returns H_FUNCTION until CAS selected XIVE exploitation", () => {
    const m = machine();
    m.xive.active = false;
    for (const nr of m.xive.hcalls().keys())
      expect(m.h(nr, 0n, 0n, 0n, 0n, 0n).ret).toBe(H_FUNCTION);
    expect([...m.xive.hcalls().values()].map((e) => e.name)).toContain("H_INT_RESET");
  });

  it("reporting-line hcalls are H_FUNCTION, as in QEMU", () => {
    const m = machine();
    expect(m.h(H_INT_SET_OS_REPORTING_LINE, 0n, 0n).ret).toBe(H_FUNCTION);
    expect(m.h(H_INT_GET_OS_REPORTING_LINE, 0n, 0n, 0n).ret).toBe(H_FUNCTION);
  });

  it("H_INT_GET_SOURCE_INFO", () => {
    const m = machine();
    expect(m.h(H_INT_GET_SOURCE_INFO, 1n, 0n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_GET_SOURCE_INFO, 0n, 0x2000n).ret).toBe(H_P2);
    expect(m.h(H_INT_GET_SOURCE_INFO, 0n, 0x1234n).ret).toBe(H_P2); // not claimed
    const r = m.h(H_INT_GET_SOURCE_INFO, 0n, 1n);
    expect(r.outs).toEqual([
      0n,
      BigInt(SPAPR_XIVE_VC_BASE + 0x30000),
      BigInt(SPAPR_XIVE_VC_BASE + 0x20000),
      16n,
    ]);
  });

  it("H_INT_SET_SOURCE_CONFIG / GET_SOURCE_CONFIG", () => {
    const m = machine();
    const set = (f: bigint, lisn: bigint, target: bigint, prio: bigint, eisn = 0n) =>
      m.h(H_INT_SET_SOURCE_CONFIG, f, lisn, target, prio, eisn).ret;
    expect(set(4n, 0n, 0n, 6n)).toBe(H_PARAMETER);
    expect(set(0n, 0x1234n, 0n, 6n)).toBe(H_P2);
    expect(set(0n, 0n, 0n, 7n)).toBe(H_P4); // reserved for escalation
    expect(set(0n, 0n, 0n, 0x100n)).toBe(H_P4);
    expect(set(0n, 0n, 2n, 6n)).toBe(H_P3); // no such server
    expect(set(SPAPR_XIVE_SRC_SET_EISN, 0n, 1n, 5n, 0x55n)).toBe(H_SUCCESS);
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 0n, 0n).outs).toEqual([1n, 5n, 0x55n]);
    expect(set(SPAPR_XIVE_SRC_MASK, 0n, 1n, 4n)).toBe(H_SUCCESS);
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 0n, 0n).outs).toEqual([1n, 0xffn, 0x55n]);
    expect(set(0n, 0n, 1n, 0xffn)).toBe(H_SUCCESS); // reset to VALID|MASKED
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 0n, 0n).outs).toEqual([0n, 0xffn, 0n]);
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 1n, 0n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 0n, 0x1fffn).ret).toBe(H_P2);
  });

  it("masked EAS: the event stops at the router and PQ stays 10", () => {
    const m = machine(1);
    const g = new GuestOs(m, 0);
    g.configureQueue(6);
    g.route(0, 6, 1);
    m.h(H_INT_SET_SOURCE_CONFIG, SPAPR_XIVE_SRC_MASK, 0n, 0n, 6n, 0n);
    m.xive.setIrq(0, true);
    expect(m.xive.source.pq(0)).toBe(2);
    expect(g.pop(6)).toBe(0);
  });

  it("H_INT_GET_QUEUE_INFO", () => {
    const m = machine();
    expect(m.h(H_INT_GET_QUEUE_INFO, 1n, 0n, 6n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_GET_QUEUE_INFO, 0n, 0n, 7n).ret).toBe(H_P3);
    expect(m.h(H_INT_GET_QUEUE_INFO, 0n, 9n, 7n).ret).toBe(H_P3); // priority checked first
    expect(m.h(H_INT_GET_QUEUE_INFO, 0n, 9n, 6n).ret).toBe(H_P2);
    expect(m.h(H_INT_GET_QUEUE_INFO, 0n, 1n, 6n).outs[1]).toBe(0n);
    new GuestOs(m, 1).configureQueue(6);
    const r = m.h(H_INT_GET_QUEUE_INFO, 0n, 1n, 6n);
    expect(r.outs).toEqual([BigInt(SPAPR_XIVE_VC_BASE + 0x2000 * 0x20000 + 0x40000 * 14), 16n]);
  });

  it("H_INT_SET_QUEUE_CONFIG / GET_QUEUE_CONFIG", () => {
    const m = machine();
    const set = (f: bigint, t: bigint, p: bigint, q: bigint, s: bigint) =>
      m.h(H_INT_SET_QUEUE_CONFIG, f, t, p, q, s).ret;
    expect(set(2n, 0n, 6n, 0x100000n, 16n)).toBe(H_PARAMETER);
    expect(set(0n, 0n, 7n, 0x100000n, 16n)).toBe(H_P3);
    expect(set(0n, 5n, 6n, 0x100000n, 16n)).toBe(H_P2);
    expect(set(0n, 0n, 6n, 0x100000n, 15n)).toBe(H_P5);
    expect(set(0n, 0n, 6n, 0x101000n, 16n)).toBe(H_P4); // misaligned
    expect(set(0n, 0n, 6n, 0x2000000n, 16n)).toBe(H_P4); // not RAM
    expect(set(0n, 0n, 6n, 0x100000n, 12n)).toBe(H_SUCCESS);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 0n, 0n, 6n).outs).toEqual([0n, 0x100000n, 12n, 0n]);
    expect(set(SPAPR_XIVE_END_ALWAYS_NOTIFY, 0n, 6n, 0x100000n, 16n)).toBe(H_SUCCESS);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, SPAPR_XIVE_END_DEBUG, 0n, 6n).outs).toEqual([
      SPAPR_XIVE_END_ALWAYS_NOTIFY | (1n << 62n),
      0x100000n,
      16n,
      0n,
    ]);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 2n, 0n, 6n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 0n, 0n, 7n).ret).toBe(H_P3);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 0n, 3n, 6n).ret).toBe(H_P2);
    expect(set(0n, 0n, 6n, 0n, 0n)).toBe(H_SUCCESS); // reset
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 0n, 0n, 6n).outs).toEqual([0n, 0n, 0n, 0n]);
  });

  it("in-kernel placement: KVM takes only 64K ALWAYS_NOTIFY queues (H_HARDWARE otherwise)", () => {
    const m = machine(1, "kernel");
    expect(
      m.h(H_INT_SET_QUEUE_CONFIG, SPAPR_XIVE_END_ALWAYS_NOTIFY, 0n, 6n, 0x100000n, 12n).ret,
    ).toBe(H_HARDWARE);
    expect(m.h(H_INT_SET_QUEUE_CONFIG, 0n, 0n, 6n, 0x100000n, 16n).ret).toBe(H_HARDWARE);
    expect(
      m.h(H_INT_SET_QUEUE_CONFIG, SPAPR_XIVE_END_ALWAYS_NOTIFY, 0n, 6n, 0x100000n, 16n).ret,
    ).toBe(H_SUCCESS);
  });

  it("H_INT_ESB, H_INT_SYNC, H_INT_RESET", () => {
    const m = machine(1);
    expect(m.h(H_INT_ESB, 2n, 0n, 0n, 0n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_ESB, 0n, 0x1000n, 0n, 0n).ret).toBe(H_P2);
    expect(m.h(H_INT_ESB, 0n, 0n, 0x20001n, 0n).ret).toBe(H_P3);
    expect(m.h(H_INT_ESB, 0n, 0n, 0x800n, 0n)).toEqual({ ret: H_SUCCESS, outs: [1n] });
    expect(m.h(H_INT_SYNC, 1n, 0n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_SYNC, 0n, 1n).ret).toBe(H_P2);
    expect(m.h(H_INT_SYNC, 0n, 0n).ret).toBe(H_SUCCESS);
    const g = new GuestOs(m, 0);
    g.configureQueue(6);
    g.route(0, 6, 3);
    expect(m.h(H_INT_RESET, 1n).ret).toBe(H_PARAMETER);
    expect(m.h(H_INT_RESET, 0n).ret).toBe(H_SUCCESS);
    expect(m.h(H_INT_GET_SOURCE_CONFIG, 0n, 0n).outs).toEqual([0n, 0xffn, 0n]);
    expect(m.h(H_INT_GET_QUEUE_CONFIG, 0n, 0n, 6n).outs).toEqual([0n, 0n, 0n, 0n]);
  });
});
