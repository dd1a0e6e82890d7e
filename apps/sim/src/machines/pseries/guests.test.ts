// The proof: every guest program boots on hvsim's pseries and prints what QEMU printed for it
// (its `.expected` golden), with the same -smp and -m 512M.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeWithPeers } from "@hvsim/internal-peers";
import { describe, expect, it } from "vitest";
import { GUEST_PROGRAMS } from "../../guests/programs";
import { runOnQemu } from "../../guests/qemu-peer";
import { runPseries } from "./machine";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));

describe("guest programs on hvsim's pseries match their QEMU goldens", () => {
  for (const p of GUEST_PROGRAMS) {
    it(`${p.name} (-smp ${p.smp})`, () => {
      let console = "";
      let errors = "";
      const r = runPseries(
        {
          kernel: `${guests}${p.name}/${p.name}.elf`,
          smp: p.smp,
          memory: "512M",
          maxInsns: 400_000_000,
        },
        { console: (s) => (console += s), error: (s) => (errors += s) },
      );
      expect({ console, errors, status: r.status, reason: r.reason }).toEqual({
        console: readFileSync(`${guests}${p.name}/${p.name}.expected`, "utf8"),
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
