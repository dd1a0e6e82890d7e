// The pseries device tree, with the structure QEMU 7.2 gives it (compare
// `qemu-system-ppc64 -M pseries -m 512M -smp N -nodefaults -machine dumpdtb=x.dtb`):
// root, /chosen, /rtas, /event-sources, /cpus, /vdevice (nvram, vty), /memory@0 and the
// interrupt controller. What differs from QEMU's tree is listed, with the reason, in
// dt-allow-list.ts (checked against QEMU's dumpdtb by device-tree.test.ts).
import { DeviceTree, buildFdt } from "@hvsim/fdt";
import type { FdtNode } from "@hvsim/fdt";
import { QEMU_HYPERTAS_FUNCTIONS, RTAS_TOKENS, hypertasFunctions } from "@hvsim/hcall-abi";
import type { ResolvedCaps } from "@hvsim/hcall-abi";

export const VTY_REG = 0x71000000;
export const TIMEBASE_FREQUENCY = 512000000;
/** QEMU's sPAPR XIVE thread-interrupt-management area. */
const XIVE_TM_BASE = 0x0006030203180000;

export interface PseriesDtConfig {
  ramBytes: number;
  smp: number;
  caps: ResolvedCaps;
  bootargs?: string;
  initrd?: { start: number; end: number };
  kernel?: { addr: number; size: number; littleEndian: boolean };
  /** OV5 as negotiated by CAS (empty before CAS). */
  ov5: Uint8Array;
  /** 32 deterministic bytes standing in for QEMU's random /chosen/rng-seed. */
  rngSeed: Uint8Array;
  /** The interrupt controller in use: XIVE with `ic-mode=xive`, or after CAS chose it. */
  xive: boolean;
}

const u32s = (...v: number[]): number[] => v.map((x) => x >>> 0);

function drcStrings(count: number, names: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = names.map((n) => enc.encode(`${n}\0`));
  const out = new Uint8Array(4 + parts.reduce((a, p) => a + p.length, 0));
  new DataView(out.buffer).setUint32(0, count, false);
  let o = 4;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** QEMU's HPT size for the RAM size (log2 of bytes): ramsize/128 rounded up to a power of
 *  two, at least 2^18. Advertised even to radix guests (they may pick hash at CAS). */
function hptShift(ramBytes: number): number {
  return Math.max(18, Math.ceil(Math.log2(ramBytes)) - 7);
}

function cpuNode(cpus: FdtNode, id: number, ramBytes: number): void {
  const n = cpus.addChild(`PowerPC,POWER9@${id.toString(16)}`);
  n.setCells("ibm,dec-bits", [56]);
  n.setCells("ibm,processor-radix-AP-encodings", u32s(0x0c, 0xa0000010, 0x20000015, 0x4000001e));
  n.setCells("ibm,ppc-interrupt-gserver#s", [id, 0]);
  n.setCells("ibm,ppc-interrupt-server#s", [id]);
  n.setCells("ibm,pft-size", [0, hptShift(ramBytes)]);
  n.setCells("ibm,chip-id", [0]);
  n.setCells(
    "ibm,pa-features",
    u32s(
      0x4200f63f,
      0xc7c080f0,
      0x80000000,
      0x00,
      0x8000,
      0x80008000,
      0x8000,
      0x80008000,
      0x80008000,
      0xc0008000,
      0x80008000,
      0x80008000,
      0x80008000,
      0x80008000,
      0x80008000,
      0x80008000,
      0x80000000,
    ),
  );
  n.setCells(
    "ibm,segment-page-sizes",
    [0x0c, 0x00, 0x01, 0x0c, 0x00, 0x10, 0x110, 0x01, 0x10, 0x01],
  );
  n.setCells("ibm,dfp", [1]);
  n.setCells("ibm,vmx", [2]);
  n.setCells("ibm,processor-segment-sizes", u32s(0x1c, 0x28, 0xffffffff, 0xffffffff));
  n.setCells("ibm,spurr", [1]);
  n.setCells("ibm,purr", [1]);
  n.setEmpty("64-bit");
  n.setString("status", "okay");
  n.setCells("ibm,slb-size", [0x20]);
  n.setCells("slb-size", [0x20]);
  n.setCells("clock-frequency", [1000000000]);
  n.setCells("timebase-frequency", [TIMEBASE_FREQUENCY]);
  n.setCells("i-cache-size", [0x8000]);
  n.setCells("d-cache-size", [0x8000]);
  n.setCells("i-cache-line-size", [0x80]);
  n.setCells("i-cache-block-size", [0x80]);
  n.setCells("d-cache-line-size", [0x80]);
  n.setCells("d-cache-block-size", [0x80]);
  n.setCells("cpu-version", [0x4e1200]);
  n.setString("device_type", "cpu");
  n.setCells("reg", [id]);
  n.setCells("ibm,my-drc-index", [0x10000000 + id]);
}

/** The tree as plain nodes (tests and `-machine dumpdtb` use it). */
export function pseriesDeviceTree(c: PseriesDtConfig): DeviceTree {
  const t = new DeviceTree();
  const root = t.root;
  if (c.xive) {
    // The sPAPR XIVE reserves priority 7 and 0xf8.. for the platform.
    root.setCells("ibm,plat-res-int-priorities", [7, 0xf8]);
  }
  root.setCells("#size-cells", [2]);
  root.setCells("#address-cells", [2]);
  root.setString("vm,uuid", "00000000-0000-0000-0000-000000000000");
  root.setString("compatible", "qemu,pseries");
  root.setString("model", "IBM pSeries (emulated by qemu)");
  root.setString("device_type", "chrp");

  const pmem = root.addChild("ibm,persistent-memory");
  pmem.setString("device_type", "ibm,persistent-memory");
  pmem.setCells("#size-cells", [0]);
  pmem.setCells("#address-cells", [1]);

  // /chosen in the order QEMU 7.2 leaves it (it inserts the boot properties at the front).
  const chosen = root.addChild("chosen");
  const vtyPath = `/vdevice/vty@${VTY_REG.toString(16)}`;
  chosen.set("ibm,architecture-vec-5", c.ov5);
  chosen.set("rng-seed", c.rngSeed);
  // Option vector 5 bytes the platform supports (index, value pairs): 23 = interrupt modes
  // (0x00 XICS only, 0x40 XIVE only, 0x80 both), 24 = MMU (hash and radix), 25 = 0,
  // 26 = radix GTSE.
  const icByte = { xics: 0x00, xive: 0x40, dual: 0x80 }[c.caps.icMode];
  chosen.setCells("ibm,arch-vec-5-platform-support", u32s(0x170018c0 | (icByte << 16), 0x19001a40));
  chosen.setCells("linux,pci-probe-only", [0]);
  chosen.setString("stdout-path", vtyPath);
  chosen.setString("linux,stdout-path", vtyPath);
  chosen.setCells("qemu,graphic-depth", [0x20]);
  chosen.setCells("qemu,graphic-height", [0x258]);
  chosen.setCells("qemu,graphic-width", [0x320]);
  if (c.kernel !== undefined) {
    if (c.kernel.littleEndian) chosen.setEmpty("qemu,boot-kernel-le");
    chosen.setCells("qemu,boot-kernel", [0, c.kernel.addr, 0, c.kernel.size]);
  }
  if (c.initrd !== undefined) {
    chosen.setCells("linux,initrd-end", [c.initrd.end]);
    chosen.setCells("linux,initrd-start", [c.initrd.start]);
  }
  if (c.bootargs !== undefined && c.bootargs !== "") chosen.setString("bootargs", c.bootargs);

  const rtas = root.addChild("rtas");
  // The XICS RTAS calls exist only when the machine has XICS (ic-mode xics or dual).
  const xicsCalls = new Set(["ibm,set-xive", "ibm,get-xive", "ibm,int-off", "ibm,int-on"]);
  for (const tok of [...RTAS_TOKENS].reverse()) {
    if (c.caps.icMode === "xive" && xicsCalls.has(tok.name)) continue;
    rtas.setCells(tok.name, [tok.token]);
  }
  rtas.setCells("ibm,lrdr-capacity", [0, 0, 0, 0x10000000, c.smp]);
  rtas.setEmpty("ibm,extended-os-term");
  rtas.setEmpty("ibm,change-msix-capable");
  rtas.setCells("rtas-event-scan-rate", [1]);
  rtas.setCells("rtas-error-log-max", [0x800]);
  // RTAS_ERROR_LOG_MAX + 28 + 16 per vCPU, as QEMU computes it.
  rtas.setCells("rtas-size", [0x81c + 0x10 * c.smp]);
  rtas.setCells("ibm,max-associativity-domains", [4, 0, 0, 0, 1]);
  rtas.setCells("ibm,associativity-reference-points", [4, 4, 2]);
  rtas.setStringList("qemu,hypertas-functions", [...QEMU_HYPERTAS_FUNCTIONS]);
  rtas.setStringList("ibm,hypertas-functions", hypertasFunctions(c.caps));

  const ev = root.addChild("event-sources");
  ev.setCells("interrupt-ranges", [0x1000, 1, 0x1001, 1]);
  ev.setCells("#interrupt-cells", [2]);
  ev.setEmpty("interrupt-controller");
  ev.addChild("hot-plug-events").setCells("interrupts", [0x1001, 0]);
  ev.addChild("epow-events").setCells("interrupts", [0x1000, 0]);

  const cpus = root.addChild("cpus");
  const ids = [...Array(c.smp).keys()];
  cpus.setCells("ibm,drc-types", [c.smp, ...ids.map(() => 0x43505500)]);
  cpus.set(
    "ibm,drc-names",
    drcStrings(
      c.smp,
      ids.map((i) => `CPU ${i}`),
    ),
  );
  cpus.setCells("ibm,drc-power-domains", [c.smp, ...ids.map(() => 0xffffffff)]);
  cpus.setCells("ibm,drc-indexes", [c.smp, ...ids.map((i) => 0x10000000 + i)]);
  cpus.setCells("#size-cells", [0]);
  cpus.setCells("#address-cells", [1]);
  for (const i of ids) cpuNode(cpus, i, c.ramBytes);

  const vdev = root.addChild("vdevice");
  vdev.setEmpty("interrupt-controller");
  vdev.setCells("#interrupt-cells", [2]);
  vdev.setCells("#size-cells", [0]);
  vdev.setCells("#address-cells", [1]);
  vdev.setString("compatible", "IBM,vdevice");
  vdev.setString("device_type", "vdevice");
  const vty = vdev.addChild(`vty@${VTY_REG.toString(16)}`);
  vty.setCells("interrupts", [0x1100, 0]);
  vty.setString("compatible", "hvterm1");
  vty.setString("device_type", "serial");
  vty.setCells("reg", [VTY_REG]);
  const nvram = vdev.addChild(`nvram@${(VTY_REG + 1).toString(16)}`);
  nvram.setCells("#bytes", [0x10000]);
  nvram.setCells("interrupts", [0x1101, 0]);
  nvram.setString("compatible", "qemu,spapr-nvram");
  nvram.setString("device_type", "nvram");
  nvram.setCells("reg", [VTY_REG + 1]);

  const mem = root.addChild("memory@0");
  mem.setCells("ibm,associativity", [4, 0, 0, 0, 0]);
  mem.setCells("reg", [0, 0, Math.floor(c.ramBytes / 2 ** 32), c.ramBytes >>> 0]);
  mem.setString("device_type", "memory");

  if (c.xive) {
    // The sPAPR XIVE: its TIMA pages (user ring at TM_BASE + 3 pages, OS ring at + 2 pages).
    const tmUser = XIVE_TM_BASE + 3 * 0x10000;
    const tmOs = XIVE_TM_BASE + 2 * 0x10000;
    const ic = root.addChild(`interrupt-controller@${tmUser.toString(16)}`);
    ic.setCells("phandle", [0x1111]);
    ic.setCells("linux,phandle", [0x1111]);
    ic.setCells("#interrupt-cells", [2]);
    ic.setEmpty("interrupt-controller");
    ic.setCells("ibm,xive-lisn-ranges", [0, c.smp]);
    ic.setCells("ibm,xive-eq-sizes", [16]);
    ic.setString("compatible", "ibm,power-ivpe");
    const hiLo = (a: number): number[] => [Math.floor(a / 2 ** 32), a >>> 0];
    ic.setCells("reg", [...hiLo(tmUser), 0, 0x10000, ...hiLo(tmOs), 0, 0x10000]);
    ic.setString("device_type", "power-ivpe");
  } else {
    const ic = root.addChild("interrupt-controller");
    ic.setCells("phandle", [0x1111]);
    ic.setCells("linux,phandle", [0x1111]);
    ic.setCells("#interrupt-cells", [2]);
    ic.setCells("ibm,interrupt-server-ranges", [0, c.smp]);
    ic.setEmpty("interrupt-controller");
    ic.setString("compatible", "IBM,ppc-xicp");
    ic.setString("device_type", "PowerPC-External-Interrupt-Presentation");
  }
  if (c.kernel !== undefined) t.reserve(c.kernel.addr, c.kernel.size);
  if (c.initrd !== undefined && c.initrd.end > c.initrd.start) {
    t.reserve(c.initrd.start, c.initrd.end - c.initrd.start);
  }
  return t;
}

export function pseriesFdt(c: PseriesDtConfig): Uint8Array {
  return buildFdt(pseriesDeviceTree(c));
}
