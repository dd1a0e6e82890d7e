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
  /** `run` paused at `at` and saved, then continued with `--incoming` in a new process on a
   *  DD2.2 host: both consoles and the final state hash. */
  async function acrossProcesses(run: readonly string[], at: number, name: string) {
    const file = join(dir, `${name}-${at}.snap`);
    const src = await hvsim(...run, "--pause-at", String(at), "--save", file);
    expect(src.status, src.stderr).toBe(0);
    expect(src.stderr).toBe(`hvsim: paused at instruction ${at}, saved to ${file}\n`);
    // The destination gets the same command line (QEMU's too: -kernel is reloaded on reset).
    const dst = await hvsim(...run, "--incoming", file, "--host", "power9-dd2.2", "--state-hash");
    expect(dst.status, dst.stderr).toBe(0);
    return { stdout: src.stdout + dst.stdout, hash: hashOf(dst) };
  }

  it("smp (3 vCPUs): 20 seeded pause points end like the run that never stopped", async () => {
    const run = [...machine, "-kernel", smp];
    const straight = await hvsim(...run, "--state-hash");
    expect(straight.status).toBe(0);
    const total = Number(/instructions +(\d+)/.exec((await hvsim(...run, "--stats")).stderr)![1]);
    const rng = new SplitMix32(42);
    const ats = Array.from({ length: 20 }, () => 1 + rng.below(total - 1));
    // Two at a time: the machine has two cores.
    for (let i = 0; i < ats.length; i += 2) {
      const got = await Promise.all(
        ats.slice(i, i + 2).map((at) => acrossProcesses(run, at, "smp")),
      );
      for (const [k, g] of got.entries()) {
        expect(g, `at ${ats[i + k]}`).toEqual({ stdout: straight.stdout, hash: hashOf(straight) });
      }
    }
  }, 240_000);

  it("an XIVE machine and an L1 with its L2s also continue exactly in a new process", async () => {
    const xive = [
      ...["run", "-M", "pseries,ic-mode=xive", "-m", "512M", "-smp", "2"],
      "-kernel",
      fileURLToPath(new URL("../../../guests/xive/xive.elf", import.meta.url)),
    ];
    const l1hv = [
      ...["run", "-M", "pseries,cap-nested-hv=on", "-m", "512M", "-smp", "1"],
      ...["-kernel", fileURLToPath(new URL("../../../guests/l1hv/l1hv.elf", import.meta.url))],
      ...["-initrd", fileURLToPath(new URL("../../../guests/l1hv/l1hv.initrd", import.meta.url))],
    ];
    const [sx, sl] = await Promise.all([
      hvsim(...xive, "--state-hash"),
      hvsim(...l1hv, "--state-hash"),
    ]);
    const [gx, gl] = await Promise.all([
      acrossProcesses(xive, 1_500_000, "xive"),
      acrossProcesses(l1hv, 40_000_000, "l1hv"),
    ]);
    expect(gx).toEqual({ stdout: sx.stdout, hash: hashOf(sx) });
    expect(gl).toEqual({ stdout: sl.stdout, hash: hashOf(sl) });
  }, 240_000);

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
    expect(ok.stderr).toMatch(
      /^hvsim: migrated at instruction 250000 \(snapshot \d+ KiB\) from host power9-dd2.3,rpt-invalidate=on,nested-hv=on,in-partition=off to power9-dd2.2,rpt-invalidate=on,nested-hv=on,in-partition=off\n$/,
    );
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
