import { buildFdt, parseDts, parseFdt, toDts } from "@hvsim/fdt";
import { readFileSync, writeFileSync } from "node:fs";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

/** Exit status for input that cannot be read or is not a valid device tree. */
const BAD_INPUT = 1;

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function readInput(file: string, kind: ".dtb" | ".dts"): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(
      `cannot read ${file} (${reason(e)}): give the path of a ${kind} file`,
      BAD_INPUT,
    );
  }
}

// `hvsim fdt ...`: device-tree tools over @hvsim/fdt.
export const registerFdt: RegisterCommand = (program, { io }) => {
  const fdt = program.command("fdt").description("flattened device tree (.dtb) tools");
  fdt
    .command("dump")
    .description("print a .dtb in device-tree source syntax, as `dtc -I dtb -O dts` does")
    .argument("<file>", "flattened device tree blob, e.g. from qemu -machine dumpdtb=FILE")
    .option("--keep-name-properties", "also print `name` properties that dtc drops")
    .option("--split-string-lists", 'print string lists as "a", "b" (dtc >= 1.7) not "a\\0b"')
    .action((file: string, opts: { keepNameProperties?: boolean; splitStringLists?: boolean }) => {
      const parsed = parseFdt(new Uint8Array(readInput(file, ".dtb")));
      if (!parsed.ok) {
        throw new UsageError(
          `${file}: not a valid device tree: ${parsed.error.message}`,
          BAD_INPUT,
        );
      }
      io.out(
        toDts(parsed.fdt.tree, {
          keepNameProperties: opts.keepNameProperties === true,
          splitStringLists: opts.splitStringLists === true,
        }),
      );
    });

  fdt
    .command("compile")
    .description("compile device-tree source to a .dtb, as `dtc -I dts -O dtb` does")
    .argument("<file>", "device-tree source without labels, references or expressions")
    .requiredOption("-o, --output <file>", "where to write the .dtb")
    .action((file: string, opts: { output: string }) => {
      const parsed = parseDts(readInput(file, ".dts").toString("utf8"));
      if (!parsed.ok) throw new UsageError(`${file}: ${parsed.error.message}`, BAD_INPUT);
      try {
        writeFileSync(opts.output, buildFdt(parsed.tree));
      } catch (e) {
        throw new UsageError(`cannot write ${opts.output} (${reason(e)})`, BAD_INPUT);
      }
    });
};
