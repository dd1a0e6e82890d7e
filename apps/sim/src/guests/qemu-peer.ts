// Runs a guest image on QEMU's pseries machine (TCG), the oracle for hvsim's own machine:
// `qemu-system-ppc64 -M pseries -bios BOOTROM -kernel X.elf`, console on stdio. Scripted host
// actions (type on the console, `system_powerdown` through QMP) happen once the console has
// printed what they wait for, as hvsim's PseriesOptions.hostActions do.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPeer, runPeerAsync } from "@hvsim/internal-peers";
import type { HostAction } from "../machines/pseries/machine";

export interface QemuRunOptions {
  kernel: string;
  bios: string;
  machine?: string;
  memory?: string;
  smp?: number;
  append?: string;
  timeoutMs?: number;
  extra?: readonly string[];
  /** Scripted host actions: console input, and system_powerdown (QEMU's monitor, via QMP). */
  host?: readonly HostAction[];
}

export interface QemuRunResult {
  status: number | null;
  console: string;
  stderr: string;
  timedOut: boolean;
}

function qemuArgs(opts: QemuRunOptions): string[] {
  return [
    "-M",
    opts.machine ?? "pseries",
    "-m",
    opts.memory ?? "512M",
    "-smp",
    String(opts.smp ?? 1),
    "-accel",
    "tcg",
    "-nographic",
    "-nodefaults",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-bios",
    opts.bios,
    "-kernel",
    opts.kernel,
    ...(opts.append !== undefined ? ["-append", opts.append] : []),
    ...(opts.extra ?? []),
  ];
}

export async function runOnQemu(opts: QemuRunOptions): Promise<QemuRunResult> {
  if (opts.host !== undefined && opts.host.length > 0) return runInteractive(opts, opts.host);
  const r = await runPeerAsync("qemu-system-ppc64", qemuArgs(opts), {
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  return {
    status: r.timedOut ? null : r.status,
    console: r.stdout.replace(/\r\n/g, "\n"),
    stderr: r.stderr,
    timedOut: r.timedOut,
  };
}

/** `system_powerdown` through a QMP socket (negotiate capabilities, then the command). */
function qmpPowerdown(socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let got = "";
    let step = 0;
    c.setEncoding("utf8");
    c.on("error", reject);
    c.on("data", (d: string) => {
      got += d;
      // Greeting, then one reply per command.
      const lines = got.split("\n").filter((l) => l.includes('"QMP"') || l.includes('"return"'));
      if (step === 0 && lines.length >= 1) {
        step = 1;
        c.write('{"execute":"qmp_capabilities"}\n');
      } else if (step === 1 && lines.length >= 2) {
        step = 2;
        c.write('{"execute":"system_powerdown"}\n');
      } else if (step === 2 && lines.length >= 3) {
        c.end();
        resolve();
      }
    });
  });
}

function runInteractive(
  opts: QemuRunOptions,
  actions: readonly HostAction[],
): Promise<QemuRunResult> {
  const qemu = findPeer("qemu-system-ppc64");
  if (qemu === null)
    return Promise.reject(new Error("peer tool qemu-system-ppc64 is not installed"));
  const dir = mkdtempSync(join(tmpdir(), "hvsim-qmp-"));
  const socket = join(dir, "qmp.sock");
  const args = [...qemuArgs(opts), "-qmp", `unix:${socket},server=on,wait=off`];
  return new Promise((resolve, reject) => {
    const child = spawn(qemu, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let pending = "";
    let next = 0;
    let timedOut = false;
    const act = (): void => {
      for (;;) {
        const a = actions[next];
        const at = a === undefined ? -1 : pending.indexOf(a.after);
        if (a === undefined || at < 0) return;
        pending = pending.slice(at + a.after.length);
        next++;
        if (a.input !== undefined) child.stdin.write(a.input);
        if (a.powerdown === true)
          qmpPowerdown(socket).catch((e: Error) => (stderr += `${e.message}\n`));
      }
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      pending += d.replace(/\r\n/g, "\n");
      act();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => void (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({
        status: timedOut ? null : (code ?? -1),
        console: stdout.replace(/\r\n/g, "\n"),
        stderr,
        timedOut,
      });
    });
  });
}
