// Migration from the command line, across processes: `hvsim run ... --pause-at N --save FILE`
// in one process, `hvsim run ... --incoming FILE` in a new one, must end exactly like a run that
// never stopped (console and final state hash); a damaged snapshot is refused with a clear
// message and the saved one stays restorable.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SplitMix32 } from "@hvsim/ppc-isa";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const smp = fileURLToPath(new URL("../../../guests/smp/smp.elf", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "hvsim-migrate-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function hvsim(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`${root}scripts/hvsim.mjs`, ...args], (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ status, stdout, stderr });
    });
  });
}

const machine = ["run", "-M", "pseries", "-m", "512M", "-smp", "3"];
const hashOf = (r: Run): string => /hvsim: state hash ([0-9a-f]{64})/.exec(r.stderr)?.[1] ?? "none";

describe("hvsim run --pause-at/--save, then --incoming in a new process", () => {
  it("ends like the run that never stopped, at seeded pause points, on another host", async () => {
    const straight = await hvsim(...machine, "-kernel", smp, "--state-hash");
    expect(straight.status).toBe(0);
    const total = 664_703; // smp's instruction count (hvsim run --stats)
    const rng = new SplitMix32(42);
    for (let i = 0; i < 4; i++) {
      const at = 1 + rng.below(total - 1);
      const file = join(dir, `smp-${at}.snap`);
      const src = await hvsim(...machine, "-kernel", smp, "--pause-at", String(at), "--save", file);
      expect(src.status, src.stderr).toBe(0);
      expect(src.stderr).toBe(`hvsim: paused at instruction ${at}, saved to ${file}\n`);
      const dst = await hvsim(
        ...machine,
        "--incoming",
        file,
        "--host",
        "power9-dd2.2",
        "--state-hash",
      );
      expect(dst.status, dst.stderr).toBe(0);
      expect(src.stdout + dst.stdout).toBe(straight.stdout);
      expect(hashOf(dst)).toBe(hashOf(straight));
    }
  }, 120_000);

  it("refuses a truncated or corrupted snapshot, saying so; the saved file still restores", async () => {
    const file = join(dir, "good.snap");
    expect(
      (await hvsim(...machine, "-kernel", smp, "--pause-at", "1000", "--save", file)).status,
    ).toBe(0);
    const bytes = readFileSync(file);
    const cut = join(dir, "cut.snap");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const t = await hvsim(...machine, "--incoming", cut);
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(
      /^hvsim: incoming migration refused: snapshot truncated \(the sections need \d+ bytes, \d+ are there\): the copy is incomplete; save it again from the paused source\n$/,
    );
    const bad = join(dir, "bad.snap");
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 10]! ^= 0x40;
    writeFileSync(bad, flipped);
    const c = await hvsim(...machine, "--incoming", bad);
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/snapshot corrupted \(section .*: checksum mismatch\)/);
    const v = Buffer.from(bytes);
    v.writeUInt32LE(99, 8);
    writeFileSync(bad, v);
    expect((await hvsim(...machine, "--incoming", bad)).stderr).toContain(
      "snapshot format version 99, this hvsim reads version 1",
    );
    // Nothing lost: the intact snapshot still continues to the end.
    const ok = await hvsim(...machine, "--incoming", file);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("2 secondary vCPUs started\n");
  }, 60_000);

  it("--migrate-at migrates in one process; a destination without the source's caps refuses", async () => {
    const ok = await hvsim(
      ...machine,
      "-kernel",
      smp,
      "--migrate-at",
      "250000",
      "--migrate-to",
      "power9-dd2.2",
    );
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/^hvsim: migrated at instruction 250000 \(snapshot \d+ KiB\)\n$/);
    const refused = await hvsim(
      ...["run", "-M", "pseries,cap-rpt-invalidate=on", "-m", "512M", "-smp", "3", "-kernel", smp],
      ...["--migrate-at", "250000", "--migrate-to", "power9-dd2.3,rpt-invalidate=off"],
    );
    // Seed 1: the destination host cannot honour cap-rpt-invalidate=on, so it does not start.
    expect(refused.status).toBe(4);
    expect(refused.stderr).toContain(
      "hvsim: cap-rpt-invalidate=on: the host (POWER9 DD2.3) KVM has no H_RPT_INVALIDATE",
    );
    expect(refused.stderr).toContain("the source resumes where it paused");
    expect(refused.stdout).toBe(ok.stdout); // the source finished the run
    // Started without the cap, the destination refuses the stream instead.
    const stream = await hvsim(
      ...["run", "-M", "pseries,cap-rpt-invalidate=on", "-m", "512M", "-smp", "3", "-kernel", smp],
      ...["--migrate-at", "250000", "--migrate-machine", "pseries"],
    );
    expect(stream.status).toBe(4);
    expect(stream.stderr).toContain(
      "hvsim: incoming migration refused: cap-rpt-invalidate higher level (1) in incoming stream than on destination (0)",
    );
    const late = await hvsim(
      ...machine,
      "-kernel",
      smp,
      "--pause-at",
      "1e9",
      "--save",
      join(dir, "y.snap"),
    );
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(
      /the guest stopped \(power-off\) after 664703 instructions, before --pause-at 1000000000; nothing saved/,
    );
    const usage = await hvsim(...machine, "-kernel", smp, "--save", join(dir, "x.snap"));
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("hvsim: --save needs --pause-at N\n");
  }, 60_000);
});
