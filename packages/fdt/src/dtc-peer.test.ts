// Differential tests against dtc, the reference implementation of the format:
//   - the blob dtc compiles from our source text equals the blob buildFdt writes;
//   - the source dtc decompiles from our blob equals the text toDts prints;
// for random trees, a hand-made tree with every value form, and QEMU's trees.
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { buildFdt } from "./build";
import { toDts } from "./dts";
import { parseDtsOrThrow } from "./dts-parser";
import { parseFdtOrThrow } from "./parse";
import { arbitraryTree, survivesDtsText } from "./testing/arbitrary-tree";
import { FIXTURES, fixture, fixturePath } from "./testing/fixtures";
import { DeviceTree } from "./tree";
import { bytes, cells, string, stringList, u64 } from "./values";

describeWithPeers(["dtc"], "dtc agrees", () => {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-fdt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function dtc(args: string[]): string {
    const r = runPeer("dtc", ["-q", ...args]);
    if (r.status !== 0) throw new Error(`dtc ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
  }

  /** Our source through `dtc -I dts -O dtb`. */
  function compile(dts: string): Uint8Array {
    writeFileSync(join(dir, "in.dts"), dts);
    dtc(["-I", "dts", "-O", "dtb", "-o", join(dir, "out.dtb"), join(dir, "in.dts")]);
    return new Uint8Array(readFileSync(join(dir, "out.dtb")));
  }

  /** Our blob through `dtc -I dtb -O dts`. */
  function decompile(blob: Uint8Array): string {
    writeFileSync(join(dir, "in.dtb"), blob);
    return dtc(["-I", "dtb", "-O", "dts", join(dir, "in.dtb")]);
  }

  function agree(t: DeviceTree): void {
    const dts = toDts(t);
    const blob = buildFdt(t);
    const compiled = compile(dts);
    // Our compiler (parseDts + buildFdt) and dtc agree on our text, always...
    expect(buildFdt(parseDtsOrThrow(dts))).toEqual(compiled);
    // ...and give back the tree's own bytes unless dtc's octal-escape quirk bites.
    if (survivesDtsText(t)) {
      expect(Buffer.from(compiled).toString("hex")).toBe(Buffer.from(blob).toString("hex"));
      const split = toDts(t, { splitStringLists: true });
      if (split !== dts) expect(compile(split)).toEqual(blob);
    }
    expect(decompile(blob)).toBe(dts);
  }

  it("on hand-written source (parseDts + buildFdt against dtc)", () => {
    const source = `/dts-v1/;
/memreserve/ 0x10000000 0x100000;
/memreserve/ 0 4096;
// comments, decimal/octal/char cells, /bits/, mixed values, merged root blocks
/ {
	model = "hvsim \\"test\\"\\t\\x41\\101";
	compatible = "a,b", "c";
	#address-cells = <2>; #size-cells = <0x2>;
	cells = <10 010 0x10 'x' '\\n' 0xffffffffUL>;
	b8 = /bits/ 8 <0xff 1>, /bits/ 16 <0x1234>;
	b64 = /bits/ 64 <0xfedcba9876543210>;
	mixed = "s", <1>, [0203 04];
	flag;
	cpus { #address-cells = <1>; #size-cells = <0>;
		cpu@3 { reg = <3>; device_type = "cpu"; };
	};
};
/ { model = "second"; extra = <7>; cpus { cpu@4 { reg = <4>; }; }; };
`;
    const ours = buildFdt(parseDtsOrThrow(source));
    expect(ours).toEqual(compile(source));
    expect(parseFdtOrThrow(ours).header.bootCpuidPhys).toBe(3);
  });

  it("on a tree with every value form", () => {
    const t = new DeviceTree().reserve(0x1000, 0x2000).reserve(0xffff_ffff_0000_0000n, 1);
    t.root.setString("compatible", "qemu,pseries").set("#size-cells", cells([2]));
    t.root.set("strings", stringList(["ibm,power9", "", "x"])).set("esc", string('\t"\\\n'));
    t.root
      .set("bytes", bytes([1, 2, 3]))
      .set("u64", u64(0x1_0000_0000n))
      .setEmpty("flag");
    const cpus = t.root.addChild("cpus");
    cpus.addChild("PowerPC,POWER9@8").setU32("reg", 8).setString("device_type", "cpu");
    cpus.addChild("PowerPC,POWER9@0").setU32("reg", 0);
    t.root.addChild("chosen").setString("bootargs", "console=hvc0");
    const ic = t.root.addChild("interrupt-controller@0");
    ic.setEmpty("interrupt-controller").setU32("#interrupt-cells", 2).setU32("#address-cells", 0);
    t.root.setU32("interrupt-parent", t.phandle(ic));
    agree(t);
    expect(parseFdtOrThrow(buildFdt(t)).header.bootCpuidPhys).toBe(8);
  });

  it("on random trees", () => {
    fc.assert(fc.property(arbitraryTree(), agree), { numRuns: 60 });
  });

  it.each(FIXTURES)("on QEMU's %s tree (source text and dtc's own layout)", (name) => {
    const { tree } = parseFdtOrThrow(fixture(name));
    expect(toDts(tree)).toBe(dtc(["-I", "dtb", "-O", "dts", fixturePath(name)]));
    dtc(["-I", "dtb", "-O", "dtb", "-o", join(dir, "re.dtb"), fixturePath(name)]);
    expect(buildFdt(tree)).toEqual(new Uint8Array(readFileSync(join(dir, "re.dtb"))));
  });
});
