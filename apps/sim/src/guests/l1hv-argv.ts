// The `hvsim run` command line for guests/l1hv, shared by the demo, the scenarios and the
// end-to-end tests: one vCPU, 512 MiB, the L2 images in its initrd (as guests/README.md runs it
// on QEMU). `guests` is the guest programs' folder.
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
    `${guests.replace(/\/$/, "")}/l1hv/l1hv.elf`,
    "-initrd",
    `${guests.replace(/\/$/, "")}/l1hv/l1hv.initrd`,
    ...(append !== undefined ? ["-append", append] : []),
  ];
}
