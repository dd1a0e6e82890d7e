// Privileged-operation test images for differential testing against QEMU (`-M pseries -bios`).
//
// One image runs a list of cases. Each case starts in guest privileged state (MSR[HV]=0, PR=0,
// relocation off), loads a sentinel into r3, runs its setup, then enters
// its body with rfid: in guest privileged state or in problem state (PR=1, which turns on EE,
// IR and DR), big- or little-endian. The body is the instruction under test followed by an
// end-marker `sc`. Every interrupt vector a guest can take has a stub that jumps to one
// handler; the handler records the first interrupt of the case (vector, SRR0, SRR1, DAR,
// DSISR, FSCR, r3) -- vector 0 when it is the end marker's system call, i.e. the instruction
// did not interrupt -- prints the record as one line through H_PUT_TERM_CHAR and goes on to
// the next case. The last case powers off through RTAS.
//
// The case start resets DAR, DSISR and FSCR (so each record shows only its own case's cause
// bits) and sets a large DEC. Problem state runs with relocation on, so the image first builds a radix tree mapping the
// first GiB of effective addresses 1:1 (one 1 GiB leaf, user-accessible, RWX) and registers it
// with H_REGISTER_PROC_TBL. QEMU then translates through it; hvsim's stand-alone CPU has no MMU
// (RealModeTranslator: EA = RA), the same identity mapping, and the test's virtual hypervisor
// applies the LPCR update QEMU makes for the registration. The image ignores the hcall's result.
import { assemble } from "./assembler";

/** One privileged-operation case. */
export interface PrivCase {
  /** Unique name (also the allow-list key). */
  readonly name: string;
  /** Guest privileged state ("guest") or problem state ("problem") for the body. */
  readonly mode: "guest" | "problem";
  /** Run the body little-endian (the body words are stored byte-reversed). */
  readonly le?: boolean;
  /** Assembly run in guest privileged state just before the body is entered (`%body%` is
   *  the label of the body). */
  readonly setup?: readonly string[];
  /** The instruction(s) under test (the end-marker `sc` follows them). */
  readonly body: readonly string[];
  /** r3 is time-dependent (DEC, TB): compare only whether an interrupt was taken. */
  readonly volatileValue?: boolean;
}

/** Fields of one printed record, in order. */
export const RECORD_FIELDS = ["vector", "srr0", "srr1", "dar", "dsisr", "fscr", "r3"] as const;

/** Vectors a guest can take (HV-class ones arrive only through a virtual hypervisor). */
const VECTORS = [
  0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700, 0x800, 0x900, 0x980, 0xa00, 0xc00, 0xd00,
  0xe00, 0xe20, 0xe40, 0xe60, 0xe80, 0xea0, 0xf00, 0xf20, 0xf40, 0xf60, 0xf80,
];

const CODE = 0x2000;
const RECORDS = 0x180000;
const RADIX_ROOT = 0x200000; // 2^13 entries x 8 bytes, 64 KiB aligned
const RADIX_PUD = 0x210000;
const PROCESS_TABLE = 0x211000;
const SENTINEL = "0x5a5aa5a5";

/** A 32-bit constant (< 2^31) into register `r`. */
const li32 = (r: number, v: number | string): string[] => [
  `lis r${r}, (${v})@h`,
  `ori r${r}, r${r}, (${v})@l`,
];

/** The byte-reversed word of a big-endian-assembled instruction (for little-endian bodies). */
function swappedWords(lines: readonly string[]): string[] {
  const text = assemble(lines.join("\n") + "\n", { littleEndian: false }).sections.get(".text")!;
  const v = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 4) {
    out.push(`.long 0x${v.getUint32(i, true).toString(16).padStart(8, "0")}`);
  }
  return out;
}

function caseSource(c: PrivCase, i: number, last: boolean): string[] {
  const next = last ? "finish" : `case_${i + 1}`;
  let msr = "";
  if (c.mode === "problem") msr += `\n  ori r28, r28, 0x4000`;
  if (c.le === true) msr += `\n  ori r28, r28, 1`;
  const body = [...c.body, "sc"];
  return [
    `case_${i}:`,
    ...li32(4, `${RECORDS} + ${i} * 64`),
    "  mtspr 272, r4",
    ...li32(5, `end_${i}`),
    "  std r5, 0(r4)",
    ...li32(5, next),
    "  mtspr 273, r5",
    "  li r5, 0",
    "  mtspr 19, r5",
    "  mtspr 18, r5",
    "  mtspr 153, r5",
    ...li32(5, "0x7fffffff"),
    "  mtspr 22, r5",
    ...li32(3, SENTINEL),
    ...(c.setup ?? []).map((l) => "  " + l.replaceAll("%body%", `body_${i}`)),
    ...li32(29, `body_${i}`),
    "  mtspr 26, r29",
    `  mfmsr r28${msr}`,
    "  mtspr 27, r28",
    "  rfid",
    `body_${i}:`,
    ...(c.le === true ? swappedWords(body) : body).map((l) => "  " + l),
    `end_${i}:`,
  ];
}

/**
 * The assembly source of an image running `cases` (a big-endian pseries `-bios` image, entered
 * at 0x100 with MSR = 0).
 */
export function privilegedSource(cases: readonly PrivCase[]): string {
  const src: string[] = [".text", ".org 0x100", "  b start"];
  for (const v of VECTORS) {
    src.push(`.org 0x${v.toString(16)}`, "  mtspr 274, r3", `  li r3, 0x${v.toString(16)}`);
    src.push("  b handler");
  }
  src.push(
    `.org 0x${(0x1000).toString(16)}`,
    // --- the handler: r3 = vector, SPRG2 = the case's r3, SPRG0 = its record ---
    "handler:",
    "  mfspr r4, 272",
    "  mfspr r5, 26",
    "  ld r6, 0(r4)",
    "  cmpd r5, r6",
    "  bne 1f",
    "  li r3, 0", // the end marker's sc: no interrupt from the instruction under test
    "1:",
    "  std r3, 8(r4)",
    "  std r5, 16(r4)",
    "  mfspr r5, 27",
    "  std r5, 24(r4)",
    "  mfspr r5, 19",
    "  std r5, 32(r4)",
    "  mfspr r5, 18",
    "  std r5, 40(r4)",
    "  mfspr r5, 153",
    "  std r5, 48(r4)",
    "  mfspr r5, 274",
    "  std r5, 56(r4)",
    "  addi r20, r4, 8",
    `  li r21, ${RECORD_FIELDS.length}`,
    "2:",
    "  ld r23, 0(r20)",
    "  bl puthex",
    "  li r6, 0x20",
    "  bl putc",
    "  addi r20, r20, 8",
    "  addi r21, r21, -1",
    "  cmpdi r21, 0",
    "  bne 2b",
    "  li r6, 0x0a",
    "  bl putc",
    "  mfspr r5, 273",
    "  mtctr r5",
    "  bctr",
    // --- putc: the character in r6 ---
    "putc:",
    "  sldi r6, r6, 56",
    "  li r5, 1",
    "  lis r4, 0x7100",
    "  li r3, 0x58",
    "  sc 1",
    "  blr",
    // --- puthex: r23 as 16 hex digits ---
    "puthex:",
    "  li r6, 0",
    "  li r7, 0",
    "  li r24, 16",
    "  mtctr r24",
    "3:",
    "  rotldi r23, r23, 4",
    "  andi. r24, r23, 15",
    "  cmpldi r24, 10",
    "  addi r25, r24, 0x30",
    "  blt 4f",
    "  addi r25, r24, 0x57",
    "4:",
    "  sldi r6, r6, 8",
    "  rldicl r5, r7, 8, 56",
    "  or r6, r6, r5",
    "  sldi r7, r7, 8",
    "  or r7, r7, r25",
    "  bdnz 3b",
    "  li r3, 0x58",
    "  lis r4, 0x7100",
    "  li r5, 16",
    "  sc 1",
    "  blr",
    // --- entry: 64-bit mode, the radix tree, H_REGISTER_PROC_TBL ---
    "start:",
    "  li r11, 1",
    "  sldi r11, r11, 63",
    "  mfmsr r12",
    "  or r11, r11, r12",
    "  mtmsrd r11",
    // PUD entry 0: a 1 GiB leaf at RA 0, V|L|R|C, read/write/execute, user-accessible.
    "  lis r5, 0xc000",
    "  sldi r5, r5, 32",
    "  ori r5, r5, 0x187",
    ...li32(4, RADIX_PUD),
    "  std r5, 0(r4)",
    // Root entry 0: V | NLB = the PUD | NLS = 9.
    "  li r5, 1",
    "  sldi r5, r5, 63",
    `  oris r5, r5, (${RADIX_PUD})@h`,
    `  ori r5, r5, (${RADIX_PUD})@l | 9`,
    ...li32(4, RADIX_ROOT),
    "  std r5, 0(r4)",
    // Process table entry 0: RTS = 21 (52-bit EA) | root | RPDS = 13.
    "  li r5, 1",
    "  sldi r5, r5, 62",
    `  oris r5, r5, (${RADIX_ROOT})@h`,
    `  ori r5, r5, (${RADIX_ROOT})@l | 0xad`,
    ...li32(4, PROCESS_TABLE),
    "  std r5, 0(r4)",
    "  li r5, 0",
    "  std r5, 8(r4)",
    "  li r3, 0x37c", // H_REGISTER_PROC_TBL(MODIFY|REGISTER|RADIX, table, 0, 4 KiB)
    "  li r4, 0x1c",
    ...li32(5, PROCESS_TABLE),
    "  li r6, 0",
    "  li r7, 0",
    "  sc 1",
    "  li r5, 0",
    "  mtspr 48, r5", // PIDR = 0
    "  b case_0",
  );
  src.push(`.org 0x${CODE.toString(16)}`);
  cases.forEach((c, i) => src.push(...caseSource(c, i, i === cases.length - 1)));
  src.push(
    "finish:",
    ...li32(4, "rtas_args"),
    "  li r3, 0",
    "  ori r3, r3, 0xf000",
    "  sc 1",
    "  b .",
    "  .balign 8",
    "rtas_args:",
    "  .long 0x2003, 2, 1, 0, 0, 0",
  );
  return src.join("\n") + "\n";
}

/** The raw image (loaded at real address 0) for `cases`. */
export function buildPrivilegedImage(cases: readonly PrivCase[]): Uint8Array {
  const text = assemble(privilegedSource(cases), { littleEndian: false }).sections.get(".text")!;
  if (text.length > RECORDS) throw new Error(`privileged image too large (${text.length} bytes)`);
  return text;
}

/** One parsed record line. */
export type PrivRecord = Record<(typeof RECORD_FIELDS)[number], bigint>;

/** Parse the console output of an image into records (one per completed case). */
export function parseRecords(output: string): PrivRecord[] {
  const out: PrivRecord[] = [];
  for (const line of output.replace(/\r/g, "").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== RECORD_FIELDS.length || !f.every((x) => /^[0-9a-f]{16}$/.test(x))) continue;
    const r = {} as PrivRecord;
    RECORD_FIELDS.forEach((k, i) => (r[k] = BigInt("0x" + f[i]!)));
    out.push(r);
  }
  return out;
}
