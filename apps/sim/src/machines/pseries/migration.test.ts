// Migration is bit-exact: running a guest program to the end equals pausing it at a random
// instruction N, saving, restoring on another machine and running that to the end — the same
// console output and the same final state hash (DESIGN §4).
import { SplitMix32 } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import { GUEST_PROGRAMS, programFiles } from "../../guests/programs";
import { type PseriesOptions } from "./machine";
import { STATUS_MIGRATION_REFUSED } from "./migration";
import { DD22, DD23, guests, migratedRun, straightRun } from "./migration-test-support";

describe("migration of the single-level guest programs is bit-exact", () => {
  for (const p of GUEST_PROGRAMS) {
    it(`${p.name}: 20 seeded pause points, restored on another host model`, () => {
      const opts: PseriesOptions = {
        kernel: `${guests}${programFiles(p).elf}`,
        smp: p.smp,
        memory: "512M",
        ...(p.machine !== undefined ? { machine: p.machine } : {}),
        ...(p.append !== undefined ? { append: p.append } : {}),
        ...(p.host !== undefined ? { hostActions: p.host } : {}),
      };
      // The guest-visible behaviour does not depend on the host: DD2.2 -> DD2.3 must not show.
      const want = straightRun({ ...opts, host: DD22 });
      expect(want.status).toBe(0);
      const rng = new SplitMix32(0x5eed + p.name.length);
      for (let i = 0; i < 20; i++) {
        const at = 1 + rng.below(want.instructions - 1);
        const got = migratedRun({ ...opts, host: DD22 }, at, { ...opts, host: DD23 });
        expect(got.migration, `${p.name} at ${at}`).toMatchObject({ kind: "migrated", at });
        expect({ console: got.console, status: got.status, hash: got.hash }, `at ${at}`).toEqual({
          console: want.console,
          status: 0,
          hash: want.hash,
        });
      }
    }, 120_000);
  }
});

describe("a destination that cannot honour the stream refuses it and the source goes on", () => {
  const hello = { kernel: `${guests}hello/hello.elf`, smp: 2, memory: "512M" };

  it("higher caps in the stream than on the destination: refused, naming the cap", () => {
    const want = straightRun({ ...hello, machine: "pseries,cap-rpt-invalidate=on" });
    const got = migratedRun({ ...hello, machine: "pseries,cap-rpt-invalidate=on" }, 5000, hello);
    expect(got.migration).toEqual({
      kind: "refused",
      at: 5000,
      why: "cap-rpt-invalidate higher level (1) in incoming stream than on destination (0): start the destination with the source's caps (-M pseries,cap-rpt-invalidate=on)",
    });
    expect(got.errors).toContain(
      "hvsim: incoming migration refused: cap-rpt-invalidate higher level",
    );
    expect(got.errors).toContain("the source resumes where it paused");
    // Nothing lost: the source finished exactly as if it had never paused.
    expect(got.console).toBe(want.console);
    expect(got.status).toBe(STATUS_MIGRATION_REFUSED);
  });

  it("lower caps in the stream only warn; other RAM or vCPU counts are refused", () => {
    const warn = migratedRun(hello, 5000, { ...hello, machine: "pseries,cap-rpt-invalidate=on" });
    expect(warn.migration.kind).toBe("migrated");
    expect(warn.errors).toContain(
      "hvsim: warning: cap-rpt-invalidate lower level (0) in incoming stream than on destination (1)",
    );
    const ram = migratedRun(hello, 5000, { ...hello, memory: "1G" });
    expect(ram.migration).toMatchObject({ kind: "refused" });
    expect(ram.errors).toContain(
      "the source has 512 MiB of RAM, this machine 1024 MiB: start the destination with -m 512M",
    );
    const smp = migratedRun(hello, 5000, { ...hello, smp: 1 });
    expect(smp.errors).toContain(
      "the source has 2 vCPUs, this machine 1: start the destination with -smp 2",
    );
  });

  it("a pause point after the guest powered off: nothing to migrate", () => {
    const got = migratedRun(hello, 1e9, hello);
    expect(got.migration.kind).toBe("not-reached");
    expect(got.errors).toMatch(
      /the guest stopped \(power-off\) after \d+ instructions, before instruction 1000000000/,
    );
  });
});
