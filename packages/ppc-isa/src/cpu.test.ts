import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cpu, type CpuOptions } from "./cpu";
import { encode } from "./encoder";
import { FlatRamBus } from "./flat-ram-bus";
import type {
  AccessKind,
  MmuRegs,
  TlbieOp,
  TranslationOk,
  MmuFault,
  Translator,
  VirtualHypervisor,
} from "./ports";
import { SPR } from "./registers";

const ATTN = 0x00000200;
const MSR_HV_LE = 0x9000000000001001n; // SF|HV|ME|LE

type Asm = [string, ...number[]] | number;

interface Machine {
  cpu: Cpu;
  bus: FlatRamBus;
}

/** Code at 0x1000 (little-endian), `attn` at every interrupt vector so the run stops there. */
function machine(prog: Asm[], opts: Partial<CpuOptions> = {}, msr = MSR_HV_LE): Machine {
  const bus = new FlatRamBus(1 << 20);
  const v = new DataView(bus.bytes.buffer);
  for (let vec = 0x100; vec < 0x1000; vec += 0x20) v.setUint32(vec, ATTN, true);
  for (let vec = 0x17000; vec < 0x18000; vec += 0x20) v.setUint32(vec, ATTN, true);
  const words = prog.map((a) => (typeof a === "number" ? a : encode(a[0], a.slice(1) as number[])));
  words.push(ATTN);
  words.forEach((w, i) => v.setUint32(0x1000 + 4 * i, w, true));
  const cpu = new Cpu({ bus, ...opts });
  // Interrupts stay little-endian (HID0[HILE], LPCR[ILE]) so the attn at each vector decodes.
  cpu.setSpr(SPR.HID0, 1n << 59n);
  cpu.setSpr(SPR.LPCR, 0x2000000n);
  cpu.setSpr(SPR.DEC, 0x7fffffffn); // DEC resets to -1 (pending): park it
  cpu.msr = msr;
  cpu.pc = 0x1000n;
  return { cpu, bus };
}

/** The first interrupt `prog` raises (the CPU stops instead of taking it). */
function firstInterrupt(prog: Asm[], msr: bigint, setup: (cpu: Cpu) => void = () => {}) {
  const m = machine(prog, { interrupts: "stop" }, msr);
  setup(m.cpu);
  return m.cpu.run(1000);
}

function run(
  prog: Asm[],
  setup: (cpu: Cpu) => void = () => {},
  opts: Partial<CpuOptions> = {},
  msr = MSR_HV_LE,
): Cpu {
  const m = machine(prog, opts, msr);
  setup(m.cpu);
  const stop = m.cpu.run(100_000);
  expect(stop.kind).toBe("attn");
  return m.cpu;
}

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

describe("integer semantics vs a BigInt reference (property tests)", () => {
  const big = fc.bigInt({ min: 0n, max: M64 });
  const cases: [string, (a: bigint, b: bigint) => bigint][] = [
    ["add", (a, b) => u64(a + b)],
    ["subf", (a, b) => u64(b - a)],
    ["mulld", (a, b) => u64(a * b)],
    ["mulhd", (a, b) => u64((s64(a) * s64(b)) >> 64n)],
    ["mulhdu", (a, b) => u64((a * b) >> 64n)],
    ["divdu", (a, b) => (b === 0n ? a : a / b)],
    ["and", (a, b) => a & b],
    ["nor", (a, b) => u64(~(a | b))],
    ["sld", (a, b) => ((b & 127n) >= 64n ? 0n : u64(a << (b & 63n)))],
    ["srd", (a, b) => ((b & 127n) >= 64n ? 0n : a >> (b & 63n))],
    ["srad", (a, b) => u64(s64(a) >> ((b & 127n) >= 64n ? 63n : b & 63n))],
  ];
  for (const [mn, ref] of cases) {
    it(`${mn} rt,ra,rb`, () => {
      fc.assert(
        fc.property(big, big, (a, b) => {
          const logical = ["and", "nor", "sld", "srd", "srad"].includes(mn);
          const cpu = run([logical ? [mn, 3, 4, 5] : [mn, 3, 4, 5]], (c) => {
            c.setGpr(logical ? 4 : 4, a);
            c.setGpr(5, b);
          });
          expect(cpu.getGpr(3)).toBe(ref(a, b));
        }),
        { numRuns: 60 },
      );
    });
  }

  it("rldicl / rldicr / rlwinm against the mask definition", () => {
    const rot = (v: bigint, n: bigint): bigint => u64((v << n) | (v >> ((64n - n) & 63n)));
    const mask = (mb: number, me: number): bigint => {
      let m = 0n;
      for (let i = 0; i < 64; i++) {
        const inside = mb <= me ? i >= mb && i <= me : i >= mb || i <= me;
        if (inside) m |= 1n << BigInt(63 - i);
      }
      return m;
    };
    fc.assert(
      fc.property(
        big,
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 63 }),
        (v, sh, mb) => {
          const cpu = run(
            [
              ["rldicl", 3, 4, sh, mb],
              ["rldicr", 5, 4, sh, mb],
              ["rlwinm", 6, 4, sh & 31, mb & 31, 31 - (sh & 31)],
            ],
            (c) => c.setGpr(4, v),
          );
          expect(cpu.getGpr(3)).toBe(rot(v, BigInt(sh)) & mask(mb, 63));
          expect(cpu.getGpr(5)).toBe(rot(v, BigInt(sh)) & mask(0, mb));
          const lo = v & 0xffffffffn;
          const r32 =
            ((lo << BigInt(sh & 31)) | (lo >> BigInt((32 - (sh & 31)) & 31))) & 0xffffffffn;
          const r = (r32 << 32n) | r32;
          expect(cpu.getGpr(6)).toBe(r & mask((mb & 31) + 32, 63 - (sh & 31)));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("interrupts", () => {
  it("program interrupt for a trap: SRR0 = the trap, SRR1 trap bit, new MSR", () => {
    const cpu = run([
      ["li", 3, 1],
      ["tw", 31, 0, 0],
    ]);
    expect(cpu.pc).toBe(0x700n);
    expect(cpu.getSpr(SPR.SRR0)).toBe(0x1004n);
    expect(cpu.getSpr(SPR.SRR1) & 0x20000n).toBe(0x20000n);
    expect(cpu.msr).toBe(0x9000000000001001n); // SF|HV|ME, LE from HID0[HILE]
  });

  it("privileged instruction in problem state: program interrupt with the privileged bit", () => {
    const r = firstInterrupt([["mfmsr", 3]], 0x8000000000004001n);
    expect(r).toMatchObject({ kind: "interrupt", vector: 0x700, srr0: 0x1000n });
    expect(r.kind === "interrupt" && r.srr1 & 0x40000n).toBe(0x40000n);
  });

  it("illegal instruction: HEAI at 0xE40 with HEIR and HSRR0", () => {
    const cpu = run([["li", 3, 1], 0x04000000]);
    expect(cpu.pc).toBe(0xe40n);
    expect(cpu.getSpr(SPR.HEIR)).toBe(0x04000000n);
    expect(cpu.getSpr(SPR.HSRR0)).toBe(0x1004n);
  });

  it("hypervisor SPR from guest state raises HEAI", () => {
    const cpu = run([["mfspr", 3, SPR.LPCR]], () => {}, {}, 0x8000000000001001n);
    expect(cpu.pc).toBe(0xe40n);
    expect(cpu.lastHeaiPrivileged).toBe(true);
  });

  it("sc: SRR0 = next instruction; sc 1 enters hypervisor state", () => {
    expect(firstInterrupt([["sc"]], 0x8000000000001001n)).toMatchObject({
      vector: 0xc00,
      srr0: 0x1004n,
    });
    const m = machine([["sc", 1]], {}, 0x8000000000001001n);
    m.cpu.run(1);
    expect(m.cpu.pc).toBe(0xc00n);
    expect(m.cpu.msr & 0x1000000000000000n).not.toBe(0n);
  });

  it("sc 1 in guest state goes to the virtual hypervisor", () => {
    const seen: bigint[] = [];
    const vhyp: VirtualHypervisor = {
      hcall: (c) => {
        seen.push(c.getGpr(3));
        c.setGpr(3, 0n);
        return { kind: "handled" };
      },
      hypervisorInterrupt: () => ({ kind: "exit", reason: "hv" }),
    };
    const m = machine(
      [
        ["li", 3, 0x58],
        ["sc", 1],
        ["addi", 4, 3, 7],
      ],
      { vhyp },
      0x8000000000001001n,
    );
    // attn is illegal in guest state: the HEAI goes to the virtual hypervisor, which exits.
    expect(m.cpu.run(100)).toEqual({ kind: "exit", reason: "hv" });
    const cpu = m.cpu;
    expect(seen).toEqual([0x58n]);
    expect(cpu.getGpr(4)).toBe(7n);
  });

  it("rfid returns to SRR0 with MSR from SRR1 and cannot set HV from guest state", () => {
    const cpu = run(
      [["mtspr", SPR.SRR0, 4], ["mtspr", SPR.SRR1, 5], ["rfid"], 0x00000000, ["li", 6, 9]],
      (c) => {
        c.setGpr(4, 0x1010n);
        c.setGpr(5, 0x9000000000001001n);
      },
    );
    expect(cpu.getGpr(6)).toBe(9n);
    // From HV state rfid may clear MSR[HV]; from guest state it cannot set it.
    const m = machine([["rfid"]], {}, 0x8000000000001001n);
    m.cpu.setSpr(SPR.SRR0, 0x2000n);
    m.cpu.setSpr(SPR.SRR1, 0x9000000000001001n);
    m.cpu.run(1);
    expect(m.cpu.msr).toBe(0x8000000000001001n);
    expect(m.cpu.pc).toBe(0x2000n);
  });

  it("hrfid restores HSRR1 including HV", () => {
    const cpu = run(
      [["mtspr", SPR.HSRR0, 4], ["mtspr", SPR.HSRR1, 5], ["hrfid"], 0, ["li", 6, 9]],
      (c) => {
        c.setGpr(4, 0x1010n);
        c.setGpr(5, 0x9000000000001001n);
      },
    );
    expect(cpu.getGpr(6)).toBe(9n);
  });

  it("mtmsrd L=1 changes only EE and RI", () => {
    const cpu = run([["mtmsrd", 4, 1]], (c) => c.setGpr(4, 0x8002n));
    expect(cpu.msr).toBe(MSR_HV_LE | 0x8002n);
  });

  it("mtmsr and mtmsrd never alter HV, ME or LE, even in hypervisor state", () => {
    // RS asks for SF only: HV, ME and LE keep their values, RI follows RS.
    const cpu = run(
      [
        ["mtmsrd", 4],
        ["mtmsr", 5],
      ],
      (c) => {
        c.setGpr(4, 0x8000000000000002n);
        c.setGpr(5, 0n);
      },
    );
    expect(cpu.msr).toBe(MSR_HV_LE);
  });

  it("sc 1 from guest problem state goes to the virtual hypervisor as 0xC00, HV unchanged", () => {
    const seen: [number, bigint][] = [];
    const vhyp: VirtualHypervisor = {
      hcall: () => ({ kind: "exit", reason: "hcall from problem state" }),
      hypervisorInterrupt: (c, vector, s0h, s0l) => {
        seen.push([vector, (BigInt(s0h) << 32n) | BigInt(s0l)]);
        c.setGpr(3, -3n);
        return { kind: "handled" };
      },
    };
    const m = machine(
      [
        ["sc", 1],
        ["li", 4, 1],
      ],
      { vhyp },
      0x800000000000d001n,
    );
    m.cpu.run(2);
    expect(seen).toEqual([[0xc00, 0x1004n]]);
    expect(m.cpu.getGpr(3)).toBe(BigInt.asUintN(64, -3n));
    expect(m.cpu.getGpr(4)).toBe(1n);
    expect(m.cpu.msr).toBe(0x800000000000d001n);
  });

  it("CFAR holds the address of the last taken branch or rfid", () => {
    // b (taken) at 0x1000, then a beq at 0x1008 that is not taken (CR0[EQ] = 0).
    const cpu = run([["b", 8], 0, ["beq", 0, 8], ["li", 3, 1]], (c) => (c.cr = 0));
    expect(cpu.getSpr(SPR.CFAR)).toBe(0x1000n);
    const m = machine([["rfid"]]);
    m.cpu.setSpr(SPR.SRR0, 0x1004n);
    m.cpu.setSpr(SPR.SRR1, MSR_HV_LE);
    m.cpu.run(2);
    expect(m.cpu.getSpr(SPR.CFAR)).toBe(0x1000n);
  });

  it("LPCR[AIL]=3 relocates interrupts taken with IR=DR=1", () => {
    const m = machine([["tw", 31, 0, 0]]);
    m.cpu.setSpr(SPR.LPCR, (3n << 23n) | 0x2000000n);
    m.cpu.msr = MSR_HV_LE | 0x30n;
    m.cpu.run(1);
    expect(m.cpu.pc).toBe(0xc000000000004700n);
    expect(m.cpu.msr & 0x30n).toBe(0x30n);
  });

  it("LPCR[ILE] selects the byte order of non-HV interrupts", () => {
    const m = machine([["tw", 31, 0, 0]], {}, 0x8000000000001001n);
    m.cpu.run(1);
    expect(m.cpu.msr & 1n).toBe(1n);
    const b = machine([["tw", 31, 0, 0]], {}, 0x8000000000001001n);
    b.cpu.setSpr(SPR.LPCR, 0n);
    b.cpu.run(1);
    expect(b.cpu.msr & 1n).toBe(0n);
  });

  it("interrupts: 'stop' returns the would-be interrupt without taking it", () => {
    const m = machine([["tw", 31, 0, 0]], { interrupts: "stop" });
    expect(m.cpu.run(10)).toEqual({
      kind: "interrupt",
      vector: 0x700,
      srr0: 0x1000n,
      srr1: 0x9000000000021001n,
    });
    expect(m.cpu.pc).toBe(0x1000n);
  });

  it("scv needs FSCR[SCV]: facility unavailable with cause 12", () => {
    const m = machine([["scv", 0]], {}, 0x8000000000001001n);
    m.cpu.run(1);
    expect(m.cpu.pc).toBe(0xf60n);
    expect(m.cpu.getSpr(SPR.FSCR) >> 56n).toBe(12n);
    const n = machine([["scv", 1]], {}, 0x8000000000001001n);
    n.cpu.setSpr(SPR.FSCR, 1n << 12n);
    n.cpu.run(1);
    expect(n.cpu.pc).toBe(0x17020n);
    expect(n.cpu.lr).toBe(0x1004n);
    expect(n.cpu.ctr).toBe(0x8000000000001001n);
  });

  it("access to a real address beyond RAM is a machine check", () => {
    const cpu = run([["ld", 3, 0, 4]], (c) => c.setGpr(4, 0x200000n));
    expect(cpu.pc).toBe(0x200n);
  });

  it("hypervisor-privileged operations in guest state raise HEAI: msgsync, DPDES writes", () => {
    for (const prog of [[["msgsync"]], [["mtspr", SPR.DPDES, 3]]] as Asm[][]) {
      const r = firstInterrupt(prog, 0x8000000000001001n);
      expect(r).toMatchObject({ kind: "interrupt", vector: 0xe40, srr0: 0x1000n });
    }
    // Reading DPDES is privileged only: the first interrupt is the closing attn's HEAI.
    expect(firstInterrupt([["mfspr", 3, SPR.DPDES]], 0x8000000000001001n)).toMatchObject({
      vector: 0xe40,
      srr0: 0x1004n,
    });
  });

  it("POWER8 nap/doze/sleep/rvwinkle are illegal on POWER9 (ISA v3.0 removed them)", () => {
    for (const w of [0x4c000324, 0x4c000364, 0x4c0003a4, 0x4c0003e4]) {
      const m = machine([w]);
      m.cpu.run(10);
      expect(m.cpu.pc).toBe(0xe40n);
      expect(m.cpu.lastHeaiPrivileged).toBe(false);
    }
  });

  it("undefined SPR numbers: HEAI for 0 (mfspr also 4-6) and in problem state, else no-op", () => {
    const GUEST = 0x8000000000001001n;
    for (const n of [0, 4, 5, 6]) {
      const r = firstInterrupt([["mfspr", 3, n]], GUEST);
      expect(r).toMatchObject({ kind: "interrupt", vector: 0xe40 });
    }
    expect(firstInterrupt([["mtspr", 0, 3]], GUEST)).toMatchObject({ vector: 0xe40 });
    // mtspr 4, mfspr 10 and 400 (spr0 = 1), mtspr 287 (PVR is read-only): no-ops.
    const cpu = run(
      [
        ["mtspr", 4, 3],
        ["mfspr", 3, 10],
        ["mfspr", 3, 400],
        ["mtspr", 287, 3],
      ],
      (c) => c.setGpr(3, 77n),
    );
    expect(cpu.getGpr(3)).toBe(77n);
    expect(cpu.getSpr(SPR.PVR)).toBe(0x004e1200n);
    // Problem state: spr0 = 0 -> HEAI (tagged privileged), spr0 = 1 -> privileged program.
    const m = machine([["mfspr", 3, 10]], { interrupts: "stop" }, 0x800000000000d001n);
    expect(m.cpu.run(10)).toMatchObject({ vector: 0xe40 });
    expect(m.cpu.lastHeaiPrivileged).toBe(true);
    const p = firstInterrupt([["mfspr", 3, 400]], 0x800000000000d001n);
    expect(p.kind === "interrupt" && p.vector === 0x700 && p.srr1 & 0x40000n).toBe(0x40000n);
  });

  it("the problem-state DSCR (SPR 3) needs FSCR[DSCR]: facility unavailable, cause 2", () => {
    const r = firstInterrupt([["mfspr", 3, 3]], 0x900000000000d001n);
    expect(r).toMatchObject({ kind: "interrupt", vector: 0xf60 });
    const m = machine([["mfspr", 3, 3]], { interrupts: "stop" }, 0x900000000000d001n);
    m.cpu.run(10);
    expect(m.cpu.getSpr(SPR.FSCR) >> 56n).toBe(2n);
    const ok = run([["mfspr", 3, 3]], (c) => {
      c.setSpr(SPR.FSCR, 4n);
      c.setSpr(SPR.DSCR, 0x11n);
    });
    expect(ok.getGpr(3)).toBe(0x11n);
  });

  it("unaligned lwarx is an alignment interrupt with DAR", () => {
    const cpu = run([["lwarx", 3, 0, 4]], (c) => c.setGpr(4, 0x8002n));
    expect(cpu.pc).toBe(0x600n);
    expect(cpu.getSpr(SPR.DAR)).toBe(0x8002n);
  });
});

describe("timers and power saving", () => {
  it("DEC counts down one tick per instruction and interrupts when negative with EE", () => {
    const prog: Asm[] = [
      ["mtspr", SPR.DEC, 4],
      ["mtmsrd", 5, 1],
    ];
    for (let i = 0; i < 20; i++) prog.push(["addi", 6, 6, 1]);
    const cpu = run(prog, (c) => {
      c.setGpr(4, 5n);
      c.setGpr(5, 0x8000n);
    });
    expect(cpu.pc).toBe(0x900n);
    expect(cpu.getGpr(6)).toBeGreaterThan(2n);
    expect(cpu.getGpr(6)).toBeLessThan(10n);
  });

  it("timebase follows retired instructions", () => {
    const cpu = run([["mfspr", 3, SPR.TB], ["nop"], ["nop"], ["mfspr", 4, SPR.TB]]);
    expect(cpu.getGpr(4) - cpu.getGpr(3)).toBe(3n);
  });

  it("HDEC interrupts (edge) in HV state with EE and LPCR[HDICE]", () => {
    const prog: Asm[] = [
      ["mtspr", SPR.HDEC, 4],
      ["mtmsrd", 5, 1],
    ];
    for (let i = 0; i < 20; i++) prog.push(["nop"]);
    const cpu = run(prog, (c) => {
      c.setSpr(SPR.LPCR, 0x2000001n);
      c.setGpr(4, 3n);
      c.setGpr(5, 0x8000n);
    });
    expect(cpu.pc).toBe(0x980n);
    expect(cpu.hdecPending).toBe(false);
  });

  it("stop with EC=0 resumes at the next instruction when DEC fires", () => {
    const cpu = run([["mtspr", SPR.DEC, 4], ["stop"], ["li", 7, 1]], (c) => c.setGpr(4, 100n));
    expect(cpu.getGpr(7)).toBe(1n);
    expect(cpu.icount).toBeGreaterThan(100);
  });

  it("stop with EC=1 wakes through system reset with the reason in SRR1", () => {
    const cpu = run([["mtspr", SPR.DEC, 4], ["stop"], ["li", 7, 1]], (c) => {
      c.setGpr(4, 50n);
      c.setSpr(SPR.PSSCR, 0x100000n); // EC
      c.setSpr(SPR.LPCR, 0x2002000n); // PECE: DEE
    });
    expect(cpu.pc).toBe(0x100n);
    expect(cpu.getSpr(SPR.SRR1) & 0x3c0000n).toBe(0x180000n);
  });

  it("stop with nothing to wake it returns idle", () => {
    const m = machine([["stop"]]);
    m.cpu.setSpr(SPR.PSSCR, 0x100000n);
    expect(m.cpu.run(1000)).toEqual({ kind: "idle" });
  });

  it("stop in guest state with PSSCR[EC] set: hypervisor facility unavailable, cause 9", () => {
    const m = machine([["stop"]], {}, 0x8000000000001001n);
    m.cpu.setSpr(SPR.PSSCR, 0x100000n);
    m.cpu.run(10);
    expect(m.cpu.pc).toBe(0xf80n);
    expect(m.cpu.getSpr(SPR.HFSCR) >> 56n).toBe(9n);
  });

  it("msgsndp/msgclrp act only on message type 5; a directed doorbell to itself sets DPDES", () => {
    const cpu = run(
      [
        ["msgsndp", 4],
        ["mfspr", 6, SPR.DPDES],
        ["msgsndp", 5],
        ["mfspr", 7, SPR.DPDES],
      ],
      (c) => {
        c.setGpr(4, 0n); // type 0: ignored
        c.setGpr(5, 0x28000000n); // type 5, thread 0
      },
    );
    expect([cpu.getGpr(6), cpu.getGpr(7)]).toEqual([0n, 1n]);
    const cleared = run(
      [
        ["msgclrp", 4],
        ["mfspr", 6, SPR.DPDES],
        ["msgclrp", 5],
        ["mfspr", 7, SPR.DPDES],
      ],
      (c) => {
        c.setSpr(SPR.DPDES, 1n);
        c.setGpr(4, 0n);
        c.setGpr(5, 0x28000000n);
      },
    );
    expect([cleared.getGpr(6), cleared.getGpr(7)]).toEqual([1n, 0n]);
  });

  it("msgsnd to itself raises a hypervisor doorbell (0xE80); msgclr clears it", () => {
    let cpu = run([["msgsnd", 4], ["mtmsrd", 5, 1], ["nop"]], (c) => {
      c.setGpr(4, 5n << 27n);
      c.setGpr(5, 0x8000n);
    });
    expect(cpu.pc).toBe(0xe80n);
    cpu = run([["msgsnd", 4], ["msgclr", 4], ["mtmsrd", 5, 1], ["nop"]], (c) => {
      c.setGpr(4, 5n << 27n);
      c.setGpr(5, 0x8000n);
    });
    expect(cpu.pc).toBe(0x1010n);
  });

  it("an external interrupt line is taken through the port", () => {
    let level = false;
    const m = machine([["mtmsrd", 5, 1], ["nop"], ["nop"]], {
      lines: { external: () => level, hvVirtualization: () => false },
    });
    m.cpu.setGpr(5, 0x8000n);
    m.cpu.setSpr(SPR.LPCR, 0x2000008n); // LPES0: to the OS
    m.cpu.run(1);
    level = true;
    m.cpu.kick();
    m.cpu.run(5);
    expect(m.cpu.pc).toBe(0x500n);
  });
});

describe("memory", () => {
  it("loads and stores in both byte orders, with byte-reversed forms", () => {
    const prog: Asm[] = [
      ["std", 4, 0, 5],
      ["lwz", 6, 0, 5],
      ["lwbrx", 7, 0, 5],
      ["lhz", 8, 6, 5],
      ["lbz", 9, 7, 5],
    ];
    const le = run(prog, (c) => {
      c.setGpr(4, 0x1122334455667788n);
      c.setGpr(5, 0x8000n);
    });
    expect([le.getGpr(6), le.getGpr(7), le.getGpr(8), le.getGpr(9)]).toEqual([
      0x55667788n,
      0x88776655n,
      0x1122n,
      0x11n,
    ]);
  });

  it("lwarx/stwcx. succeed with a reservation and fail after a store", () => {
    const cpu = run(
      [
        ["lwarx", 3, 0, 4],
        ["stwcx.", 5, 0, 4],
        ["mfcr", 6],
        ["lwarx", 3, 0, 4],
        ["stw", 5, 0, 4],
        ["stwcx.", 5, 0, 4],
        ["mfcr", 7],
      ],
      (c) => {
        c.setGpr(4, 0x8000n);
        c.setGpr(5, 42n);
      },
    );
    expect(cpu.getGpr(6) >> 28n).toBe(2n);
    expect(cpu.getGpr(7) >> 28n).toBe(0n);
  });

  it("lq/stq swap doublewords in little-endian mode; dcbz zeroes 128 bytes", () => {
    const cpu = run(
      [
        ["stq", 4, 0, 6],
        ["lq", 8, 0, 6],
        ["dcbz", 0, 6],
        ["ld", 10, 120, 6],
      ],
      (c) => {
        c.setGpr(4, 1n);
        c.setGpr(5, 2n);
        c.setGpr(6, 0x8000n);
        c.setGpr(10, 99n);
      },
    );
    expect([cpu.getGpr(8), cpu.getGpr(9), cpu.getGpr(10)]).toEqual([1n, 2n, 0n]);
  });

  it("an access crossing a page boundary works", () => {
    const cpu = run(
      [
        ["std", 4, 0, 5],
        ["ld", 6, 0, 5],
      ],
      (c) => {
        c.setGpr(4, 0x0102030405060708n);
        c.setGpr(5, 0x8ffcn);
      },
    );
    expect(cpu.getGpr(6)).toBe(0x0102030405060708n);
  });

  it("the soft TLB honours perm and goes back to the translator on the first store", () => {
    const calls: AccessKind[] = [];
    let listener: () => void = () => {};
    const t: Translator = {
      translate: (
        eaHi: number,
        eaLo: number,
        access: AccessKind,
        _r: MmuRegs,
      ): TranslationOk | MmuFault => {
        calls.push(access);
        if (eaLo >= 0x9000 && eaLo < 0xa000 && access === 1) {
          return {
            kind: "fault",
            vector: 0x300,
            dsisr: 0x0a000000,
            srr1Cause: 0,
            eaHi,
            eaLo,
            asdr: 0,
          };
        }
        return {
          kind: "ok",
          ra: eaLo,
          pageShift: 12,
          perm: eaLo >= 0x9000 && eaLo < 0xa000 ? 5 : 7,
        };
      },
      tlbie: (_op: TlbieOp) => listener(),
      onInvalidate: (l) => {
        listener = l;
        return () => {};
      },
    };
    const cpu = run(
      [
        ["ld", 3, 0, 4],
        ["ld", 3, 8, 4],
        ["std", 3, 0, 4],
        ["std", 3, 8, 4],
        ["ld", 3, 0, 5],
        ["std", 3, 0, 5],
      ],
      (c) => {
        c.setGpr(4, 0x8000n);
        c.setGpr(5, 0x9000n);
      },
      { translator: t },
    );
    const data = calls.filter((a) => a !== 2);
    expect(data).toEqual([0, 1, 0, 1]); // one load miss, one store miss, then the read-only page
    expect(cpu.pc).toBe(0x300n);
    expect(cpu.getSpr(SPR.DSISR)).toBe(0x0a000000n);
    expect(cpu.getSpr(SPR.DAR)).toBe(0x9000n);
  });

  it("tlbie reaches the translator with its fields", () => {
    const ops: TlbieOp[] = [];
    const t: Translator = {
      translate: (_h, l) => ({ kind: "ok", ra: l, pageShift: 12, perm: 7 }),
      tlbie: (op) => void ops.push(op),
      onInvalidate: () => () => {},
    };
    run(
      [["tlbie", 4, 5, 2, 1, 1]],
      (c) => {
        c.setGpr(4, 0x1000n);
        c.setGpr(5, 7n);
      },
      { translator: t },
    );
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ rbLo: 0x1000, rsLo: 7, ric: 2, prs: 1, r: 1, local: false });
  });
});

describe("state", () => {
  it("save/restore round-trips and continues bit-exactly", () => {
    const prog: Asm[] = [];
    for (let i = 0; i < 40; i++) prog.push(["addi", 3, 3, i], ["mulld", 4, 3, 3], ["std", 4, 0, 5]);
    const a = machine(prog);
    a.cpu.setGpr(5, 0x8000n);
    a.cpu.run(50);
    const saved = JSON.parse(JSON.stringify(a.cpu.save()));
    const b = machine(prog);
    b.bus.bytes.set(a.bus.bytes);
    b.cpu.restore(saved);
    a.cpu.run(1000);
    b.cpu.run(1000);
    const x = a.cpu.save(),
      y = b.cpu.save();
    expect(JSON.stringify(y, null, 1)).toBe(JSON.stringify(x, null, 1));
  });

  it("rejects an unknown state version", () => {
    const m = machine([]);
    expect(() => m.cpu.restore({ ...m.cpu.save(), version: 2 as 1 })).toThrow(/version 2/);
  });

  it("exposes registers at the API edge", () => {
    const m = machine([]);
    m.cpu.xer = 0xe00c0000n;
    m.cpu.lr = 5n;
    m.cpu.ctr = 6n;
    expect([m.cpu.xer, m.cpu.lr, m.cpu.ctr]).toEqual([0xe00c0000n, 5n, 6n]);
    expect(m.cpu.getSpr(SPR.PVR)).toBe(0x4e1200n);
    expect(m.cpu.getSpr(SPR.PIR)).toBe(0n);
  });
});

describe("32-bit mode", () => {
  it("computes CR0 and CA on the low word, and truncates effective addresses", () => {
    const cpu = run(
      [
        ["add.", 3, 4, 5],
        ["addic", 6, 4, -1],
        ["mfcr", 7],
      ],
      (c) => {
        c.setGpr(4, 0x100000000n);
        c.setGpr(5, 0n);
      },
      {},
      0x1000000000001001n,
    );
    expect(cpu.getGpr(7) >> 28n).toBe(2n); // low word is zero: EQ
    expect(cpu.xer & 0x20000000n).toBe(0n);
  });
});
