import { readFileSync, writeFileSync } from "node:fs";
import { AsmError, assemble } from "@hvsim/ppc-isa";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

// `hvsim asm FILE.S -o OUT`: GNU as syntax over hvsim's instruction subset; writes the raw
// bytes of .text followed by the other sections, each aligned to 4 KiB (a -bios style image).
export const registerAsm: RegisterCommand = (program, { io }) => {
  program
    .command("asm")
    .description("assemble GNU as syntax (hvsim's instruction subset) to a raw binary")
    .argument("<file>", "assembly source")
    .requiredOption("-o, --output <file>", "output file (raw binary)")
    .option("--endian <order>", "little or big", "little")
    .action((file: string, opts: { output: string; endian: string }) => {
      if (opts.endian !== "little" && opts.endian !== "big") {
        throw new UsageError(`--endian must be "little" or "big", not "${opts.endian}"`);
      }
      let source: string;
      try {
        source = readFileSync(file, "utf8");
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      let result;
      try {
        result = assemble(source, { littleEndian: opts.endian === "little" });
      } catch (e) {
        if (e instanceof AsmError) throw new UsageError(`${file}: ${e.message}`);
        throw e;
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      const names = [".text", ...[...result.sections.keys()].filter((n) => n !== ".text")];
      for (const name of names) {
        const bytes = result.sections.get(name)!;
        if (bytes.length === 0) continue;
        const pad = (4096 - (size % 4096)) % 4096;
        if (size > 0 && pad > 0) {
          parts.push(new Uint8Array(pad));
          size += pad;
        }
        parts.push(bytes);
        size += bytes.length;
      }
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      writeFileSync(opts.output, out);
      io.out(`${opts.output}: ${size} bytes\n`);
    });
};
