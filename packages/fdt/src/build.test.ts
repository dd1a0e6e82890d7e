import { describe, expect, it } from "vitest";
import { buildFdt } from "./build";
import type { FdtNode } from "./node";
import { DeviceTree } from "./tree";
import { bytes, string } from "./values";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// The tree of this source, and the blob `dtc -I dts -O dtb` (1.6.1) makes of it:
//   /dts-v1/; /memreserve/ 0x1000 0x2000;
//   / { #size-cells = <0x02>; compatible = "a"; cpus { cpu@4 { reg = <0x04>; cells = [01]; }; }; };
function goldenTree(): DeviceTree {
  const t = new DeviceTree().reserve(0x1000, 0x2000);
  t.root.setU32("#size-cells", 2).set("compatible", string("a"));
  t.root
    .addChild("cpus")
    .addChild("cpu@4")
    .setU32("reg", 4)
    .set("cells", bytes([1]));
  return t;
}

const GOLDEN = [
  // header: magic, totalsize 0xd3, off_dt_struct 0x48, off_dt_strings 0xb8, off_mem_rsvmap
  // 0x28, version 17, last_comp_version 16, boot_cpuid_phys 4 (/cpus/cpu@4 reg),
  // size_dt_strings 0x1b, size_dt_struct 0x70
  "d00dfeed 000000d3 00000048 000000b8 00000028 00000011 00000010 00000004 0000001b 00000070",
  // memory-reservation map: (0x1000, 0x2000), then (0, 0)
  "0000000000001000 0000000000002000 0000000000000000 0000000000000000",
  // FDT_BEGIN_NODE "" ; FDT_PROP len 4 nameoff 0 <2> ; FDT_PROP len 2 nameoff 0xc "a\0" (+pad)
  "00000001 00000000 00000003 00000004 00000000 00000002 00000003 00000002 0000000c 61000000",
  // FDT_BEGIN_NODE "cpus\0" (+pad) ; FDT_BEGIN_NODE "cpu@4\0" (+pad)
  "00000001 63707573 00000000 00000001 63707540 34000000",
  // FDT_PROP len 4 nameoff 0x17 ("reg") <4> ; FDT_PROP len 1 nameoff 6 ("cells", the tail of
  // "#size-cells") [01] (+pad) ; END_NODE END_NODE END_NODE END
  "00000003 00000004 00000017 00000004 00000003 00000001 00000006 01000000",
  "00000002 00000002 00000002 00000009",
  // strings: "#size-cells\0compatible\0reg\0"
  "2373697a652d63656c6c7300 636f6d70617469626c6500 72656700",
].join("");

describe("buildFdt", () => {
  it("lays a tree out byte for byte as dtc does (golden bytes)", () => {
    expect(hex(buildFdt(goldenTree()))).toBe(GOLDEN.replace(/ /g, ""));
  });

  it("writes an explicit boot_cpuid_phys instead of dtc's guess", () => {
    const t = goldenTree();
    t.bootCpuidPhys = 0x20;
    expect(hex(buildFdt(t).subarray(28, 32))).toBe("00000020");
    t.bootCpuidPhys = -1;
    expect(() => buildFdt(t)).toThrow(/must be a u32/);
  });

  it("builds the smallest tree: an empty root", () => {
    const blob = buildFdt(new DeviceTree());
    const expected =
      "d00dfeed 00000048 00000038 00000048 00000028 00000011 00000010 00000000 00000000 00000010" +
      "00000000000000000000000000000000 00000001 00000000 00000002 00000009";
    expect(hex(blob)).toBe(expected.replace(/ /g, ""));
  });

  it("reuses a seeded strings block and appends new names after it", () => {
    const t = new DeviceTree();
    t.root.setU32("reg", 1).setU32("new", 2);
    const seed = new TextEncoder().encode("x\0reg\0");
    const blob = buildFdt(t, { strings: seed });
    const strings = blob.subarray(blob.length - 10);
    expect(Buffer.from(strings).toString("latin1")).toBe("x\0reg\0new\0");
    // the "reg" property's nameoff is 2, "new" is 6
    expect(hex(blob.subarray(0x38 + 8 + 8, 0x38 + 8 + 12))).toBe("00000002");
    expect(() => buildFdt(t, { strings: new Uint8Array([0x61]) })).toThrow(/end with a NUL/);
  });

  it("handles deep trees without recursion", () => {
    const t = new DeviceTree();
    let n: FdtNode = t.root;
    for (let i = 0; i < 5000; i++) n = n.addChild("n");
    expect(buildFdt(t).length).toBe(0x38 + 5001 * 12 + 4);
  });

  it("refuses a size-0 reservation pushed around reserve()", () => {
    const t = new DeviceTree();
    t.reservations.push({ address: 0x1000n, size: 0n });
    expect(() => buildFdt(t)).toThrow(/end the map early/);
  });
});
