import { describe, expect, it } from "vitest";
import { captureIO } from "./io";
import { runCli } from "./program";

describe("hvsim CLI", () => {
  it("prints help listing its commands", async () => {
    const io = captureIO();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(io.stdout()).toContain("Usage: hvsim");
    expect(io.stdout()).toContain("demo");
  });

  it("rejects an unknown command with a non-zero status and a message", async () => {
    const io = captureIO();
    expect(await runCli(["no-such-command"], io)).not.toBe(0);
    expect(io.stderr()).toContain("unknown command");
  });

  it("runs the demo", async () => {
    const io = captureIO();
    expect(await runCli(["demo"], io)).toBe(0);
    expect(io.stdout()).toMatch(/demo: (\d+) of \1 steps as expected/);
    expect(io.stdout()).toContain("cap-rpt-invalidate higher level (1) in incoming stream");
  });
});
