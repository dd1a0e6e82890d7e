import { describe, expect, test } from "vitest";
import { createPsciService, isKnownPsciVersion, psciAffinityMask } from "./psci-service";
import type { PsciServiceConfig } from "./psci-service";
import { PsciPowerModel, defaultMpidr } from "./psci-power";
import type { SmcccOutcome } from "./smccc-call";
import { decodeFunctionId } from "./smccc-id";
import {
  KVM_PSCI_0_1_IDS,
  PSCI_FUNCTIONS,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  psciFunction,
} from "./psci-ids";
import type { PsciFunctionName } from "./psci-ids";

function setup(version: number, extra: Partial<PsciServiceConfig> = {}, cpus = 4) {
  const power = new PsciPowerModel(Array.from({ length: cpus }, (_, i) => defaultMpidr(i)));
  const svc = createPsciService({
    version,
    power,
    smcccVersionImplemented: true,
    systemSuspend: false,
    ...extra,
  });
  const call = (fid: number, args: bigint[] = [], vcpu = 0): SmcccOutcome =>
    svc.handle({ functionId: fid, fields: decodeFunctionId(fid), args, conduit: "hvc", vcpu });
  const ret = (fid: number, args: bigint[] = [], vcpu = 0): number => {
    const o = call(fid, args, vcpu);
    if (o.kind !== "return") throw new Error(`expected a return, got ${o.kind}`);
    return Number(BigInt.asIntN(64, o.values[0] ?? 0n));
  };
  return { power, svc, call, ret };
}

const id = (n: PsciFunctionName) => psciFunction(n).id32;
const id64 = (n: PsciFunctionName) => psciFunction(n).id64 ?? 0;

describe("PSCI versions and PSCI_FEATURES", () => {
  test("PSCI_VERSION answers the VM's version", () => {
    expect(setup(PSCI_VERSION_0_2).ret(id("PSCI_VERSION"))).toBe(2);
    expect(setup(PSCI_VERSION_1_0).ret(id("PSCI_VERSION"))).toBe(0x10000);
    expect(setup(PSCI_VERSION_1_1).ret(id("PSCI_VERSION"))).toBe(0x10001);
  });

  const implemented: Record<string, PsciFunctionName[]> = {
    "0.2": [
      "PSCI_VERSION",
      "CPU_SUSPEND",
      "CPU_OFF",
      "CPU_ON",
      "AFFINITY_INFO",
      "MIGRATE_INFO_TYPE",
      "SYSTEM_OFF",
      "SYSTEM_RESET",
    ],
  };
  implemented["1.0"] = [...(implemented["0.2"] ?? []), "PSCI_FEATURES"];
  implemented["1.1"] = [...(implemented["1.0"] ?? []), "SYSTEM_RESET2"];

  test.each([
    ["1.0", PSCI_VERSION_1_0],
    ["1.1", PSCI_VERSION_1_1],
  ] as const)("PSCI_FEATURES of every function id on PSCI %s", (name, version) => {
    const { ret } = setup(version);
    const want = implemented[name] ?? [];
    for (const f of PSCI_FUNCTIONS) {
      for (const fid of [f.id32, ...(f.id64 !== undefined ? [f.id64] : [])]) {
        expect([f.name, ret(id("PSCI_FEATURES"), [BigInt(fid)])]).toEqual([
          f.name,
          want.includes(f.name) ? 0 : -1,
        ]);
      }
    }
    expect(ret(id("PSCI_FEATURES"), [0x80000000n])).toBe(0); // SMCCC_VERSION
    expect(ret(id("PSCI_FEATURES"), [0x86000000n])).toBe(-1); // not PSCI
  });

  test("PSCI_FEATURES(SMCCC_VERSION) is NOT_SUPPORTED when SMCCC is 1.0", () => {
    expect(
      setup(PSCI_VERSION_1_0, { smcccVersionImplemented: false }).ret(id("PSCI_FEATURES"), [
        0x80000000n,
      ]),
    ).toBe(-1);
  });

  test("SYSTEM_SUSPEND is a feature only when enabled", () => {
    const { ret } = setup(PSCI_VERSION_1_0, { systemSuspend: true });
    expect(ret(id("PSCI_FEATURES"), [BigInt(id64("SYSTEM_SUSPEND"))])).toBe(0);
    expect(setup(PSCI_VERSION_1_0).ret(id64("SYSTEM_SUSPEND"), [0x1000n])).toBe(-1);
  });

  test("functions of a later version are NOT_SUPPORTED on an earlier one", () => {
    expect(setup(PSCI_VERSION_0_2).ret(id("PSCI_FEATURES"), [0n])).toBe(-1);
    expect(setup(PSCI_VERSION_1_0).ret(id("SYSTEM_RESET2"), [0n])).toBe(-1);
  });

  test.each([
    "MIGRATE",
    "MIGRATE_INFO_UP_CPU",
    "CPU_FREEZE",
    "NODE_HW_STATE",
    "MEM_PROTECT",
    "PSCI_STAT_COUNT",
    "SYSTEM_OFF2",
  ] as const)("%s is not implemented (as in KVM)", (name) => {
    expect(setup(PSCI_VERSION_1_1).ret(id(name))).toBe(-1);
  });

  test("MIGRATE_INFO_TYPE: no Trusted OS to migrate", () => {
    expect(setup(PSCI_VERSION_0_2).ret(id("MIGRATE_INFO_TYPE"))).toBe(2);
  });

  test("CPU_SUSPEND returns SUCCESS (a standby, like KVM's WFI)", () => {
    expect(setup(PSCI_VERSION_1_1).ret(id64("CPU_SUSPEND"), [0x10000n, 0x40000000n, 0n])).toBe(0);
  });

  test("an unknown version is refused", () => {
    expect(() => setup(0x00010002)).toThrow(/use 0.1, 0.2, 1.0 or 1.1/);
    expect(isKnownPsciVersion(PSCI_VERSION_0_1)).toBe(true);
    expect(isKnownPsciVersion(3)).toBe(false);
  });
});

describe("CPU_ON, CPU_OFF, AFFINITY_INFO over the power model", () => {
  test("CPU_ON brings a vCPU to ON_PENDING, then ON when scheduled", () => {
    const { ret, power } = setup(PSCI_VERSION_1_1);
    expect(ret(id64("CPU_ON"), [1n, 0x40080000n, 0x1234n])).toBe(0);
    expect(power.power(1)).toBe("on-pending");
    expect(ret(id64("CPU_ON"), [1n, 0x40080000n, 0n])).toBe(-5); // ON_PENDING
    expect(ret(id64("AFFINITY_INFO"), [1n, 0n])).toBe(2);
    expect(power.pending()).toEqual([1]);
    expect(power.completePending(1)).toEqual({ pc: 0x40080000n, contextId: 0x1234n });
    expect(ret(id64("AFFINITY_INFO"), [1n, 0n])).toBe(0);
    expect(ret(id64("CPU_ON"), [1n, 0x40080000n, 0n])).toBe(-4); // ALREADY_ON
  });

  test("CPU_ON error cases", () => {
    const { ret } = setup(PSCI_VERSION_1_1, { isValidEntry: (pc) => pc >= 0x40000000n });
    expect(ret(id64("CPU_ON"), [0x100_0000_0000n, 0x40000000n, 0n])).toBe(-2); // bits outside MPIDR_HWID
    expect(ret(id64("CPU_ON"), [0x7n, 0x40000000n, 0n])).toBe(-2); // no such vCPU
    expect(ret(id64("CPU_ON"), [0x0n, 0x40000000n, 0n])).toBe(-4); // the caller is on
    expect(ret(id64("CPU_ON"), [0x2n, 0x1000n, 0n])).toBe(-9); // INVALID_ADDRESS
  });

  test("CPU_ON (SMC32) uses 32-bit arguments as given", () => {
    const { ret, power } = setup(PSCI_VERSION_0_2);
    expect(ret(id("CPU_ON"), [3n, 0x40000000n, 7n])).toBe(0);
    expect(power.completePending(3).contextId).toBe(7n);
  });

  test("CPU_OFF powers the caller down and does not return", () => {
    const { call, power } = setup(PSCI_VERSION_1_1);
    power.markPending(2, { pc: 0n, contextId: 0n });
    power.completePending(2);
    expect(call(id("CPU_OFF"), [], 2)).toEqual({ kind: "cpu-off" });
    expect(power.power(2)).toBe("off");
  });

  test("AFFINITY_INFO levels", () => {
    const { ret, power } = setup(PSCI_VERSION_1_1, {}, 20);
    // vCPU 17 = Aff1 1, Aff0 1.
    expect(defaultMpidr(17)).toBe(0x101n);
    expect(ret(id64("AFFINITY_INFO"), [0x101n, 0n])).toBe(1);
    expect(ret(id64("AFFINITY_INFO"), [0x100n, 1n])).toBe(1); // cluster 1: all off
    expect(ret(id64("AFFINITY_INFO"), [0x005n, 1n])).toBe(0); // cluster 0 has vCPU 0 on
    expect(ret(id64("AFFINITY_INFO"), [0n, 4n])).toBe(-2); // level > 3
    expect(ret(id64("AFFINITY_INFO"), [1n << 41n, 0n])).toBe(-2);
    power.markPending(17, { pc: 0n, contextId: 0n });
    expect(ret(id64("AFFINITY_INFO"), [0x100n, 1n])).toBe(2);
    expect(ret(id("AFFINITY_INFO"), [0x101n, 0n])).toBe(2);
  });

  test("affinity masks", () => {
    expect(psciAffinityMask(0)).toBe(0xff00ffffffn);
    expect(psciAffinityMask(1)).toBe(0xff00ffff00n);
    expect(psciAffinityMask(2)).toBe(0xff00ff0000n);
    expect(psciAffinityMask(3)).toBe(0xff00000000n);
    expect(psciAffinityMask(4)).toBe(0n);
    expect(psciAffinityMask(-1)).toBe(0n);
  });
});

describe("system functions", () => {
  test("SYSTEM_OFF and SYSTEM_RESET leave to the VMM", () => {
    const { call } = setup(PSCI_VERSION_0_2);
    expect(call(id("SYSTEM_OFF"))).toEqual({ kind: "system-event", event: { type: "shutdown" } });
    expect(call(id("SYSTEM_RESET"))).toEqual({ kind: "system-event", event: { type: "reset" } });
  });

  test("SYSTEM_RESET2: warm, vendor, invalid", () => {
    const { call } = setup(PSCI_VERSION_1_1);
    expect(call(id64("SYSTEM_RESET2"), [0n, 0n])).toEqual({
      kind: "system-event",
      event: { type: "warm-reset" },
    });
    expect(call(id("SYSTEM_RESET2"), [0x80000001n, 0x99n])).toEqual({
      kind: "system-event",
      event: { type: "vendor-reset", resetType: 0x80000001, cookie: 0x99n },
    });
    const bad = call(id("SYSTEM_RESET2"), [1n, 0n]);
    expect(bad.kind === "return" && BigInt.asIntN(64, bad.values[0] ?? 0n)).toBe(-2n);
  });

  test("SYSTEM_SUSPEND: DENIED while another vCPU is on, INVALID_ADDRESS, then the event", () => {
    const { call, ret, power } = setup(PSCI_VERSION_1_0, {
      systemSuspend: true,
      isValidEntry: (pc) => pc !== 0n,
    });
    power.markPending(1, { pc: 0n, contextId: 0n });
    expect(ret(id64("SYSTEM_SUSPEND"), [0x40000000n, 5n])).toBe(-3);
    power.powerOff(1);
    expect(ret(id64("SYSTEM_SUSPEND"), [0n, 5n])).toBe(-9);
    expect(call(id64("SYSTEM_SUSPEND"), [0x40000000n, 5n])).toEqual({
      kind: "system-event",
      event: { type: "suspend", entry: 0x40000000n, contextId: 5n },
    });
  });
});

describe("KVM's PSCI 0.1", () => {
  test("registers the legacy ids and answers CPU_ON/CPU_OFF only", () => {
    const { svc, call, ret, power } = setup(PSCI_VERSION_0_1);
    expect(svc.legacyIds).toEqual(Object.values(KVM_PSCI_0_1_IDS));
    expect(ret(KVM_PSCI_0_1_IDS.cpu_on, [1n, 0x40000000n, 0x77n])).toBe(0);
    // No context id in 0.1: the target starts with X0 = 0.
    expect(power.completePending(1).contextId).toBe(0n);
    // 0.1 had no ALREADY_ON: INVALID_PARAMETERS.
    expect(ret(KVM_PSCI_0_1_IDS.cpu_on, [1n, 0x40000000n, 0n])).toBe(-2);
    power.markPending(2, { pc: 0n, contextId: 0n });
    expect(ret(KVM_PSCI_0_1_IDS.cpu_on, [2n, 0x40000000n, 0n])).toBe(-2);
    expect(call(KVM_PSCI_0_1_IDS.cpu_off, [], 1)).toEqual({ kind: "cpu-off" });
    expect(ret(KVM_PSCI_0_1_IDS.cpu_suspend)).toBe(-1);
    expect(ret(KVM_PSCI_0_1_IDS.migrate)).toBe(-1);
    // The standard ids mean nothing under 0.1.
    expect(ret(id("PSCI_VERSION"))).toBe(-1);
  });

  test("later versions do not claim the legacy ids", () => {
    expect(setup(PSCI_VERSION_1_1).svc.legacyIds).toBeUndefined();
  });
});
