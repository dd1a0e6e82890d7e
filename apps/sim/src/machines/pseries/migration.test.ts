// Migration is bit-exact: running a guest program to the end equals pausing it at a random
// instruction N, saving, restoring on another machine and running that to the end — the same
// console output and the same final state hash (DESIGN §4).
import { fileURLToPath } from "node:url";
import { SplitMix32 } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import { GUEST_PROGRAMS, programFiles } from "../../guests/programs";
import { writeSnapshot } from "../../migration/snapshot-file";
import { buildPseries, PseriesMachineImpl, type PseriesOptions } from "./machine";
import { migratePseries, STATUS_MIGRATION_REFUSED } from "./migration";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));
const DD22 = { cpu: "POWER9 DD2.2", rptInvalidate: true, nestedHv: true } as const;
const DD23 = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true } as const;

function straightRun(opts: PseriesOptions) {
  let console = "";
  const m = buildPseries(
    { ...opts, stateHash: true },
    {
      console: (s) => (console += s),
      error: (s) => (console += `[error] ${s}`),
    },
  );
  if (!(m instanceof PseriesMachineImpl)) throw new Error(m.reason);
  const r = m.run(0);
  return { console, status: r.status, instructions: r.stats.instructions, hash: m.stateHash() };
}

function migratedRun(src: PseriesOptions, at: number, dst: PseriesOptions) {
  let console = "";
  let errors = "";
  const r = migratePseries(
    { source: src, at, destination: { ...dst, stateHash: true } },
    { console: (s) => (console += s), error: (s) => (errors += s) },
  );
  return { console, errors, status: r.status, hash: r.stateHash, migration: r.migration };
}

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

describe("an L1 migrates with its L2s inside (cap-nested-hv=on, guests/l1hv)", () => {
  const l1hv = (machine: string): PseriesOptions => ({
    machine,
    kernel: `${guests}l1hv/l1hv.elf`,
    initrd: `${guests}l1hv/l1hv.initrd`,
    smp: 1,
    memory: "512M",
  });

  /**
   * Pausing the source at N and running it on is itself bit-exact (the single-level tests and
   * `want` below show it), so one source run pauses at every N in turn and is snapshotted
   * there; each snapshot then runs to the end on a fresh DD2.3 destination. The same as
   * migratePseries N times, without running the source up to N each time.
   */
  function migrateAtEach(opts: PseriesOptions, ats: number[]) {
    let sourceConsole = "";
    const src = buildPseries(
      { ...opts, host: DD22 },
      { console: (t) => (sourceConsole += t), error: (t) => (sourceConsole += `[error] ${t}`) },
    );
    if (!(src instanceof PseriesMachineImpl)) throw new Error(src.reason);
    const snapshots: { at: number; inL2: boolean; before: string; bytes: Uint8Array }[] = [];
    for (const at of [...ats].sort((a, b) => a - b)) {
      expect(src.run(0, at).reason, `pause at ${at}`).toBe("paused");
      const state = src.save();
      const inL2 = (state.vm.nested as { runs: unknown[] } | null | undefined)?.runs.length === 1;
      snapshots.push({ at, inL2, before: sourceConsole, bytes: writeSnapshot("pseries", state) });
    }
    return snapshots.map((snap) => {
      let console = snap.before;
      const dst = buildPseries(
        { ...opts, host: DD23, incoming: snap.bytes },
        { console: (t) => (console += t), error: (t) => (console += `[error] ${t}`) },
      );
      if (!(dst instanceof PseriesMachineImpl)) throw new Error(dst.reason);
      const r = dst.run(0);
      return { at: snap.at, inL2: snap.inL2, console, status: r.status, hash: dst.stateHash() };
    });
  }

  function seeded(seed: number, count: number, below: number): number[] {
    const rng = new SplitMix32(seed);
    return Array.from({ length: count }, () => 1 + rng.below(below - 1));
  }

  /** `count` seeded pause points of l1hv under `machine` end as its straight run; how many
   *  of them were inside an L2. */
  function endsAsStraightRun(machine: string, seed: number, count: number): number {
    const opts = l1hv(machine);
    const want = straightRun({ ...opts, host: DD22 });
    expect(want.console).toContain("l1hv: 6 of 6 L2s succeeded");
    const got = migrateAtEach(opts, seeded(seed, count, want.instructions));
    for (const g of got) {
      expect({ console: g.console, status: g.status, hash: g.hash }, `at ${g.at}`).toEqual({
        console: want.console,
        status: want.status,
        hash: want.hash,
      });
    }
    return got.filter((g) => g.inL2).length;
  }

  it("cap-rpt-invalidate=off: 20 seeded pause points, most inside an L2, end as the straight run", () => {
    expect(endsAsStraightRun("pseries,cap-nested-hv=on", 0x5eed + 2, 20)).toBeGreaterThanOrEqual(
      10,
    );
  }, 300_000);

  it("cap-rpt-invalidate=on: 4 seeded pause points end as the straight run", () => {
    endsAsStraightRun("pseries,cap-nested-hv=on,cap-rpt-invalidate=on", 0x5eed + 3, 4);
  }, 300_000);

  it("a destination without cap-nested-hv refuses the stream, and the source goes on", () => {
    const opts = l1hv("pseries,cap-nested-hv=on");
    const got = migratedRun({ ...opts, host: DD22 }, 3_000_000, {
      ...l1hv("pseries"),
      host: DD23,
    });
    expect(got.migration).toEqual({
      kind: "refused",
      at: 3_000_000,
      why: "cap-nested-hv higher level (1) in incoming stream than on destination (0): start the destination with the source's caps (-M pseries,cap-nested-hv=on)",
    });
    expect(got.console).toContain("l1hv: 6 of 6 L2s succeeded");
    expect(got.status).toBe(STATUS_MIGRATION_REFUSED);
  }, 120_000);

  it("a destination host without nested-HV refuses to start", () => {
    let errors = "";
    const m = buildPseries(
      {
        ...l1hv("pseries,cap-nested-hv=on"),
        host: { ...DD23, nestedHv: false },
        incoming: new Uint8Array(0),
      },
      { console: () => {}, error: (t) => (errors += t) },
    );
    expect(m).not.toBeInstanceOf(PseriesMachineImpl);
    expect(errors).toContain(
      "cap-nested-hv=on: the host (POWER9 DD2.3) KVM cannot run nested hypervisors; use cap-nested-hv=off or another host",
    );
  });
});
