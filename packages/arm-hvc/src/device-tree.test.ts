import { describe, expect, test } from "vitest";
import {
  MemoryDeviceTree,
  propCells,
  propString,
  propStringList,
  readCells,
  readStringList,
} from "./device-tree";
import type { DeviceTreeSink } from "./device-tree";
import { ArmVirtMachine } from "./arm-virt-machine";

describe("in-memory device tree", () => {
  test("property encodings are FDT bytes", () => {
    expect(Buffer.from(propString("hvc")).toString("hex")).toBe("68766300");
    expect(Buffer.from(propStringList(["a", "bc"])).toString("hex")).toBe("6100626300");
    expect(Buffer.from(propCells(1, 0x95c1ba60)).toString("hex")).toBe("0000000195c1ba60");
    expect(readStringList(propStringList(["arm,psci-1.0", "arm,psci"]))).toEqual([
      "arm,psci-1.0",
      "arm,psci",
    ]);
    expect(readStringList(undefined)).toEqual([]);
    expect(readCells(propCells(7, 8))).toEqual([7, 8]);
    expect(readCells(new Uint8Array(3))).toBeUndefined();
  });

  test("builder misuse throws", () => {
    const t = new MemoryDeviceTree();
    expect(() => t.property("x", propCells(1))).toThrow(/outside any node/);
    expect(() => t.endNode()).toThrow(/without a matching/);
    expect(() => t.beginNode("root")).toThrow(/root node's name is empty/);
    t.beginNode("");
    t.beginNode("a");
    t.endNode();
    expect(() => t.beginNode("a")).toThrow(/appears twice/);
    expect(() => t.emit({ beginNode() {}, property() {}, endNode() {} })).toThrow(/unclosed/);
    t.endNode();
    expect(() => t.beginNode("")).toThrow(/one root/);
    expect(() =>
      new MemoryDeviceTree().emit({ beginNode() {}, property() {}, endNode() {} }),
    ).toThrow(/empty/);
    expect(t.hasNode("a")).toBe(false); // relative paths never match
    expect(t.childNames("/nope")).toEqual([]);
  });
});

function dump(m: ArmVirtMachine): string[] {
  const out: string[] = [];
  let depth = 0;
  const sink: DeviceTreeSink = {
    beginNode(name) {
      out.push(`${"  ".repeat(depth)}${name || "/"} {`);
      depth++;
    },
    property(name, value) {
      const strings = readStringList(value);
      const printable =
        value.length > 0 &&
        value[value.length - 1] === 0 &&
        strings.length > 0 &&
        strings.every((s) => /^[ -~]+$/.test(s));
      const shown = printable
        ? strings.map((s) => `"${s}"`).join(", ")
        : `<${(readCells(value) ?? []).map((c) => `0x${c.toString(16)}`).join(" ")}>`;
      out.push(`${"  ".repeat(depth)}${name} = ${shown};`);
    },
    endNode() {
      depth--;
      out.push(`${"  ".repeat(depth)}};`);
    },
  };
  m.writeDeviceTree(sink);
  return out;
}

describe("the machine's device tree", () => {
  test("KVM host, PSCI 1.1 over HVC (golden)", () => {
    expect(dump(new ArmVirtMachine({ host: "kvm", vcpus: 2 }))).toEqual([
      "/ {",
      '  compatible = "linux,dummy-virt";',
      "  #address-cells = <0x2>;",
      "  #size-cells = <0x2>;",
      "  interrupt-parent = <0x1>;",
      "  intc@8000000 {",
      '    compatible = "arm,gic-v3";',
      "    #interrupt-cells = <0x3>;",
      "    interrupt-controller = <>;",
      "    #address-cells = <0x2>;",
      "    #size-cells = <0x2>;",
      "    ranges = <>;",
      "    #redistributor-regions = <0x1>;",
      "    reg = <0x0 0x8000000 0x0 0x10000 0x0 0x80a0000 0x0 0xf60000>;",
      "    phandle = <0x1>;",
      "  };",
      "  psci {",
      '    compatible = "arm,psci-1.0", "arm,psci-0.2", "arm,psci";',
      '    method = "hvc";',
      "    cpu_suspend = <0xc4000001>;",
      "    cpu_off = <0x84000002>;",
      "    cpu_on = <0xc4000003>;",
      "    migrate = <0xc4000005>;",
      "  };",
      "  cpus {",
      "    #address-cells = <0x1>;",
      "    #size-cells = <0x0>;",
      "    cpu@0 {",
      '      device_type = "cpu";',
      '      compatible = "arm,cortex-a57";',
      "      reg = <0x0>;",
      '      enable-method = "psci";',
      "    };",
      "    cpu@1 {",
      '      device_type = "cpu";',
      '      compatible = "arm,cortex-a57";',
      "      reg = <0x1>;",
      '      enable-method = "psci";',
      "    };",
      "  };",
      "  memory@40000000 {",
      '    device_type = "memory";',
      "    reg = <0x0 0x40000000 0x0 0x7fff000>;",
      "  };",
      "  chosen {",
      "  };",
      "};",
    ]);
  });

  test("PSCI 0.1 carries KVM's legacy ids; 0.2 has no psci-1.0 compatible", () => {
    const t01 = new ArmVirtMachine({ host: "kvm", psciVersion: "0.1" }).deviceTree;
    expect(readStringList(t01?.getProperty("/psci", "compatible"))).toEqual(["arm,psci"]);
    expect(readCells(t01?.getProperty("/psci", "cpu_on"))).toEqual([0x95c1ba60]);
    const t02 = new ArmVirtMachine({ host: "kvm", psciVersion: "0.2" }).deviceTree;
    expect(readStringList(t02?.getProperty("/psci", "compatible"))).toEqual([
      "arm,psci-0.2",
      "arm,psci",
    ]);
  });

  test("Xen host: /hypervisor with xen,xen; no PSCI: no node and no enable-method", () => {
    const xen = new ArmVirtMachine({ host: "xen" }).deviceTree;
    expect(readStringList(xen?.getProperty("/hypervisor", "compatible"))).toEqual([
      "xen,xen-4.17",
      "xen,xen",
    ]);
    expect(readCells(xen?.getProperty("/hypervisor", "reg"))).toEqual([
      0, 0x38000000, 0, 0x01000000,
    ]);
    expect(readCells(xen?.getProperty("/hypervisor", "interrupts"))).toEqual([1, 15, 0xf08]);
    const none = new ArmVirtMachine({ host: "none", psci: false }).deviceTree;
    expect(none?.hasNode("/psci")).toBe(false);
    expect(none?.getProperty("/cpus/cpu@0", "enable-method")).toBeUndefined();
    expect(new ArmVirtMachine({ host: "none" }).deviceTree?.getProperty("/psci", "method")).toEqual(
      propString("smc"),
    );
  });

  test("ACPI machines have FADT flags instead of a tree", () => {
    expect(new ArmVirtMachine({ host: "kvm", firmwareTables: "acpi" }).acpi).toEqual({
      armBootFlags: 3,
      hypervisorVendorId: 0n,
    });
    expect(new ArmVirtMachine({ host: "none", firmwareTables: "acpi" }).acpi?.armBootFlags).toBe(1);
    expect(
      new ArmVirtMachine({ host: "none", firmwareTables: "acpi", psci: false }).acpi?.armBootFlags,
    ).toBe(0);
  });
});
