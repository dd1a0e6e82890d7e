// Fuzzing: random device triggers, guest interrupt handling, CPPR changes, re-routing, dispatch
// changes and migrations (save -> JSON -> restore on a fresh controller), against the two
// invariants that matter to a guest:
//   no duplicate delivery: a source is never delivered more often than it was triggered;
//   no lost interrupt:     once every vCPU unmasks and drains, each source's last trigger has
//                          been followed by a delivery (coalescing is allowed, loss is not).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dequeueEvent } from "./end-queue";
import { callHcall } from "./hcall-table";
import {
  H_CPPR,
  H_EOI,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_IPI,
  H_SUCCESS,
  H_XIRR,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_SRC_SET_EISN,
  XICS_IPI,
} from "./papr-constants";
import { SpaprXive, type SpaprXiveState } from "./spapr-xive";
import { TM_CPPR, TM_PIPR, TM_QW1_OS } from "./tctx";
import { TestLines, TestRam } from "./test-support";
import { TM_SPC_ACK_OS_REG, XIVE_TM_OS_PAGE } from "./tima";
import { XicsOnXive, type XicsOnXiveState } from "./xics-on-xive";
import { XIVE_ESB_SET_PQ_00 } from "./xive-source";

const NR_VCPUS = 2;
const LISNS = [0, 1, 0x1100, 0x1101, 0x1102];
const PRIOS = [3, 5, 6];
const QPAGE = (v: number, p: number) => 0x100000 + (v * 8 + p) * 0x10000;
const OS = XIVE_TM_OS_PAGE << 16;

class Ledger {
  readonly triggers = new Map<number, number>();
  readonly deliveries = new Map<number, number>();
  readonly lastTrigger = new Map<number, number>();
  readonly lastDelivery = new Map<number, number>();
  step = 0;
  trigger(src: number): void {
    this.step++;
    this.triggers.set(src, (this.triggers.get(src) ?? 0) + 1);
    this.lastTrigger.set(src, this.step);
  }
  deliver(src: number): void {
    this.step++;
    const d = (this.deliveries.get(src) ?? 0) + 1;
    this.deliveries.set(src, d);
    this.lastDelivery.set(src, this.step);
    expect(
      d,
      `source 0x${src.toString(16)} delivered more often than triggered`,
    ).toBeLessThanOrEqual(this.triggers.get(src) ?? 0);
  }
  checkNothingLost(): void {
    for (const [src, t] of this.lastTrigger) {
      expect(
        this.lastDelivery.get(src) ?? 0,
        `source 0x${src.toString(16)} lost its last trigger`,
      ).toBeGreaterThan(t);
    }
  }
}

type NativeOp =
  | { kind: "trigger"; src: number }
  | { kind: "handle"; vcpu: number }
  | { kind: "eoi"; vcpu: number; loadEoi: boolean }
  | { kind: "cppr"; vcpu: number; cppr: number }
  | { kind: "route"; src: number; vcpu: number; prio: number }
  | { kind: "dispatch"; vcpu: number; cede: boolean }
  | { kind: "migrate" };

const nativeOp: fc.Arbitrary<NativeOp> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("trigger" as const), src: fc.constantFrom(...LISNS) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("handle" as const), vcpu: fc.nat(NR_VCPUS - 1) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("eoi" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      loadEoi: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cppr" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      cppr: fc.constantFrom(0, 3, 5, 6, 0xff),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("route" as const),
      src: fc.constantFrom(...LISNS),
      vcpu: fc.nat(NR_VCPUS - 1),
      prio: fc.constantFrom(...PRIOS),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("dispatch" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      cede: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: "migrate" as const }), weight: 1 },
);

class NativeWorld {
  ram = new TestRam(0x1000000);
  lines = new TestLines();
  xive: SpaprXive;
  cursors = new Map<string, { index: number; bit: number }>();
  dispatched = Array.from({ length: NR_VCPUS }, () => true);
  /** Per vCPU: sources taken from the queues and not yet EOId (the handlers running). */
  inService = Array.from({ length: NR_VCPUS }, () => [] as number[]);
  constructor(readonly ledger: Ledger) {
    this.xive = this.make();
    for (let v = 0; v < NR_VCPUS; v++) {
      for (const p of PRIOS) {
        const r = this.h(
          H_INT_SET_QUEUE_CONFIG,
          SPAPR_XIVE_END_ALWAYS_NOTIFY,
          BigInt(v),
          BigInt(p),
          BigInt(QPAGE(v, p)),
          16n,
        );
        expect(r.ret).toBe(H_SUCCESS);
        this.cursors.set(`${v}/${p}`, { index: 0, bit: 0 });
      }
      this.setCppr(v, 0xff);
    }
    for (const [i, lisn] of LISNS.entries()) {
      if (!this.xive.isClaimed(lisn)) this.xive.claimIrq(lisn, false);
      this.route(lisn, i % NR_VCPUS, PRIOS[i % PRIOS.length]!);
      this.xive.esb.read(this.xive.source.mgmtPageOffset(lisn) + XIVE_ESB_SET_PQ_00);
    }
  }
  make(): SpaprXive {
    const x = new SpaprXive({
      nrVcpus: NR_VCPUS,
      guestMemory: this.ram,
      interrupts: this.lines,
      escalation: { escalate: () => undefined },
    });
    x.active = true;
    return x;
  }
  h(nr: number, ...a: bigint[]) {
    return callHcall(this.xive.hcalls(), nr, 0, a);
  }
  route(lisn: number, v: number, p: number): void {
    expect(
      this.h(
        H_INT_SET_SOURCE_CONFIG,
        SPAPR_XIVE_SRC_SET_EISN,
        BigInt(lisn),
        BigInt(v),
        BigInt(p),
        BigInt(lisn + 0x10000),
      ).ret,
    ).toBe(H_SUCCESS);
  }
  setCppr(v: number, c: number): void {
    this.xive.tima.write(OS + TM_QW1_OS + TM_CPPR, 1, BigInt(c), v);
  }
  /** Linux-like, in two steps: ACK and drain that priority's queue (the handlers run) ... */
  handle(v: number): void {
    if (!this.dispatched[v]) return;
    const ack = Number(this.xive.tima.read(OS + TM_SPC_ACK_OS_REG, 2, v));
    if (ack >> 8 === 0) return;
    const prio = ack & 0xff;
    expect(PRIOS).toContain(prio);
    const key = `${v}/${prio}`;
    for (;;) {
      const r = dequeueEvent(this.ram, QPAGE(v, prio), 16384, this.cursors.get(key)!);
      this.cursors.set(key, r.cursor);
      if (r.data === 0) break;
      const lisn = r.data - 0x10000;
      this.ledger.deliver(lisn);
      this.inService[v]!.push(lisn);
    }
  }
  /**
   * ... then an EOI per source, either Linux's (load SET_PQ_00, re-trigger if Q was set) or the
   * hardware's LOAD_EOI (load at 0x000), and CPPR back to 0xFF.
   */
  eoi(v: number, loadEoi = false): void {
    if (!this.dispatched[v]) return;
    for (const lisn of this.inService[v]!.splice(0)) {
      if (loadEoi) {
        this.xive.esb.read(this.xive.source.mgmtPageOffset(lisn));
        continue;
      }
      const old = this.xive.esb.read(this.xive.source.mgmtPageOffset(lisn) + XIVE_ESB_SET_PQ_00);
      if (old & 1n) this.xive.esb.write(this.xive.source.triggerPageOffset(lisn));
    }
    this.setCppr(v, 0xff);
  }
  checkLines(): void {
    for (let v = 0; v < NR_VCPUS; v++) {
      const regs = this.xive.router.tctx[v]!.regs;
      expect(this.lines.up(v)).toBe(regs[TM_QW1_OS + TM_PIPR]! < regs[TM_QW1_OS + TM_CPPR]!);
    }
  }
  apply(op: NativeOp): void {
    switch (op.kind) {
      case "trigger":
        this.ledger.trigger(op.src);
        this.xive.esb.write(this.xive.source.triggerPageOffset(op.src));
        break;
      case "handle":
        this.handle(op.vcpu);
        break;
      case "eoi":
        this.eoi(op.vcpu, op.loadEoi);
        break;
      case "cppr":
        if (this.dispatched[op.vcpu]) this.setCppr(op.vcpu, op.cppr);
        break;
      case "route":
        this.route(op.src, op.vcpu, op.prio);
        break;
      case "dispatch":
        if (this.dispatched[op.vcpu]) {
          this.xive.pullOsContext(op.vcpu);
          if (op.cede) this.xive.rearmEscalation(op.vcpu);
        } else this.xive.pushOsContext(op.vcpu);
        this.dispatched[op.vcpu] = !this.dispatched[op.vcpu];
        break;
      case "migrate": {
        const state = JSON.parse(JSON.stringify(this.xive.save())) as SpaprXiveState;
        this.lines = new TestLines();
        this.xive = this.make();
        this.xive.restore(state);
        break;
      }
    }
    if (this.dispatched.every((d) => d)) this.checkLines();
  }
  drain(): void {
    for (let v = 0; v < NR_VCPUS; v++) {
      if (!this.dispatched[v]) this.xive.pushOsContext(v);
      this.dispatched[v] = true;
      this.eoi(v);
    }
    for (let i = 0; i < 100 && [...Array(NR_VCPUS).keys()].some((v) => this.lines.up(v)); i++) {
      for (let v = 0; v < NR_VCPUS; v++) {
        this.handle(v);
        this.eoi(v);
      }
    }
    for (let v = 0; v < NR_VCPUS; v++) expect(this.lines.up(v)).toBe(false);
  }
}

type XicsOp =
  | { kind: "trigger"; src: number }
  | { kind: "ipi"; from: number; to: number; mfrr: number }
  | { kind: "handle"; vcpu: number }
  | { kind: "eoi"; vcpu: number }
  | { kind: "cppr"; vcpu: number; cppr: number }
  | { kind: "set-xive"; src: number; vcpu: number; prio: number }
  | { kind: "int-off"; src: number }
  | { kind: "int-on"; src: number }
  | { kind: "dispatch"; vcpu: number; cede: boolean }
  | { kind: "migrate" };

const XIRQS = [0x1100, 0x1101, 0x1200, 0x1300];
const xicsOp: fc.Arbitrary<XicsOp> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("trigger" as const), src: fc.constantFrom(...XIRQS) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("ipi" as const),
      from: fc.nat(NR_VCPUS - 1),
      to: fc.nat(NR_VCPUS - 1),
      mfrr: fc.constantFrom(2, 4, 5, 0x10),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("handle" as const), vcpu: fc.nat(NR_VCPUS - 1) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("eoi" as const), vcpu: fc.nat(NR_VCPUS - 1) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cppr" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      cppr: fc.constantFrom(0, 5, 0xff),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("set-xive" as const),
      src: fc.constantFrom(...XIRQS),
      vcpu: fc.nat(NR_VCPUS - 1),
      prio: fc.constantFrom(3, 5, 6, 0xff),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("int-off" as const), src: fc.constantFrom(...XIRQS) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("int-on" as const), src: fc.constantFrom(...XIRQS) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("dispatch" as const),
      vcpu: fc.nat(NR_VCPUS - 1),
      cede: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: "migrate" as const }), weight: 1 },
);

class XicsWorld {
  lines = new TestLines();
  xics: XicsOnXive;
  dispatched = Array.from({ length: NR_VCPUS }, () => true);
  /** Per vCPU: XIRR values accepted and not yet EOId, innermost last (nested handlers). */
  inService = Array.from({ length: NR_VCPUS }, () => [] as number[]);
  constructor(readonly ledger: Ledger) {
    this.xics = this.make();
    for (let v = 0; v < NR_VCPUS; v++) this.h(v, H_CPPR, 0xffn);
    for (const [i, irq] of XIRQS.entries()) {
      this.xics.claimIrq(irq, false);
      this.xics.setXive(irq, i % NR_VCPUS, 5);
    }
  }
  make(): XicsOnXive {
    const x = new XicsOnXive({ nrVcpus: NR_VCPUS, interrupts: this.lines });
    x.active = true;
    return x;
  }
  h(v: number, nr: number, ...a: bigint[]) {
    return callHcall(this.xics.hcalls(), nr, v, a);
  }
  /** Linux icp-hv: XIRR; an IPI clears its MFRR; the handler runs ... */
  handle(v: number): void {
    if (!this.dispatched[v]) return;
    const xirr = Number(this.h(v, H_XIRR).outs[0]);
    const irq = xirr & 0xffffff;
    if (irq === 0) return;
    if (irq === XICS_IPI) {
      expect(this.xics.icp(v).mfrr, "IPI delivered with MFRR 0xFF").not.toBe(0xff);
      this.h(v, H_IPI, BigInt(v), 0xffn);
    } else {
      this.ledger.deliver(irq);
    }
    this.inService[v]!.push(xirr);
  }
  /** ... and the innermost handler ends with H_EOI of the XIRR it got (restoring the old CPPR). */
  eoi(v: number): void {
    if (!this.dispatched[v]) return;
    const xirr = this.inService[v]!.pop();
    if (xirr !== undefined) expect(this.h(v, H_EOI, BigInt(xirr)).ret).toBe(H_SUCCESS);
  }
  apply(op: XicsOp): void {
    switch (op.kind) {
      case "trigger":
        this.ledger.trigger(op.src);
        this.xics.setIrq(op.src, true);
        break;
      case "ipi":
        this.h(op.from, H_IPI, BigInt(op.to), BigInt(op.mfrr));
        break;
      case "handle":
        this.handle(op.vcpu);
        break;
      case "eoi":
        this.eoi(op.vcpu);
        break;
      case "cppr":
        if (this.dispatched[op.vcpu]) this.h(op.vcpu, H_CPPR, BigInt(op.cppr));
        break;
      case "set-xive":
        this.xics.setXive(op.src, op.vcpu, op.prio);
        break;
      case "int-off":
        this.xics.intOff(op.src);
        break;
      case "int-on":
        this.xics.intOn(op.src);
        break;
      case "dispatch":
        if (this.dispatched[op.vcpu]) {
          this.xics.pullOsContext(op.vcpu);
          if (op.cede) this.xics.rearmEscalation(op.vcpu);
        } else this.xics.pushOsContext(op.vcpu);
        this.dispatched[op.vcpu] = !this.dispatched[op.vcpu];
        break;
      case "migrate": {
        const state = JSON.parse(JSON.stringify(this.xics.save())) as XicsOnXiveState;
        this.lines = new TestLines();
        this.xics = this.make();
        this.xics.restore(state);
        break;
      }
    }
  }
  drain(): void {
    for (const irq of XIRQS) {
      const g = this.xics.getXive(irq);
      if (g.priority === 0xff) this.xics.setXive(irq, g.server, 5);
    }
    for (let v = 0; v < NR_VCPUS; v++) {
      if (!this.dispatched[v]) this.xics.pushOsContext(v);
      this.dispatched[v] = true;
      while (this.inService[v]!.length) this.eoi(v);
      this.h(v, H_CPPR, 0xffn);
    }
    for (let i = 0; i < 200 && [...Array(NR_VCPUS).keys()].some((v) => this.lines.up(v)); i++) {
      for (let v = 0; v < NR_VCPUS; v++) {
        this.handle(v);
        this.eoi(v);
      }
    }
    for (let v = 0; v < NR_VCPUS; v++) {
      expect(this.lines.up(v)).toBe(false);
      expect(this.xics.icp(v).mfrr, `vCPU ${v} lost an IPI`).toBe(0xff);
    }
  }
}

/** Under a second alone; a shared, loaded machine with coverage on has been seen 30x slower. */
const FUZZ_TIMEOUT = 120_000;

describe("fuzz: no lost interrupt, no duplicate delivery", () => {
  it(
    "XIVE exploitation mode (ESB, TIMA, H_INT_*, dispatch, migration)",
    () => {
      fc.assert(
        fc.property(fc.array(nativeOp, { maxLength: 60 }), (ops) => {
          const ledger = new Ledger();
          const w = new NativeWorld(ledger);
          for (const op of ops) w.apply(op);
          w.drain();
          ledger.checkNothingLost();
        }),
        { numRuns: 150 },
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    "XICS over XIVE (ICP hcalls, set-xive, int-off/on, IPIs, dispatch, migration)",
    () => {
      fc.assert(
        fc.property(fc.array(xicsOp, { maxLength: 60 }), (ops) => {
          const ledger = new Ledger();
          const w = new XicsWorld(ledger);
          for (const op of ops) w.apply(op);
          w.drain();
          ledger.checkNothingLost();
        }),
        { numRuns: 250 },
      );
    },
    FUZZ_TIMEOUT,
  );
});
