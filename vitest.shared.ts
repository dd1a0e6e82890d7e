// One vitest configuration shared by every package. Tests run from TypeScript source through
// the `@hvsim/source` export condition, and print a coverage summary.
import { defineConfig, type ViteUserConfig } from "vitest/config";

export interface PackageTestOptions {
  /** Minimum line coverage (percent) for this package; the run fails below it. */
  lines?: number;
  /** Longer per-test timeout for packages with peer-tool or end-to-end tests. */
  testTimeout?: number;
}

export function packageTests(opts: PackageTestOptions = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: ["@hvsim/source"] },
    ssr: { resolve: { conditions: ["@hvsim/source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: opts.testTimeout ?? 20_000,
      reporters: ["default", "json"],
      outputFile: { json: "coverage/test-results.json" },
      coverage: {
        provider: "v8",
        include: ["src/**/*.ts"],
        exclude: ["src/**/*.test.ts", "src/**/*.bench.ts", "src/cli.ts"],
        reporter: ["text-summary", "json-summary"],
        thresholds: opts.lines === undefined ? undefined : { lines: opts.lines },
      },
    },
  });
}
