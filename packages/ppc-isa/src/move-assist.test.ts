// lswi / lswx / stswi / stswx: golden results in big-endian mode, the register wrap, the
// invalid forms as QEMU TCG treats them, and the alignment interrupt in little-endian mode.
// (The random sequences of qemu-diff.peer.test.ts run them against QEMU as well.)
import { describe, expect, it } from "vitest";
import { Cpu } from "./cpu";
import { encode } from "./encoder";
import { FlatRamBus } from "./flat-ram-bus";
import { SPR } from "./registers";

const ATTN = 0x00000200;
const MSR_BE = 0x9000000000001000n; // SF|HV|ME, big-endian
const MSR_LE = MSR_BE | 1n;
const DATA = 0x2000;
const ONES = 0xffffffffffffffffn;

type Asm = [string, ...number[]];

/** Code at 0x1000 in the byte order of `msr`; DATA holds bytes 0x11, 0x12, ... 0x40. */
function machine(prog: Asm[], msr = MSR_BE): { cpu: Cpu; bus: FlatRamBus } {
  const le = (msr & 1n) !== 0n;
  const bus = new FlatRamBus(1 << 16);
  const v = new DataView(bus.bytes.buffer);
  const words = prog.map((a) => encode(a[0], a.slice(1) as number[]));
  words.push(ATTN);
  words.forEach((w, i) => v.setUint32(0x1000 + 4 * i, w, le));
  for (let k = 0; k < 48; k++) bus.bytes[DATA + k] = 0x11 + k;
  const cpu = new Cpu({ bus, interrupts: "stop" });
  cpu.setSpr(SPR.DEC, 0x7fffffffn);
  cpu.msr = msr;
  cpu.pc = 0x1000n;
  for (let r = 0; r < 32; r++) cpu.setGpr(r, ONES);
  cpu.setGpr(10, BigInt(DATA));
  return { cpu, bus };
}

function run(prog: Asm[], setup: (cpu: Cpu) => void = () => {}): { cpu: Cpu; bus: FlatRamBus } {
  const m = machine(prog);
  setup(m.cpu);
  expect(m.cpu.run(100)).toEqual({ kind: "attn" });
  return m;
}

describe("move assist (string) instructions, big-endian", () => {
  it("lswi fills the low words most significant byte first and zeroes the rest", () => {
    const { cpu } = run([["lswi", 5, 10, 11]]);
    expect(cpu.getGpr(5)).toBe(0x11121314n);
    expect(cpu.getGpr(6)).toBe(0x15161718n);
    expect(cpu.getGpr(7)).toBe(0x191a1b00n);
    expect(cpu.getGpr(8)).toBe(ONES);
  });

  it("lswi NB = 0 moves 32 bytes; registers wrap from r31 to r0", () => {
    const { cpu } = run([["lswi", 28, 10, 0]], (c) => c.setGpr(10, BigInt(DATA)));
    expect([28, 29, 30, 31, 0, 1, 2, 3].map((r) => cpu.getGpr(r))).toEqual([
      0x11121314n,
      0x15161718n,
      0x191a1b1cn,
      0x1d1e1f20n,
      0x21222324n,
      0x25262728n,
      0x292a2b2cn,
      0x2d2e2f30n,
    ]);
    expect(cpu.getGpr(4)).toBe(ONES);
  });

  it("lswx takes the count from XER[57:63] and EA = (RA|0) + (RB); count 0 does nothing", () => {
    const { cpu } = run([["lswx", 20, 10, 11]], (c) => {
      c.setGpr(11, 3n);
      c.xer = 0x20000006n; // CA and a byte count of 6
    });
    expect(cpu.getGpr(20)).toBe(0x14151617n);
    expect(cpu.getGpr(21)).toBe(0x18190000n);
    expect(cpu.getGpr(22)).toBe(ONES);
    const none = run([["lswx", 20, 10, 11]], (c) => (c.xer = 0n));
    expect(none.cpu.getGpr(20)).toBe(ONES);
  });

  it("lswx with RA = 0 inside the loaded range is not an invalid form (QEMU)", () => {
    const { cpu } = run([["lswx", 31, 0, 11]], (c) => {
      c.setGpr(11, BigInt(DATA));
      c.xer = 8n; // r31, r0
    });
    expect(cpu.getGpr(31)).toBe(0x11121314n);
    expect(cpu.getGpr(0)).toBe(0x15161718n);
  });

  it("stswi / stswx store the low words, most significant byte first", () => {
    const { bus } = run(
      [
        ["stswi", 5, 10, 6],
        ["stswx", 31, 10, 11],
      ],
      (c) => {
        c.setGpr(5, 0xaaaaaaaa01020304n);
        c.setGpr(6, 0xbbbbbbbb05060708n);
        c.setGpr(31, 0x0a0b0c0dn);
        c.setGpr(0, 0x0e0f1011n);
        c.setGpr(11, 16n);
        c.xer = 5n;
      },
    );
    expect([...bus.bytes.subarray(DATA, DATA + 8)]).toEqual([1, 2, 3, 4, 5, 6, 0x17, 0x18]);
    expect([...bus.bytes.subarray(DATA + 16, DATA + 22)]).toEqual([
      0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x26,
    ]);
  });

  it("lswi with RA in the loaded range: illegal instruction (HEAI), nothing loaded", () => {
    const m = machine([["lswi", 9, 10, 8]]);
    expect(m.cpu.run(10)).toMatchObject({ kind: "interrupt", vector: 0xe40, srr0: 0x1000n });
    expect(m.cpu.getGpr(9)).toBe(ONES);
    // RA = 0 counts too: r31, r0.
    const z = machine([["lswi", 31, 0, 8]]);
    expect(z.cpu.run(10)).toMatchObject({ kind: "interrupt", vector: 0xe40 });
  });

  it("lswx with RB in the loaded range: program interrupt, illegal-instruction cause", () => {
    const m = machine([["lswx", 10, 12, 11]]);
    m.cpu.setGpr(11, BigInt(DATA));
    m.cpu.setGpr(12, 0n);
    m.cpu.xer = 8n; // r10, r11
    const r = m.cpu.run(10);
    expect(r).toMatchObject({ kind: "interrupt", vector: 0x700, srr0: 0x1000n });
    expect(r.kind === "interrupt" && r.srr1 & 0x80000n).toBe(0x80000n);
  });
});

describe("move assist (string) instructions, little-endian", () => {
  it("raise an alignment interrupt with DAR = EA and access nothing", () => {
    for (const insn of [
      ["lswi", 5, 10, 8],
      ["lswx", 5, 10, 11],
      ["stswi", 5, 10, 8],
      ["stswx", 5, 10, 11],
    ] as Asm[]) {
      const m = machine([insn], MSR_LE);
      m.cpu.setGpr(11, 4n);
      const r = m.cpu.run(10);
      expect(r).toMatchObject({ kind: "interrupt", vector: 0x600, srr0: 0x1000n });
      expect(m.cpu.getSpr(SPR.DAR)).toBe(insn[3] === 11 ? BigInt(DATA + 4) : BigInt(DATA));
      expect(m.cpu.getGpr(5)).toBe(ONES);
      expect(m.bus.bytes[DATA]).toBe(0x11);
    }
  });
});
