import { describe, expect, it } from "vitest";
import { LpidAllocator } from "./lpid-allocator";
import { Memslots } from "./memslots";

describe("Memslots", () => {
  it("translates guest physical ranges inside one slot and checks host ownership", () => {
    const s = new Memslots();
    s.set({ slot: 0, gpa: 0, size: 0x100000, hostAddr: 0x1_0000_0000 });
    s.set({ slot: 1, gpa: 0x200000, size: 0x10000, hostAddr: 0x2_0000_0000 });
    expect(s.toHost(0x1234, 8)).toBe(0x1_0000_1234);
    expect(s.toHost(0x200010, 4)).toBe(0x2_0000_0010);
    expect(s.toHost(0xffffc, 8)).toBeUndefined();
    expect(s.toHost(0x150000, 4)).toBeUndefined();
    expect(s.find(0x150000)).toBeUndefined();
    expect(s.ownsHost(0x1_0000_0000, 0x100000)).toBe(true);
    expect(s.ownsHost(0x1_000f_fffc, 8)).toBe(false);
    expect(s.ownsHost(0x3_0000_0000, 1)).toBe(false);
    s.set({ slot: 1, gpa: 0, size: 0, hostAddr: 0 });
    expect(s.list().map((x) => x.slot)).toEqual([0]);
  });

  it("refuses overlapping and misaligned slots", () => {
    const s = new Memslots();
    s.set({ slot: 0, gpa: 0, size: 0x100000, hostAddr: 0 });
    expect(() => s.set({ slot: 1, gpa: 0xf0000, size: 0x20000, hostAddr: 0 })).toThrow(
      /overlaps memslot 0/,
    );
    expect(() => s.set({ slot: 2, gpa: 0x1000, size: 0x10000, hostAddr: 0 })).toThrow(/aligned/);
    // Replacing a slot by id is allowed.
    s.set({ slot: 0, gpa: 0, size: 0x200000, hostAddr: 0 });
    expect(s.list()[0]!.size).toBe(0x200000);
  });
});

describe("LpidAllocator", () => {
  it("hands out the lowest free LPID, never 0, and says when the pool is empty", () => {
    const a = new LpidAllocator(4);
    expect([a.alloc(), a.alloc(), a.alloc()]).toEqual([1, 2, 3]);
    expect(() => a.alloc()).toThrow(/all 3 guest LPIDs are in use/);
    a.free(2);
    expect(a.inUse()).toEqual([1, 3]);
    expect(a.alloc()).toBe(2);
    expect(() => a.free(0)).toThrow(/not allocated/);
    a.free(3);
    expect(() => a.free(3)).toThrow(/not allocated/);
  });
});
