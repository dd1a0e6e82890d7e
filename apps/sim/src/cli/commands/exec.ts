import { Cpu, FlatRamBus, PseriesConsole, type StopReason } from "@hvsim/ppc-isa";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";
import { ElfError, isElf, parseElf } from "../../loader/elf";
import { parseNumber, readInput } from "./disasm";

const MSR_DEFAULT = 0x9000000000000001n; // SF | HV | LE

const hex64 = (v: bigint): string => "0x" + v.toString(16).padStart(16, "0");

function describeStop(s: StopReason): string {
  switch (s.kind) {
    case "attn":
      return "attn";
    case "max-insns":
      return "max-insns";
    case "interrupt":
      return `interrupt 0x${s.vector.toString(16)} (srr0=${hex64(s.srr0)} srr1=${hex64(s.srr1)})`;
    case "idle":
      return "idle (stop with no wake-up source)";
    case "exit":
      return `exit (${s.reason})`;
    case "checkstop":
      return `checkstop (${s.reason})`;
    default: {
      const never: never = s;
      return String(never);
    }
  }
}

/**
 * The register dump printed by `hvsim exec` (documented in apps/sim's README):
 *   stop: <reason>
 *   r0  = 0x................ r1  = 0x................ r2  = ... r3  = ...   (4 per line)
 *   cr  = 0x........ xer = 0x................
 *   lr  = 0x................ ctr = 0x................
 *   pc  = 0x................ msr = 0x................
 *   insns = <retired instructions>
 */
export function formatRegisters(cpu: Cpu, stop: StopReason): string {
  let out = `stop: ${describeStop(stop)}\n`;
  for (let r = 0; r < 32; r += 4) {
    const cells: string[] = [];
    for (let k = r; k < r + 4; k++) cells.push(`${`r${k}`.padEnd(3)} = ${hex64(cpu.getGpr(k))}`);
    out += cells.join(" ") + "\n";
  }
  out += `cr  = 0x${cpu.cr.toString(16).padStart(8, "0")} xer = ${hex64(cpu.xer)}\n`;
  out += `lr  = ${hex64(cpu.lr)} ctr = ${hex64(cpu.ctr)}\n`;
  out += `pc  = ${hex64(cpu.pc)} msr = ${hex64(cpu.msr)}\n`;
  out += `insns = ${cpu.icount}\n`;
  return out;
}

interface ExecOptions {
  load?: string;
  entry?: string;
  msr?: string;
  maxInsns: string;
  mem: string;
  singleStep?: boolean;
}

// `hvsim exec FILE`: run a bare CPU over flat memory and print its registers.
export const registerExec: RegisterCommand = (program, { io, setExit }) => {
  program
    .command("exec")
    .description("run a PowerPC image on a bare CPU over flat RAM and print the registers")
    .argument("<file>", "ELF64 executable, or a raw binary (with --load)")
    .option("--load <addr>", "load a raw image at this real address")
    .option("--entry <addr>", "start address (default: the ELF entry, or the load address)")
    .option("--msr <value>", "initial MSR (default 0x9000000000000001 = SF|HV|LE)")
    .option("--max-insns <n>", "stop after this many instructions", "1000000000")
    .option("--mem <bytes>", "RAM size", "0x10000000")
    .option(
      "--single-step",
      "run every instruction through the CPU's general executor, not its inline loop (as QEMU's one-insn-per-tb): slower, same results",
    )
    .action((file: string, opts: ExecOptions) => {
      const bytes = readInput(file);
      const memSize = Number(parseNumber(opts.mem, "--mem"));
      if (memSize < 4096 || memSize % 4096 !== 0 || memSize > 0x80000000) {
        throw new UsageError("--mem must be a multiple of 4096 between 4 KiB and 2 GiB");
      }
      const bus = new FlatRamBus(memSize);
      let entry: bigint;
      const place = (addr: bigint, data: Uint8Array, what: string): void => {
        if (addr + BigInt(data.length) > BigInt(memSize)) {
          throw new UsageError(
            `${what} (0x${addr.toString(16)}, ${data.length} bytes) does not fit in --mem 0x${memSize.toString(16)}`,
          );
        }
        bus.loadImage(Number(addr), data);
      };
      if (isElf(bytes)) {
        if (opts.load !== undefined)
          throw new UsageError(
            "--load applies to raw images only; an ELF carries its load addresses",
          );
        let elf;
        try {
          elf = parseElf(bytes, file);
        } catch (e) {
          if (e instanceof ElfError) throw new UsageError(e.message);
          throw e;
        }
        elf.segments.forEach((s, i) => place(s.paddr, s.data, `segment ${i}`));
        entry = elf.entry;
      } else {
        if (opts.load === undefined)
          throw new UsageError(
            `${file} is not an ELF file: give its load address with --load ADDR`,
          );
        const at = parseNumber(opts.load, "--load");
        place(at, bytes, "the image");
        entry = at;
      }
      if (opts.entry !== undefined) entry = parseNumber(opts.entry, "--entry");
      const msr = opts.msr === undefined ? MSR_DEFAULT : parseNumber(opts.msr, "--msr");
      const maxInsns = Number(parseNumber(opts.maxInsns, "--max-insns"));
      // Guest state (MSR[HV]=0) gets a minimal pseries firmware: console hcall and RTAS
      // power-off, so QEMU `-M pseries -bios` images run unchanged.
      const con = new PseriesConsole(bus, (s) => io.out(s));
      const cpu = new Cpu({
        bus,
        vhyp: con,
        interrupts: "stop",
        singleStep: opts.singleStep === true,
      });
      con.attach(cpu);
      cpu.msr = msr;
      cpu.pc = entry;
      const stop = cpu.run(maxInsns);
      if (con.output !== "" && !con.output.endsWith("\n")) io.out("\n");
      io.out(formatRegisters(cpu, stop));
      if (stop.kind === "interrupt" || stop.kind === "checkstop") setExit(1);
    });
};
