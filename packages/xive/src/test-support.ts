// Test fixtures shared by the unit tests (not exported from the package).
import { expect } from "vitest";
import { dequeueEvent } from "./end-queue";
import { callHcall } from "./hcall-table";
import {
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_SUCCESS,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_SRC_SET_EISN,
} from "./papr-constants";
import { SpaprXive, type IrqchipPlacement } from "./spapr-xive";
import { TM_CPPR, TM_QW1_OS } from "./tctx";
import { TM_SPC_ACK_OS_REG, XIVE_TM_OS_PAGE } from "./tima";
import { XIVE_ESB_SET_PQ_00 } from "./xive-source";
import { KernelMemory } from "./kernel-memory";
import type { GuestErrorLog, GuestMemory, InterruptSink } from "./ports";

/** Guest RAM of `size` bytes from address 0. */
export class TestRam implements GuestMemory {
  private readonly mem = new KernelMemory();
  constructor(readonly size: number) {}
  load32(a: number): number {
    return this.mem.load32(a);
  }
  store32(a: number, v: number): void {
    if (!this.isRam(a, 4)) throw new Error(`TestRam: store outside RAM at ${a}`);
    this.mem.store32(a, v);
  }
  isRam(a: number, len: number): boolean {
    return a >= 0 && a + len <= this.size;
  }
}

/** Records each vCPU's external-interrupt line. */
export class TestLines implements InterruptSink {
  readonly level = new Map<number, boolean>();
  edges = 0;
  setExternal(vcpu: number, level: boolean): void {
    if (this.level.get(vcpu) !== level) this.edges++;
    this.level.set(vcpu, level);
  }
  up(vcpu: number): boolean {
    return this.level.get(vcpu) === true;
  }
}

export class TestLog implements GuestErrorLog {
  readonly messages: string[] = [];
  guestError(m: string): void {
    this.messages.push(m);
  }
}

const OS = XIVE_TM_OS_PAGE << 16;
const QPAGE = (v: number, p: number) => 0x100000 + (v * 8 + p) * 0x10000;

export function machine(nrVcpus = 2, placement: IrqchipPlacement = "vmm") {
  const ram = new TestRam(0x1000000);
  const lines = new TestLines();
  const log = new TestLog();
  const escalated: number[] = [];
  const xive = new SpaprXive({
    nrVcpus,
    nrIrqs: 0x2000,
    guestMemory: ram,
    interrupts: lines,
    log,
    placement,
    escalation: { escalate: (v) => escalated.push(v) },
  });
  xive.active = true;
  const h = (nr: number, ...args: bigint[]) => callHcall(xive.hcalls(), nr, 0, args);
  return { xive, ram, lines, log, escalated, h };
}

/** A guest OS per vCPU doing what Linux's XIVE spapr backend does. */
export class GuestOs {
  readonly toggle = new Map<number, { index: number; bit: number }>();
  constructor(
    public m: Pick<ReturnType<typeof machine>, "xive" | "ram" | "h">,
    readonly vcpu: number,
  ) {}
  configureQueue(prio: number, flags = SPAPR_XIVE_END_ALWAYS_NOTIFY): number {
    this.toggle.set(prio, { index: 0, bit: 0 });
    return this.m.h(
      H_INT_SET_QUEUE_CONFIG,
      flags,
      BigInt(this.vcpu),
      BigInt(prio),
      BigInt(QPAGE(this.vcpu, prio)),
      16n,
    ).ret;
  }
  /** Route lisn here at prio with EISN, and unmask it at the source (ESB load 0xC00). */
  route(lisn: number, prio: number, eisn: number): void {
    const r = this.m.h(
      H_INT_SET_SOURCE_CONFIG,
      SPAPR_XIVE_SRC_SET_EISN,
      BigInt(lisn),
      BigInt(this.vcpu),
      BigInt(prio),
      BigInt(eisn),
    );
    expect(r.ret).toBe(H_SUCCESS);
    this.m.xive.esb.read(this.m.xive.source.mgmtPageOffset(lisn) + XIVE_ESB_SET_PQ_00);
  }
  ack(): number {
    return Number(this.m.xive.tima.read(OS + TM_SPC_ACK_OS_REG, 2, this.vcpu));
  }
  setCppr(cppr: number): void {
    this.m.xive.tima.write(OS + TM_QW1_OS + TM_CPPR, 1, BigInt(cppr), this.vcpu);
  }
  pop(prio: number): number {
    const at = this.toggle.get(prio)!;
    const r = dequeueEvent(this.m.ram, QPAGE(this.vcpu, prio), 16384, at);
    this.toggle.set(prio, r.cursor);
    return r.data;
  }
  /** MSI EOI: load 0xC00 (PQ <- 00), re-trigger if Q was set. */
  eoi(lisn: number): void {
    const x = this.m.xive;
    const old = x.esb.read(x.source.mgmtPageOffset(lisn) + XIVE_ESB_SET_PQ_00);
    if (old & 1n) x.esb.write(x.source.triggerPageOffset(lisn));
  }
  /** One external interrupt: ACK, drain the priority's queue, CPPR back to 0xFF. */
  handle(prio: number): number[] {
    const ack = this.ack();
    const got: number[] = [];
    if (ack >> 8 === 0) return got;
    expect(ack & 0xff).toBe(prio);
    for (let e = this.pop(prio); e !== 0; e = this.pop(prio)) got.push(e);
    this.setCppr(0xff);
    return got;
  }
}
