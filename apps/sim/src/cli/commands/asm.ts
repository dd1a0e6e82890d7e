import { readFileSync, writeFileSync } from "node:fs";
import { AsmError, assemble, type AsmResult } from "@hvsim/ppc-isa";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";
import { writeElf } from "../../loader/elf-writer";
import { parseNumber } from "./disasm";

/** The sections of `r` in layout order (.text first), empty ones left out. */
function laidOut(r: AsmResult): { name: string; address: bigint; bytes: Uint8Array }[] {
  return [...r.sections.entries()]
    .filter(([, bytes]) => bytes.length > 0)
    .map(([name, bytes]) => ({ name, address: r.addresses.get(name)!, bytes }));
}

/** A raw memory image from `base`: every section at its address, the gaps zero. */
function rawImage(r: AsmResult, base: bigint): Uint8Array {
  const secs = laidOut(r);
  const end = secs.reduce((e, s) => Math.max(e, Number(s.address - base) + s.bytes.length), 0);
  const out = new Uint8Array(end);
  for (const s of secs) out.set(s.bytes, Number(s.address - base));
  return out;
}

/** An ELF64 executable: entry at `_start` if defined, else the start of .text. */
function elfImage(r: AsmResult, littleEndian: boolean): Uint8Array {
  const entry = r.labelSections.has("_start")
    ? r.symbols.get("_start")!
    : r.addresses.get(".text")!;
  return writeElf({
    littleEndian,
    entry,
    sections: laidOut(r).map((s) => ({ ...s, executable: s.name.startsWith(".text") })),
    symbols: [...r.symbols.entries()].map(([name, value]) => ({
      name,
      value,
      section: r.labelSections.get(name),
      global: r.globals.has(name),
    })),
  });
}

// `hvsim asm FILE.S -o OUT [--elf]`: GNU as syntax over hvsim's instruction subset. Sections are
// laid out from --base (.text first, the others each at the next 4 KiB boundary) and labels get
// their addresses; the output is the raw memory image from --base (a -bios style image), or
// with --elf an ELF64 executable with one PT_LOAD segment per section.
export const registerAsm: RegisterCommand = (program, { io }) => {
  program
    .command("asm")
    .description("assemble GNU as syntax (hvsim's instruction subset) to a raw image or an ELF")
    .argument("<file>", "assembly source")
    .requiredOption("-o, --output <file>", "output file")
    .option("--endian <order>", "little or big", "little")
    .option("--base <addr>", "address of .text (the other sections follow it)", "0")
    .option("--elf", "write an ELF64 executable (entry: _start, else the start of .text)")
    .action(
      (file: string, opts: { output: string; endian: string; base: string; elf?: boolean }) => {
        if (opts.endian !== "little" && opts.endian !== "big") {
          throw new UsageError(`--endian must be "little" or "big", not "${opts.endian}"`);
        }
        const littleEndian = opts.endian === "little";
        const base = parseNumber(opts.base, "--base");
        let source: string;
        try {
          source = readFileSync(file, "utf8");
        } catch (e) {
          throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
        }
        let result: AsmResult;
        try {
          result = assemble(source, { littleEndian, origin: base });
        } catch (e) {
          if (e instanceof AsmError) throw new UsageError(`${file}: ${e.message}`);
          throw e;
        }
        const out = opts.elf === true ? elfImage(result, littleEndian) : rawImage(result, base);
        writeFileSync(opts.output, out);
        const kind = opts.elf === true ? `ELF64 ${opts.endian}-endian executable, ` : "";
        io.out(`${opts.output}: ${kind}${out.length} bytes\n`);
      },
    );
};
