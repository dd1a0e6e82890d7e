// The FDT path: the machine's tree through `@hvsim/fdt` into a DTB, the guest's reads through
// a view over the parsed blob (from guest RAM), and dtc's decompilation of that blob.
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { FDT_MAGIC, parseFdtOrThrow, toDts } from "@hvsim/fdt";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { FdtTreeSink, FdtTreeView } from "./fdt-device-tree";
import { propCells, propString, readCells, readStringList } from "./device-tree";
import { ArmVirtMachine } from "./arm-virt-machine";
import { armMachineDtb, runArmScenario } from "./run-scenario";
import { discoveryGuest } from "./guest-discovery";
import { ArmOptionError } from "./option-error";

const KVM_DTS = `/dts-v1/;

/ {
\tcompatible = "linux,dummy-virt";
\t#address-cells = <0x02>;
\t#size-cells = <0x02>;
\tinterrupt-parent = <0x01>;

\tintc@8000000 {
\t\tcompatible = "arm,gic-v3";
\t\t#interrupt-cells = <0x03>;
\t\tinterrupt-controller;
\t\t#address-cells = <0x02>;
\t\t#size-cells = <0x02>;
\t\tranges;
\t\t#redistributor-regions = <0x01>;
\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000>;
\t\tphandle = <0x01>;
\t};

\tpsci {
\t\tcompatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";
\t\tmethod = "hvc";
\t\tcpu_suspend = <0xc4000001>;
\t\tcpu_off = <0x84000002>;
\t\tcpu_on = <0xc4000003>;
\t\tmigrate = <0xc4000005>;
\t};

\tcpus {
\t\t#address-cells = <0x01>;
\t\t#size-cells = <0x00>;

\t\tcpu@0 {
\t\t\tdevice_type = "cpu";
\t\t\tcompatible = "arm,cortex-a57";
\t\t\treg = <0x00>;
\t\t\tenable-method = "psci";
\t\t};

\t\tcpu@1 {
\t\t\tdevice_type = "cpu";
\t\t\tcompatible = "arm,cortex-a57";
\t\t\treg = <0x01>;
\t\t\tenable-method = "psci";
\t\t};
\t};

\tmemory@40000000 {
\t\tdevice_type = "memory";
\t\treg = <0x00 0x40000000 0x00 0x7fff000>;
\t};

\tchosen {
\t};
};
`;

describe("FdtTreeSink", () => {
  test("builds the blob of what it was given; misuse throws as MemoryDeviceTree does", () => {
    const s = new FdtTreeSink();
    expect(() => s.blob()).toThrow(/empty/);
    expect(() => s.property("x", propCells(1))).toThrow(/outside any node/);
    expect(() => s.endNode()).toThrow(/without a matching/);
    expect(() => s.beginNode("root")).toThrow(/root node's name is empty/);
    s.beginNode("");
    s.property("compatible", propString("test"));
    s.beginNode("a@1");
    s.property("reg", propCells(1));
    s.endNode();
    expect(() => s.beginNode("a@1")).toThrow(/appears twice/);
    expect(() => s.blob()).toThrow(/unclosed/);
    s.endNode();
    expect(() => s.beginNode("")).toThrow(/one root/);
    const blob = s.blob();
    expect(new DataView(blob.buffer).getUint32(0)).toBe(FDT_MAGIC);
    expect(toDts(parseFdtOrThrow(blob).tree)).toBe(
      '/dts-v1/;\n\n/ {\n\tcompatible = "test";\n\n\ta@1 {\n\t\treg = <0x01>;\n\t};\n};\n',
    );
  });
});

describe("FdtTreeView", () => {
  const m = new ArmVirtMachine({ host: "xen" });
  const parsed = FdtTreeView.parse(m.dtb ?? new Uint8Array());
  if (!parsed.ok) throw parsed.error;
  const view = parsed.view;

  test("answers with the raw property bytes, by absolute path, libfdt-style", () => {
    expect(readStringList(view.getProperty("/hypervisor", "compatible"))).toEqual([
      "xen,xen-4.17",
      "xen,xen",
    ]);
    expect(view.childNames("/")).toEqual([
      "intc@8000000",
      "psci",
      "cpus",
      "memory@40000000",
      "hypervisor",
      "chosen",
    ]);
    expect(view.childNames("/cpus")).toEqual(["cpu@0", "cpu@1"]);
    expect(view.hasNode("/memory")).toBe(true); // a name without @unit finds memory@40000000
    expect(readCells(view.getProperty("/memory", "reg"))).toEqual([0, 0x40000000, 0, 0x8000000]);
    // the Xen node's interrupt resolves through the root's interrupt-parent to the GIC
    const parent = readCells(view.getProperty("/", "interrupt-parent"))?.[0];
    expect(readCells(view.getProperty("/intc@8000000", "phandle"))?.[0]).toBe(parent);
    expect(view.getProperty("/intc", "interrupt-controller")).toEqual(new Uint8Array(0));
    expect(view.hasNode("psci")).toBe(false); // relative paths never match
    expect(view.hasNode("/nope")).toBe(false);
    expect(view.childNames("/nope")).toEqual([]);
    expect(view.getProperty("/psci", "nope")).toBeUndefined();
  });

  test("a corrupt blob is an error naming the offset, not a throw", () => {
    const r = FdtTreeView.parse(new Uint8Array(8));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("bad-magic");
  });
});

describe("the machine's DTB", () => {
  test("parses, and prints as dtc prints it (golden)", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const blob = m.dtb;
    expect(blob).toBeDefined();
    const fdt = parseFdtOrThrow(blob ?? new Uint8Array());
    expect(fdt.header.totalsize).toBe(blob?.length);
    expect(fdt.header.version).toBe(17);
    expect(toDts(fdt.tree)).toBe(KVM_DTS);
  });

  test("lies in guest RAM below the PV-time region; X0 holds its address (arm64 boot protocol)", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const at = m.dtbAddress ?? 0n;
    expect(at % 4096n).toBe(0n);
    expect(at).toBeGreaterThan(0x40000000n + 0x200000n); // clear of the guest programs' data
    expect(m.memory.read(at, m.dtb?.length ?? 0)).toEqual(m.dtb);
    expect(m.vcpus[0]?.x[0]).toBe(at);
  });

  test("ACPI machines have no DTB", () => {
    const m = new ArmVirtMachine({ host: "kvm", firmwareTables: "acpi" });
    expect(m.dtb).toBeUndefined();
    expect(m.dtbAddress).toBeUndefined();
    expect(m.deviceTree).toBeUndefined();
    expect(() => armMachineDtb({ host: "kvm", firmwareTables: "acpi" })).toThrow(ArmOptionError);
  });

  test("armMachineDtb is the blob the scenario's machine hands its guest", () => {
    expect(armMachineDtb({ host: "kvm" })).toEqual(new ArmVirtMachine({ host: "kvm" }).dtb);
    expect(armMachineDtb({ host: "kvm", hostKernel: "kvm-apf", apf: true })).toEqual(
      new ArmVirtMachine({ host: "kvm" }).dtb, // async PF is discovered by HVC, not in the tree
    );
    expect(() => armMachineDtb({ host: "xen", hostKernel: "kvm-apf" })).toThrow(ArmOptionError);
  });

  test("the guest reads the tree from its RAM: a guest that overwrote it sees none", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    m.memory.writeU32(m.dtbAddress ?? 0n, 0);
    const r = m.run(discoveryGuest());
    expect(r.lines[0]).toMatch(
      /^hvsim: guest error: the DTB at 0x[0-9a-f]+ no longer parses \(.*magic.*\); the guest sees no device tree$/,
    );
    expect(m.vcpus[0]?.conduitTrace).toEqual([]); // no tree, no conduit: nothing issued
  });

  test("discovery scenarios over the FDT path", () => {
    const kvm = runArmScenario({
      host: "kvm",
      apf: true,
      hostKernel: "kvm-apf",
      guest: "discovery",
    });
    expect(kvm.exitStatus).toBe(0);
    expect(kvm.lines).toContain("psci: probing for conduit method from DT.");
    expect(kvm.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services=trng,ptp,pv-time,apf",
    );
    const xen = runArmScenario({ host: "xen", guest: "discovery" });
    expect(xen.exitStatus).toBe(0);
    expect(xen.lines.some((l) => l.includes("hypervisor=xen"))).toBe(true);
    const none = runArmScenario({ host: "none", psci: false, guest: "discovery" });
    expect(none.exitStatus).toBe(0);
  });
});

describeWithPeers(["dtc"], "dtc reads the machine's DTB", () => {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-arm-dtb-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const machines = {
    kvm: { host: "kvm" },
    "kvm-psci-0.1": { host: "kvm", psciVersion: "0.1", vcpus: 4 },
    xen: { host: "xen" },
    none: { host: "none" },
    "none-no-psci": { host: "none", psci: false, vcpus: 1 },
  } as const;

  test.each(Object.entries(machines))(
    "%s: dtc decompiles it to the text toDts prints",
    (name, o) => {
      const blob = new ArmVirtMachine(o).dtb ?? new Uint8Array();
      const file = join(dir, `${name}.dtb`);
      writeFileSync(file, blob);
      const r = runPeer("dtc", ["-I", "dtb", "-O", "dts", file]);
      expect(r.status, r.stderr).toBe(0);
      // dtc's checks pass, but for the unit-address warning Xen's own binding causes.
      const warnings = r.stderr.split("\n").filter((l) => l.length > 0);
      expect(warnings).toEqual(
        name === "xen"
          ? [
              "<stdout>: Warning (unit_address_vs_reg): /hypervisor: node has a reg or ranges property, but no unit name",
            ]
          : [],
      );
      expect(r.stdout).toBe(toDts(parseFdtOrThrow(blob).tree));
      // and dtc compiles its own text back to the same bytes (our layout is dtc's)
      const back = runPeer("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", `${file}.2`, "-"], {
        input: r.stdout,
      });
      expect(back.status, back.stderr).toBe(0);
      expect(new Uint8Array(readFileSync(`${file}.2`))).toEqual(blob);
    },
  );
});
