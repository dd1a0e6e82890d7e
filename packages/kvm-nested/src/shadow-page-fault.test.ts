import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import { walkRadix, radixTreeBits } from "./radix-walk";
import {
  L2_BASE,
  L2_CODE,
  PTAB,
  PTCR,
  RAM,
  enterAndRun,
  mfspr,
  prepareEnter,
  readHv,
  readRegs,
  l2State,
  lis,
  lwz,
  makeL1,
  putState,
  sc1,
  li,
  stw,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";

function setup(program: number[]): L1 {
  const l1 = makeL1();
  l1.v.setGpr(4, PTCR);
  l1.nested.l1Hcall(l1.v, H_SET_PARTITION_TABLE);
  for (let p = 0; p < 0x20000; p += 0x10000) l1.map(1, p, L2_BASE + p);
  l1.setPate(1, true);
  l1.vm.writeGuest(L2_BASE + L2_CODE, words(program));
  const s = l2State(1);
  putState(l1, s.hv, s.regs);
  return l1;
}

describe("shadow page fault", () => {
  it("reflects a fetch from a no-execute page as HISI with N/G in SRR1", () => {
    const l1 = setup([li(3, 0x58), sc1]);
    l1.map(1, L2_CODE, L2_BASE + L2_CODE, { x: false });
    expect(enterAndRun(l1)).toBe(0xe20n);
    const regs = l1.vm.readGuest(0x11000 + 264, 8)!;
    expect(new DataView(regs.buffer, regs.byteOffset).getBigUint64(0, false) & 0x10000000n).toBe(
      0x10000000n,
    );
  });

  it("reflects a load from a page without access as PROTFAULT", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5)]);
    l1.map(1, 0x20000, L2_BASE + 0x20000, { r: false, w: false });
    expect(enterAndRun(l1)).toBe(0xe00n);
    expect(readHv(l1).hdsisr & 0x08000000n).toBe(0x08000000n);
  });

  it("reflects until the L1 sets R and C in its PTE", () => {
    const l1 = setup([lis(5, 2), stw(5, 0, 5)]);
    l1.map(1, 0x20000, L2_BASE + 0x20000, { rc: false });
    expect(enterAndRun(l1)).toBe(0xe00n);
  });

  it("reflects a tree the hardware cannot walk (L1 leaf smaller than 64 KiB, bad RTS)", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5)]);
    // A 4 KiB leaf one level further down is not expressible in the 64 KiB fixture tree;
    // instead make the PATE's RTS wrong (a 2^40 tree).
    l1.write64(PTAB + 16, (1n << 63n) | (0n << 61n) | (1n << 5n) | BigInt(0x100000) | 13n);
    expect(enterAndRun(l1)).toBe(0xe20n);
    expect(readHv(l1).asdr & ~0xfffn).toBe(BigInt(L2_CODE));
  });

  it("reflects when the L1's tree points outside its memory (PRTABLE_FAULT)", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5)]);
    l1.write64(PTAB + 16, (1n << 63n) | (2n << 61n) | (5n << 5n) | BigInt(RAM) | 13n);
    expect(enterAndRun(l1)).toBe(0xe20n);
  });

  for (const [what, insn, isWrite] of [
    ["load", lwz(6, 8, 5), false],
    ["store", stw(6, 8, 5), true],
  ] as const) {
    it(`an L2 ${what} from an L1 address that is not RAM is MMIO: H_TOO_HARD (r3 = 0) and the VMM's MMIO exit`, () => {
      const l1 = setup([lis(5, 2), insn]);
      l1.map(1, 0x20000, 0x40000000);
      prepareEnter(l1);
      const exit = l1.vm.run(200_000);
      expect(exit).toEqual({
        kind: "mmio",
        vcpu: 0,
        gpa: 0x40000008,
        size: 1,
        isWrite,
        data: 0n,
        fetch: false,
        nested: true,
      });
      expect(l1.nested.inL2(l1.v)).toBe(false);
      expect(l1.v.getGpr(3)).toBe(0n);
      // The L2 is saved at the access; nothing is reflected (HDAR/HDSISR/ASDR as passed in).
      expect(readRegs(l1).nip).toBe(BigInt(L2_CODE + 4));
      expect(readHv(l1)).toMatchObject({ hdar: 0n, hdsisr: 0n, asdr: 0n });
      expect(l1.nested.statistics().l2ExitsToL1).toEqual({ "0x0 H_TOO_HARD (MMIO)": 1 });
    });
  }

  it("gives the L2 a DSI when its own process table lies at an L1 address that is not RAM", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5)]);
    l1.map(1, 0, L2_BASE); // vectors
    l1.vm.writeGuest(L2_BASE + 0x300, words([mfspr(4, 19), mfspr(5, 18), li(3, 0x300), sc1]));
    l1.map(1, 0x30000, 0x40000000); // the L2's process table: not L1 RAM
    l1.setPate(1, true, 0x30000n);
    const s = l2State(1);
    s.regs.msr |= 1n << 4n; // MSR[DR]: the load goes through the process table
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
    const r = readRegs(l1);
    expect(r.gpr[3]).toBe(0x300n);
    expect(r.gpr[4]).toBe(0x20000n); // DAR: the EA
    expect(r.gpr[5]! & 0x00020000n).toBe(0x00020000n); // DSISR: PRTABLE_FAULT
    expect(l1.nested.statistics().l2ExitsInL0["0xe00 DSI to the L2"]).toBe(1);
  });

  it("counts the host memory each L2's shadow tree takes", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5), li(3, 0x58), sc1]);
    l1.map(1, 0x20000, L2_BASE + 0x20000);
    expect(enterAndRun(l1)).toBe(0xc00n);
    // Two leaves (code and data pages, one 2 MiB region): the 13-bit root (64 KiB), one
    // 9-bit directory at each of the next two levels (4 KiB each) and one 5-bit one (256 B).
    expect(l1.nested.statistics().shadowTrees).toEqual({
      "LPID 1": { tableBytes: 0x10000 + 0x1000 + 0x1000 + 0x100, leaves: 2 },
    });
  });

  it("reflects when the PATE for the L2 is not valid", () => {
    const l1 = setup([li(3, 0x58), sc1]);
    l1.setPate(1, false);
    expect(enterAndRun(l1)).toBe(0xe20n);
  });

  it("rebuilds a shadow leaf the L1 changed to a wider permission without invalidating", () => {
    const l1 = setup([lis(5, 2), lwz(6, 0, 5), stw(6, 4, 5), li(3, 0x58), sc1]);
    l1.map(1, 0x20000, L2_BASE + 0x20000, { w: false });
    expect(enterAndRun(l1)).toBe(0xe00n); // the store: reflected
    l1.map(1, 0x20000, L2_BASE + 0x20000); // now writable
    expect(enterAndRun(l1)).toBe(0xc00n); // the retried store faults again in L0, rebuilt
  });
});

describe("radix walk", () => {
  const mem = new Map<number, bigint>();
  const read = (a: number): bigint | undefined => (a >= 0x100000 ? undefined : (mem.get(a) ?? 0n));
  it("decodes RTS", () => {
    expect(radixTreeBits((2n << 61n) | (5n << 5n))).toBe(52);
  });
  it("rejects bad shapes and addresses", () => {
    const dw0 = (2n << 61n) | (5n << 5n) | 0x1000n | 13n;
    expect(walkRadix(read, (2n << 61n) | (5n << 5n) | 0x1000n | 3n, 0).kind).toBe("unsupported");
    expect(walkRadix(read, dw0, 2 ** 53).kind).toBe("no-entry");
    expect(walkRadix(read, dw0, 0).kind).toBe("no-entry");
    mem.set(0x1000, (1n << 63n) | 0x200000n | 9n);
    expect(walkRadix(read, dw0, 0)).toEqual({ kind: "bad-table", addr: 0x200000 });
    mem.set(0x1000, (1n << 63n) | 0x4000n | 20n);
    expect(walkRadix(read, dw0, 0).kind).toBe("unsupported");
    mem.set(0x1000, (3n << 62n) | 0x0n | 0x7n);
    const w = walkRadix(read, dw0, 0x12345);
    expect(w.kind === "leaf" && w.leaf.pageShift).toBe(39);
  });
});
