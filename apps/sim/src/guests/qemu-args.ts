// The command line that runs a guest image on QEMU's pseries machine (TCG) with its console on
// stdio, as hvsim's pseries runs it: for the oracle tests and the benchmarks.

export interface QemuGuestOptions {
  kernel: string;
  bios: string;
  machine?: string;
  memory?: string;
  smp?: number;
  /** -append: the kernel command line. */
  append?: string;
  extra?: readonly string[];
}

/** `qemu-system-ppc64` arguments: `-M MACHINE -m 512M -smp N -accel tcg ... -kernel X`. */
export function qemuGuestArgs(opts: QemuGuestOptions): string[] {
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
