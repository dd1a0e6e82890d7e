// The worked example of README.md, kept honest by running it.
import { expect, it } from "vitest";
import { DeviceTree, buildFdt, cellsOf, parseFdt, toDts } from "./index";

it("README example", () => {
  // Build: a root, /cpus with one CPU, /memory, /chosen, and a phandle reference.
  const tree = new DeviceTree().reserve(0x0, 0x10000);
  const root = tree.root
    .setString("compatible", "qemu,pseries")
    .setU32("#address-cells", 2)
    .setU32("#size-cells", 2);
  const cpus = root.addChild("cpus").setU32("#address-cells", 1).setU32("#size-cells", 0);
  cpus
    .addChild("PowerPC,POWER9@0")
    .setString("device_type", "cpu")
    .setU32("reg", 0)
    .setEmpty("64-bit");
  root
    .addChild("memory@0")
    .setString("device_type", "memory")
    .set(
      "reg",
      cellsOf([
        [0, 2],
        [512n << 20n, 2],
      ]),
    );
  const intc = root.addChild("interrupt-controller").setEmpty("interrupt-controller");
  root.setU32("interrupt-parent", tree.phandle(intc), { at: "first" });
  root.addChild("chosen").setStringList("stdout-path", ["/vdevice/vty@71000000"]);

  const blob = buildFdt(tree); // bytes dtc would write for the same source
  expect(blob.length).toBe(583);

  // Parse: a result, never an exception, for bad input.
  const parsed = parseFdt(blob);
  if (!parsed.ok) throw parsed.error;
  const t = parsed.fdt.tree;
  expect(t.node("/memory")?.getCells("reg")).toEqual([0, 0, 0, 0x2000_0000]);
  expect(t.nodeByPhandle(t.root.getU32("interrupt-parent") ?? 0)?.name).toBe(
    "interrupt-controller",
  );
  expect(parsed.fdt.header.bootCpuidPhys).toBe(0);

  const bad = parseFdt(blob.subarray(0, 100));
  expect(bad.ok ? "" : `${bad.error.code}: ${bad.error.message}`).toBe(
    `bad-totalsize: totalsize ${blob.length} at offset 0x4 (the blob has only 100 bytes: truncated?)`,
  );

  expect(toDts(t)).toBe(`/dts-v1/;

/memreserve/\t0x0000000000000000 0x0000000000010000;
/ {
\tinterrupt-parent = <0x01>;
\tcompatible = "qemu,pseries";
\t#address-cells = <0x02>;
\t#size-cells = <0x02>;

\tcpus {
\t\t#address-cells = <0x01>;
\t\t#size-cells = <0x00>;

\t\tPowerPC,POWER9@0 {
\t\t\tdevice_type = "cpu";
\t\t\treg = <0x00>;
\t\t\t64-bit;
\t\t};
\t};

\tmemory@0 {
\t\tdevice_type = "memory";
\t\treg = <0x00 0x00 0x00 0x20000000>;
\t};

\tinterrupt-controller {
\t\tinterrupt-controller;
\t\tphandle = <0x01>;
\t};

\tchosen {
\t\tstdout-path = "/vdevice/vty@71000000";
\t};
};
`);
});
