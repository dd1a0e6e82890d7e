import { describe, expect, it } from "vitest";
import { FdtNode } from "./node";
import { DeviceTree, bootCpuidOf } from "./tree";
import { string, u32 } from "./values";

function sample(): DeviceTree {
  const t = new DeviceTree();
  t.root.setString("compatible", "qemu,pseries").setU32("#address-cells", 2);
  const cpus = t.root.addChild("cpus");
  cpus.addChild("PowerPC,POWER9@0").setU32("reg", 0);
  cpus.addChild("PowerPC,POWER9@8").setU32("reg", 8);
  t.root.addChild("memory@0").setCells("reg", [0, 0, 0, 0x2000_0000]);
  t.root.addChild("vdevice").addChild("vty@71000000").setString("name", "vty");
  t.root.addChild("aliases").setString("hvterm", "/vdevice/vty@71000000");
  return t;
}

describe("FdtNode properties", () => {
  it("keeps insertion order, replaces in place, and can insert first as libfdt does", () => {
    const n = new FdtNode("n");
    n.setU32("a", 1).setU32("b", 2).setU32("c", 3);
    n.setU32("b", 20);
    n.setEmpty("z", { at: "first" });
    expect(n.properties.map((p) => p.name)).toEqual(["z", "a", "b", "c"]);
    expect(n.getU32("b")).toBe(20);
    expect(n.delete("a")).toBe(true);
    expect(n.delete("a")).toBe(false);
    expect(n.has("a")).toBe(false);
  });

  it("reads typed values, undefined when absent or of the wrong shape", () => {
    const n = new FdtNode("n")
      .setU64("u64", 0x1_0000_0000n)
      .setCells("cells", [1, 2])
      .setStringList("compatible", ["a", "b"])
      .setString("s", "x");
    expect(n.getU64("u64")).toBe(0x1_0000_0000n);
    expect(n.getCells("cells")).toEqual([1, 2]);
    expect(n.getStringList("compatible")).toEqual(["a", "b"]);
    expect(n.getString("s")).toBe("x");
    expect(n.getU32("u64")).toBeUndefined();
    expect(n.getU32("missing")).toBeUndefined();
    expect(n.getU64("missing")).toBeUndefined();
    expect(n.getCells("missing")).toBeUndefined();
    expect(n.getString("missing")).toBeUndefined();
    expect(n.getStringList("missing")).toBeUndefined();
  });

  it("refuses names that cannot be stored", () => {
    const n = new FdtNode("n");
    expect(() => n.set("a\0b", u32(1))).toThrow(/cannot be stored/);
    expect(() => n.addChild("a/b")).toThrow(/cannot be stored/);
    expect(() => n.addChild("")).toThrow(/empty/);
    expect(() => n.addChild("\u0100")).toThrow(/cannot be stored/);
  });
});

describe("FdtNode children", () => {
  it("adds, finds (with and without unit address), and removes children", () => {
    const n = new FdtNode("");
    n.addChild("memory@0");
    n.addChild("memory");
    n.addChild("first", { at: "first" });
    expect(n.children.map((c) => c.name)).toEqual(["first", "memory@0", "memory"]);
    // libfdt's rule: the first child whose name matches, with or without its unit address
    expect(n.child("memory")?.name).toBe("memory@0");
    expect(n.child("memory@0")?.unitAddress).toBe("0");
    expect(n.child("first")?.unitAddress).toBeUndefined();
    expect(n.child("memory@1")).toBeUndefined();
    expect(() => n.addChild("memory")).toThrow(/already has a child "memory"/);
    expect(n.ensureChild("memory")).toBe(n.children[2]);
    expect(n.ensureChild("new").name).toBe("new");
    expect(n.removeChild("memory@0")).toBe(true);
    expect(n.removeChild("memory@0")).toBe(false);
    expect(n.child("memory")?.name).toBe("memory");
    expect(n.child("first")?.baseName).toBe("first");
  });
});

describe("DeviceTree", () => {
  it("looks nodes up by path, by base name and through /aliases", () => {
    const t = sample();
    expect(t.node("/")).toBe(t.root);
    expect(t.node("/cpus/PowerPC,POWER9@8")?.getU32("reg")).toBe(8);
    expect(t.node("/cpus/PowerPC,POWER9")?.getU32("reg")).toBe(0);
    expect(t.node("/memory")?.name).toBe("memory@0");
    expect(t.node("/nope/deeper")).toBeUndefined();
    expect(t.node("hvterm")?.name).toBe("vty@71000000");
    expect(t.node("hvterm/")?.name).toBe("vty@71000000");
    expect(t.node("nosuchalias")).toBeUndefined();
    t.root.child("aliases")?.set("bad", string("relative"));
    expect(t.node("bad")).toBeUndefined();
  });

  it("walks depth first in blob order and reports paths", () => {
    const t = sample();
    expect([...t.walk()].map((e) => `${e.depth}:${e.path}`)).toEqual([
      "0:/",
      "1:/cpus",
      "2:/cpus/PowerPC,POWER9@0",
      "2:/cpus/PowerPC,POWER9@8",
      "1:/memory@0",
      "1:/vdevice",
      "2:/vdevice/vty@71000000",
      "1:/aliases",
    ]);
    const vty = t.node("/vdevice/vty") as FdtNode;
    expect(t.pathOf(vty)).toBe("/vdevice/vty@71000000");
    expect(t.pathOf(new FdtNode("x"))).toBeUndefined();
  });

  it("allocates phandles as dtc does (lowest free from 1) and finds nodes by phandle", () => {
    const t = sample();
    const cpus = t.node("/cpus") as FdtNode;
    const mem = t.node("/memory") as FdtNode;
    const vty = t.node("/vdevice/vty") as FdtNode;
    vty.setU32("linux,phandle", 2);
    expect(t.phandle(cpus)).toBe(1);
    expect(t.phandle(cpus)).toBe(1);
    expect(t.phandle(mem)).toBe(3);
    expect(mem.getU32("phandle")).toBe(3);
    expect(t.nodeByPhandle(2)).toBe(vty);
    expect(t.nodeByPhandle(3)).toBe(mem);
    expect(t.nodeByPhandle(4)).toBeUndefined();
    expect(DeviceTree.phandleOf(t.root)).toBeUndefined();
  });

  it("keeps the memory-reservation map and refuses size 0", () => {
    const t = new DeviceTree().reserve(0x1000, 0x2000).reserve(0n, 1n);
    expect(t.reservations).toEqual([
      { address: 0x1000n, size: 0x2000n },
      { address: 0n, size: 1n },
    ]);
    expect(() => t.reserve(0x1000, 0)).toThrow(/size 0/);
    expect(() => t.reserve(-1, 1)).toThrow(/two u64s/);
  });

  it("guesses the boot CPU as dtc does", () => {
    const t = sample();
    expect(bootCpuidOf(t)).toBe(0);
    (t.node("/cpus/PowerPC,POWER9@0") as FdtNode).setU32("reg", 0x10);
    expect(bootCpuidOf(t)).toBe(0x10);
    (t.node("/cpus/PowerPC,POWER9@0") as FdtNode).setCells("reg", [0, 0x10]);
    expect(bootCpuidOf(t)).toBe(0);
    expect(bootCpuidOf(new DeviceTree())).toBe(0);
    const noCpu = new DeviceTree();
    noCpu.root.addChild("cpus");
    expect(bootCpuidOf(noCpu)).toBe(0);
  });
});
