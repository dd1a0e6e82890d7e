import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_BUSY,
  H_FUNCTION,
  H_GUEST_VCPU_STATE_NOT_HV_OWNED,
  H_INVALID_ELEMENT_ID,
  H_LONG_BUSY_ORDER_100_SEC,
  H_LONG_BUSY_ORDER_1_MSEC,
  H_P2,
  H_PARAMETER,
  H_SUCCESS,
  H_UNSUPPORTED,
  RETURN_CODES,
  isLongBusy,
  isUnsupportedFlag,
  longBusyMsecs,
  returnCodeByName,
  returnCodeByValue,
  returnCodeName,
} from "./index";

describe("return codes", () => {
  it("has the values of hvcall.h", () => {
    expect([H_SUCCESS, H_BUSY, H_FUNCTION, H_PARAMETER, H_P2, H_UNSUPPORTED]).toEqual([
      0, 1, -2, -4, -55, -67,
    ]);
    expect([H_INVALID_ELEMENT_ID, H_GUEST_VCPU_STATE_NOT_HV_OWNED]).toEqual([-79, -87]);
    expect(returnCodeByName("H_STATE")?.value).toBe(-75);
    expect(returnCodeByName("H_IN_USE")?.value).toBe(-77);
    expect(returnCodeByName("H_TOO_HARD")?.value).toBe(9999);
    expect(returnCodeByName("H_MULTI_THREADS_ACTIVE")?.value).toBe(-9005);
    expect(returnCodeByName("h_p5")?.value).toBe(-58);
  });

  it("looks up by value and by name, including QEMU's spellings", () => {
    for (const rc of RETURN_CODES) {
      expect(returnCodeByValue(rc.value)).toBe(rc);
      expect(returnCodeByName(rc.name)).toBe(rc);
      for (const a of rc.aliases) expect(returnCodeByName(a)).toBe(rc);
    }
    expect(returnCodeByName("H_RESCINDEND")?.name).toBe("H_RESCINDED");
    expect(returnCodeByName("H_LONG_BUSY_START_RANGE")?.value).toBe(9900);
    expect(returnCodeByName("H_UNSUPPORTED_FLAG")?.value).toBe(-256);
    expect(returnCodeByValue(-26)).toBeUndefined();
    expect(returnCodeName(-4)).toBe("H_PARAMETER");
    expect(returnCodeName(-26)).toBe("-26");
  });

  it("H_IS_LONG_BUSY is exactly 9900..9905", () => {
    fc.assert(
      fc.property(fc.integer({ min: -20000, max: 20000 }), (x) => {
        expect(isLongBusy(x)).toBe(x >= 9900 && x <= 9905);
      }),
    );
    expect(longBusyMsecs(H_LONG_BUSY_ORDER_1_MSEC)).toBe(1);
    expect([9901, 9902, 9903, 9904].map(longBusyMsecs)).toEqual([10, 100, 1000, 10000]);
    expect(longBusyMsecs(H_LONG_BUSY_ORDER_100_SEC)).toBe(100000);
    expect(longBusyMsecs(42)).toBe(1);
  });

  it("names every code of the unsupported-flag range", () => {
    expect(isUnsupportedFlag(-256)).toBe(true);
    expect(isUnsupportedFlag(-511)).toBe(true);
    expect(isUnsupportedFlag(-512)).toBe(false);
    expect(returnCodeByValue(-300)?.name).toBe("H_UNSUPPORTED_FLAG_START - 44");
    expect(returnCodeByValue(-511)?.name).toBe("H_UNSUPPORTED_FLAG_END");
  });
});
