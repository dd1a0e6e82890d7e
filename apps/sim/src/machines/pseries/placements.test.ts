// The interrupt controller end to end: the xive and xics programs print their QEMU goldens
// whatever the ic-mode and placement, what one interrupt costs in exits per placement, and the
// nested-host rules (no XIVE native device: XICS instead, ic-mode=xive refused).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { HostModel } from "@hvsim/kvm-hv-core";
import { STATUS_BAD_OPTIONS, runPseries, type PseriesOptions } from "./machine";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));
const golden = (p: string): string => readFileSync(`${guests}${p}/${p}.expected`, "utf8");
const L1_HOST: HostModel = {
  cpu: "POWER9 DD2.3",
  rptInvalidate: true,
  nestedHv: true,
  onPseries: true,
};

function run(program: "xive" | "xics", o: Partial<PseriesOptions> = {}) {
  let console = "";
  let errors = "";
  const r = runPseries(
    { kernel: `${guests}${program}/${program}.elf`, smp: 2, maxInsns: 400_000_000, ...o },
    { console: (s) => (console += s), error: (s) => (errors += s) },
  );
  return { ...r, console, errors };
}

describe("the same output from every placement and ic-mode", () => {
  it.each([
    ["xive", "pseries,ic-mode=xive", "xive in kernel"],
    ["xive", "pseries,ic-mode=xive,kernel-irqchip=on", "xive in kernel"],
    ["xive", "pseries,ic-mode=xive,kernel-irqchip=off", "xive in the VMM"],
    ["xive", "pseries", "xive in kernel"],
    ["xive", "pseries,kernel-irqchip=off", "xive in the VMM"],
    ["xics", "pseries,ic-mode=xics", "xics in kernel"],
    ["xics", "pseries,ic-mode=xics,kernel-irqchip=off", "xics in the VMM"],
    ["xics", "pseries", "xics in kernel"],
    ["xics", "pseries,kernel-irqchip=off", "xics in the VMM"],
  ] as const)("%s on -M %s (%s)", (program, machine, placement) => {
    const r = run(program, { machine });
    expect({ console: r.console, errors: r.errors, status: r.status }).toEqual({
      console: golden(program),
      errors: "",
      status: 0,
    });
    expect(r.stats.intc?.placement).toBe(placement);
  });
});

describe("what an interrupt costs (exits to the VMM on the interrupt path)", () => {
  // 20 more IPIs minus none: the setup's own accesses cancel out.
  const cost = (program: "xive" | "xics", machine: string) => {
    const a = run(program, { machine }).stats;
    const b = run(program, { machine, append: "ipis=20" }).stats;
    const path = (s: typeof a) => s.intc!.pathMmio + s.intc!.pathHcalls;
    // Hcall exits other than the console's (the extra line costs H_PUT_TERM_CHARs).
    const hcalls = (s: typeof a) =>
      Object.entries(s.hcallsInVmm)
        .filter(([name]) => name !== "H_PUT_TERM_CHAR")
        .reduce((n, [, c]) => n + c, 0);
    return {
      interrupts: b.intc!.accepted - a.intc!.accepted,
      exits: path(b) - path(a),
      mmioExits: (b.exits.mmio ?? 0) - (a.exits.mmio ?? 0),
      hcallExits: hcalls(b) - hcalls(a),
    };
  };

  // XIVE in the VMM: the trigger store, ACK_OS_REG, the EOI load, the CPPR store (mmio exits);
  // XICS in the VMM: H_IPI, H_XIRR, H_IPI (MFRR back to 0xff), H_EOI (hcall exits).
  it.each([
    ["xive", "pseries,ic-mode=xive", { exits: 0, mmioExits: 0, hcallExits: 0 }],
    [
      "xive",
      "pseries,ic-mode=xive,kernel-irqchip=off",
      { exits: 80, mmioExits: 80, hcallExits: 0 },
    ],
    ["xics", "pseries,ic-mode=xics", { exits: 0, mmioExits: 0, hcallExits: 0 }],
    [
      "xics",
      "pseries,ic-mode=xics,kernel-irqchip=off",
      { exits: 80, mmioExits: 0, hcallExits: 80 },
    ],
  ] as const)("%s on -M %s: 20 more IPIs", (program, machine, expected) => {
    expect(cost(program, machine)).toEqual({ interrupts: 20, ...expected });
  });

  it("--stats reports it, and the XICS RTAS calls run in kernel with an in-kernel XICS", () => {
    const k = run("xics", { machine: "pseries,ic-mode=xics" }).stats;
    expect(k.rtasInKernel).toEqual({
      "ibm,get-xive": 5,
      "ibm,int-off": 2,
      "ibm,int-on": 2,
      "ibm,set-xive": 4,
    });
    expect(k.rtasCalls["ibm,set-xive"]).toBeUndefined();
    const v = run("xics", { machine: "pseries,ic-mode=xics,kernel-irqchip=off" }).stats;
    expect(v.rtasInKernel).toEqual({});
    expect(v.rtasCalls["ibm,set-xive"]).toBe(4);
    expect(v.intc).toMatchObject({ accepted: 3, pathHcalls: 20, configRtas: 13 });
  });
});

describe("a host whose KVM runs in a pseries partition (a nested L1's): no XIVE native device", () => {
  it("ic-mode=dual falls back to XICS: CAS does not grant exploitation, the XICS runs in kernel", () => {
    const x = run("xive", { machine: "pseries", host: L1_HOST });
    expect(x.console).toContain(
      "CAS (radix, GTSE, XIVE exploitation): rc=0, ibm,architecture-vec-5 byte 23: 0x00\n",
    );
    expect(x.console).toContain("before CAS: H_INT_GET_SOURCE_INFO rc=-2\n");
    expect(x.stats.intc?.placement).toBe("xics in kernel");
    const c = run("xics", { machine: "pseries", host: L1_HOST });
    expect(c.console).toBe(golden("xics"));
    expect(c.stats.intc?.placement).toBe("xics in kernel");
  });

  it("refuses ic-mode=xive, and ic-mode=dual with kernel-irqchip=on, with QEMU's reasons", () => {
    const a = run("xive", { machine: "pseries,ic-mode=xive", host: L1_HOST });
    expect(a.status).toBe(STATUS_BAD_OPTIONS);
    expect(a.errors).toMatch(/XIVE native mode not available, don't use ic-mode=xive/);
    const b = run("xics", { machine: "pseries,kernel-irqchip=on", host: L1_HOST });
    expect(b.status).toBe(STATUS_BAD_OPTIONS);
    expect(b.errors).toMatch(/KVM is incompatible with ic-mode=dual,kernel-irqchip=on/);
    const c = run("xics", { machine: "pseries,ic-mode=xics,kernel-irqchip=on", host: L1_HOST });
    expect(c.console).toBe(golden("xics"));
  });
});

describe("CAS refuses an interrupt mode the machine does not offer, with QEMU 7.2's words", () => {
  it.each([
    [
      "xics",
      "pseries,ic-mode=xive",
      "Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual",
    ],
    [
      "xive",
      "pseries,ic-mode=xics",
      "Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property",
    ],
  ] as const)("%s on -M %s", (program, machine, message) => {
    const r = run(program, { machine });
    expect(r.status).toBe(1);
    expect(r.errors).toBe(`hvsim: ${message}\n`);
  });
});

describe("kernel-irqchip values", () => {
  it("refuses split as QEMU does on pseries", () => {
    const r = run("xics", { machine: "pseries,kernel-irqchip=split" });
    expect(r.status).toBe(STATUS_BAD_OPTIONS);
    expect(r.errors).toBe("hvsim: kernel_irqchip split mode not supported on pseries\n");
  });
});
