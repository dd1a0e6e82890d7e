// The assembler against GNU as: the same source (objdump-syntax lines of random words drawn
// from the table's encodings, plus a hand-written corpus) must give identical .text bytes.
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { assemble } from "./assembler";
import { decode, disassemble } from "./disassembler";
import { BASE_INSNS, F_BE_ONLY } from "./insn-table";
import { randomWord } from "./insn-gen";
import { SplitMix32 } from "./prng";

const AS = "powerpc64le-linux-gnu-as";
const OBJCOPY = "powerpc64le-linux-gnu-objcopy";

/** Run GNU as on `source` (big-endian target when `le` is false) and hand `use` the object. */
function withGas<T>(source: string, le: boolean, use: (stderr: string, obj: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-as-"));
  try {
    writeFileSync(join(dir, "a.S"), source);
    const args = ["-a64", le ? "-mlittle" : "-mbig", "-mpower9", "-mregnames"];
    const a = runPeer(AS, [...args, "-o", join(dir, "a.o"), join(dir, "a.S")]);
    return use(a.stderr, join(dir, "a.o"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GNU as's error messages for `source` by line. */
function gasErrors(source: string, le: boolean): Map<number, string> {
  return withGas(source, le, (stderr) => {
    const out = new Map<number, string>();
    for (const m of stderr.matchAll(/a\.S:(\d+): Error: (.*)/g)) out.set(Number(m[1]), m[2]!);
    return out;
  });
}

/** The .text bytes GNU as assembles `source` to. */
function gas(source: string, le = true): Uint8Array {
  return withGas(source, le, (stderr, obj) => {
    expect(stderr).toBe("");
    const bin = obj.replace(/\.o$/, ".bin");
    const c = runPeer(OBJCOPY, ["-O", "binary", "-j", ".text", obj, bin]);
    expect(c.status).toBe(0);
    return new Uint8Array(readFileSync(bin));
  });
}

const CORPUS = `
  .machine power9
  .text
start:
  lis r3, 0x1234
  ori r3, r3, 0x5678
  sldi r3, r3, 32
  oris r3, r3, 0x9abc
  ori r3, r3, 0xdef0
  li r4, -1
  mr r5, r4
  not r6, r5
  cmpdi cr7, r3, 10
  cmplw r4, r5
  rldicl. r8, r5, 0, 63
  clrldi r9, r8, 32
  srdi r10, r9, 3
  slwi r11, r10, 4
  srwi r12, r11, 2
  rotlwi r12, r12, 7
  extswsli r13, r12, 40
  ld r14, 8(r1)
  std r14, -16(r1)
  stdu r1, -32(r1)
  lwz r15, 0(0)
  lwarx r16, 0, r3
  stwcx. r16, 0, r3
  ldarx r17, r3, r4, 1
  mfspr r18, 26
  mtsrr1 r18
  mflr r0
  mtctr r0
  mfcr r19
  mtocrf 0x80, r19
  crxor 4*cr1+eq, 4*cr1+eq, 4*cr1+eq
  isel r20, 0, r21, 2
  tlbie r3, r4, 2, 1, 1
  tlbiel r3
  sync
  lwsync
  ptesync
  sc 1
  rfid
  hrfid
  stop
  tdi 0, r0, 72
  twgti r3, 5
  maddld r3, r4, r5, r6
  darn r3, 1
  addpcis r3, 5
  cmprb cr1, 1, r3, r4
  setb r3, cr1
  msgsnd r3
  dcbz 0, r3
  .long 0x12345678
  .quad 0x1122334455667788
  .byte 1, 2, 3, 4
  .balign 16
  nop
`;

describeWithPeers([AS, OBJCOPY], "assembler vs GNU as", () => {
  it("assembles a hand-written corpus to the same bytes", () => {
    const ours = assemble(CORPUS).sections.get(".text")!;
    const theirs = gas(CORPUS);
    const diff: string[] = [];
    for (let i = 0; i < Math.max(ours.length, theirs.length); i += 4) {
      const a = ours.subarray(i, i + 4).join(","),
        b = theirs.subarray(i, i + 4).join(",");
      if (a !== b) diff.push(`offset ${i}: hvsim ${a} gas ${b}`);
    }
    expect(diff).toEqual([]);
  });

  it("assembles 5,000 random non-branch instructions to the same bytes", () => {
    const rng = new SplitMix32(0x6a5);
    const lines: string[] = [];
    while (lines.length < 5000) {
      const d = BASE_INSNS[rng.below(BASE_INSNS.length)]!;
      if (/^b/.test(d.mnemonic)) continue; // numeric branch targets relocate in gas objects
      if (d.flags & F_BE_ONLY) continue; // gas refuses them little-endian (next test)
      const w = randomWord(d, rng);
      if (decode(w) === undefined) continue;
      lines.push("  " + disassemble(w).replace(/\s+/, " "));
    }
    const src = "  .machine power9\n" + lines.join("\n") + "\n";
    const ours = assemble(src).sections.get(".text")!;
    const theirs = gas(src);
    const bad: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const a = ours.subarray(4 * i, 4 * i + 4).join(","),
        b = theirs.subarray(4 * i, 4 * i + 4).join(",");
      if (a !== b) bad.push(`${lines[i]!.trim()}: hvsim ${a} gas ${b}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("assembles the string instructions big-endian, and refuses them as gas does", () => {
    const rng = new SplitMix32(0x57a1);
    const rows = BASE_INSNS.filter((d) => d.flags & F_BE_ONLY);
    const lines: string[] = [];
    while (lines.length < 2000) {
      const w = randomWord(rows[rng.below(rows.length)]!, rng);
      if (decode(w) !== undefined) lines.push("  " + disassemble(w).replace(/\s+/, " "));
    }
    // hvsim's verdict per line (undefined: accepted), then gas's on the same lines.
    const verdict = lines.map((l) => {
      try {
        assemble(l, { littleEndian: false });
        return undefined;
      } catch (e) {
        return (e as Error).message.replace(/^line \d+: /, "").replace(/:.*/, "");
      }
    });
    const theirErrors = gasErrors(lines.join("\n") + "\n", false);
    const mismatched = lines.filter((l, i) => verdict[i] !== theirErrors.get(i + 1));
    expect(mismatched.slice(0, 20)).toEqual([]);
    expect(verdict.filter((v) => v !== undefined).length).toBeGreaterThan(50);

    const accepted = lines.filter((_, i) => verdict[i] === undefined).join("\n") + "\n";
    const ours = assemble(accepted, { littleEndian: false }).sections.get(".text")!;
    expect([...ours]).toEqual([...gas(accepted, false)]);
    // Little-endian: every string instruction is refused.
    const le = gasErrors(lines.slice(0, 50).join("\n") + "\n", true);
    expect([...le.values()].every((m) => /invalid when little-endian/.test(m))).toBe(true);
    expect(le.size).toBe(50);
  });
});
