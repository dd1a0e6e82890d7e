import { describe, expect, it } from "vitest";
import { intcDeviceTree } from "./spapr-dt";
import { spaprXiveMmioRegions } from "./spapr-mmio";
import { SpaprXive } from "./spapr-xive";
import { TestLines, TestRam } from "./test-support";

describe("interrupt controller device-tree nodes (as QEMU's pseries)", () => {
  it("XIVE: node at the TIMA USER page, reg = USER and OS pages, eq sizes, IPI LISN range, reserved priority 7", () => {
    const dt = intcDeviceTree("xive", 4, 0x8000);
    expect(dt.node.name).toBe("interrupt-controller@60302031b0000");
    const p = Object.fromEntries(dt.node.props.map((x) => [x.name, x.value]));
    expect(p["compatible"]).toBe("ibm,power-ivpe");
    expect(p["device_type"]).toBe("power-ivpe");
    expect(p["reg"]).toEqual([0x60302, 0x031b0000, 0, 0x10000, 0x60302, 0x031a0000, 0, 0x10000]);
    expect(p["ibm,xive-eq-sizes"]).toEqual([16]);
    expect(p["ibm,xive-lisn-ranges"]).toEqual([0, 4]);
    expect(p["interrupt-controller"]).toBeNull();
    expect(p["#interrupt-cells"]).toEqual([2]);
    expect(p["phandle"]).toEqual([0x8000]);
    expect(dt.rootProps).toEqual([{ name: "ibm,plat-res-int-priorities", value: [7, 0xf8] }]);
  });

  it("XICS: IBM,ppc-xicp with the server range", () => {
    const dt = intcDeviceTree("xics", 2, 0x1234);
    expect(dt.node.name).toBe("interrupt-controller");
    const p = Object.fromEntries(dt.node.props.map((x) => [x.name, x.value]));
    expect(p["compatible"]).toBe("IBM,ppc-xicp");
    expect(p["device_type"]).toBe("PowerPC-External-Interrupt-Presentation");
    expect(p["ibm,interrupt-server-ranges"]).toEqual([0, 2]);
    expect(dt.rootProps).toEqual([]);
  });
});

describe("MMIO regions", () => {
  it("ESB at the VC base, TIMA at the TM base, non-overlapping", () => {
    const x = new SpaprXive({
      nrVcpus: 1,
      guestMemory: new TestRam(0x1000),
      interrupts: new TestLines(),
    });
    const [esb, tima] = spaprXiveMmioRegions(x);
    expect(esb).toMatchObject({ name: "xive.esb", base: 0x0006010000000000 });
    expect(esb!.device.size).toBe(0x2000 * 0x20000);
    expect(tima).toMatchObject({ name: "xive.tima", base: 0x0006030203180000 });
    expect(esb!.base + esb!.device.size).toBeLessThanOrEqual(tima!.base);
  });
});
