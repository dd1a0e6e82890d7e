import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describeWithPeers } from "@hvsim/internal-peers";
import { expect, it } from "vitest";
import { runOnQemu } from "./qemu-peer";

const guests = fileURLToPath(new URL("../../guests/", import.meta.url));
const bootrom = `${guests}bootrom/bootrom.bin`;

describeWithPeers(
  ["powerpc64le-linux-gnu-gcc", "powerpc64le-linux-gnu-as", "powerpc64le-linux-gnu-ld"],
  "guest images",
  () => {
    it("the committed ELFs and boot ROM equal a fresh build of their sources", () => {
      const r = spawnSync(process.execPath, [`${guests}build.mjs`, "--check"], {
        encoding: "utf8",
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }, 120_000);
  },
);

describeWithPeers(["qemu-system-ppc64"], "guest programs on QEMU pseries (the oracle)", () => {
  it("hello prints the machine's model, memory and CPUs, then powers off", () => {
    const r = runOnQemu({ kernel: `${guests}hello/hello.elf`, bios: bootrom, smp: 2 });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(0);
    expect(r.console).toBe(
      [
        "Hello from an hvsim guest!",
        "model: IBM pSeries (emulated by qemu)",
        "memory: 512 MiB",
        "cpus: 2 cores, 2 threads",
        "EXIT: STATUS=1",
        "",
      ].join("\n"),
    );
  });
});
