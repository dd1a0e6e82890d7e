// One tsup configuration shared by every package (DESIGN §6.1): ESM, declarations, source maps.
import type { Options } from "tsup";

export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    ...overrides,
  };
}
