// The proof: every guest program boots on hvsim's pseries and prints what QEMU printed for it
// (its `.expected` golden), with the same -smp and -m 512M.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeWithPeers } from "@hvsim/internal-peers";
import { describe, expect, it } from "vitest";
import { GUEST_PROGRAMS, hvsimExpected, programFiles } from "../../guests/programs";
import { runOnQemu } from "../../guests/qemu-peer";
import { runPseries } from "./machine";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));

describe("guest programs on hvsim's pseries match their QEMU goldens", () => {
  for (const p of GUEST_PROGRAMS) {
    it(`${p.name} (-smp ${p.smp})`, () => {
      let console = "";
      let errors = "";
      const f = programFiles(p);
      const r = runPseries(
        {
          kernel: `${guests}${f.elf}`,
          smp: p.smp,
          memory: "512M",
          maxInsns: 400_000_000,
          ...(p.machine !== undefined ? { machine: p.machine } : {}),
          ...(p.append !== undefined ? { append: p.append } : {}),
          ...(p.host !== undefined ? { hostActions: p.host } : {}),
        },
        { console: (s) => (console += s), error: (s) => (errors += s) },
      );
      expect({ console, errors, status: r.status, reason: r.reason }).toEqual({
        console: hvsimExpected(p, readFileSync(`${guests}${f.golden}`, "utf8")),
        errors: "",
        status: 0,
        reason: "power-off",
      });
    });
  }
});

describeWithPeers(["qemu-system-ppc64"], "l1hv without cap-nested-hv, on hvsim and on QEMU", () => {
  it("prints the same lines on both (L0 offers no nested HV) and powers off", async () => {
    const kernel = `${guests}l1hv/l1hv.elf`;
    const initrd = `${guests}l1hv/l1hv.initrd`;
    const q = await runOnQemu({
      kernel,
      bios: `${guests}bootrom/bootrom.bin`,
      extra: ["-initrd", initrd],
    });
    expect(q.status).toBe(0);
    let console = "";
    let errors = "";
    const r = runPseries(
      { kernel, initrd, memory: "512M", smp: 1 },
      { console: (s) => (console += s), error: (s) => (errors += s) },
    );
    expect({ console, errors, status: r.status }).toEqual({
      console: q.console,
      errors: "",
      status: 0,
    });
    expect(console).toContain("l1hv: L0 offers no nested HV");
  });
});

describe("guest stop: the same guest on a POWER9 DD2.2 and a DD2.3 host", () => {
  const run = (cpu: "POWER9 DD2.2" | "POWER9 DD2.3") => {
    let console = "";
    const r = runPseries(
      {
        kernel: `${guests}stop/stop.elf`,
        memory: "512M",
        host: { cpu, rptInvalidate: true, nestedHv: true },
      },
      { console: (s) => (console += s), error: (s) => (console += s) },
    );
    return { console, status: r.status, stopsEmulated: r.stats.stopsEmulated };
  };

  it("prints the same, idling natively on DD2.3 and through HFU emulation on DD2.2", () => {
    const dd22 = run("POWER9 DD2.2");
    const dd23 = run("POWER9 DD2.3");
    expect(dd22.stopsEmulated).toBe(3);
    expect(dd23.stopsEmulated).toBe(0);
    expect(dd22.console).toBe(dd23.console);
    expect(dd23.console).toContain("stop: idled in the guest, no program interrupt\n");
    expect(dd23.status).toBe(0);
  });
});
