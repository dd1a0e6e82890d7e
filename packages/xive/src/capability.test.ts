import { describe, expect, it } from "vitest";
import {
  casSelectIntc,
  checkIcMode,
  machineHasXive,
  checkXiveNativeCapability,
  createKvmXiveDevice,
  ENODEV,
  ov5PlatformXiveSupport,
  placeIntc,
  type KvmIrqHost,
} from "./capability";

const bareMetalP9: KvmIrqHost = { hasXive: true, onPseries: false };
const nestedL1: KvmIrqHost = { hasXive: true, onPseries: true };
const p8: KvmIrqHost = { hasXive: false, onPseries: false };

describe("in-kernel XIVE native capability", () => {
  it("is reported only by a bare-metal KVM on a XIVE host", () => {
    expect(checkXiveNativeCapability(bareMetalP9)).toBe(true);
    expect(checkXiveNativeCapability(nestedL1)).toBe(false);
    expect(checkXiveNativeCapability(p8)).toBe(false);
  });

  it("creating the device where it is reported false fails with -ENODEV", () => {
    expect(createKvmXiveDevice(bareMetalP9)).toEqual({ kind: "created" });
    const r = createKvmXiveDevice(nestedL1);
    expect(r.kind === "error" && r.errno).toBe(-ENODEV);
    expect(r.kind === "error" && r.message).toMatch(/nested/);
    const p = createKvmXiveDevice(p8);
    expect(p.kind === "error" && p.message).toMatch(/no XIVE/);
  });

  it("places the active controller as QEMU does (kernel, emulated with a warning, or refuse)", () => {
    expect(placeIntc("xive", "allowed", bareMetalP9)).toEqual({ kind: "kernel" });
    expect(placeIntc("xive", "off", bareMetalP9)).toEqual({ kind: "vmm" });
    const fallback = placeIntc("xive", "allowed", nestedL1);
    expect(fallback.kind).toBe("vmm");
    expect(fallback.kind === "vmm" && fallback.warning).toMatch(/falling back/);
    expect(placeIntc("xive", "on", nestedL1).kind).toBe("error");
    expect(placeIntc("xics", "on", nestedL1)).toEqual({ kind: "kernel" });
  });

  it("refuses what QEMU refuses: split, ic-mode=xive without the cap, dual,on on a nested KVM", () => {
    expect(checkIcMode("dual", "on", nestedL1)).toMatch(
      /KVM is incompatible with ic-mode=dual,kernel-irqchip=on/,
    );
    expect(checkIcMode("dual", "on", bareMetalP9)).toBeUndefined();
    expect(checkIcMode("dual", "allowed", nestedL1)).toBeUndefined();
    expect(checkIcMode("xive", "on", nestedL1)).toMatch(/XIVE native mode not available/);
    expect(checkIcMode("xive", "off", nestedL1)).toMatch(/KVM_CAP_PPC_IRQ_XIVE is 0/);
    expect(checkIcMode("xics", "on", nestedL1)).toBeUndefined();
    expect(checkIcMode("xics", "split", bareMetalP9)).toBe(
      "kernel_irqchip split mode not supported on pseries",
    );
  });

  it("a machine has a XIVE only where ic-mode allows it and KVM has the native device", () => {
    expect(machineHasXive("dual", bareMetalP9)).toBe(true);
    expect(machineHasXive("dual", nestedL1)).toBe(false);
    expect(machineHasXive("xics", bareMetalP9)).toBe(false);
    // CAS then grants XICS to a guest that asked for XIVE (QEMU 8.1 on a nested KVM).
    expect(casSelectIntc("dual", true, false)).toEqual({ kind: "ok", intc: "xics" });
  });

  it("CAS: OV5 byte 23 platform values and mode selection", () => {
    expect(["xics", "xive", "dual"].map((m) => ov5PlatformXiveSupport(m as "xics"))).toEqual([
      0x00, 0x40, 0x80,
    ]);
    expect(casSelectIntc("dual", true)).toEqual({ kind: "ok", intc: "xive" });
    expect(casSelectIntc("dual", false)).toEqual({ kind: "ok", intc: "xics" });
    expect(casSelectIntc("xive", true)).toEqual({ kind: "ok", intc: "xive" });
    expect(casSelectIntc("xics", false)).toEqual({ kind: "ok", intc: "xics" });
    expect(casSelectIntc("xics", true).kind).toBe("error");
    expect(casSelectIntc("xive", false).kind).toBe("error");
  });
});
