// The proof: every guest program boots on hvsim's pseries and prints what QEMU printed for it
// (its `.expected` golden), with the same -smp and -m 512M.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GUEST_PROGRAMS } from "../../guests/programs";
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
