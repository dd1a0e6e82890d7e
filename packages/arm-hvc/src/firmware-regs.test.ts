import { describe, expect, test } from "vitest";
import {
  EBUSY,
  EINVAL,
  ENOENT,
  FirmwareRegisters,
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
  fwRegisterName,
  restoreFirmwareRegisters,
} from "./firmware-regs";
import type { HostHypercallSupport } from "./firmware-regs";
import { KVM_HOST_APF, KVM_HOST_MAINLINE, KVM_HOST_OLD, kvmHostByName } from "./host-profiles";

describe("firmware pseudo-register ids (arch/arm64/include/uapi/asm/kvm.h)", () => {
  test("golden", () => {
    expect(KVM_REG_ARM_PSCI_VERSION).toBe(0x6030000000140000n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1).toBe(0x6030000000140001n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2).toBe(0x6030000000140002n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3).toBe(0x6030000000140003n);
    expect(KVM_REG_ARM_STD_BMAP).toBe(0x6030000000160000n);
    expect(KVM_REG_ARM_STD_HYP_BMAP).toBe(0x6030000000160001n);
    expect(KVM_REG_ARM_VENDOR_HYP_BMAP).toBe(0x6030000000160002n);
    expect(KVM_REG_ARM_VENDOR_HYP_BMAP_2).toBe(0x6030000000160003n);
    expect(fwRegisterName(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toBe(
      "KVM_REG_ARM_VENDOR_HYP_BMAP_2 (0x6030000000160003)",
    );
    expect(fwRegisterName(5n)).toBe("unknown register (0x5)");
  });
});

describe("a VM's firmware registers", () => {
  test("defaults are everything the host supports", () => {
    const fw = new FirmwareRegisters(KVM_HOST_APF, true);
    expect(fw.get(KVM_REG_ARM_PSCI_VERSION)).toEqual({ ok: true, value: 0x10001n });
    expect(fw.get(KVM_REG_ARM_STD_BMAP)).toEqual({ ok: true, value: 1n });
    expect(fw.get(KVM_REG_ARM_STD_HYP_BMAP)).toEqual({ ok: true, value: 1n });
    expect(fw.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toEqual({ ok: true, value: 3n });
    expect(fw.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toEqual({ ok: true, value: 0x70000n });
    expect(fw.vendorFeatureWords()).toEqual([3, 0, 0x70000, 0]);
    expect(new FirmwareRegisters(KVM_HOST_MAINLINE, false).get(KVM_REG_ARM_PSCI_VERSION)).toEqual({
      ok: true,
      value: 1n,
    });
  });

  test("unknown bits are -EINVAL; an unknown register -ENOENT", () => {
    const fw = new FirmwareRegisters(KVM_HOST_MAINLINE, true);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 4n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_STD_BMAP, 2n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0x10000n)).toBe(EINVAL);
    expect(fw.set(0x6030000000160004n, 0n)).toBe(ENOENT);
    expect(fw.get(0x6030000000160004n)).toEqual({ ok: false, errno: ENOENT });
    const old = new FirmwareRegisters(KVM_HOST_OLD, true);
    expect(old.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toEqual({ ok: false, errno: ENOENT });
    expect(old.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0n)).toBe(ENOENT);
    expect(old.setService("apf", false)).toBe(0);
    expect(old.setService("apf", true)).toBe(ENOENT);
    expect(old.setService("nope" as never, true)).toBe(ENOENT);
    expect(old.enabled("nope" as never)).toBe(false);
  });

  test("the async-PF bits go together", () => {
    const fw = new FirmwareRegisters(KVM_HOST_APF, true);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0x10000n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0x30000n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0n)).toBe(0);
    expect(fw.enabled("apf")).toBe(false);
    expect(fw.setService("apf", true)).toBe(0);
    expect(fw.enabled("apf")).toBe(true);
  });

  test("frozen after the first run: a different value is -EBUSY, the same value is fine", () => {
    const fw = new FirmwareRegisters(KVM_HOST_APF, true);
    expect(fw.setService("ptp", false)).toBe(0);
    fw.markRan();
    expect(fw.hasRan).toBe(true);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 3n)).toBe(EBUSY);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 1n)).toBe(0);
    expect(fw.set(KVM_REG_ARM_PSCI_VERSION, 0x10000n)).toBe(EBUSY);
    expect(fw.set(KVM_REG_ARM_PSCI_VERSION, 0x10001n)).toBe(0);
    expect(fw.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 7n)).toBe(EINVAL); // invalid beats busy, as in KVM
  });

  test("PSCI version rules", () => {
    const v02 = new FirmwareRegisters(KVM_HOST_MAINLINE, true);
    expect(v02.set(KVM_REG_ARM_PSCI_VERSION, 1n)).toBe(EINVAL);
    expect(v02.set(KVM_REG_ARM_PSCI_VERSION, 2n)).toBe(0);
    expect(v02.psci).toBe(2);
    expect(v02.set(KVM_REG_ARM_PSCI_VERSION, 0x10000n)).toBe(0);
    expect(v02.set(KVM_REG_ARM_PSCI_VERSION, 0x10002n)).toBe(EINVAL);
    expect(v02.set(KVM_REG_ARM_PSCI_VERSION, 0x1_00010001n)).toBe(EINVAL);
    const v01 = new FirmwareRegisters(KVM_HOST_MAINLINE, false);
    expect(v01.set(KVM_REG_ARM_PSCI_VERSION, 2n)).toBe(EINVAL);
    expect(v01.set(KVM_REG_ARM_PSCI_VERSION, 1n)).toBe(0);
    const limited: HostHypercallSupport = { ...KVM_HOST_MAINLINE, maxPsciVersion: 0x10000 };
    expect(new FirmwareRegisters(limited, true).set(KVM_REG_ARM_PSCI_VERSION, 0x10001n)).toBe(
      EINVAL,
    );
  });

  test("workaround registers: at most the host's level", () => {
    const vulnerable: HostHypercallSupport = {
      ...KVM_HOST_MAINLINE,
      spectreV2: "vulnerable",
      spectreV4: "vulnerable",
      spectreBhb: "unaffected",
    };
    const fw = new FirmwareRegisters(vulnerable, true);
    expect(fw.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1)).toEqual({ ok: true, value: 0n });
    expect(fw.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toEqual({ ok: true, value: 0n });
    expect(fw.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3)).toEqual({ ok: true, value: 2n });
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 0n)).toBe(0);
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 1n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 0x10n)).toBe(EINVAL);
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, 2n)).toBe(0);
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 1n)).toBe(0); // UNKNOWN → NOT_AVAIL
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 3n)).toBe(EINVAL); // NOT_REQUIRED > host
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 0x20n)).toBe(EINVAL); // unknown bit
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 0x13n)).toBe(EINVAL); // ENABLED without AVAIL
    expect(fw.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 4n)).toBe(EINVAL); // no such level
    const safe = new FirmwareRegisters(KVM_HOST_MAINLINE, true);
    expect(safe.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1)).toEqual({ ok: true, value: 1n });
    expect(safe.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toEqual({ ok: true, value: 3n });
    expect(safe.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 0x12n)).toBe(0); // AVAIL | ENABLED
  });

  test("the gate: always-allowed calls and bitmap-gated calls (kvm_hvc_call_allowed)", () => {
    const fw = new FirmwareRegisters(KVM_HOST_APF, true);
    fw.setService("ptp", false);
    fw.setService("apf", false);
    const allowed = (id: number) => fw.allows(id);
    expect(allowed(0x80000000)).toBe(true); // SMCCC_VERSION
    expect(allowed(0x80000001)).toBe(true);
    expect(allowed(0x80008000)).toBe(true); // workaround fast path
    expect(allowed(0x84000000)).toBe(true); // PSCI
    expect(allowed(0xc400001f)).toBe(true);
    expect(allowed(0x84000050)).toBe(true); // TRNG: on by default
    expect(allowed(0xc4000053)).toBe(true);
    expect(allowed(0x95c1ba60)).toBe(true); // PSCI 0.1
    expect(allowed(0x86000000)).toBe(true); // FEATURES
    expect(allowed(0x8600ff01)).toBe(true); // UID
    expect(allowed(0x86000001)).toBe(false); // PTP off
    expect(allowed(0xc5000020)).toBe(true);
    expect(allowed(0x86000050)).toBe(false); // APF off
    expect(allowed(0xc6000051)).toBe(false);
    expect(allowed(0x86000052)).toBe(false);
    expect(allowed(0x86000007)).toBe(false); // anything else
    expect(allowed(0x04000000)).toBe(false); // yielding
    fw.setService("apf", true);
    expect(allowed(0xc6000051)).toBe(true);
    fw.setService("trng", false);
    expect(allowed(0x84000053)).toBe(false);
  });

  test("host lookup", () => {
    expect(kvmHostByName("kvm-old")).toBe(KVM_HOST_OLD);
    expect(() => kvmHostByName("kvm-9")).toThrow(/choose one of kvm-mainline, kvm-apf, kvm-old/);
  });
});

describe("restoring a frozen set on a destination", () => {
  const source = (host: HostHypercallSupport, edit: (fw: FirmwareRegisters) => void = () => {}) => {
    const fw = new FirmwareRegisters(host, true);
    edit(fw);
    fw.markRan();
    return fw.save();
  };

  test("same host: accepted; the destination ends with the same set", () => {
    const s = source(KVM_HOST_APF);
    const dst = new FirmwareRegisters(KVM_HOST_APF, true);
    expect(restoreFirmwareRegisters(dst, s)).toEqual([]);
    expect(dst.save()).toEqual(s);
  });

  test("a service the destination lacks is refused by name", () => {
    const refusals = restoreFirmwareRegisters(
      new FirmwareRegisters(KVM_HOST_MAINLINE, true),
      source(KVM_HOST_APF),
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.errno).toBe(EINVAL);
    expect(refusals[0]?.message).toContain(
      'host "kvm-mainline" does not implement "async page fault',
    );
    expect(refusals[0]?.message).toContain("KVM_REG_ARM_VENDOR_HYP_BMAP_2");
  });

  test("a service switched off before the first run does not bind the destination", () => {
    const s = source(KVM_HOST_APF, (fw) => fw.setService("apf", false));
    expect(restoreFirmwareRegisters(new FirmwareRegisters(KVM_HOST_MAINLINE, true), s)).toEqual([]);
    // An older kernel without BMAP_2 at all: tolerated at value 0 (QEMU's migration tolerance).
    expect(restoreFirmwareRegisters(new FirmwareRegisters(KVM_HOST_OLD, true), s)).toEqual([]);
  });

  test("a register the destination does not know, with services in it, is refused", () => {
    const r = restoreFirmwareRegisters(
      new FirmwareRegisters(KVM_HOST_OLD, true),
      source(KVM_HOST_APF),
    );
    expect(r.map((x) => x.errno)).toEqual([ENOENT]);
    expect(r[0]?.message).toContain('host "kvm-old" does not know KVM_REG_ARM_VENDOR_HYP_BMAP_2');
    expect(r[0]?.message).toContain('"async page fault');
  });

  test("PTP and PV time missing on the destination are named", () => {
    const bare: HostHypercallSupport = {
      ...KVM_HOST_MAINLINE,
      name: "bare",
      services: ["kvm-features"],
    };
    const r = restoreFirmwareRegisters(
      new FirmwareRegisters(bare, true),
      source(KVM_HOST_MAINLINE),
    );
    expect(r.map((x) => x.message).join("\n")).toMatch(
      /stolen time \(PV_TIME\)[\s\S]*KVM PTP clock/,
    );
  });

  test("PSCI version and workaround levels the destination cannot honour", () => {
    const lower: HostHypercallSupport = {
      ...KVM_HOST_MAINLINE,
      name: "lower",
      maxPsciVersion: 0x10000,
      spectreV2: "vulnerable",
    };
    const r = restoreFirmwareRegisters(
      new FirmwareRegisters(lower, true),
      source(KVM_HOST_MAINLINE),
    );
    expect(r.map((x) => x.message)).toEqual([
      'host "lower" cannot provide PSCI 1.1, which the incoming VM was given',
      'host "lower" cannot honour KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1 (0x6030000000140001) level 1: the incoming VM was promised a better mitigation than this host has',
    ]);
  });

  test("a bad stream version throws", () => {
    expect(() =>
      restoreFirmwareRegisters(new FirmwareRegisters(KVM_HOST_OLD, true), {
        version: 2 as 1,
        registers: {},
      }),
    ).toThrow(/version 2/);
  });

  test("a value refused for another reason still says which register", () => {
    const dst = new FirmwareRegisters(KVM_HOST_APF, true);
    const r = restoreFirmwareRegisters(dst, {
      version: 1,
      registers: { [KVM_REG_ARM_VENDOR_HYP_BMAP_2.toString(16)]: "10000" },
    });
    expect(r[0]?.message).toBe(
      'host "kvm-apf" refused KVM_REG_ARM_VENDOR_HYP_BMAP_2 (0x6030000000160003) = 0x10000 (errno -22)',
    );
    const unknownBits = restoreFirmwareRegisters(dst, {
      version: 1,
      registers: { [KVM_REG_ARM_VENDOR_HYP_BMAP_2.toString(16)]: "100000000" },
    });
    expect(unknownBits[0]?.message).toContain("unknown bits 0x100000000");
  });
});
