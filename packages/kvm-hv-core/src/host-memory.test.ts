import { describe, expect, it } from "vitest";
import { HOST_CHUNK_SIZE, HostMemory } from "./host-memory";

describe("HostMemory", () => {
  it("reads zero where nothing was written and allocates chunks only on write", () => {
    const m = new HostMemory(2 ** 40);
    expect(m.read32(0x123450)).toBe(0);
    expect(m.read(0x10fff0, 32)).toEqual(new Uint8Array(32));
    expect(m.allocatedBytes).toBe(0);
    m.write32(0x123450, 0xdeadbeef);
    expect(m.allocatedBytes).toBe(HOST_CHUNK_SIZE);
    expect(m.read32(0x123450)).toBe(0xdeadbeef);
    expect([...m.read(0x123450, 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("copies across chunk boundaries and a 64 GiB address space costs only what is touched", () => {
    const m = new HostMemory(64 * 2 ** 30);
    const data = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
    m.write(HOST_CHUNK_SIZE - 50, data);
    expect(m.read(HOST_CHUNK_SIZE - 50, 100)).toEqual(data);
    expect(m.allocatedBytes).toBe(2 * HOST_CHUNK_SIZE);
    m.write(63 * 2 ** 30, new Uint8Array([1]));
    expect(m.allocatedBytes).toBe(3 * HOST_CHUNK_SIZE);
  });

  it("hands out the chunk as a window and discards whole chunks", () => {
    const m = new HostMemory(2 ** 30);
    const w = m.window(0x20004);
    expect(w.base).toBe(0x20000);
    w.bytes[4] = 7;
    expect(m.read(0x20004, 1)[0]).toBe(7);
    m.discard(0x20000, HOST_CHUNK_SIZE);
    expect(m.read(0x20004, 1)[0]).toBe(0);
    expect(m.allocatedBytes).toBe(0);
  });

  it("refuses accesses outside host memory and bad sizes", () => {
    const m = new HostMemory(0x100000);
    expect(() => m.read32(0x100000)).toThrow(/outside host memory/);
    expect(() => m.write(0xffffe, new Uint8Array(4))).toThrow(/outside host memory/);
    expect(() => new HostMemory(1000)).toThrow(/multiple of 64 KiB/);
  });

  it("saves and restores the allocated chunks as plain data", () => {
    const a = new HostMemory(2 ** 30);
    a.write32(0x30000, 0x11223344);
    a.write32(0x90008, 0x55667788);
    const s = a.save();
    expect(s.chunks.map((c) => c.base)).toEqual([0x30000, 0x90000]);
    const b = new HostMemory(2 ** 30);
    b.write32(0x40000, 1);
    b.restore(s);
    expect(b.read32(0x30000)).toBe(0x11223344);
    expect(b.read32(0x90008)).toBe(0x55667788);
    expect(b.read32(0x40000)).toBe(0);
    expect(() => new HostMemory(2 ** 31).restore(s)).toThrow(/does not match/);
  });
});
