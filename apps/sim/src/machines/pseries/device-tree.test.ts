import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFdtOrThrow } from "@hvsim/fdt";
import type { DeviceTree, FdtNode } from "@hvsim/fdt";
import { parseMachineOptions, resolveCaps } from "@hvsim/hcall-abi";
import { describeWithPeers } from "@hvsim/internal-peers";
import { describe, expect, it } from "vitest";
import { pseriesDeviceTree, pseriesFdt } from "./device-tree";
import { DT_ALLOW_LIST } from "./dt-allow-list";
import { runPseries } from "./machine";
import type { PseriesDtConfig } from "./device-tree";

const fixture = fileURLToPath(
  new URL("../../../../../packages/fdt/src/fixtures/pseries.dtb", import.meta.url),
);
const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));

function caps(machine = "pseries") {
  const p = parseMachineOptions(machine);
  if (!p.ok) throw new Error(p.error.message);
  return resolveCaps(p.value);
}

function config(over: Partial<PseriesDtConfig> = {}): PseriesDtConfig {
  return {
    ramBytes: 512 * 2 ** 20,
    smp: 1,
    caps: caps(),
    ov5: new Uint8Array([0, 0]),
    rngSeed: new Uint8Array(32),
    xive: false,
    ...over,
  };
}

/** A node as [property, hex] rows (recursively), leaving out the named properties. */
function rows(n: FdtNode | undefined, skip: RegExp = /^$/, prefix = ""): string[] {
  if (n === undefined) return ["<missing>"];
  const out: string[] = [];
  for (const p of n.properties) {
    if (skip.test(p.name)) continue;
    out.push(`${prefix}${p.name} = ${Buffer.from(p.value).toString("hex")}`);
  }
  for (const c of n.children) out.push(...rows(c, skip, `${prefix}${c.name}/`));
  return out;
}

const nodeOf = (t: DeviceTree, path: string): FdtNode | undefined => t.node(path);

describe("the pseries device tree", () => {
  const qemu = parseFdtOrThrow(new Uint8Array(readFileSync(fixture))).tree;
  const ours = pseriesDeviceTree(config());

  for (const path of [
    "/rtas",
    "/event-sources",
    "/cpus/PowerPC,POWER9@0",
    "/memory@0",
    "/interrupt-controller",
  ]) {
    it(`${path} equals QEMU's (-M pseries -m 512M -smp 1), property order included`, () => {
      expect(rows(nodeOf(ours, path))).toEqual(rows(nodeOf(qemu, path)));
    });
  }

  it("root properties equal QEMU's, PCI DRCs aside (hvsim has no PCI host bridge yet)", () => {
    const rootRows = (t: DeviceTree) =>
      t.root.properties.filter((p) => !p.name.includes("drc")).map((p) => p.name);
    expect(rootRows(ours)).toEqual(rootRows(qemu));
    expect(ours.root.getString("model")).toBe("IBM pSeries (emulated by qemu)");
  });

  it("has one CPU node per vCPU with its interrupt server and the DRC lists", () => {
    const t = pseriesDeviceTree(config({ smp: 3 }));
    const cpus = t.node("/cpus")!;
    expect(cpus.children.map((c) => c.name)).toEqual([
      "PowerPC,POWER9@0",
      "PowerPC,POWER9@1",
      "PowerPC,POWER9@2",
    ]);
    expect(cpus.children[2]!.getCells("ibm,ppc-interrupt-server#s")).toEqual([2]);
    expect(cpus.getCells("ibm,drc-indexes")).toEqual([3, 0x10000000, 0x10000001, 0x10000002]);
    expect(t.node("/interrupt-controller")!.getCells("ibm,interrupt-server-ranges")).toEqual([
      0, 3,
    ]);
  });

  it("names hcall-rpt-invalidate only when the cap is on, and shows XIVE after CAS chose it", () => {
    const off = pseriesDeviceTree(config()).node("/rtas")!;
    expect(off.getStringList("ibm,hypertas-functions")).not.toContain("hcall-rpt-invalidate");
    const on = pseriesDeviceTree(
      config({ caps: caps("pseries,cap-rpt-invalidate=on"), xive: true }),
    );
    expect(on.node("/rtas")!.getStringList("ibm,hypertas-functions")).toContain(
      "hcall-rpt-invalidate",
    );
    expect(on.node("/interrupt-controller")!.getString("compatible")).toBe("ibm,power-ivpe");
  });

  it("builds a blob that parses back to the same tree", () => {
    const c = config({
      kernel: { addr: 0x400000, size: 0x13770, littleEndian: true },
      initrd: { start: 0x430000, end: 0x430104 },
      bootargs: "a b",
    });
    const back = parseFdtOrThrow(pseriesFdt(c)).tree;
    expect(rows(back.root)).toEqual(rows(pseriesDeviceTree(c).root));
    expect(back.reservations).toEqual([
      { address: 0x400000n, size: 0x13770n },
      { address: 0x430000n, size: 0x104n },
    ]);
  });
});

describeWithPeers(["qemu-system-ppc64"], "the pseries device tree against QEMU's dumpdtb", () => {
  it("/chosen, /vdevice, /cpus and the reservations equal QEMU's for -kernel -initrd -append -smp 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "hvsim-dt-"));
    const dtb = join(dir, "q.dtb");
    const kernel = `${guests}hello/hello.elf`;
    const initrd = `${guests}bootrom/bootrom.bin`;
    const r = spawnSync(
      "qemu-system-ppc64",
      [
        ...["-M", "pseries", "-m", "512M", "-smp", "2", "-nographic", "-nodefaults"],
        ...["-serial", "null", "-kernel", kernel, "-initrd", initrd, "-append", "a b"],
        ...["-machine", `dumpdtb=${dtb}`],
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(r.status).toBe(0);
    const qemu = parseFdtOrThrow(new Uint8Array(readFileSync(dtb))).tree;
    const ours = pseriesDeviceTree(
      config({
        smp: 2,
        kernel: { addr: 0x400000, size: 0x13770, littleEndian: true },
        initrd: { start: 0x430000, end: 0x430000 + readFileSync(initrd).length },
        bootargs: "a b",
      }),
    );
    for (const path of ["/chosen", "/vdevice", "/cpus", "/rtas"]) {
      expect(rows(nodeOf(ours, path), /^rng-seed$/)).toEqual(
        rows(nodeOf(qemu, path), /^rng-seed$/),
      );
    }
    expect(ours.reservations).toEqual(qemu.reservations);
  });
});

/** Remove the allow-listed nodes and properties; returns how many entries matched something. */
function applyAllowList(t: DeviceTree): Set<number> {
  const used = new Set<number>();
  DT_ALLOW_LIST.forEach((d, i) => {
    if (d.property === undefined) {
      const slash = d.path.lastIndexOf("/");
      const parent = t.node(d.path.slice(0, slash) || "/");
      if (parent?.removeChild(d.path.slice(slash + 1))) used.add(i);
    } else if (t.node(d.path)?.delete(d.property)) {
      used.add(i);
    }
  });
  return used;
}

describeWithPeers(["qemu-system-ppc64"], "the whole tree against QEMU's, allow-list aside", () => {
  const cases: { name: string; qemu: string[]; hvsim: Parameters<typeof runPseries>[0] }[] = [
    {
      name: "-smp 2 -kernel hello.elf -initrd -append",
      qemu: [
        ...["-M", "pseries", "-m", "512M", "-smp", "2"],
        ...["-kernel", `${guests}hello/hello.elf`, "-initrd", `${guests}bootrom/bootrom.bin`],
        ...["-append", "console=hvc0 x=1"],
      ],
      hvsim: {
        machine: "pseries",
        memory: "512M",
        smp: 2,
        kernel: `${guests}hello/hello.elf`,
        initrd: `${guests}bootrom/bootrom.bin`,
        append: "console=hvc0 x=1",
      },
    },
    {
      name: "-M pseries,cap-nested-hv=on -m 1G -smp 3 -kernel radix.elf",
      qemu: [
        ...["-M", "pseries,cap-nested-hv=on", "-m", "1G", "-smp", "3"],
        ...["-kernel", `${guests}radix/radix.elf`],
      ],
      hvsim: {
        machine: "pseries,cap-nested-hv=on",
        memory: "1G",
        smp: 3,
        kernel: `${guests}radix/radix.elf`,
      },
    },
    {
      name: "-M pseries,ic-mode=xive -smp 2 (the XIVE node from the start)",
      qemu: [...["-M", "pseries,ic-mode=xive", "-m", "512M", "-smp", "2"]],
      hvsim: { machine: "pseries,ic-mode=xive", memory: "512M", smp: 2 },
    },
    {
      name: "-M pseries-7.2,ic-mode=xics -m 2G",
      qemu: [...["-M", "pseries-7.2,ic-mode=xics", "-m", "2G"]],
      hvsim: { machine: "pseries-7.2,ic-mode=xics", memory: "2G" },
    },
  ];
  const usedAll = new Set<number>();
  for (const c of cases) {
    it(c.name, () => {
      const dir = mkdtempSync(join(tmpdir(), "hvsim-dt-"));
      const q = spawnSync(
        "qemu-system-ppc64",
        [
          ...c.qemu,
          ...["-nographic", "-nodefaults", "-serial", "null"],
          ...["-machine", `dumpdtb=${join(dir, "q.dtb")}`],
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(q.status).toBe(0);
      let errors = "";
      const h = runPseries(
        { ...c.hvsim, machine: `${c.hvsim.machine},dumpdtb=${join(dir, "h.dtb")}` },
        { console: () => {}, error: (s) => (errors += s) },
      );
      expect(h.status).toBe(0);
      expect(errors).toMatch(/dtb dumped to .*h\.dtb\. Exiting\./);
      const qemu = parseFdtOrThrow(new Uint8Array(readFileSync(join(dir, "q.dtb")))).tree;
      const ours = parseFdtOrThrow(new Uint8Array(readFileSync(join(dir, "h.dtb")))).tree;
      for (const i of applyAllowList(qemu)) usedAll.add(i);
      expect(applyAllowList(ours).has(DT_ALLOW_LIST.length - 1)).toBe(true); // rng-seed only
      expect(rows(ours.root)).toEqual(rows(qemu.root));
      expect(ours.reservations).toEqual(qemu.reservations);
    });
  }
  it("every allow-list entry is still needed", () => {
    expect([...usedAll].sort((a, b) => a - b)).toEqual(DT_ALLOW_LIST.map((_, i) => i));
  });
});
