import { readFileSync } from "node:fs";
import { disassembleBuffer, formatObjdumpLine } from "@hvsim/ppc-isa";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";
import { ElfError, PF_X, isElf, parseElf } from "../../loader/elf";

/** A number option: decimal or 0x-hex, as a BigInt. */
export function parseNumber(text: string, what: string): bigint {
  const t = text.trim().replace(/_/g, "");
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) {
    throw new UsageError(`${what} "${text}" is not a number (use decimal or 0x-prefixed hex)`);
  }
  return BigInt(t);
}

export function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function parseEndian(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "little" || v === "le") return true;
  if (v === "big" || v === "be") return false;
  throw new UsageError(`--endian must be "little" or "big", not "${v}"`);
}

// `hvsim disasm FILE`: objdump-style disassembly of an ELF's executable segments or a raw image.
export const registerDisasm: RegisterCommand = (program, { io }) => {
  program
    .command("disasm")
    .description("disassemble a PowerPC ELF or raw image (GNU objdump -d syntax)")
    .argument("<file>", "ELF64 executable, or a raw binary")
    .option("--base <addr>", "address of the first byte of a raw image (default 0)")
    .option("--endian <order>", "little or big (default: the ELF's, or little for raw)")
    .action((file: string, opts: { base?: string; endian?: string }) => {
      const bytes = readInput(file);
      const forced = parseEndian(opts.endian);
      if (isElf(bytes)) {
        if (opts.base !== undefined)
          throw new UsageError("--base applies to raw images only; an ELF carries its addresses");
        let elf;
        try {
          elf = parseElf(bytes, file);
        } catch (e) {
          if (e instanceof ElfError) throw new UsageError(e.message);
          throw e;
        }
        const le = forced ?? elf.littleEndian;
        for (const seg of elf.segments) {
          if ((seg.flags & PF_X) === 0) continue;
          io.out(`\nDisassembly of segment at 0x${seg.vaddr.toString(16)}:\n\n`);
          for (const line of disassembleBuffer(seg.data, seg.vaddr, le))
            io.out(formatObjdumpLine(line) + "\n");
        }
        return;
      }
      const base = opts.base === undefined ? 0n : parseNumber(opts.base, "--base");
      for (const line of disassembleBuffer(bytes, base, forced ?? true))
        io.out(formatObjdumpLine(line) + "\n");
    });
};
