// The vty's input side and the RTAS event log, alone.
import { describe, expect, it } from "vitest";
import { EVENT_MASK_EPOW, RtasEvents } from "./rtas-events";
import { SpaprVty } from "./vty";

const text = (b: Uint8Array): string => String.fromCharCode(...b);

describe("SpaprVty", () => {
  it("pulses when input arrives in an empty buffer, holds 16 bytes, takes more as the guest reads", () => {
    let pulses = 0;
    const vty = new SpaprVty(() => pulses++);
    vty.hostInput(new TextEncoder().encode("0123456789abcdefXYZ"));
    expect(pulses).toBe(1);
    expect(text(vty.getChars(4))).toBe("0123");
    vty.hostInput(new TextEncoder().encode("!")); // not empty: no edge
    expect(pulses).toBe(1);
    expect(text(vty.getChars(16))).toBe("456789abcdefXYZ!"); // "XYZ" moved in behind the read
    expect(pulses).toBe(1);
    expect(text(vty.getChars(16))).toBe("");
    vty.hostInput(new TextEncoder().encode("more")); // empty again: a new edge
    expect(pulses).toBe(2);
    vty.reset();
  });

  it("saves and restores its buffer and the input behind it", () => {
    const a = new SpaprVty(() => undefined);
    a.hostInput(new TextEncoder().encode("0123456789abcdefXY"));
    const b = new SpaprVty(() => undefined);
    b.restore(JSON.parse(JSON.stringify(a.save())));
    expect(text(b.getChars(16))).toBe("0123456789abcdef");
    expect(text(b.getChars(16))).toBe("XY");
    expect(() => b.restore({ version: 2 } as never)).toThrow(/version/);
  });

  it("adds a NUL after every CR as QEMU does, keeping the pair together", () => {
    const vty = new SpaprVty(() => undefined);
    vty.hostInput(new TextEncoder().encode("a\rb"));
    expect([...vty.getChars(2)]).toEqual([0x61]); // no room for "\r\0"
    expect([...vty.getChars(16)]).toEqual([0x0d, 0, 0x62]);
  });
});

describe("RtasEvents (EPOW)", () => {
  const args = (buf: number, len: number, mask = EVENT_MASK_EPOW): number[] => [
    0x500,
    0,
    mask,
    0,
    buf,
    len,
  ];

  it("queues an EPOW log on power-down and hands it out once through check-exception", () => {
    const pulses: number[] = [];
    const ev = new RtasEvents((m) => pulses.push(m));
    expect(ev.checkException(args(0x1000, 256), 1).rets).toEqual([1]);
    ev.powerdown(new Date(Date.UTC(2000, 0, 2, 3, 4, 5)));
    expect(pulses).toEqual([EVENT_MASK_EPOW]);
    expect(ev.checkException(args(0x1000, 256, 0x80000000), 1).rets).toEqual([1]); // other class
    const r = ev.checkException(args(0x1000, 256), 1);
    expect(r.rets).toEqual([0]);
    const log = r.write!.data;
    const dv = new DataView(log.buffer, log.byteOffset);
    expect(r.write!.gpa).toBe(0x1000);
    expect(log.length).toBe(116);
    expect(dv.getUint32(0, false)).toBe(0x06340040); // v6, event, not recovered, optional part, EPOW
    expect(dv.getUint32(4, false)).toBe(108);
    expect(dv.getUint16(24, false)).toBe(0x5048); // Main-A
    expect(dv.getUint32(32, false)).toBe(0x20000102); // BCD date
    expect(dv.getUint32(36, false)).toBe(0x03040500); // BCD time
    expect(dv.getUint16(96, false)).toBe(0x4550); // EPOW section
    expect([log[104], log[105], log[106]]).toEqual([3, 1, 1]);
    expect(ev.checkException(args(0x1000, 256), 1).rets).toEqual([1]);
  });

  it("truncates to the buffer, pulses again while events remain, checks its arguments", () => {
    const pulses: number[] = [];
    const ev = new RtasEvents((m) => pulses.push(m));
    ev.powerdown(new Date(0));
    ev.powerdown(new Date(0));
    const r = ev.checkException(args(0x2000, 8), 1);
    expect(r.write!.data.length).toBe(8);
    expect(pulses.length).toBe(3);
    expect(ev.checkException([1, 2, 3], 1).rets).toEqual([-3]);
    expect(ev.checkException(args(0, 0), 2).rets).toEqual([-3]);
    expect(ev.eventScan([0, 0, 0, 0], 1)).toEqual([1]);
    expect(ev.eventScan([0], 1)).toEqual([-3]);
    const moved = new RtasEvents(() => undefined);
    moved.restore(JSON.parse(JSON.stringify(ev.save())));
    expect(moved.checkException(args(0x2000, 256), 1).write!.data.length).toBe(116);
    expect(() => moved.restore({ version: 0 } as never)).toThrow(/version/);
    ev.reset();
    expect(ev.checkException(args(0x2000, 8), 1).rets).toEqual([1]);
  });
});
