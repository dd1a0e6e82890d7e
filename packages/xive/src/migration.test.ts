// Save/restore: JSON round trips, the restore order (END -> EAS -> TCTX -> PQ last) and refusal of
// mismatched streams.
import { describe, expect, it } from "vitest";
import { PQ_OFF, PQ_QUEUED, PQ_RESET } from "./esb-pq";
import { KernelMemory } from "./kernel-memory";
import { SpaprXive, type SpaprXiveState } from "./spapr-xive";
import { GuestOs, machine, TestLines } from "./test-support";
import { XicsOnXive, type XicsOnXiveState } from "./xics-on-xive";

describe("XIVE state save/restore", () => {
  it("round-trips through JSON, including a signalled exception and queued events", () => {
    const m = machine(2);
    const g = new GuestOs(m, 1);
    g.configureQueue(6);
    g.setCppr(0xff);
    g.route(1, 6, 0x41);
    m.xive.setIrq(1, true);
    const state = JSON.parse(JSON.stringify(m.xive.save())) as SpaprXiveState;
    const lines = new TestLines();
    const dst = new SpaprXive({ nrVcpus: 2, guestMemory: m.ram, interrupts: lines });
    dst.active = true;
    dst.restore(state);
    expect(dst.save()).toEqual(state);
    expect(lines.up(1)).toBe(true); // the line is re-derived from the restored context
    expect(dst.source.pq(1)).toBe(2);
  });

  it("restores PQ last: a source saved at 00 that was QUEUED at restore time is re-triggered", () => {
    const m = machine(1);
    const g = new GuestOs(m, 0);
    g.configureQueue(6);
    g.setCppr(0xff);
    g.route(0, 6, 9);
    const state = m.xive.save();
    expect(state.sources.status[0]! & 3).toBe(PQ_RESET);
    const lines = new TestLines();
    const dst = new SpaprXive({ nrVcpus: 1, guestMemory: m.ram, interrupts: lines });
    // a trigger that arrived while the destination was being set up (QEMU parks PQ at 11)
    dst.source.setPq(0, PQ_QUEUED);
    dst.restore(state);
    // routing was restored before the PQ, so the replayed event reached the queue
    expect(lines.up(0)).toBe(true);
    g.m = { xive: dst, ram: m.ram, h: m.h };
    expect(g.handle(6)).toEqual([9]);
  });

  it("refuses a stream for another machine shape", () => {
    const m = machine(2);
    const state = m.xive.save();
    const other = new SpaprXive({ nrVcpus: 1, guestMemory: m.ram, interrupts: new TestLines() });
    expect(() => other.restore(state)).toThrow(/2 vCPUs/);
    expect(() =>
      other.restore({ ...state, kind: "xics-on-xive" } as unknown as SpaprXiveState),
    ).toThrow(/not a spapr-xive/);
    const small = new SpaprXive({
      nrVcpus: 2,
      nrIrqs: 0x1000,
      guestMemory: m.ram,
      interrupts: new TestLines(),
    });
    expect(() => small.restore(state)).toThrow(/IRQs/);
    expect(() => small.source.restoreConfig({ ...state.sources, version: 3 } as never)).toThrow(
      /version/,
    );
    expect(() => small.router.tctx[0]!.restore({ version: 1, regs: [1] })).toThrow(/bad state/);
  });

  it("XICS-over-XIVE state round-trips with its queue memory", () => {
    const lines = new TestLines();
    const x = new XicsOnXive({ nrVcpus: 2, interrupts: lines });
    x.active = true;
    x.claimIrq(0x1100, false);
    x.hCppr(1, 0xff);
    x.setXive(0x1100, 1, 5);
    x.setIrq(0x1100, true);
    x.hIpi(0, 3);
    const state = JSON.parse(JSON.stringify(x.save())) as XicsOnXiveState;
    const l2 = new TestLines();
    const y = new XicsOnXive({ nrVcpus: 2, interrupts: l2 });
    y.restore(state);
    expect(y.save()).toEqual(state);
    expect(l2.up(1)).toBe(true);
    expect(y.hXirr(1)).toBe(0xff001100);
    expect(() => new XicsOnXive({ nrVcpus: 1, interrupts: l2 }).restore(state)).toThrow(/2 vCPUs/);
    expect(() => y.restore({ ...state, kind: "spapr-xive" } as unknown as XicsOnXiveState)).toThrow(
      /not an xics-on-xive/,
    );
  });

  it("kernel memory saves only non-zero chunks and rejects misaligned accesses", () => {
    const k = new KernelMemory();
    k.store32(0x20000, 0x11223344);
    k.store32(0x40000, 0);
    const s = k.save();
    expect(s.chunks.map((c) => c.base)).toEqual([0x20000]);
    const k2 = new KernelMemory();
    k2.restore(s);
    expect(k2.load32(0x20000)).toBe(0x11223344);
    expect(k2.load32(0x90000)).toBe(0);
    expect(() => k.load32(2)).toThrow(/misaligned/);
    expect(() => k.store32(2, 0)).toThrow(/misaligned/);
    expect(() => k.restore({ version: 2 } as never)).toThrow(/version/);
    expect(PQ_OFF).toBe(1);
  });
});
