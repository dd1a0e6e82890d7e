import { expect, test } from "vitest";
import { PsciPowerModel, defaultMpidr } from "./psci-power";

test("vCPU 0 starts on, the others off; save/restore round-trips", () => {
  const m = new PsciPowerModel([0n, 1n, 2n]);
  expect([m.power(0), m.power(1), m.power(2)]).toEqual(["on", "off", "off"]);
  m.markPending(1, { pc: 0x1000n, contextId: 9n });
  const s = m.save();
  expect(s).toEqual({
    version: 1,
    cpus: [
      { mpidr: "0", power: "on" },
      { mpidr: "1", power: "on-pending", entryPc: "4096", contextId: "9" },
      { mpidr: "2", power: "off" },
    ],
  });
  const r = PsciPowerModel.restore(s);
  expect(r.save()).toEqual(s);
  expect(r.completePending(1)).toEqual({ pc: 0x1000n, contextId: 9n });
});

test("broken invariants throw with the reason", () => {
  expect(() => new PsciPowerModel([])).toThrow(/at least one vCPU/);
  const m = new PsciPowerModel([0n, 1n]);
  expect(() => m.markPending(0, { pc: 0n, contextId: 0n })).toThrow(/only an OFF vCPU/);
  expect(() => m.completePending(1)).toThrow(/not ON_PENDING/);
  expect(() => m.power(5)).toThrow(/no vCPU 5/);
  expect(() =>
    PsciPowerModel.restore({ version: 2 as 1, cpus: [{ mpidr: "0", power: "on" }] }),
  ).toThrow(/version 2/);
  expect(() => m.loadFrom({ version: 1, cpus: [{ mpidr: "0", power: "on" }] })).toThrow(
    /has 1 vCPUs/,
  );
  expect(() =>
    m.loadFrom({
      version: 1,
      cpus: [
        { mpidr: "0", power: "on" },
        { mpidr: "5", power: "off" },
      ],
    }),
  ).toThrow(/MPIDR 5/);
  expect(m.findByMpidr(0xff_0000_0001n)).toBeUndefined();
  expect(m.findByMpidr(0x1n)).toBe(1);
});

test("default MPIDRs put 16 vCPUs per Aff1 cluster", () => {
  expect([0, 15, 16, 33].map(defaultMpidr)).toEqual([0n, 0xfn, 0x100n, 0x201n]);
});
