// L0 -> L1 -> L2 on QEMU's pseries machine (TCG) as the oracle: guests/l1hv is an L1
// hypervisor that runs the programs packed in its initrd (l2-hello, l2-page-churn,
// l2-compute, and the L1-level radix, timer and cede programs unchanged) with H_ENTER_NESTED. Its console output is scheduling-independent, so hvsim's
// own nested-HV L0 must print exactly the same bytes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeWithPeers } from "@hvsim/internal-peers";
import { describe, expect, it } from "vitest";
import { runOnQemu } from "./qemu-peer";

const guests = fileURLToPath(new URL("../../guests/", import.meta.url));
const l1hv = {
  kernel: `${guests}l1hv/l1hv.elf`,
  bios: `${guests}bootrom/bootrom.bin`,
  smp: 1, // QEMU's TCG nested-HV needs one thread per core
  extra: ["-initrd", `${guests}l1hv/l1hv.initrd`],
  timeoutMs: 60_000,
};
const golden = (name: string) => readFileSync(`${guests}l1hv/${name}`, "utf8");

describeWithPeers(["qemu-system-ppc64"], "l1hv on QEMU pseries with cap-nested-hv=on", () => {
  it("runs its six L2s and prints l1hv.expected", async () => {
    const r = await runOnQemu({ ...l1hv, machine: "pseries,cap-nested-hv=on" });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(0);
    expect(r.console).toBe(golden("l1hv.expected"));
  }, 90_000);

  it("finds no nested HV without cap-nested-hv and says so", async () => {
    const r = await runOnQemu({ ...l1hv, machine: "pseries" });
    expect(r.timedOut).toBe(false);
    expect(r.console).toContain("H_SET_PARTITION_TABLE (64 KiB, 4096 entries): rc=-2\n");
    expect(r.console).toContain("l1hv: L0 offers no nested HV");
    expect(r.console.endsWith("EXIT: STATUS=3\n")).toBe(true);
  }, 90_000);

  // l1hv.invalidate=skip|wrong-lpid|wrong-page breaks the invalidation after each remap on
  // purpose. QEMU's TCG L0 flushes its whole TLB on every L1<->L2 switch and walks L1's tree
  // afresh, so l2-page-churn still passes there: the only difference is l1hv's warning line.
  // (hvsim's L0 keeps translations tagged by shadow LPID and must make page-churn fail.)
  for (const broken of ["skip", "wrong-lpid", "wrong-page"]) {
    it(`cannot see a deliberately broken invalidation (l1hv.invalidate=${broken})`, async () => {
      const r = await runOnQemu({
        ...l1hv,
        machine: "pseries,cap-nested-hv=on",
        extra: [...l1hv.extra, "-append", `l1hv.invalidate=${broken}`],
      });
      expect(r.timedOut).toBe(false);
      expect(r.status).toBe(0);
      expect(r.console).toBe(
        golden("l1hv.expected").replace(
          "(fallback)\n",
          `(fallback)\npage invalidations deliberately broken: l1hv.invalidate=${broken}\n`,
        ),
      );
    }, 90_000);
  }

  it("l1hv.bench=1000 runs l2-hcall-loop alone and prints l1hv-bench.expected", async () => {
    const r = await runOnQemu({
      ...l1hv,
      machine: "pseries,cap-nested-hv=on",
      extra: [...l1hv.extra, "-append", "l1hv.bench=1000"],
    });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(0);
    expect(r.console).toBe(golden("l1hv-bench.expected"));
  }, 90_000);

  // l2-mmio loads from an L1 address that is not RAM. QEMU's TCG L0 walks the L2's access
  // straight into L1's address space, an unassigned (rejected) read that returns 0; a KVM-HV
  // L0 hands it to its VMM as MMIO (H_TOO_HARD), which hvsim's pseries, without a device
  // there, refuses (nested-hvsim.test.ts).
  it("l1hv.run=l2-mmio: the L2's load from L1 non-RAM reads 0 (an unassigned access)", async () => {
    const r = await runOnQemu({
      ...l1hv,
      machine: "pseries,cap-nested-hv=on",
      extra: [...l1hv.extra, "-append", "l1hv.run=l2-mmio"],
    });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(0);
    expect(r.console).toContain(
      "[L2.0] l2-mmio: loading from 0x40000000, L1 address 0x40000000 (not RAM)\n[L2.0] l2-mmio: read 0x0\n",
    );
  }, 90_000);

  // QEMU has no H_RPT_INVALIDATE under TCG: cap-rpt-invalidate=on makes it refuse to start
  // (it never drops a requested capability silently). l1hv's H_RPT_INVALIDATE path is
  // therefore checked against hvsim's L0 only, with l1hv-rpt-invalidate.expected.
  it("refuses cap-rpt-invalidate=on under TCG", async () => {
    const r = await runOnQemu({
      ...l1hv,
      machine: "pseries,cap-nested-hv=on,cap-rpt-invalidate=on",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("No H_RPT_INVALIDATE support in TCG");
  }, 90_000);
});

describe("l1hv goldens", () => {
  // radix, timer and cede are L1-level programs that l1hv also runs, unchanged, as L2.3-5.
  for (const [n, program] of [
    [3, "radix"],
    [4, "timer"],
    [5, "cede"],
  ] as const) {
    it(`${program} as L2.${n} prints what it prints as an L1 (${program}.expected)`, async () => {
      const prefix = `[L2.${n}] `;
      const asL2 = golden("l1hv.expected")
        .split("\n")
        .filter((l) => l.startsWith(prefix))
        .map((l) => l.slice(prefix.length) + "\n")
        .join("");
      expect(asL2).toBe(readFileSync(`${guests}${program}/${program}.expected`, "utf8"));
    });
  }

  it("the cap-rpt-invalidate=on golden differs from the QEMU golden only where l1hv says which invalidation it uses", async () => {
    const fallback = golden("l1hv.expected")
      .replace("hcall-rpt-invalidate absent\n", "hcall-rpt-invalidate present\n")
      .replaceAll("H_TLB_INVALIDATE (fallback)", "H_RPT_INVALIDATE");
    expect(golden("l1hv-rpt-invalidate.expected")).toBe(fallback);
  });
});
