// Runs a guest image on QEMU's pseries machine (TCG), the oracle for hvsim's own machine:
// `qemu-system-ppc64 -M pseries -bios BOOTROM -kernel X.elf`, console on stdio. Scripted host
// actions (type on the console, `system_powerdown` through QMP) happen once the console has
// printed what they wait for, as hvsim's PseriesOptions.hostActions do.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPeer, runPeerAsync, runProcess } from "@hvsim/internal-peers";
import type { HostAction } from "../machines/pseries/machine";
import { qemuGuestArgs, type QemuGuestOptions } from "./qemu-args";

export interface QemuRunOptions extends QemuGuestOptions {
  timeoutMs?: number;
  /** Scripted host actions: console input, and system_powerdown (QEMU's monitor, via QMP). */
  host?: readonly HostAction[];
}

export interface QemuRunResult {
  status: number | null;
  console: string;
  stderr: string;
  timedOut: boolean;
}

export async function runOnQemu(opts: QemuRunOptions): Promise<QemuRunResult> {
  if (opts.host !== undefined && opts.host.length > 0) return runInteractive(opts, opts.host);
  const r = await runPeerAsync("qemu-system-ppc64", qemuGuestArgs(opts), {
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

async function runInteractive(
  opts: QemuRunOptions,
  actions: readonly HostAction[],
): Promise<QemuRunResult> {
  const qemu = findPeer("qemu-system-ppc64");
  if (qemu === null) throw new Error("peer tool qemu-system-ppc64 is not installed");
  const dir = mkdtempSync(join(tmpdir(), "hvsim-qmp-"));
  const socket = join(dir, "qmp.sock");
  let pending = "";
  let next = 0;
  let qmpErrors = "";
  try {
    const r = await runProcess(
      qemu,
      [...qemuGuestArgs(opts), "-qmp", `unix:${socket},server=on,wait=off`],
      {
        timeoutMs: opts.timeoutMs ?? 60_000,
        interact: (out, stdin) => {
          pending += out.replace(/\r\n/g, "\n");
          for (;;) {
            const a = actions[next];
            const at = a === undefined ? -1 : pending.indexOf(a.after);
            if (a === undefined || at < 0) return;
            pending = pending.slice(at + a.after.length);
            next++;
            if (a.input !== undefined) stdin.write(a.input);
            if (a.powerdown === true) {
              qmpPowerdown(socket).catch((e: Error) => (qmpErrors += `${e.message}\n`));
            }
          }
        },
      },
    );
    return {
      status: r.timedOut ? null : r.status,
      console: r.stdout.replace(/\r\n/g, "\n"),
      stderr: r.stderr + qmpErrors,
      timedOut: r.timedOut,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
