import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeWithPeers, runProcess } from "@hvsim/internal-peers";
import { expect, it } from "vitest";
import { GUEST_PROGRAMS, programFiles } from "./programs";
import { runOnQemu } from "./qemu-peer";

const guests = fileURLToPath(new URL("../../guests/", import.meta.url));
const bootrom = `${guests}bootrom/bootrom.bin`;

describeWithPeers(
  ["powerpc64le-linux-gnu-gcc", "powerpc64le-linux-gnu-as", "powerpc64le-linux-gnu-ld"],
  "guest images",
  () => {
    it("the committed ELFs and boot ROM equal a fresh build of their sources", async () => {
      const r = await runProcess(process.execPath, [`${guests}build.mjs`, "--check"], {
        timeoutMs: 110_000,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }, 120_000);
  },
);

describeWithPeers(["qemu-system-ppc64"], "guest programs on QEMU pseries (the oracle)", () => {
  for (const p of GUEST_PROGRAMS) {
    it(`${p.name} prints its expected console output and powers off`, async () => {
      const f = programFiles(p);
      const r = await runOnQemu({
        kernel: `${guests}${f.elf}`,
        bios: bootrom,
        smp: p.smp,
        ...(p.machine !== undefined ? { machine: p.machine } : {}),
        ...(p.append !== undefined ? { append: p.append } : {}),
        ...(p.host !== undefined ? { host: p.host } : {}),
      });
      expect(r.timedOut).toBe(false);
      expect(r.status).toBe(0);
      expect(r.console).toBe(readFileSync(`${guests}${f.golden}`, "utf8"));
    });
  }
});
