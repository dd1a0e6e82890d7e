import { readFileSync } from "node:fs";
import {
  disassembleBuffer,
  formatObjdumpLine,
  objdumpAddressWidth,
  type TargetFormat,
} from "@hvsim/ppc-isa";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";
import { ElfError, PF_X, isElf, parseElf, type ElfImage, type ElfSymbol } from "../../loader/elf";

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

interface Label {
  readonly name: string;
  readonly value: bigint;
}

/**
 * `value <sym+0x..>` as objdump writes an address in a file with symbols: the nearest symbol at
 * or below it (else the first one, with a negative offset); `labels` in objdump's order.
 */
function symbolic(labels: readonly Label[], a: bigint): string {
  let best = labels[0]!;
  for (const l of labels) if (l.value <= a && l.value > best.value) best = l;
  const off = a - best.value;
  const rel = off === 0n ? "" : off > 0n ? `+0x${off.toString(16)}` : `-0x${(-off).toString(16)}`;
  return `${a.toString(16)} <${best.name}${rel}>`;
}

/**
 * An ELF's executable segments, each as objdump -d prints a section: a label line at its start
 * and at every symbol, branch targets written `20000 <f>` when the file has symbols.
 */
function disassembleElf(elf: ElfImage, le: boolean): string {
  let out = "";
  for (const seg of elf.segments) {
    if ((seg.flags & PF_X) === 0) continue;
    const end = seg.vaddr + BigInt(seg.data.length);
    // Symbols of this segment (objdump prefers those of the target's own section).
    // objdump's order: by address; at one address global before local, then functions first.
    const rank = (s: ElfSymbol): number => (s.bind === 0 ? 2 : 0) + (s.type === 2 ? 0 : 1);
    const all = elf.symbols
      .filter((s) => s.name !== "" && s.type <= 2)
      .sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : rank(x) - rank(y)))
      .map((s) => ({ name: s.name, value: s.value }));
    const mine = all.filter((s) => s.value >= seg.vaddr && s.value < end);
    const labels = mine.length > 0 ? mine : all;
    const target: TargetFormat | undefined =
      labels.length > 0 ? (a) => symbolic(labels, a) : undefined;
    const width = objdumpAddressWidth(end);
    out += `\nDisassembly of segment at 0x${seg.vaddr.toString(16)}:\n`;
    if (target === undefined) out += "\n";
    for (const line of disassembleBuffer(seg.data, seg.vaddr, le, target)) {
      const at = mine.find((s) => s.value === line.addr);
      if (target !== undefined && (line.addr === seg.vaddr || at !== undefined)) {
        const label =
          at !== undefined ? `<${at.name}>` : symbolic(labels, line.addr).replace(/^\S+ /, "");
        out += `\n${line.addr.toString(16).padStart(16, "0")} ${label}:\n`;
      }
      out += formatObjdumpLine(line, width) + "\n";
    }
  }
  return out;
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
        io.out(disassembleElf(elf, forced ?? elf.littleEndian));
        return;
      }
      const base = opts.base === undefined ? 0n : parseNumber(opts.base, "--base");
      const width = objdumpAddressWidth(base + BigInt(bytes.length));
      for (const line of disassembleBuffer(bytes, base, forced ?? true))
        io.out(formatObjdumpLine(line, width) + "\n");
    });
};
