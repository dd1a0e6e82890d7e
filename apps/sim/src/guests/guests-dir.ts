// Where the guest programs live: apps/sim/guests, found from this module whether it runs from
// source (src/...), from the CLI bundle (.hvsim/) or from dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function guestsDir(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "guests");
    if (existsSync(join(candidate, "bootrom", "bootrom.bin"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("hvsim: cannot find the guest programs (apps/sim/guests) next to this module");
}
