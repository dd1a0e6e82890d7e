import { runProcess } from "@hvsim/internal-peers";
import { fileURLToPath } from "node:url";
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

  it("runs the demo: every step ends as expected", async () => {
    // In a child process, as `pnpm demo` runs it: the machine steps simulate for seconds, which
    // would stall the test worker's event loop if run here.
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    const r = await runProcess(process.execPath, [`${root}scripts/hvsim.mjs`, "demo"], {
      timeoutMs: 240_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/demo: (\d+) of \1 steps as expected/);
    expect(r.stdout).toContain("cap-rpt-invalidate higher level (1) in incoming stream");
    expect(r.stdout).toContain("l1hv: 6 of 6 L2s succeeded");
    expect(r.stdout).toContain("[L2.1] page-churn: FAILED");
    expect(r.stdout).toContain("same output as QEMU: yes");
    expect(r.stdout).not.toContain("same output as QEMU: NO");
  }, 250_000);
});
