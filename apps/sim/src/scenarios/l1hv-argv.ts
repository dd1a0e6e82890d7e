// The l1hv command line the nested scenarios share: one vCPU, 512 MiB, the L2 images in its
// initrd (as apps/sim/guests/README.md runs it on QEMU).
export function l1hvArgv(guests: string, machine: string, append?: string): string[] {
  return [
    "run",
    "-M",
    machine,
    "-m",
    "512M",
    "-smp",
    "1",
    "-kernel",
    `${guests}/l1hv/l1hv.elf`,
    "-initrd",
    `${guests}/l1hv/l1hv.initrd`,
    ...(append !== undefined ? ["-append", append] : []),
  ];
}
