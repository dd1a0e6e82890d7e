// Benchmark: a load/store loop on @hvsim/ppc-isa's Cpu with relocation off (the flat
// RealModeTranslator) and with relocation on through RadixMmu, median of 5 runs each, and the
// ratio (issue 4: "the hit path may cost at most 20% over flat"). Run by `pnpm bench`.
// Wall-clock timing is fine here: this is measurement code, not simulation code.
//
// The program is the load/store loop of ppc-isa's bench/loop.S (BODY=2: ldx, add, stdx, addi,
// andi., add, addi, bdnz -- 8 instructions per iteration), assembled here to run in hypervisor
// state at 0xc000000000010000 on a 4 KiB buffer at 0xc000000000020000, ending with `attn`. The
// same bytes run in both configurations: the flat translator ignores MSR[IR/DR] and EA bits
// 0:3, so EA 0xc000000000010000 is real 0x10000 there, as it is through the radix identity map.
//
// A second loop strides over 512 pages (stride 4 KiB + 8, wrapped at 2 MiB by rldicl; mapped with 4 KiB pages), so that
// every access misses the CPU's 256-entry soft TLB and reaches the translator: with RadixMmu
// these are its TLB hits (1024 entries), with the flat translator one addition.
import {
  Cpu,
  FlatRamBus,
  RealModeTranslator,
  SPR,
  assemble,
  type Translator,
} from "@hvsim/ppc-isa";
import { loadavg } from "node:os";
import { BumpAllocator } from "./builders/allocator";
import {
  createPartitionTable,
  createProcessTable,
  radixPate,
  setPate,
  setPrte,
} from "./builders/tables";
import { createTree, mapRange } from "./builders/tree";
import { physMemOverBus } from "./phys-mem";
import { RadixMmu } from "./radix-mmu";

const RUNS = Number(process.env.HVSIM_BENCH_RUNS ?? 5);
const ITERS = Number(process.env.HVSIM_BENCH_ITERS ?? 10_000_000);
const RAM = 32 << 20;
const KBASE = 0xc000000000000000n;

function load64(reg: number, v: bigint): string {
  const h = (s: bigint): string => `0x${((v >> s) & 0xffffn).toString(16)}`;
  return `lis r${reg}, ${h(48n)}\nori r${reg}, r${reg}, ${h(32n)}\nsldi r${reg}, r${reg}, 32\noris r${reg}, r${reg}, ${h(16n)}\nori r${reg}, r${reg}, ${h(0n)}`;
}

const BODIES = {
  "load/store (loop.S BODY=2, one 4K buffer)": [
    "ldx r8, r9, r10",
    "add r4, r4, r5",
    "stdx r4, r9, r10",
    "addi r10, r10, 8",
    "andi. r10, r10, 0xff8",
    "add r7, r7, r8",
    "addi r5, r5, 1",
    "bdnz 1b",
  ],
  "load/store over 512 pages (every access misses the CPU soft TLB)": [
    "ldx r8, r9, r10",
    "add r4, r4, r5",
    "stdx r4, r9, r10",
    "addi r10, r10, 0x1008",
    "rldicl r10, r10, 0, 43",
    "add r7, r7, r8",
    "addi r5, r5, 1",
    "bdnz 1b",
  ],
} as const;

type Mode = "flat" | "radix";

function machine(body: readonly string[], mode: Mode) {
  const bus = new FlatRamBus(RAM);
  const mem = physMemOverBus(bus);
  let translator: Translator = new RealModeTranslator();
  let ptcr = 0n;
  let mmu: RadixMmu | undefined;
  if (mode === "radix") {
    // kvm-unit-tests' powernv layout: PTCR -> PATE[0] -> process table -> PRTE[0], a kernel
    // tree mapping 0xc000000000000000 + x to x (the largest pages alignment allows).
    const alloc = new BumpAllocator(mem, 0x1000000, 0x1400000);
    const pt = createPartitionTable(mem, alloc);
    const prt = createProcessTable(mem, alloc);
    const tree = createTree(mem, alloc);
    // 4 KiB pages up to 4 MiB (code, and the 512-page buffer at 2 MiB), 2 MiB pages above.
    mapRange(tree, 0, 0, 0x400000, { perm: 7, priv: true }, 12);
    mapRange(tree, 0x400000, 0x400000, RAM - 0x400000, { perm: 7, priv: true });
    setPrte(prt, 0, tree);
    setPate(pt, 0, radixPate(tree, prt));
    ptcr = (BigInt(pt.ptcrHi) << 32n) | BigInt(pt.ptcrLo);
    mmu = new RadixMmu({ mem });
    translator = mmu;
  }
  const src = [
    ".org 0x100",
    load64(3, ptcr),
    `mtspr ${SPR.PTCR}, r3`,
    "li r3, 0",
    `mtspr ${SPR.PIDR}, r3`,
    `mtspr ${SPR.LPIDR}, r3`,
    load64(3, KBASE + 0x10000n),
    load64(4, 0x9000000000001031n), // SF|HV|ME|IR|DR|LE
    "mtsrr0 r3",
    "mtsrr1 r4",
    "rfid",
    ".org 0x10000",
    load64(6, BigInt(ITERS)),
    "mtctr r6",
    "li r4, 0",
    "li r5, 1",
    "li r7, 0",
    load64(9, KBASE + 0x200000n),
    "li r10, 0",
    ".balign 32",
    "1:",
    ...body,
    "attn",
  ].join("\n");
  bus.loadImage(0, assemble(src).sections.get(".text")!);
  const cpu = new Cpu({ bus, translator });
  cpu.pc = 0x100n;
  return { cpu, mmu };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function once(body: readonly string[], mode: Mode): number {
  const { cpu, mmu } = machine(body, mode);
  const t0 = process.hrtime.bigint();
  const stop = cpu.run(ITERS * 8 + 1000);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const sum = (BigInt(ITERS) * BigInt(ITERS + 1)) / 2n;
  if (stop.kind !== "attn" || cpu.getGpr(4) !== sum) {
    throw new Error(`${mode}: unexpected end ${JSON.stringify(stop)} r4=${cpu.getGpr(4)}`);
  }
  if (mmu !== undefined && mmu.counters().translations === 0) {
    throw new Error("radix: the MMU was never used");
  }
  return cpu.icount / s / 1e6;
}

console.log(
  `\n@hvsim/ppc-isa Cpu load/store loops, relocation off (flat) vs on (RadixMmu), ${ITERS} iterations x 8 insns, median of ${RUNS} (interleaved), node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}\n`,
);
for (const [name, body] of Object.entries(BODIES)) {
  const flat: number[] = [];
  const radix: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    flat.push(once(body, "flat"));
    radix.push(once(body, "radix"));
  }
  const f = median(flat);
  const r = median(radix);
  // Time per instruction with relocation on, relative to flat: flat MIPS / radix MIPS.
  const ratio = f / r;
  const over = (ratio - 1) * 100;
  console.log(
    `${name}\n  flat ${f.toFixed(1)} MIPS | radix ${r.toFixed(1)} MIPS | time radix/flat ${ratio.toFixed(3)} (${over >= 0 ? "+" : ""}${over.toFixed(1)}%; the issue's bar: at most +20%)`,
  );
}
