// Bundles the benchmarks for `pnpm bench`. @hvsim/ppc-isa (a devDependency, used only by the
// CPU-loop benchmark) is bundled from its TypeScript source through the `@hvsim/source`
// condition, as tests run it, so no build of ppc-isa is needed first.
import { defineConfig } from "tsup";

// eslint-disable-next-line no-restricted-syntax -- tsup loads its configuration as a default export
export default defineConfig({
  entry: ["src/translate.bench.ts", "src/cpu-loop.bench.ts"],
  format: ["esm"],
  outDir: "node_modules/.cache/radix-mmu-bench",
  target: "node20",
  clean: true,
  silent: true,
  esbuildOptions(options) {
    options.conditions = ["@hvsim/source"];
  },
});
