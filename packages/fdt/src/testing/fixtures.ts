// The QEMU device trees committed under src/fixtures (see fixtures/README.md).
import { readFileSync } from "node:fs";

export const FIXTURES = ["pseries", "pseries-nested-smp2", "powernv9"] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** The path of a fixture blob. */
export function fixturePath(name: FixtureName): string {
  return new URL(`../fixtures/${name}.dtb`, import.meta.url).pathname;
}

export function fixture(name: FixtureName): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}
