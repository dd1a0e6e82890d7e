// An L1 migrates with its L2s inside (DESIGN §4, seed 2): guests/l1hv under cap-nested-hv=on,
// paused at 20 seeded instructions (most of them inside an L2, in H_ENTER_NESTED), saved,
// restored on a DD2.3 host and run to the end, ends exactly as the run that never stopped.
//
// Pausing the source at N and running it on is itself bit-exact (migration.test.ts), so one
// source run pauses at every N in turn and is snapshotted there (beforeAll); each snapshot then
// runs to the end on a fresh destination, one test each (a few seconds apiece: the test worker
// is never blocked for long).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SplitMix32 } from "@hvsim/ppc-isa";
import { beforeAll, describe, expect, it } from "vitest";
import { writeSnapshot } from "../../migration/snapshot-file";
import { buildPseries, PseriesMachineImpl, type PseriesOptions } from "./machine";
import { STATUS_MIGRATION_REFUSED } from "./migration";
import {
  DD22,
  DD23,
  guests,
  recordedMachine,
  runYielding,
  straightRunYielding,
} from "./migration-test-support";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));

const l1hv = (machine: string): PseriesOptions => ({
  machine,
  kernel: `${guests}l1hv/l1hv.elf`,
  initrd: `${guests}l1hv/l1hv.initrd`,
  smp: 1,
  memory: "512M",
});

interface Snapshot {
  at: number;
  inL2: boolean;
  /** The console up to the pause point. */
  before: string;
  bytes: Uint8Array;
}

/** One source run of `opts` on DD2.2, snapshotted at each of `ats`. */
async function snapshotsAt(opts: PseriesOptions, ats: readonly number[]): Promise<Snapshot[]> {
  const { machine: src, rec } = recordedMachine({ ...opts, host: DD22 });
  const snaps: Snapshot[] = [];
  for (const at of [...ats].sort((a, b) => a - b)) {
    expect((await runYielding(src, at)).reason, `pause at ${at}`).toBe("paused");
    const state = src.save();
    const inL2 = (state.vm.nested as { runs: unknown[] } | null | undefined)?.runs.length === 1;
    snaps.push({ at, inL2, before: rec.console, bytes: writeSnapshot("pseries", state) });
  }
  return snaps;
}

/** Restore `snap` on a fresh DD2.3 machine and run it to the end. */
async function finish(opts: PseriesOptions, snap: Snapshot) {
  const { machine: dst, rec } = recordedMachine(
    { ...opts, host: DD23, incoming: snap.bytes },
    snap.before,
  );
  const r = await runYielding(dst);
  return { console: rec.console, status: r.status, hash: dst.stateHash() };
}

function seeded(seed: number, count: number, below: number): number[] {
  const rng = new SplitMix32(seed);
  return Array.from({ length: count }, () => 1 + rng.below(below - 1));
}

for (const { machine, seed, count } of [
  { machine: "pseries,cap-nested-hv=on", seed: 0x5eed + 2, count: 20 },
  { machine: "pseries,cap-nested-hv=on,cap-rpt-invalidate=on", seed: 0x5eed + 3, count: 4 },
]) {
  describe(`l1hv under -M ${machine}: ${count} seeded pause points end as the straight run`, () => {
    const opts = l1hv(machine);
    let want: Awaited<ReturnType<typeof straightRunYielding>>;
    let snaps: Snapshot[] = [];
    beforeAll(async () => {
      want = await straightRunYielding({ ...opts, host: DD22 });
      expect(want.console).toContain("l1hv: 6 of 6 L2s succeeded");
      snaps = await snapshotsAt(opts, seeded(seed, count, want.instructions));
    }, 300_000);

    for (let i = 0; i < count; i++) {
      it(`pause point ${i + 1} of ${count}`, async () => {
        const snap = snaps[i]!;
        const got = await finish(opts, snap);
        expect({ ...got, inL2: snap.inL2 }, `at ${snap.at}`).toEqual({
          console: want.console,
          status: want.status,
          hash: want.hash,
          inL2: snap.inL2,
        });
      }, 120_000);
    }

    if (count >= 20) {
      it("most pause points fell inside an L2 (H_ENTER_NESTED in progress)", () => {
        expect(snaps.filter((s) => s.inL2).length).toBeGreaterThanOrEqual(10);
      });
    }
  });
}

describe("a nested source to a machine that cannot take it", () => {
  it("a destination without cap-nested-hv refuses the stream, and the source goes on", async () => {
    // As a user would run it, in a child process: the source then runs l1hv to its end.
    const args = [
      ...["run", "-M", "pseries,cap-nested-hv=on", "-m", "512M", "-smp", "1"],
      ...["-kernel", `${guests}l1hv/l1hv.elf`, "-initrd", `${guests}l1hv/l1hv.initrd`],
      ...["--migrate-at", "3000000", "--migrate-machine", "pseries"],
    ];
    const got = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [`${root}scripts/hvsim.mjs`, ...args], (err, stdout, stderr) =>
        resolve({ status: err === null ? 0 : Number(err.code), stdout, stderr }),
      ),
    );
    expect(got.stderr).toContain(
      "hvsim: incoming migration refused: cap-nested-hv higher level (1) in incoming stream than on destination (0): start the destination with the source's caps (-M pseries,cap-nested-hv=on)\nhvsim: the source resumes where it paused\n",
    );
    expect(got.stdout).toContain("l1hv: 6 of 6 L2s succeeded");
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
