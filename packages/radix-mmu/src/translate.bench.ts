// Benchmark: translations per second on TLB hits and on walks (host and guest 2-D), with the
// memory reads per walk. Run with `pnpm bench` (bundled by tsup, run by node). Wall-clock
// timing is fine here: this is measurement code, not simulation code.
import type { AccessKind, MmuFault, MmuRegs, TranslationOk } from "./contract";
import { mapRange } from "./builders/tree";
import { loadavg } from "node:os";
import { RadixMmu, type RadixMmuOptions } from "./radix-mmu";
import { guestSetup, hostSetup } from "./test-fixtures";

interface Row {
  name: string;
  mps: number;
  ns: number;
  readsPerWalk: string;
}

const PAGES = 256;
const rows: Row[] = [];

function measure(
  name: string,
  mmu: { translate(h: number, l: number, a: AccessKind, r: MmuRegs): TranslationOk | MmuFault },
  regs: MmuRegs,
  addrs: Float64Array,
  hiBits: number,
  counters?: () => { walks: number; walkReads: number },
) {
  const n = addrs.length;
  let sink = 0;
  // Warm up (fills caches, lets V8 optimise), and size the runs to about 20 ms each.
  const c0 = performance.now();
  for (let i = 0; i < 20_000; i++) {
    const r = mmu.translate(hiBits, addrs[i % n]!, 0, regs);
    if (r.kind === "fault") throw new Error(`${name}: unexpected fault ${JSON.stringify(r)}`);
    sink += r.ra;
  }
  const perMs = 20_000 / Math.max(performance.now() - c0, 0.001);
  const runLength = Math.max(500, Math.round(perMs * 20));
  const before = counters?.();
  // Best of 25 short runs: on a shared, loaded machine the minimum is the stable figure.
  let best = Infinity;
  for (let rep = 0; rep < 25; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < runLength; i++) {
      const r = mmu.translate(hiBits, addrs[i % n]!, 0, regs);
      if (r.kind === "ok") sink += r.ra;
    }
    best = Math.min(best, (performance.now() - t0) / runLength);
  }
  const nsPer = best * 1e6;
  let readsPerWalk = "-";
  if (counters !== undefined && before !== undefined) {
    const after = counters();
    const walks = after.walks - before.walks;
    readsPerWalk =
      walks === 0 ? "0 walks" : ((after.walkReads - before.walkReads) / walks).toFixed(2);
  }
  rows.push({ name, mps: 1e3 / nsPer, ns: nsPer, readsPerWalk });
  return sink;
}

function addrs(base: number, pages: number, stride: number): Float64Array {
  const a = new Float64Array(pages * 4);
  for (let i = 0; i < a.length; i++) a[i] = base + (i % pages) * stride + (i >> 2) * 8;
  return a;
}

// The fixtures' MMUs read through a recording wrapper (for golden tests); the benchmark uses
// a fresh MMU over the raw SparseMemory instead.
function host(opts: Partial<RadixMmuOptions>) {
  const h = hostSetup(opts);
  h.mmu = new RadixMmu({ ...opts, mem: h.mem });
  mapRange(h.user, 0x10000000, 0x20000000, PAGES * 0x200000, { perm: 7 }, 12);
  return h;
}

function guest(opts: Partial<RadixMmuOptions>) {
  const g = guestSetup(opts, 21);
  g.mmu = new RadixMmu({ ...opts, mem: g.mem });
  mapRange(g.gUser, 0x10000000, 0x4000000, PAGES * 0x1000, { perm: 7 }, 12);
  mapRange(g.gUser, 0x20000000, 0x4000000, 64 * 0x200000, { perm: 7 }, 12);
  return g;
}

const c = (m: RadixMmu) => () => m.counters();

// A flat translator doing the least a Translator can do (allocate the result): the floor.
const flat = {
  translate(h: number, l: number, _a: AccessKind, _r: MmuRegs): TranslationOk {
    return { kind: "ok", ra: (h & 0xfffff) * 4294967296 + l, pageShift: 12, perm: 7 };
  },
};

{
  const h = host({});
  measure(
    "flat translator (floor: allocate the result)",
    flat,
    h.regs,
    addrs(0x10000000, PAGES, 0x1000),
    0,
  );
  measure("HV real mode", h.mmu, { ...h.regs, msrDR: false }, addrs(0x10000000, PAGES, 0x1000), 0);
  measure(
    "host TLB hit (256 x 4K pages)",
    h.mmu,
    h.regs,
    addrs(0x10000000, PAGES, 0x1000),
    0,
    c(h.mmu),
  );
}
{
  const g = guest({});
  measure(
    "guest 2-D TLB hit (256 x 4K pages)",
    g.mmu,
    g.guestRegs,
    addrs(0x10000000, PAGES, 0x1000),
    0,
    c(g.mmu),
  );
}
{
  // TLB off: every translation walks; PWC and PATE/PRTE caches warm.
  const h = host({ tlbEntries: 0 });
  measure(
    "host walk, PWC + table caches warm",
    h.mmu,
    h.regs,
    addrs(0x10000000, PAGES, 0x200000),
    0,
    c(h.mmu),
  );
  const h0 = host({ tlbEntries: 0, pwcEntries: 0, tableCache: false });
  measure(
    "host walk, no caches (worst case)",
    h0.mmu,
    h0.regs,
    addrs(0x10000000, PAGES, 0x200000),
    0,
    c(h0.mmu),
  );
}
{
  const g = guest({ tlbEntries: 0 });
  measure(
    "guest 2-D walk, PWC + table caches warm",
    g.mmu,
    g.guestRegs,
    addrs(0x20000000, 64, 0x200000),
    0,
    c(g.mmu),
  );
  const none = { tlbEntries: 0, pwcEntries: 0, tableCache: false };
  const g4 = guestSetup(none, 12);
  g4.mmu = new RadixMmu({ ...none, mem: g4.mem });
  mapRange(g4.gUser, 0x20000000, 0x5000000, 0x2000000, { perm: 7 }, 12);
  measure(
    "guest 2-D walk, no caches, 4K/4K (worst case)",
    g4.mmu,
    g4.guestRegs,
    addrs(0x20000000, 16, 0x200000),
    0,
    c(g4.mmu),
  );
}

const w = Math.max(...rows.map((r) => r.name.length));
console.log(
  `\n@hvsim/radix-mmu translate() on node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} (best of 25 runs of ~20 ms each)\n`,
);
console.log(
  `${"scenario".padEnd(w)}  ${"M transl/s".padStart(10)}  ${"ns/transl".padStart(9)}  reads/walk`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(w)}  ${r.mps.toFixed(1).padStart(10)}  ${r.ns.toFixed(1).padStart(9)}  ${r.readsPerWalk}`,
  );
}
const flatRow = rows[0]!;
const hit = rows.find((r) => r.name.startsWith("host TLB hit"))!;
console.log(
  `\nhost TLB hit costs ${(hit.ns / flatRow.ns).toFixed(2)}x the flat floor (the CPU's own soft TLB sits in front of both).`,
);
