// The guest programs under apps/sim/guests/, with the machine options each expects. Their
// `<name>.expected` files hold the console output QEMU's pseries prints for them; hvsim's
// pseries must print the same.
export interface GuestProgram {
  name: string;
  /** One line on what it shows. */
  summary: string;
  smp: number;
}

export const GUEST_PROGRAMS: readonly GuestProgram[] = [
  { name: "hello", summary: "the device tree's model, memory size and CPU count", smp: 2 },
  { name: "timer", summary: "decrementer interrupts at a 1 ms period", smp: 1 },
  { name: "cede", summary: "H_CEDE idles until the decrementer wakes the vCPU", smp: 1 },
  {
    name: "radix",
    summary: "CAS to radix, H_REGISTER_PROC_TBL, relocation on at 0xc000..., a deliberate DSI",
    smp: 1,
  },
  { name: "smp", summary: "RTAS start-cpu brings up every vCPU; each says hello", smp: 3 },
];
