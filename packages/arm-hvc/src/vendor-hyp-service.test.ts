import { describe, expect, test } from "vitest";
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
  createVendorHypService,
  hypServiceAvailable,
} from "./vendor-hyp-service";
import type { VendorHypConfig } from "./vendor-hyp-service";
import { KVM_VENDOR_HYP_UID } from "./smccc-uid";
import { decodeFunctionId } from "./smccc-id";

function call(cfg: VendorHypConfig, fid: number, args: bigint[] = []): bigint[] {
  const o = createVendorHypService(cfg).handle({
    functionId: fid,
    fields: decodeFunctionId(fid),
    args,
    conduit: "hvc",
    vcpu: 0,
  });
  if (o.kind !== "return") throw new Error("expected a return");
  return [...o.values];
}

const clock = {
  realtimeNs: () => 0x1234_5678_9abc_def0n,
  physicalCounter: () => 0x1_0000_0010n,
  virtualOffset: () => 0x10n,
};
const base: VendorHypConfig = { uid: KVM_VENDOR_HYP_UID, featureWords: () => [3, 0, 0x70000, 0] };

describe("KVM vendor hypervisor service", () => {
  test("ids", () => {
    expect(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID).toBe(0x8600ff01);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID).toBe(0x86000000);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID).toBe(0x86000001);
  });

  test("Call UID returns KVM's UID in W0..W3", () => {
    expect(call(base, ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID)).toEqual([
      0xb66fb428n,
      0xe911c52en,
      0x564bcaa9n,
      0x743a004dn,
    ]);
  });

  test("KVM_FEATURES returns the VM's bitmap words", () => {
    expect(call(base, ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID)).toEqual([3n, 0n, 0x70000n, 0n]);
  });

  test("PTP: real time and counter, virtual or physical", () => {
    const cfg = { ...base, ptp: clock };
    expect(call(cfg, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, [0n])).toEqual([
      0x12345678n,
      0x9abcdef0n,
      1n,
      0n,
    ]);
    expect(call(cfg, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, [1n])).toEqual([
      0x12345678n,
      0x9abcdef0n,
      1n,
      0x10n,
    ]);
    expect(call(cfg, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, [2n])[0]).toBe(0xffffffffffffffffn);
  });

  test("without PTP the function is not registered and answers NOT_SUPPORTED", () => {
    const svc = createVendorHypService(base);
    expect(svc.ranges[0]).toMatchObject({ first: 0, last: 0 });
    expect(call(base, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, [0n])[0]).toBe(0xffffffffffffffffn);
    expect(call(base, 0x86000007)[0]).toBe(0xffffffffffffffffn);
  });

  test("kvm_arm_hyp_service_available", () => {
    const w = [3, 0, 0x70000, 0x80000000] as const;
    expect(hypServiceAvailable(w, 0)).toBe(true);
    expect(hypServiceAvailable(w, 1)).toBe(true);
    expect(hypServiceAvailable(w, 2)).toBe(false);
    expect(hypServiceAvailable(w, 80)).toBe(true);
    expect(hypServiceAvailable(w, 83)).toBe(false);
    expect(hypServiceAvailable(w, 127)).toBe(true);
    expect(hypServiceAvailable(w, 128)).toBe(false);
    expect(hypServiceAvailable(w, -1)).toBe(false);
  });
});
