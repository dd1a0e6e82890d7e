import { describe, expect, test } from "vitest";
import fc from "fast-check";
import type { ArmVcpu } from "./arm-vcpu";
import { smcccCallFromRegisters, writeSmcccResults } from "./arm-vcpu";
import { ArmVirtMachine } from "./arm-virt-machine";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe("SMCCC register semantics", () => {
  test("property: SMC32 takes W0..W7, SMC64 takes X1..X17", () => {
    fc.assert(
      fc.property(fc.array(u64, { minLength: 31, maxLength: 31 }), fc.boolean(), (regs, is64) => {
        const x = [...regs];
        x[0] = (x[0] ?? 0n) & ~0x40000000n; // SMC32 id ...
        if (is64) x[0] = (x[0] ?? 0n) | 0x40000000n; // ... or SMC64
        const c = smcccCallFromRegisters(x, "hvc", 3);
        expect(c.functionId).toBe(Number(BigInt.asUintN(32, x[0] ?? 0n)));
        expect(c.args).toHaveLength(17);
        c.args.forEach((a, i) => {
          const r = x[i + 1] ?? 0n;
          if (is64) expect(a).toBe(r);
          else expect(a).toBe(i < 7 ? BigInt.asUintN(32, r) : 0n);
        });
        expect(c.vcpu).toBe(3);
      }),
    );
  });

  test("property: a call through the machine preserves X4..X30 and writes X0..X3", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const cpu = m.vcpus[0];
    if (cpu === undefined) throw new Error("no vCPU");
    fc.assert(
      fc.property(fc.array(u64, { minLength: 31, maxLength: 31 }), (regs) => {
        regs.forEach((r, i) => (cpu.x[i] = r));
        cpu.x[0] = 0xffffffff_00000000n | 0x8600ff01n; // Call UID, junk in the upper half of X0
        const before = [...cpu.x];
        cpu.hvc(0);
        expect(cpu.x.slice(0, 4)).toEqual([0xb66fb428n, 0xe911c52en, 0x564bcaa9n, 0x743a004dn]);
        expect(cpu.x.slice(4)).toEqual(before.slice(4));
      }),
      { numRuns: 50 },
    );
  });

  test("results beyond 18 registers are a broken invariant", () => {
    expect(() =>
      writeSmcccResults([], { kind: "return", values: Array.from({ length: 19 }, () => 0n) }),
    ).toThrow(/at most 18/);
  });
});

describe("interrupt delivery", () => {
  test("a pending PPI is taken at a boundary when unmasked, with IRQs masked inside the handler", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const cpu = m.vcpus[0] as ArmVcpu;
    const seen: [number, boolean][] = [];
    cpu.pendingPpis.add(21);
    cpu.pendingPpis.add(20);
    cpu.setIrqsMasked(true);
    cpu.setIrqHandler((intid) => seen.push([intid, cpu.irqsMasked]));
    cpu.compute(1);
    expect(seen).toEqual([]);
    cpu.setIrqsMasked(false);
    cpu.compute(1);
    expect(seen).toEqual([
      [20, true],
      [21, true],
    ]);
    expect(cpu.irqsMasked).toBe(false);
    expect(cpu.now()).toBe(2n);
  });
});
