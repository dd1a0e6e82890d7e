// Running a pseries `-bios` image on both sides of a differential test (test support, not part
// of the package's API): QEMU TCG `-M pseries` loads it at 0 and enters at 0x100 with MSR = 0,
// and hvsim's CPU is started the same way over flat RAM with a PseriesConsole-style virtual
// hypervisor. Both return what the image printed through H_PUT_TERM_CHAR.
import { runPeer } from "@hvsim/internal-peers";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cpu } from "./cpu";
import { FlatRamBus } from "./flat-ram-bus";
import { PseriesConsole } from "./pseries-console";

export const QEMU_SYSTEM = "qemu-system-ppc64";

/** Console output (and, with `stderr`, QEMU's messages) of `img` under QEMU TCG. */
export function runOnQemu(
  img: Uint8Array,
  opts: { cpu?: string; stderr?: boolean; timeoutMs?: number } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-bios-"));
  try {
    const file = join(dir, "img.bin");
    writeFileSync(file, img);
    const args = ["-M", "pseries", ...(opts.cpu === undefined ? [] : ["-cpu", opts.cpu])];
    args.push("-m", "512M", "-accel", "tcg", "-nographic", "-nodefaults");
    args.push("-serial", "stdio", "-display", "none", "-bios", file);
    const r = runPeer(QEMU_SYSTEM, args, { timeout: opts.timeoutMs ?? 120_000 });
    return (r.stdout + (opts.stderr === true ? r.stderr : "")).replace(/\r/g, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Console output of `img` on hvsim's CPU. `con` is the virtual hypervisor (a PseriesConsole by
 * default), `setup` adjusts the CPU before it starts. A run that does not end with RTAS
 * power-off appends a line saying how it ended.
 */
export function runOnHvsim(
  img: Uint8Array,
  opts: {
    memBytes?: number;
    maxInsns?: number;
    console?: (bus: FlatRamBus) => PseriesConsole;
    setup?: (cpu: Cpu) => void;
    /** Every instruction through the general executor (CpuOptions.singleStep). */
    singleStep?: boolean;
  } = {},
): string {
  const bus = new FlatRamBus(opts.memBytes ?? Math.ceil(img.length / 4096) * 4096 + (1 << 20));
  bus.loadImage(0, img);
  const con = opts.console?.(bus) ?? new PseriesConsole(bus);
  const cpu = new Cpu({ bus, vhyp: con, singleStep: opts.singleStep });
  con.attach(cpu);
  opts.setup?.(cpu);
  cpu.pc = 0x100n;
  cpu.msr = 0n; // QEMU pseries at reset: MSR = 0 (32-bit, big-endian, guest state)
  const stop = cpu.run(opts.maxInsns ?? 200_000_000);
  if (stop.kind === "exit" && stop.reason === "rtas power-off") return con.output;
  return `${con.output}\nhvsim stopped: ${JSON.stringify(stop)} at pc 0x${cpu.pc.toString(16)}\n`;
}
