// QEMU's own device trees (qemu-system-ppc64 7.2 `-machine dumpdtb=`; see fixtures/README.md).
import { describe, expect, it } from "vitest";
import { buildFdt } from "./build";
import { FDT_BEGIN_NODE, FDT_PROP, align } from "./format";
import { parseFdtOrThrow, type FdtHeader } from "./parse";
import { FIXTURES, fixture } from "./testing/fixtures";

/**
 * The blob with the padding after node names and property values set to zero. libfdt's
 * read-write functions, which QEMU builds its trees with, move the structure block around with
 * memmove and leave stale bytes in that padding; dtc and buildFdt write zeros.
 */
function zeroPadding(blob: Uint8Array, h: FdtHeader): Uint8Array {
  const b = blob.slice();
  const v = new DataView(b.buffer);
  const end = h.offDtStruct + (h.sizeDtStruct ?? 0);
  for (let p = h.offDtStruct; p < end;) {
    const token = v.getUint32(p);
    let dataEnd = p + 4;
    if (token === FDT_BEGIN_NODE) dataEnd = b.indexOf(0, p + 4) + 1;
    if (token === FDT_PROP) dataEnd = p + 12 + v.getUint32(p + 4);
    const next = align(dataEnd, 4);
    b.fill(0, dataEnd, next);
    p = next;
  }
  return b;
}

describe("QEMU pseries fixture", () => {
  const { tree, header } = parseFdtOrThrow(fixture("pseries"));

  it("parses with the header QEMU wrote", () => {
    expect(header).toMatchObject({ version: 17, lastCompVersion: 16, bootCpuidPhys: 0 });
    expect(header.totalsize).toBe(13962);
  });

  it("has the properties a pseries guest looks for", () => {
    expect(tree.root.getString("compatible")).toBe("qemu,pseries");
    expect(tree.root.getString("device_type")).toBe("chrp");
    expect(tree.root.getU32("#address-cells")).toBe(2);
    expect(tree.node("/rtas")?.getU32("power-off")).toBe(0x2003);
    expect(tree.node("/rtas")?.getU32("start-cpu")).toBe(0x2006);
    expect(tree.node("/rtas")?.getStringList("ibm,hypertas-functions")).toContain("hcall-term");
    expect(tree.node("/cpus/PowerPC,POWER9@0")?.getU32("cpu-version")).toBe(0x4e1200);
    expect(tree.node("/vdevice")?.getString("compatible")).toBe("IBM,vdevice");
    expect(tree.node("/vdevice/nvram")?.getU32("reg")).toBe(0x71000000);
    expect(tree.node("/memory@0")?.getCells("reg")).toEqual([0, 0, 0, 0x2000_0000]);
    expect(tree.node("/chosen")?.has("ibm,architecture-vec-5")).toBe(true);
  });

  it("has two CPUs with -smp 2", () => {
    const smp2 = parseFdtOrThrow(fixture("pseries-nested-smp2")).tree;
    expect(smp2.node("/cpus")?.children.map((c) => c.name)).toEqual([
      "PowerPC,POWER9@0",
      "PowerPC,POWER9@1",
    ]);
  });
});

describe("QEMU powernv9 fixture", () => {
  const { tree } = parseFdtOrThrow(fixture("powernv9"));
  it("has the properties a powernv host looks for", () => {
    expect(tree.root.getStringList("compatible")).toEqual(["qemu,powernv9", "ibm,powernv"]);
    expect(tree.node("/ibm,opal/power-mgt")?.getU32("ibm,enabled-stop-levels")).toBe(0xc0000000);
    const lpc = tree.node("/lpcm-opb@6030000000000/lpc@0");
    expect(lpc && tree.nodeByPhandle(0x8000)).toBe(lpc);
    expect(tree.node("/cpus/PowerPC,POWER9@0")?.getU32("cpu-version")).toBe(0x4e1200);
  });
});

describe("QEMU fixtures round-trip", () => {
  it.each(FIXTURES)("%s rebuilds to QEMU's bytes (given its strings block)", (name) => {
    const blob = fixture(name);
    const { tree, header, strings } = parseFdtOrThrow(blob);
    const rebuilt = buildFdt(tree, { strings });
    expect(rebuilt.length).toBe(blob.length);
    // Equal up to the stale padding bytes libfdt leaves (see zeroPadding).
    expect(rebuilt).toEqual(zeroPadding(blob, header));
    expect(rebuilt).not.toEqual(blob);
    // Without the seed, the strings are in dtc's order instead, and the tree is the same.
    expect(parseFdtOrThrow(buildFdt(tree)).tree).toEqual(tree);
  });
});
