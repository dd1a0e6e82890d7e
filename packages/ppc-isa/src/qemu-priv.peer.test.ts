// Differential test against QEMU TCG for privileged operations: the same pseries `-bios` images
// (privileged-program.ts) run on `qemu-system-ppc64 -M pseries` and on hvsim's CPU with the
// PseriesConsole virtual hypervisor; for every case the interrupt taken (or none), SRR0, SRR1,
// DAR, DSISR, FSCR and r3 must agree, except the documented cases of ALLOWED where QEMU and the
// ISA differ and hvsim follows the ISA. HVSIM_PRIV_DUMP=PATH keeps both console outputs in
// PATH.hvsim and PATH.qemu.
import { describeWithPeers } from "@hvsim/internal-peers";
import { writeFileSync } from "node:fs";
import { expect, it } from "vitest";
import type { Cpu } from "./cpu";
import type { CpuView, VhypOutcome } from "./ports";
import {
  RECORD_FIELDS,
  buildPrivilegedImage,
  parseRecords,
  type PrivCase,
  type PrivRecord,
} from "./privileged-program";
import { QEMU_SYSTEM as QEMU, runOnHvsim, runOnQemu } from "./pseries-bios-run";
import { PseriesConsole } from "./pseries-console";
import { PSSCR_EC, SPR } from "./registers";

/** H_REGISTER_PROC_TBL, and the LPCR bits QEMU's pseries sets for a radix registration. */
const H_REGISTER_PROC_TBL = 0x37cn;
const LPCR_UPRT_HR = 0x500000n;
/** LPCR of a QEMU 7.2 pseries POWER9 vCPU at reset: LD, PECE (all five), LPES0. */
const QEMU_RESET_LPCR = 0x3f008n;
/**
 * HFSCR of the guest: every facility granted (FP, VEC/VSX, DSCR, PM, BHRB, TM, EBB, TAR, MSGP),
 * as a hypervisor that lets its guest use them; QEMU TCG's pseries does not check HFSCR for
 * these at all.
 */
const GUEST_HFSCR = 0x5bfn;

/**
 * The test's virtual hypervisor: PseriesConsole (console, RTAS, HEAI reflected as a program
 * interrupt as QEMU does), and any other hypervisor-class interrupt shown to the guest's own
 * handler at the same vector with SRR0/SRR1 = what HSRR0/HSRR1 received, so the image can
 * record what the hypervisor was given.
 */
class RecordingConsole extends PseriesConsole {
  private target: Cpu | null = null;
  override attach(cpu: Cpu): void {
    super.attach(cpu);
    this.target = cpu;
  }
  override hcall(view: CpuView): VhypOutcome {
    if (view.getGpr(3) === H_REGISTER_PROC_TBL && this.target !== null) {
      // The image's radix tree maps EA = RA, which hvsim's no-MMU translator does anyway; what
      // remains of the registration is QEMU's LPCR update.
      this.target.setSpr(SPR.LPCR, this.target.getSpr(SPR.LPCR) | LPCR_UPRT_HR);
      view.setGpr(3, 0n);
      return { kind: "handled" };
    }
    return super.hcall(view);
  }
  override hypervisorInterrupt(
    view: CpuView,
    vector: number,
    srr0Hi: number,
    srr0Lo: number,
    srr1Hi: number,
    srr1Lo: number,
  ): VhypOutcome {
    const cpu = this.target;
    if (vector === 0xe40 || vector === 0xc00 || cpu === null) {
      return super.hypervisorInterrupt(view, vector, srr0Hi, srr0Lo, srr1Hi, srr1Lo);
    }
    const big = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    cpu.setSpr(SPR.SRR0, big(srr0Hi, srr0Lo));
    cpu.setSpr(SPR.SRR1, big(srr1Hi, srr1Lo));
    cpu.msr = (1n << 63n) | (cpu.msr & 0x1000n);
    cpu.pc = BigInt(vector);
    return { kind: "handled" };
  }
}

function runHvsim(img: Uint8Array): string {
  return runOnHvsim(img, {
    memBytes: 4 << 20,
    maxInsns: 50_000_000,
    console: (bus) => new RecordingConsole(bus),
    setup: (cpu) => {
      cpu.setSpr(SPR.HFSCR, GUEST_HFSCR);
      cpu.setSpr(SPR.LPCR, QEMU_RESET_LPCR);
      // What KVM does to every guest (PSSCR_EC: a guest `stop` traps to the hypervisor).
      cpu.setSpr(SPR.PSSCR, BigInt(PSSCR_EC));
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------

const both = (name: string, c: Omit<PrivCase, "name" | "mode">): PrivCase[] => [
  { name: `${name} (guest)`, mode: "guest", ...c },
  { name: `${name} (problem)`, mode: "problem", ...c },
];

/** MSR images for mtmsr/mtmsrd: the current MSR with one change, into r4. */
const msrWith = (op: string): string[] => ["mfmsr r4", op];

const SPRS_PRIV = [18, 19, 22, 26, 27, 28, 29, 48, 61, 153, 157, 176, 272, 275, 287, 446];
const SPRS_HV = [190, 304, 305, 306, 307, 310, 313, 314, 315, 318, 319, 336, 338, 339, 349, 464];
const SPRS_MORE = [816, 823, 855, 1008, 1023, 284, 286, 308, 309];
const SPRS_USER = [1, 3, 8, 9, 13, 256, 259, 268, 269, 896, 815, 136];
const SPRS_UNDEFINED = [0, 2, 4, 5, 6, 10, 400, 777];
/** Reads whose value depends on time or on the simulator (compared for the interrupt only). */
const VOLATILE = new Set([22, 268, 269, 308, 309, 310]);

function sprCases(): PrivCase[] {
  const out: PrivCase[] = [];
  for (const n of [...SPRS_PRIV, ...SPRS_HV, ...SPRS_MORE, ...SPRS_USER, ...SPRS_UNDEFINED]) {
    out.push(
      ...both(`mfspr r3,${n}`, { body: [`mfspr r3, ${n}`], volatileValue: VOLATILE.has(n) }),
    );
    // Writes: the value a guest-readable SPR already holds (so the write changes nothing the
    // image depends on: SPRG0, PIDR ...), a large DEC, 0 for the others.
    const value =
      n === 22 ? "lis r4, 0x7fff" : SPRS_PRIV.includes(n) ? `mfspr r4, ${n}` : "li r4, 0";
    out.push(...both(`mtspr ${n},r4`, { setup: [value], body: [`mtspr ${n}, r4`] }));
  }
  return out;
}

/** Trap cases: each TO condition with operands that make it true and false. */
function trapCases(): PrivCase[] {
  const out: PrivCase[] = [];
  const pairs: [string, string[]][] = [
    ["-1,1", ["li r4, -1", "li r5, 1"]],
    ["1,-1", ["li r4, 1", "li r5, -1"]],
    ["7,7", ["li r4, 7", "li r5, 7"]],
    ["2^32,0", ["li r4, 1", "sldi r4, r4, 32", "li r5, 0"]],
  ];
  for (const to of [16, 8, 4, 2, 1, 31, 0]) {
    for (const [label, setup] of pairs) {
      out.push({ name: `tw ${to},${label}`, mode: "guest", setup, body: [`tw ${to}, r4, r5`] });
      out.push({ name: `td ${to},${label}`, mode: "guest", setup, body: [`td ${to}, r4, r5`] });
    }
    out.push({
      name: `twi ${to},-1,1`,
      mode: "guest",
      setup: ["li r4, -1"],
      body: [`twi ${to}, r4, 1`],
    });
    out.push({
      name: `tdi ${to},1,-1`,
      mode: "guest",
      setup: ["li r4, 1"],
      body: [`tdi ${to}, r4, -1`],
    });
  }
  out.push(...both("trap", { body: ["trap"] }));
  return out;
}

const DATA = "0x300000";

export const CASES: readonly PrivCase[] = [
  ...both("mfmsr", { body: ["mfmsr r3"] }),
  ...both("mtmsrd RI", { setup: msrWith("ori r4, r4, 2"), body: ["mtmsrd r4"] }),
  ...both("mtmsr RI", { setup: msrWith("ori r4, r4, 2"), body: ["mtmsr r4"] }),
  { name: "mtmsrd LE", mode: "guest", setup: msrWith("ori r4, r4, 1"), body: ["mtmsrd r4"] },
  { name: "mtmsrd ME", mode: "guest", setup: msrWith("ori r4, r4, 0x1000"), body: ["mtmsrd r4"] },
  {
    name: "mtmsrd HV",
    mode: "guest",
    setup: ["mfmsr r4", "li r5, 1", "sldi r5, r5, 60", "or r4, r4, r5"],
    body: ["mtmsrd r4"],
  },
  {
    name: "mtmsrd SF=0",
    mode: "guest",
    setup: ["mfmsr r4", "clrldi r4, r4, 1"],
    body: ["mtmsrd r4"],
  },
  { name: "mtmsr low word 0", mode: "guest", setup: ["li r4, 0"], body: ["mtmsr r4"] },
  { name: "mtmsrd PR", mode: "guest", setup: msrWith("ori r4, r4, 0x4000"), body: ["mtmsrd r4"] },
  ...both("mtmsrd L=1 EE|RI|LE", { setup: msrWith("ori r4, r4, 0x8003"), body: ["mtmsrd r4, 1"] }),
  ...sprCases(),
  {
    name: "rfid (guest)",
    mode: "guest",
    setup: ["mfmsr r6", "ori r6, r6, 2", "lis r5, (%body% + 16)@h", "ori r5, r5, (%body% + 16)@l"],
    body: ["mtspr 26, r5", "mtspr 27, r6", "rfid", ".long 0"],
  },
  { name: "rfid (problem)", mode: "problem", body: ["rfid"] },
  ...both("hrfid", { body: ["hrfid"] }),
  ...both("tlbie", { setup: ["li r4, 0"], body: ["tlbie r4, r0"] }),
  ...both("tlbiel", { setup: ["li r4, 0"], body: ["tlbiel r4"] }),
  ...both("tlbsync", { body: ["tlbsync"] }),
  ...both("slbia", { body: ["slbia"] }),
  ...both("stop", { body: ["stop"] }),
  ...both("nap", { body: [".long 0x4c000364"] }),
  ...both("msgsnd", { setup: ["li r4, 0"], body: ["msgsnd r4"] }),
  ...both("msgclr", { setup: ["li r4, 0"], body: ["msgclr r4"] }),
  ...both("msgsync", { body: ["msgsync"] }),
  ...both("msgsndp type 0", { setup: ["li r4, 0"], body: ["msgsndp r4"] }),
  ...both("msgclrp type 0", { setup: ["li r4, 0"], body: ["msgclrp r4"] }),
  ...trapCases(),
  ...both("illegal word 0", { body: [".long 0"] }),
  ...both("attn", { body: ["attn"] }),
  ...both("sc", { body: ["sc"] }),
  ...both("sc 1 (r3 = 0)", { setup: ["li r3, 0"], body: ["sc 1"] }),
  ...both("scv 0", { body: ["scv 0"] }),
  ...both("lwarx unaligned", {
    setup: [`lis r4, ${DATA}@h`, "addi r4, r4, 2"],
    body: ["lwarx r3, 0, r4"],
  }),
  ...both("ldarx unaligned", {
    setup: [`lis r4, ${DATA}@h`, "addi r4, r4, 4"],
    body: ["ldarx r3, 0, r4"],
  }),
  ...both("lharx unaligned", {
    setup: [`lis r4, ${DATA}@h`, "addi r4, r4, 1"],
    body: ["lharx r3, 0, r4"],
  }),
  ...both("stwcx. unaligned", {
    setup: [`lis r4, ${DATA}@h`, "addi r4, r4, 2"],
    body: ["stwcx. r3, 0, r4"],
  }),
  ...both("dcbz", {
    setup: [`lis r4, ${DATA}@h`, "li r5, -1", "std r5, 8(r4)"],
    body: ["dcbz 0, r4", "ld r3, 8(r4)"],
  }),
  ...both("mftb", { body: ["mftb r3"], volatileValue: true }),
  {
    name: "lswi LE",
    mode: "guest",
    le: true,
    setup: [`lis r4, ${DATA}@h`],
    body: ["lswi r5, r4, 8"],
  },
  {
    name: "lswx LE",
    mode: "guest",
    le: true,
    setup: [`lis r4, ${DATA}@h`, "li r6, 8"],
    body: ["lswx r5, r4, r6"],
  },
  {
    name: "stswi LE",
    mode: "problem",
    le: true,
    setup: [`lis r4, ${DATA}@h`],
    body: ["stswi r5, r4, 8"],
  },
  {
    name: "stswx LE",
    mode: "guest",
    le: true,
    setup: [`lis r4, ${DATA}@h`, "li r6, 8"],
    body: ["stswx r5, r4, r6"],
  },
  // lswi r5,r6,8 (r5, r6 loaded; RA = r6): gas refuses to assemble it.
  {
    name: "lswi RA in range",
    mode: "guest",
    setup: [`lis r6, ${DATA}@h`],
    body: [".long 0x7ca644aa"],
  },
  {
    name: "lswx RB in range",
    mode: "guest",
    setup: [`lis r4, ${DATA}@h`, "li r6, 0", "li r7, 8", "mtxer r7"],
    body: ["lswx r5, r4, r6"],
  },
  // Last, in guest state (EE=0): a directed privileged doorbell to this thread sets DPDES and
  // msgclrp clears it. QEMU 7.2 leaves it pending and aborts ("SDOOR exception not
  // implemented") as soon as MSR[EE]=1, so no case may follow these.
  { name: "msgsndp self", mode: "guest", setup: ["lis r4, 0x2800"], body: ["msgsndp r4"] },
  { name: "DPDES after msgsndp", mode: "guest", body: ["mfspr r3, 176"] },
  { name: "msgclrp self", mode: "guest", setup: ["lis r4, 0x2800"], body: ["msgclrp r4"] },
  { name: "DPDES after msgclrp", mode: "guest", body: ["mfspr r3, 176"] },
];

type Field = (typeof RECORD_FIELDS)[number];

interface Allowed {
  /** The fields that differ (and must: an entry QEMU stops deviating on is stale). */
  readonly fields: readonly Field[];
  readonly reason: string;
}

const INTERRUPT: readonly Field[] = ["vector", "srr0", "srr1"];
const entry = (name: string, fields: readonly Field[], reason: string): [string, Allowed] => [
  name,
  { fields, reason },
];

/**
 * Cases where QEMU 7.2 TCG deviates from Power ISA v3.0B and hvsim follows the ISA (for stwcx.
 * the ISA allows both outcomes and hvsim does what POWER9 does).
 */
const ALLOWED = new Map<string, Allowed>([
  // An SPR number the ISA's SPR table marks "not defined for this instruction" (the wrong
  // direction of a read-only or write-only SPR) follows the undefined-SPR rule: a no-op in
  // privileged state (spr0 = 1; spr0 = 0 except SPR 0). QEMU raises a privileged-instruction
  // program interrupt for each (SPR_NOACCESS).
  ...[287, 446, 1023, 259, 268, 269, 136].map((n) =>
    entry(`mtspr ${n},r4 (guest)`, INTERRUPT, `SPR ${n} is read-only: undefined for mtspr`),
  ),
  entry("mfspr r3,286 (guest)", INTERRUPT, "TBU40 is write-only: undefined for mfspr"),
  // TBL (284) is write-only and hypervisor-privileged; QEMU lets anyone read it and a guest
  // write it.
  entry("mfspr r3,284 (guest)", ["r3"], "TBL is undefined for mfspr (no-op)"),
  entry("mfspr r3,284 (problem)", [...INTERRUPT, "r3"], "TBL: undefined for mfspr, spr0 = 1"),
  entry("mtspr 284,r4 (guest)", INTERRUPT, "TBL is hypervisor-privileged: HEAI in guest state"),
  // PURR and SPURR are privileged (spr0 = 1); QEMU lets problem state read them (their values
  // are time-dependent and not compared).
  ...[308, 309].map((n) => entry(`mfspr r3,${n} (problem)`, INTERRUPT, `SPR ${n} is privileged`)),
  // ISA v3.0 SPRs that QEMU 7.2 lacks or does not protect.
  ...["mfspr r3,339 (guest)", "mtspr 339,r4 (guest)"].map((n) =>
    entry(n, INTERRUPT, "HEIR is hypervisor-privileged (QEMU 7.2 has no HEIR)"),
  ),
  ...["mfspr r3,855 (guest)", "mtspr 855,r4 (guest)"].map((n) =>
    entry(n, INTERRUPT, "PSSCR (855) is hypervisor-privileged"),
  ),
  entry("mfspr r3,823 (guest)", ["r3"], "SPR 823 is PSSCR's privileged view (none in QEMU 7.2)"),
  entry("mfspr r3,3 (guest)", ["r3"], "SPR 3 is the problem-state DSCR (none in QEMU 7.2)"),
  ...["mfspr r3,3 (problem)", "mtspr 3,r4 (problem)"].map((n) =>
    entry(
      n,
      ["vector", "srr1", "fscr"],
      "DSCR through SPR 3 needs FSCR[DSCR]: facility unavailable with FSCR[IC] = 2",
    ),
  ),
  entry(
    "stop (guest)",
    ["vector", "srr1"],
    "stop is privileged, not hypervisor-privileged: with PSSCR[EC] set by the hypervisor (as " +
      "KVM does) a guest stop is a hypervisor facility unavailable interrupt, HFSCR cause 9; " +
      "QEMU treats stop as hypervisor-privileged (privileged program interrupt)",
  ),
  // ISA v3.0 dropped the DSISR update of the alignment interrupt; QEMU 7.2 still writes the
  // instruction's RT/RA fields there (later QEMU does not).
  ...["lwarx", "ldarx", "lharx"].flatMap((m) =>
    ["guest", "problem"].map((mode) =>
      entry(`${m} unaligned (${mode})`, ["dsisr"], "alignment interrupt leaves DSISR alone"),
    ),
  ),
  ...["guest", "problem"].map((mode) =>
    entry(
      `stwcx. unaligned (${mode})`,
      ["vector", "srr0", "dar"],
      "the ISA allows an alignment interrupt or a boundedly undefined result: POWER9 and " +
        "hvsim interrupt, QEMU fails the store (no reservation) without checking alignment",
    ),
  ),
  ...["lswi", "lswx", "stswi", "stswx"].map((m) =>
    entry(
      `${m} LE`,
      ["dar", "dsisr"],
      "alignment interrupt: DAR = EA, DSISR unchanged (QEMU: DAR unchanged, DSISR set)",
    ),
  ),
  entry("DPDES after msgclrp", ["r3"], "msgclrp clears DPDES (QEMU 7.2 leaves it pending)"),
]);

function fmt(r: PrivRecord | undefined): string {
  if (r === undefined) return "(no record)";
  return RECORD_FIELDS.map((k) => `${k}=${r[k].toString(16)}`).join(" ");
}

describeWithPeers(
  [QEMU],
  "privileged operations vs QEMU TCG (pseries guest and problem state)",
  () => {
    it(`${CASES.length} cases: interrupt, SRR0, SRR1, DAR, DSISR, FSCR and result agree`, () => {
      const img = buildPrivilegedImage(CASES);
      const hvsimOut = runHvsim(img);
      const qemuOut = runOnQemu(img, { cpu: "power9", stderr: true, timeoutMs: 60_000 });
      if (process.env.HVSIM_PRIV_DUMP) {
        writeFileSync(`${process.env.HVSIM_PRIV_DUMP}.hvsim`, hvsimOut);
        writeFileSync(`${process.env.HVSIM_PRIV_DUMP}.qemu`, qemuOut);
      }
      const ours = parseRecords(hvsimOut);
      const theirs = parseRecords(qemuOut);
      const diffs: string[] = [];
      CASES.forEach((c, i) => {
        const a = ours[i],
          b = theirs[i];
        const differing =
          a === undefined || b === undefined
            ? ["(missing)"]
            : RECORD_FIELDS.filter((k) => !(k === "r3" && c.volatileValue) && a[k] !== b[k]);
        const allowed = ALLOWED.get(c.name)?.fields ?? [];
        if (differing.join() === allowed.join()) return;
        const note = allowed.length ? ` (may differ in ${allowed.join(", ")} only)` : "";
        diffs.push(`${c.name}${note}:\n  hvsim ${fmt(a)}\n  qemu  ${fmt(b)}`);
      });
      for (const name of ALLOWED.keys()) {
        if (!CASES.some((c) => c.name === name))
          diffs.push(`allow-list entry without a case: ${name}`);
      }
      if (ours.length !== CASES.length) diffs.push(`hvsim: ${hvsimOut.slice(-400)}`);
      if (theirs.length !== CASES.length) diffs.push(`QEMU: ${qemuOut.slice(-2000)}`);
      if (diffs.length) console.log(diffs.join("\n"));
      expect(diffs).toEqual([]);
    }, 120_000);
  },
);
