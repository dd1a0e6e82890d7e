import { expect, test } from "vitest";
import { smcccOwner } from "./smccc-owners";

test("owner table for fast calls", () => {
  const kinds = Array.from({ length: 64 }, (_, oen) => smcccOwner("fast", oen).kind);
  expect(kinds.slice(0, 8)).toEqual([
    "arm-architecture",
    "cpu-service",
    "sip-service",
    "oem-service",
    "standard-secure-service",
    "standard-hypervisor-service",
    "vendor-hypervisor-service",
    "vendor-el3-monitor",
  ]);
  expect(new Set(kinds.slice(8, 48))).toEqual(new Set(["reserved"]));
  expect(kinds.slice(48, 50)).toEqual(["trusted-application", "trusted-application"]);
  expect(new Set(kinds.slice(50))).toEqual(new Set(["trusted-os"]));
  expect(smcccOwner("fast", 6).name).toBe("Vendor Specific Hypervisor Service Calls");
});

test("owner table for yielding calls", () => {
  expect(smcccOwner("yielding", 0).kind).toBe("legacy-armv7");
  expect(smcccOwner("yielding", 1).kind).toBe("legacy-armv7");
  expect(smcccOwner("yielding", 2).kind).toBe("trusted-os");
  expect(smcccOwner("yielding", 63).kind).toBe("trusted-os");
});

test("an OEN outside 0..63 is refused", () => {
  expect(() => smcccOwner("fast", 64)).toThrow(/OEN 64 is out of range/);
  expect(() => smcccOwner("fast", -1)).toThrow(/out of range/);
});
