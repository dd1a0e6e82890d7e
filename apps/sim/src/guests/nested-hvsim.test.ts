// L0 -> L1 -> L2 on hvsim: guests/l1hv with cap-nested-hv=on must print exactly what it prints
// on QEMU's TCG L0 (l1hv.expected, the QEMU golden), and with cap-rpt-invalidate=on what
// l1hv-rpt-invalidate.expected says (QEMU refuses that cap under TCG). kvm-nested plays L0.
//
// l1hv.invalidate=skip|wrong-lpid|wrong-page break l1hv's page invalidation after each remap
// on purpose. QEMU's TCG L0 cannot see it (it flushes its whole TLB on every L1<->L2 switch);
// hvsim's L0 keeps TLB entries and shadow PTEs tagged by shadow LPID across switches, so every
// l2-page-churn round must see the old page ("stale 8192: FAILED"), and nothing else changes.
//
// Every run checks isolation (-d isolation): each host-memory access made for the L1 or its
// L2s -- by the vCPU, the MMU and L0 -- must fall inside the L1's memslots or the page tables
// L0 keeps for it, or the run stops with an error (kvm-nested's IsolationChecker; its tests
// show it catching deliberately broken shadow entries).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runL1hv } from "./l1hv-run";
import type { L1hvRun } from "./l1hv-run";

const guests = fileURLToPath(new URL("../../guests/", import.meta.url));
const golden = (name: string) => readFileSync(`${guests}l1hv/${name}`, "utf8");
const NESTED = "pseries,cap-nested-hv=on";
const BROKEN = ["skip", "wrong-lpid", "wrong-page"] as const;
const ISOLATION = ["-d", "isolation"];

function expectedBroken(mode: string): string {
  return golden("l1hv.expected")
    .replace(
      "(fallback)\n",
      `(fallback)\npage invalidations deliberately broken: l1hv.invalidate=${mode}\n`,
    )
    .replace(
      /new contents in 8192\/8192 doublewords, stale 0: ok/g,
      "new contents in 0/8192 doublewords, stale 8192: FAILED",
    )
    .replace(
      "[L2.1] page-churn: every remap seen\n[L2.1] EXIT: STATUS=1",
      "[L2.1] page-churn: FAILED\n[L2.1] EXIT: STATUS=3",
    )
    .replace(
      "l1hv: 6 of 6 L2s succeeded\nEXIT: STATUS=1",
      "l1hv: 5 of 6 L2s succeeded\nEXIT: STATUS=3",
    );
}

const runs = new Map<string, L1hvRun>();

beforeAll(async () => {
  // The first run also bundles the CLI; the others then go side by side.
  runs.set("plain", await runL1hv(NESTED, undefined, [...ISOLATION, "--stats"]));
  const rest = await Promise.all([
    runL1hv(`${NESTED},cap-rpt-invalidate=on`, undefined, ISOLATION),
    runL1hv(NESTED, "l1hv.bench=1000", ISOLATION),
    runL1hv(NESTED, "l1hv.run=l2-mmio", ISOLATION),
    ...BROKEN.map((m) => runL1hv(NESTED, `l1hv.invalidate=${m}`, ISOLATION)),
  ]);
  runs.set("rpt", rest[0]!);
  runs.set("bench", rest[1]!);
  runs.set("mmio", rest[2]!);
  BROKEN.forEach((m, i) => runs.set(m, rest[i + 3]!));
}, 600_000);

describe("l1hv on hvsim (-M pseries,cap-nested-hv=on -m 512M -smp 1)", () => {
  it("prints l1hv.expected, QEMU's output, and powers off", () => {
    const r = runs.get("plain")!;
    const [errors, stats = ""] = r.errors.split("\nhvsim stats (power-off)\n");
    expect(errors).toBe("");
    expect(r.console).toBe(golden("l1hv.expected"));
    expect(r.status).toBe(0);
    // -d isolation was on and saw the whole run.
    expect(stats).toMatch(
      /^isolation +[1-9]\d* data and [1-9]\d* page-table accesses checked, none outside$/m,
    );
  });

  it("with cap-rpt-invalidate=on invalidates with H_RPT_INVALIDATE (l1hv-rpt-invalidate.expected)", () => {
    const r = runs.get("rpt")!;
    expect(r.errors).toBe("");
    expect(r.console).toBe(golden("l1hv-rpt-invalidate.expected"));
    expect(r.status).toBe(0);
  });
});

describe("l1hv's other modes on hvsim", () => {
  it("l1hv.bench=1000 (l2-hcall-loop alone) prints l1hv-bench.expected, QEMU's output", () => {
    const r = runs.get("bench")!;
    expect(r.errors).toBe("");
    expect(r.console).toBe(golden("l1hv-bench.expected"));
    expect(r.status).toBe(0);
  });

  it("l1hv.run=l2-mmio: the L2's load from L1 non-RAM is the VMM's MMIO, refused like the L1's", () => {
    // kvm-nested returns H_TOO_HARD (r3 = 0 to the L1) and the vCPU leaves with the MMIO exit
    // of the L1 address; hvsim's pseries has no device there and stops. (QEMU's TCG L0 reads 0.)
    const r = runs.get("mmio")!;
    expect(
      r.console.endsWith(
        "[L2.0] l2-mmio: loading from 0x40000000, L1 address 0x40000000 (not RAM)\n",
      ),
    ).toBe(true);
    expect(r.errors).toBe(
      "hvsim: an L2 on vCPU 0 read its L1's guest physical 0x40000000, which is not RAM: hvsim does not emulate MMIO for nested guests\n",
    );
    expect(r.status).toBe(3);
  });
});

describe("l1hv with a deliberately broken invalidation, on hvsim", () => {
  for (const mode of BROKEN) {
    it(`l1hv.invalidate=${mode}: every page-churn round reports stale data`, () => {
      const r = runs.get(mode)!;
      expect(r.errors).toBe("");
      expect(r.console).toBe(expectedBroken(mode));
      expect(r.status).toBe(0);
    });
  }
});
