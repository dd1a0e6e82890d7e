import { expect, test } from "vitest";
import { GuestMemory } from "./guest-memory";

test("sparse, little-endian, zero on read; save/restore", () => {
  const m = new GuestMemory(0x40000000n, 0x10000);
  expect(m.readU64(0x40008000n)).toBe(0n);
  m.writeU64(0x40000ffcn, 0x1122334455667788n); // straddles a page
  expect(m.readU32(0x40000ffcn)).toBe(0x55667788);
  expect(m.readU32(0x40001000n)).toBe(0x11223344);
  m.writeU32(0x40002000n, 0xdeadbeef);
  const s = m.save();
  expect(Object.keys(s.pages)).toEqual(["0", "1", "2"]);
  const r = GuestMemory.restore(s);
  expect(r.readU64(0x40000ffcn)).toBe(0x1122334455667788n);
  expect(r.save()).toEqual(s);
});

test("out-of-range access and mismatched state throw", () => {
  const m = new GuestMemory(0x1000n, 0x1000);
  expect(m.contains(0x1ff8n, 8)).toBe(true);
  expect(m.contains(0x1ffcn, 8)).toBe(false);
  expect(() => m.read(0xff8n, 8)).toThrow(/outside RAM/);
  expect(() => m.loadFrom({ version: 1, base: "0", size: 0x1000, pages: {} })).toThrow(/covers/);
  expect(() => m.loadFrom({ version: 2 as 1, base: "4096", size: 0x1000, pages: {} })).toThrow(
    /version 2/,
  );
});
