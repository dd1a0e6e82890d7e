import { expect, test } from "vitest";
import fc from "fast-check";
import {
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK,
  decodeApfRecord,
  encodeApfRecord,
} from "./apf-abi";
import { decodeFunctionId } from "./smccc-id";

test("function ids", () => {
  expect(ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID).toBe(0x86000050);
  expect(ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID).toBe(0xc6000051);
  expect(ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID).toBe(0x86000052);
});

test("the numbers clash with none of KVM's vendor functions and fit the KVM_FEATURES window", () => {
  // FEATURES 0, PTP 1, pKVM 2..63 (HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE, MMIO_GUARD, ...),
  // DISCOVER_IMPL_VER 64, DISCOVER_IMPL_CPUS 65, FEATURES_2 127.
  const kvm = new Set([0, 1, ...Array.from({ length: 62 }, (_, i) => i + 2), 64, 65, 127]);
  for (const fid of [
    ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
    ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
    ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ]) {
    const f = decodeFunctionId(fid);
    expect(f.owner).toBe(6);
    expect(f.type).toBe("fast");
    expect(kvm.has(f.number)).toBe(false);
    expect(f.number).toBeLessThan(128);
    // BMAP_2 bit n is function 64 + n.
    expect((KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK >> BigInt(f.number - 64)) & 1n).toBe(1n);
  }
});

test("record golden bytes", () => {
  const b = encodeApfRecord({
    version: 0x10000,
    flags: 1,
    reason: 1,
    notPresentToken: 0x11223344,
    readyToken: 7,
  });
  expect(Buffer.from(b).toString("hex")).toBe(
    "00000100" + "01000000" + "01000000" + "44332211" + "07000000" + "00".repeat(44),
  );
});

test("property: record codec round-trips; a wrong size is refused", () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(u32, u32, u32, u32, u32, (version, flags, reason, notPresentToken, readyToken) => {
      const r = { version, flags, reason, notPresentToken, readyToken };
      expect(decodeApfRecord(encodeApfRecord(r))).toEqual(r);
    }),
  );
  expect(() => decodeApfRecord(new Uint8Array(63))).toThrow(/64 bytes; got 63/);
});
