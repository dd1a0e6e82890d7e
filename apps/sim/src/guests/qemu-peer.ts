// Runs a guest image on QEMU's pseries machine (TCG), the oracle for hvsim's own machine:
// `qemu-system-ppc64 -M pseries -bios BOOTROM -kernel X.elf`, console on stdio.
import { spawnSync } from "node:child_process";

export interface QemuRunOptions {
  kernel: string;
  bios: string;
  machine?: string;
  memory?: string;
  smp?: number;
  timeoutMs?: number;
  extra?: readonly string[];
}

export interface QemuRunResult {
  status: number | null;
  console: string;
  stderr: string;
  timedOut: boolean;
}

export function runOnQemu(opts: QemuRunOptions): QemuRunResult {
  const args = [
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
    ...(opts.extra ?? []),
  ];
  const r = spawnSync("qemu-system-ppc64", args, {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    status: r.status,
    console: String(r.stdout ?? "").replace(/\r\n/g, "\n"),
    stderr: String(r.stderr ?? ""),
    timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT",
  };
}
