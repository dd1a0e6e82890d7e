import { expect, test } from "vitest";
import {
  KVM_PSCI_0_1_IDS,
  PSCI_FUNCTIONS,
  psciFunction,
  psciFunctionById,
  psciReturnName,
} from "./psci-ids";

test("every PSCI id matches include/uapi/linux/psci.h", () => {
  const golden: [string, number, number | undefined][] = [
    ["PSCI_VERSION", 0x84000000, undefined],
    ["CPU_SUSPEND", 0x84000001, 0xc4000001],
    ["CPU_OFF", 0x84000002, undefined],
    ["CPU_ON", 0x84000003, 0xc4000003],
    ["AFFINITY_INFO", 0x84000004, 0xc4000004],
    ["MIGRATE", 0x84000005, 0xc4000005],
    ["MIGRATE_INFO_TYPE", 0x84000006, undefined],
    ["MIGRATE_INFO_UP_CPU", 0x84000007, 0xc4000007],
    ["SYSTEM_OFF", 0x84000008, undefined],
    ["SYSTEM_RESET", 0x84000009, undefined],
    ["PSCI_FEATURES", 0x8400000a, undefined],
    ["CPU_FREEZE", 0x8400000b, undefined],
    ["CPU_DEFAULT_SUSPEND", 0x8400000c, 0xc400000c],
    ["NODE_HW_STATE", 0x8400000d, 0xc400000d],
    ["SYSTEM_SUSPEND", 0x8400000e, 0xc400000e],
    ["PSCI_SET_SUSPEND_MODE", 0x8400000f, undefined],
    ["PSCI_STAT_RESIDENCY", 0x84000010, 0xc4000010],
    ["PSCI_STAT_COUNT", 0x84000011, 0xc4000011],
    ["SYSTEM_RESET2", 0x84000012, 0xc4000012],
    ["MEM_PROTECT", 0x84000013, undefined],
    ["MEM_PROTECT_CHECK_RANGE", 0x84000014, 0xc4000014],
    ["SYSTEM_OFF2", 0x84000015, 0xc4000015],
  ];
  expect(PSCI_FUNCTIONS.map((f) => [f.name, f.id32, f.id64])).toEqual(golden);
  for (const [name, id32, id64] of golden) {
    expect(psciFunctionById(id32)).toEqual({ fn: psciFunction(name as never), is64: false });
    if (id64 !== undefined) expect(psciFunctionById(id64)?.is64).toBe(true);
  }
  expect(psciFunctionById(0x84000016)).toBeUndefined();
  expect(() => psciFunction("NOPE" as never)).toThrow(/unknown PSCI function/);
});

test("KVM's PSCI 0.1 ids", () => {
  expect(KVM_PSCI_0_1_IDS).toEqual({
    cpu_suspend: 0x95c1ba5e,
    cpu_off: 0x95c1ba5f,
    cpu_on: 0x95c1ba60,
    migrate: 0x95c1ba61,
  });
});

test("return code names", () => {
  expect([0, -1, -2, -3, -4, -5, -6, -7, -8, -9].map(psciReturnName)).toEqual([
    "SUCCESS",
    "NOT_SUPPORTED",
    "INVALID_PARAMETERS",
    "DENIED",
    "ALREADY_ON",
    "ON_PENDING",
    "INTERNAL_FAILURE",
    "NOT_PRESENT",
    "DISABLED",
    "INVALID_ADDRESS",
  ]);
  expect(psciReturnName(-10)).toBe("unknown PSCI return -10");
});
