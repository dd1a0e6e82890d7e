// Owning Entity Numbers (SMCCC DEN0028 §6, TF-A rt-svc-writers-guide). For fast calls the OEN
// names who answers; yielding calls 0-1 are legacy Armv7 calls and 2-63 belong to Trusted OSes.
import type { SmcccCallType } from "./smccc-id";

export const OEN_ARM_ARCH = 0;
export const OEN_CPU = 1;
export const OEN_SIP = 2;
export const OEN_OEM = 3;
export const OEN_STANDARD = 4;
export const OEN_STANDARD_HYP = 5;
export const OEN_VENDOR_HYP = 6;
export const OEN_VENDOR_EL3 = 7;

/** General-query function numbers every owner may implement (SMCCC §6.2). */
export const SMCCC_FUNC_CALL_COUNT = 0xff00;
export const SMCCC_FUNC_CALL_UID = 0xff01;
export const SMCCC_FUNC_REVISION = 0xff03;

export type SmcccOwnerKind =
  | "arm-architecture"
  | "cpu-service"
  | "sip-service"
  | "oem-service"
  | "standard-secure-service"
  | "standard-hypervisor-service"
  | "vendor-hypervisor-service"
  | "vendor-el3-monitor"
  | "reserved"
  | "trusted-application"
  | "trusted-os"
  | "legacy-armv7";

export interface SmcccOwner {
  readonly kind: SmcccOwnerKind;
  /** The owner's name as the specification writes it. */
  readonly name: string;
}

const FAST_OWNERS: readonly SmcccOwner[] = [
  { kind: "arm-architecture", name: "Arm Architecture Calls" },
  { kind: "cpu-service", name: "CPU Service Calls" },
  { kind: "sip-service", name: "SiP Service Calls" },
  { kind: "oem-service", name: "OEM Service Calls" },
  { kind: "standard-secure-service", name: "Standard Secure Service Calls" },
  { kind: "standard-hypervisor-service", name: "Standard Hypervisor Service Calls" },
  { kind: "vendor-hypervisor-service", name: "Vendor Specific Hypervisor Service Calls" },
  { kind: "vendor-el3-monitor", name: "Vendor Specific EL3 Monitor Calls" },
];

/** Who owns `oen` for a call of the given type. */
export function smcccOwner(type: SmcccCallType, oen: number): SmcccOwner {
  if (!Number.isInteger(oen) || oen < 0 || oen > 63) {
    throw new RangeError(`OEN ${oen} is out of range: an OEN is an integer from 0 to 63`);
  }
  if (type === "yielding") {
    return oen <= 1
      ? { kind: "legacy-armv7", name: "Reserved for existing Armv7-A calls" }
      : { kind: "trusted-os", name: "Trusted OS Yielding Calls" };
  }
  const fixed = FAST_OWNERS[oen];
  if (fixed !== undefined) return fixed;
  if (oen <= 47) return { kind: "reserved", name: "Reserved for future use" };
  if (oen <= 49) return { kind: "trusted-application", name: "Trusted Application Calls" };
  return { kind: "trusted-os", name: "Trusted OS Calls" };
}
