import { parseFdt, toDts } from "@hvsim/fdt";
import { readFileSync } from "node:fs";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

/** Exit status for input that cannot be read or is not a valid device tree. */
const BAD_INPUT = 1;

function readBlob(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(
      `cannot read ${file} (${reason}): give the path of a .dtb file`,
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
      const parsed = parseFdt(readBlob(file));
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
};
