// Runs a guest image on QEMU's pseries machine (TCG), the oracle for hvsim's own machine:
// `qemu-system-ppc64 -M pseries -bios BOOTROM -kernel X.elf`, console on stdio.
import { runPeerAsync } from "@hvsim/internal-peers";
import { qemuGuestArgs } from "./qemu-args";
import type { QemuGuestOptions } from "./qemu-args";

export interface QemuRunOptions extends QemuGuestOptions {
  timeoutMs?: number;
  /** Bytes for the guest console (stdin of `-serial stdio`). */
  input?: string;
}

export interface QemuRunResult {
  status: number | null;
  console: string;
  stderr: string;
  timedOut: boolean;
}

export async function runOnQemu(opts: QemuRunOptions): Promise<QemuRunResult> {
  const args = qemuGuestArgs(opts);
  const r = await runPeerAsync("qemu-system-ppc64", args, {
    timeoutMs: opts.timeoutMs ?? 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return {
    status: r.timedOut ? null : r.status,
    console: r.stdout.replace(/\r\n/g, "\n"),
    stderr: r.stderr,
    timedOut: r.timedOut,
  };
}
