import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  SNAPSHOT_FORMAT_VERSION,
  SnapshotError,
  readSnapshot,
  writeSnapshot,
} from "./snapshot-file";

const state = {
  version: 1,
  cpu: { pc: "0x100", gpr: ["0x0", "0xffffffffffffffff"], icount: 1234 },
  tb: 2n ** 63n + 5n,
  memory: [
    { gpa: 0, data: new Uint8Array([1, 2, 3, 4]) },
    { gpa: 0x10000, data: new Uint8Array(65536).fill(0xa5) },
  ],
  nothing: null,
  flags: [true, false],
};

function problemOf(bytes: Uint8Array): string {
  try {
    readSnapshot(bytes, "pseries");
    return "none";
  } catch (e) {
    if (e instanceof SnapshotError) return e.problem;
    throw e;
  }
}

describe("snapshot file", () => {
  it("round-trips plain data with bigints and byte arrays", () => {
    const bytes = writeSnapshot("pseries", state);
    expect(readSnapshot(bytes, "pseries")).toEqual(state);
    // Deterministic: the same state gives the same bytes.
    expect(writeSnapshot("pseries", state)).toEqual(bytes);
    // 64 KiB of one byte deflates to almost nothing.
    expect(bytes.length).toBeLessThan(2000);
  });

  it("refuses another machine's snapshot, naming both", () => {
    const bytes = writeSnapshot("arm64-virt", state);
    expect(() => readSnapshot(bytes, "pseries")).toThrow(
      "this is a snapshot of machine type arm64-virt, not pseries: restore it with -M arm64-virt",
    );
  });

  it("refuses another format version and a file that is no snapshot", () => {
    const bytes = writeSnapshot("pseries", state);
    new DataView(bytes.buffer).setUint32(8, SNAPSHOT_FORMAT_VERSION + 1, true);
    expect(() => readSnapshot(bytes, "pseries")).toThrow(
      `snapshot format version ${SNAPSHOT_FORMAT_VERSION + 1}, this hvsim reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
    expect(problemOf(new TextEncoder().encode("\x7fELF..."))).toBe("not-a-snapshot");
    expect(problemOf(new Uint8Array(0))).toBe("not-a-snapshot");
  });

  it("every truncation is refused as truncated (or as no snapshot when the magic is cut)", () => {
    const bytes = writeSnapshot("pseries", state);
    for (let n = 0; n < bytes.length; n++) {
      expect(problemOf(bytes.subarray(0, n)), `cut at ${n}`).toBe(
        n < 8 ? "not-a-snapshot" : "truncated",
      );
    }
  });

  it("any single changed byte is refused, never restored as different state", () => {
    const bytes = writeSnapshot("pseries", state);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, x) => {
          const bad = bytes.slice();
          bad[at] = bad[at]! ^ x;
          expect(problemOf(bad)).not.toBe("none");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("trailing bytes after the last section are corruption", () => {
    const bytes = writeSnapshot("pseries", state);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => readSnapshot(longer, "pseries")).toThrow("1 bytes follow the last section");
  });
});
