// Differential test against QEMU: the interrupt-controller node, the reserved priorities and the
// OV5 byte 23 platform support that `qemu-system-ppc64 -M pseries,ic-mode=...` puts in its tree.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { afterAll, expect, it } from "vitest";
import { ov5PlatformXiveSupport, type IcMode } from "./capability";
import { intcDeviceTree, type DtValue } from "./spapr-dt";

const dir = mkdtempSync(join(tmpdir(), "hvsim-xive-dt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** QEMU's device tree for a pseries machine, as dts text. */
function qemuDts(icMode: IcMode, smp: number): string {
  const dtb = join(dir, `${icMode}-${smp}.dtb`);
  const q = runPeer("qemu-system-ppc64", [
    "-M",
    `pseries,ic-mode=${icMode},dumpdtb=${dtb}`,
    "-nographic",
    "-vga",
    "none",
    "-nodefaults",
    "-smp",
    String(smp),
  ]);
  expect(q.status, q.stderr).toBe(0);
  const d = runPeer("dtc", ["-q", "-I", "dtb", "-O", "dts", dtb]);
  expect(d.status, d.stderr).toBe(0);
  return d.stdout;
}

/** Properties of the first node whose name starts with `name` (top level of the tree). */
function nodeProps(dts: string, name: string): Map<string, DtValue> {
  const start = dts.indexOf(`\n\t${name}`);
  expect(start, `node ${name}`).toBeGreaterThan(0);
  const body = dts.slice(dts.indexOf("{", start) + 1, dts.indexOf("\n\t};", start));
  return parseProps(body);
}

function parseProps(body: string): Map<string, DtValue> {
  const props = new Map<string, DtValue>();
  for (const line of body.split("\n").map((l) => l.trim())) {
    if (!line.endsWith(";") || line.endsWith("{") || line.includes("{")) continue;
    const m = /^([^=\s]+)(?:\s*=\s*(.*))?;$/.exec(line);
    if (!m) continue;
    const raw = m[2];
    if (raw === undefined) props.set(m[1]!, null);
    else if (raw.startsWith('"')) props.set(m[1]!, raw.slice(1, -1));
    else
      props.set(
        m[1]!,
        raw
          .replace(/[<>]/g, " ")
          .trim()
          .split(/\s+/)
          .map((c) => Number(c)),
      );
  }
  return props;
}

/** Root properties: the lines before the root's first child node. */
function rootProps(dts: string): Map<string, DtValue> {
  const root = dts.slice(dts.indexOf("/ {") + 3);
  return parseProps(root.slice(0, root.search(/\n\t[^\t\n][^\n]*\{/)));
}

describeWithPeers(
  ["qemu-system-ppc64", "dtc"],
  "interrupt controller DT matches QEMU's pseries",
  () => {
    it("ic-mode=xive: the XIVE node and ibm,plat-res-int-priorities", () => {
      const dts = qemuDts("xive", 4);
      // QEMU's phandle for the interrupt controller is 0x1111
      const ours = intcDeviceTree("xive", 4, 0x1111);
      expect(dts).toContain(`\n\t${ours.node.name} {`);
      expect(nodeProps(dts, ours.node.name)).toEqual(
        new Map(ours.node.props.map((p) => [p.name, p.value])),
      );
      const root = rootProps(dts);
      for (const p of ours.rootProps) expect(root.get(p.name)).toEqual(p.value);
    });

    it("ic-mode=xics: the XICS node", () => {
      const dts = qemuDts("xics", 2);
      const ours = intcDeviceTree("xics", 2, 0x1111);
      expect(nodeProps(dts, `${ours.node.name} {`)).toEqual(
        new Map(ours.node.props.map((p) => [p.name, p.value])),
      );
      expect(rootProps(dts).has("ibm,plat-res-int-priorities")).toBe(false);
    });

    it.each(["xics", "xive", "dual"] as const)(
      "ic-mode=%s: OV5 byte 23 in ibm,arch-vec-5-platform-support",
      (mode) => {
        const chosen = nodeProps(qemuDts(mode, 1), "chosen");
        const cells = chosen.get("ibm,arch-vec-5-platform-support") as number[];
        const bytes = cells.flatMap((c) => [
          c >>> 24,
          (c >>> 16) & 0xff,
          (c >>> 8) & 0xff,
          c & 0xff,
        ]);
        const at = bytes.findIndex((b, i) => i % 2 === 0 && b === 23);
        expect(bytes[at + 1]).toBe(ov5PlatformXiveSupport(mode));
      },
    );
  },
);
