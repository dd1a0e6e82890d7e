import { expect, test } from "vitest";
import fc from "fast-check";
import {
  KVM_VENDOR_HYP_UID,
  XEN_VENDOR_HYP_UID,
  registersToUuid,
  uuidToRegisters,
} from "./smccc-uid";
import { retToX, w32, w32Signed } from "./smccc-return";

test("KVM's UID in its register form (ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0..3)", () => {
  expect(uuidToRegisters(KVM_VENDOR_HYP_UID)).toEqual([
    0xb66fb428, 0xe911c52e, 0x564bcaa9, 0x743a004d,
  ]);
});

test("Xen's UID in its register form (fill_uid: first byte in the low bits of W0)", () => {
  expect(uuidToRegisters(XEN_VENDOR_HYP_UID)).toEqual([
    0xdc1218a7, 0x694398c6, 0xd179cf9a, 0x67e6de8d,
  ]);
});

test("property: registers round-trip to the UUID", () => {
  fc.assert(
    fc.property(fc.uuid(), (u) => {
      const r = uuidToRegisters(u);
      expect(registersToUuid(r)).toBe(u.toLowerCase());
    }),
  );
});

test("a malformed UUID is refused", () => {
  expect(() => uuidToRegisters("not-a-uuid")).toThrow(/is not a UUID/);
});

test("W-register helpers", () => {
  expect(retToX(-1)).toBe(0xffffffffffffffffn);
  expect(w32Signed(0xffffffffffffffffn)).toBe(-1);
  expect(w32Signed(0x1_00000002n)).toBe(2);
  expect(w32(0xffffffff_fffffffen)).toBe(0xfffffffe);
});
