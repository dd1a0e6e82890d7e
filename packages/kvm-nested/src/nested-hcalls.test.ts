import {
  H_COPY_TOFROM_GUEST,
  H_FUNCTION,
  H_NOT_FOUND,
  H_NO_MEM,
  H_P2,
  H_P4,
  H_P5,
  H_PARAMETER,
  H_RPT_INVALIDATE,
  H_SET_PARTITION_TABLE,
  H_SUCCESS,
  H_TLB_INVALIDATE,
  H_UNSUPPORTED,
  KVM_CAP_PPC_ENABLE_HCALL,
  encodeTlbInvalidate,
  tlbieP1Enc,
} from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import {
  L2_BASE,
  L2_CODE,
  PTAB,
  PTCR,
  RAM,
  enterAndRun,
  l2State,
  li,
  lis,
  lwz,
  makeL1,
  putState,
  sc1,
  words,
} from "./test-fixture";
import type { L1 } from "./test-fixture";
import { COPY_TOFROM_MAX } from "./h-copy-tofrom-guest";

function call(l1: L1, nr: number, ...args: bigint[]): number {
  args.forEach((a, i) => l1.v.setGpr(4 + i, a));
  const o = l1.nested.l1Hcall(l1.v, nr);
  if (o === undefined) return NaN;
  return o.kind === "too-hard" ? Infinity : o.ret;
}

describe("H_SET_PARTITION_TABLE", () => {
  it("H_FUNCTION unless nesting is enabled and the L1 is radix", () => {
    expect(call(makeL1({ nested: false }), H_SET_PARTITION_TABLE, PTCR)).toBe(H_FUNCTION);
    expect(call(makeL1({ radix: false }), H_SET_PARTITION_TABLE, PTCR)).toBe(H_FUNCTION);
  });

  it.each([0n, 1n, 2n, 3n, 4n])("accepts PATS %d", (pats) => {
    expect(call(makeL1(), H_SET_PARTITION_TABLE, BigInt(PTAB) | pats)).toBe(H_SUCCESS);
  });

  it.each([5n, 0x10n, 0x1fn])("H_PARAMETER for PATS %d (more than 4096 entries)", (pats) => {
    const l1 = makeL1();
    expect(call(l1, H_SET_PARTITION_TABLE, BigInt(PTAB) | pats)).toBe(H_PARAMETER);
    expect(l1.nested.l1Ptcr).toBe(0n);
  });

  it.each([
    ["just past RAM", BigInt(RAM)],
    ["far away", 0x0fff_ffff_ffff_f000n],
    ["with junk above PRTB", (0xfn << 60n) | BigInt(RAM)],
  ])("H_PARAMETER for a table %s", (_n, base) => {
    expect(call(makeL1(), H_SET_PARTITION_TABLE, base | 4n)).toBe(H_PARAMETER);
  });

  it("accepts 0 and a table whose base page is RAM even if it runs past it (as Linux)", () => {
    const l1 = makeL1();
    expect(call(l1, H_SET_PARTITION_TABLE, 0n)).toBe(H_SUCCESS);
    expect(call(l1, H_SET_PARTITION_TABLE, BigInt(RAM - 0x1000) | 4n)).toBe(H_SUCCESS);
    // Its PATEs beyond RAM read as invalid: an L2 there cannot be mapped, only reflected.
    const s = l2State(300);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xe20n);
  });

  it("leaves other hcalls alone", () => {
    expect(makeL1().nested.l1Hcall(makeL1().v, 0x58)).toBeUndefined();
  });
});

/** An L2 that reads its data page, asks L1 (hcall 0xf100) to remap it, and reads again. */
function churn(l1: L1): void {
  call(l1, H_SET_PARTITION_TABLE, PTCR);
  for (let p = 0; p < 0x30000; p += 0x10000) l1.map(1, p, L2_BASE + p);
  l1.setPate(1, true);
  l1.vm.writeGuest(
    L2_BASE + L2_CODE,
    words([lis(5, 2), lwz(6, 0, 5), li(3, 0xf100), sc1, lwz(7, 0, 5), li(3, 0x58), sc1]),
  );
  l1.vm.writeGuest(L2_BASE + 0x20000, words([0x1111]));
  l1.vm.writeGuest(0x800000, words([0x2222]));
  const s = l2State(1);
  putState(l1, s.hv, s.regs);
  expect(enterAndRun(l1)).toBe(0xc00n); // the remap request; the old page is in L0's caches
  l1.map(1, 0x20000, 0x800000); // L1 remaps
}

function finishChurn(l1: L1): bigint {
  expect(enterAndRun(l1)).toBe(0xc00n);
  const regs = l1.vm.readGuest(0x11000, 352)!;
  const dv = new DataView(regs.buffer, regs.byteOffset);
  expect(dv.getBigUint64(6 * 8, false)).toBe(0x1111n);
  return dv.getBigUint64(7 * 8, false);
}

describe("H_TLB_INVALIDATE", () => {
  const page = (lpid: number, addr: bigint) =>
    encodeTlbInvalidate({ ric: 0, prs: 0, r: 1, lpid, is: 0, ap: 5, epn: addr >> 12n });

  it.each([
    ["R=0", tlbieP1Enc(0, 0, 0), 2n << 10n],
    ["PRS=1", tlbieP1Enc(0, 1, 1), 2n << 10n],
    ["RIC=3", tlbieP1Enc(3, 0, 1), 2n << 10n],
    ["IS=1", tlbieP1Enc(0, 0, 1), 1n << 10n],
    ["IS=0 RIC=1", tlbieP1Enc(1, 0, 1), 0n],
    ["IS=0 RIC=2", tlbieP1Enc(2, 0, 1), 0n],
    ["IS=0 bad AP", tlbieP1Enc(0, 0, 1), 3n << 5n],
  ])("H_PARAMETER for %s", (_n, r4, r6) => {
    const l1 = makeL1();
    call(l1, H_SET_PARTITION_TABLE, PTCR);
    expect(call(l1, H_TLB_INVALIDATE, BigInt(r4), 1n, r6)).toBe(H_PARAMETER);
  });

  it("H_FUNCTION without nesting; H_SUCCESS for an LPID L0 never saw", () => {
    expect(
      call(makeL1({ nested: false }), H_TLB_INVALIDATE, BigInt(tlbieP1Enc(2, 0, 1)), 1n, 2n << 10n),
    ).toBe(H_FUNCTION);
    const l1 = makeL1();
    call(l1, H_SET_PARTITION_TABLE, PTCR);
    const p = page(77, 0x10000n);
    expect(call(l1, H_TLB_INVALIDATE, p.r4, p.r5, p.r6)).toBe(H_SUCCESS);
    for (const ric of [0, 1, 2]) {
      expect(call(l1, H_TLB_INVALIDATE, BigInt(tlbieP1Enc(ric, 0, 1)), 77n, 2n << 10n)).toBe(
        H_SUCCESS,
      );
    }
    expect(l1.nested.guests.list()).toEqual([]);
  });

  it("without an invalidation the L2 keeps seeing the old page (TLB tagged by shadow LPID)", () => {
    const l1 = makeL1();
    churn(l1);
    expect(finishChurn(l1)).toBe(0x1111n);
  });

  it("a page invalidation of the right LPID and page makes the L2 see the new page", () => {
    const l1 = makeL1();
    churn(l1);
    const p = page(1, 0x20000n);
    expect(call(l1, H_TLB_INVALIDATE, p.r4, p.r5, p.r6)).toBe(H_SUCCESS);
    expect(finishChurn(l1)).toBe(0x2222n);
    expect(l1.nested.rmapEntries(L2_BASE + 0x20000)).toEqual([]);
    expect(l1.nested.rmapEntries(0x800000)).toEqual([`1:${0x20000}`]);
  });

  it.each([
    ["wrong LPID", page(2, 0x20000n)],
    ["wrong page", page(1, 0x30000n)],
  ])("an invalidation with the %s leaves the stale translation", (_n, p) => {
    const l1 = makeL1();
    churn(l1);
    expect(call(l1, H_TLB_INVALIDATE, p.r4, p.r5, p.r6)).toBe(H_SUCCESS);
    expect(finishChurn(l1)).toBe(0x1111n);
  });

  it.each([
    ["IS=2 RIC=0", 0, 2n],
    ["IS=2 RIC=2", 2, 2n],
    ["IS=3 RIC=0", 0, 3n],
    ["IS=3 RIC=2", 2, 3n],
  ])("%s drops the shadow", (_n, ric, is) => {
    const l1 = makeL1();
    churn(l1);
    expect(call(l1, H_TLB_INVALIDATE, BigInt(tlbieP1Enc(ric, 0, 1)), 1n, is << 10n)).toBe(
      H_SUCCESS,
    );
    expect(finishChurn(l1)).toBe(0x2222n);
  });

  it("RIC=1 (page-walk cache) changes nothing", () => {
    const l1 = makeL1();
    churn(l1);
    expect(call(l1, H_TLB_INVALIDATE, BigInt(tlbieP1Enc(1, 0, 1)), 1n, 2n << 10n)).toBe(H_SUCCESS);
    expect(finishChurn(l1)).toBe(0x1111n);
  });

  it("RIC=2 after the PATE is cleared removes the nested guest and frees its shadow LPID", () => {
    const l1 = makeL1();
    churn(l1);
    const shadow = l1.nested.guests.list()[0]!.shadowLpid;
    expect(l1.kvm.lpids.inUse()).toContain(shadow);
    l1.setPate(1, false);
    expect(call(l1, H_TLB_INVALIDATE, BigInt(tlbieP1Enc(2, 0, 1)), 1n, 2n << 10n)).toBe(H_SUCCESS);
    expect(l1.nested.guests.list()).toEqual([]);
    expect(l1.kvm.lpids.inUse()).not.toContain(shadow);
  });
});

describe("H_RPT_INVALIDATE", () => {
  const NESTED_ALL = 0xfn;
  function enabled(): L1 {
    const l1 = makeL1();
    l1.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_RPT_INVALIDATE, 1]);
    return l1;
  }

  it("is not handled in kernel unless the VMM enabled it (exits to the VMM)", () => {
    const l1 = makeL1();
    l1.vm.writeGuest(0x100, words([sc1]));
    l1.v.pc = 0x100n;
    l1.v.setGpr(3, BigInt(H_RPT_INVALIDATE));
    const exit = l1.vm.run(10);
    expect(exit.kind).toBe("papr-hcall");
  });

  it("is handled in kernel once enabled", () => {
    const l1 = enabled();
    l1.vm.writeGuest(0x100, words([sc1, 0x48000000]));
    l1.v.pc = 0x100n;
    l1.v.setGpr(3, BigInt(H_RPT_INVALIDATE));
    [1n, 1n, NESTED_ALL, 0xffn, 0n, (1n << 64n) - 1n].forEach((a, i) => l1.v.setGpr(4 + i, a));
    expect(l1.vm.run(100).kind).toBe("budget");
    expect(l1.v.getGpr(3)).toBe(BigInt(H_SUCCESS));
  });

  it.each([
    ["end < start", [1n, 1n, NESTED_ALL, 2n, 0x2000n, 0x1000n], H_P5],
    ["NESTED with target CMMU_LOCAL", [1n, 2n, NESTED_ALL, 2n, 0n, 0x1000n], H_P2],
    ["NESTED with target NMMU", [1n, 4n, NESTED_ALL, 2n, 0n, 0x1000n], H_P2],
    ["unknown L2 LPID", [99n, 1n, 0x3n, 2n, 0n, 0x10000n], H_SUCCESS],
    ["huge L2 LPID", [1n << 40n, 1n, 0x3n, 2n, 0n, 0x10000n], H_SUCCESS],
    ["process-scoped", [5n, 1n, 0xen, 2n, 0n, (1n << 64n) - 1n], H_SUCCESS],
    ["process-scoped range", [5n, 1n, 0x2n, 2n, 0n, 0x20000n], H_SUCCESS],
  ] as const)("%s", (_n, args, status) => {
    const l1 = enabled();
    call(l1, H_SET_PARTITION_TABLE, PTCR);
    expect(call(l1, H_RPT_INVALIDATE, ...args)).toBe(status);
  });

  it("H_FUNCTION for NESTED without nesting, H_UNSUPPORTED for a hash L1", () => {
    const a = makeL1({ nested: false });
    a.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_RPT_INVALIDATE, 1]);
    expect(call(a, H_RPT_INVALIDATE, 1n, 1n, NESTED_ALL, 2n, 0n, 1n)).toBe(H_FUNCTION);
    const b = makeL1({ radix: false });
    b.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_RPT_INVALIDATE, 1]);
    expect(call(b, H_RPT_INVALIDATE, 1n, 1n, NESTED_ALL, 2n, 0n, 1n)).toBe(H_UNSUPPORTED);
  });

  it.each([
    ["a 64 KiB page", [1n, 1n, 0x3n, 2n, 0x20000n, 0x30000n]],
    ["a range over the 33-page ceiling", [1n, 1n, 0x3n, 1n, 0n, 0x100000n]],
    ["everything", [1n, 1n, 0x3n, 2n, 0n, (1n << 64n) - 1n]],
    ["NESTED_ALL (RIC=2)", [1n, 1n, NESTED_ALL, 2n, 0n, (1n << 64n) - 1n]],
  ] as const)("a partition-scoped flush of %s reaches the shadow", (_n, args) => {
    const l1 = enabled();
    churn(l1);
    expect(call(l1, H_RPT_INVALIDATE, ...args)).toBe(H_SUCCESS);
    expect(finishChurn(l1)).toBe(0x2222n);
  });

  it("H_P4 for page sizes naming no radix size; PWC-only does nothing", () => {
    const l1 = enabled();
    churn(l1);
    expect(call(l1, H_RPT_INVALIDATE, 1n, 1n, 0x3n, 0x10n, 0n, 0x10000n)).toBe(H_P4);
    expect(call(l1, H_RPT_INVALIDATE, 1n, 1n, 0x5n, 2n, 0n, 0x10000n)).toBe(H_SUCCESS);
    expect(finishChurn(l1)).toBe(0x1111n);
  });
});

describe("H_COPY_TOFROM_GUEST", () => {
  /** L2 1 with a process table at L2 0x30000 (PRTS 0) whose PID 1 maps EA 0 -> L2 0x20000. */
  function withProcess(l1: L1): void {
    call(l1, H_SET_PARTITION_TABLE, PTCR);
    for (let p = 0; p < 0x60000; p += 0x10000) l1.map(1, p, L2_BASE + p);
    // Process tree for PID 1 in L2 memory at 0x40000 (root 64 KiB), tables at 0x50000...
    const l2 = (a: number) => L2_BASE + a;
    const root = 0x40000;
    const pud = 0x50000;
    const pmd = 0x51000;
    const pte = 0x52000;
    l1.write64(l2(0x30000 + 16), (2n << 61n) | (5n << 5n) | BigInt(root) | 13n);
    l1.write64(l2(root), (1n << 63n) | BigInt(pud) | 9n);
    l1.write64(l2(pud), (1n << 63n) | BigInt(pmd) | 9n);
    l1.write64(l2(pmd), (1n << 63n) | BigInt(pte) | 5n);
    l1.write64(l2(pte), (3n << 62n) | 0x20000n | 0x180n | 0x6n);
    l1.setPate(1, true, 0x30000n);
    l1.vm.writeGuest(l2(0x20000), words([0xabcdef01, 0x23456789]));
    l1.vm.writeGuest(l2(L2_CODE), words([li(3, 0x58), sc1]));
    const s = l2State(1);
    putState(l1, s.hv, s.regs);
    expect(enterAndRun(l1)).toBe(0xc00n);
  }

  it("copies from an L2 address into an L1 buffer and back", () => {
    const l1 = makeL1();
    withProcess(l1);
    expect(call(l1, H_COPY_TOFROM_GUEST, 1n, 1n, 0n, 0x900000n, 0n, 8n)).toBe(H_SUCCESS);
    expect(l1.vm.readGuest(0x900000, 8)).toEqual(words([0xabcdef01, 0x23456789]));
    l1.vm.writeGuest(0x900100, words([0x55aa55aa]));
    expect(call(l1, H_COPY_TOFROM_GUEST, 1n, 1n, 4n, 0n, 0x900100n, 4n)).toBe(H_SUCCESS);
    expect(l1.vm.readGuest(L2_BASE + 0x20004, 4)).toEqual(words([0x55aa55aa]));
  });

  it.each([
    ["both buffers", [1n, 1n, 0n, 0x900000n, 0x900100n, 8n], H_PARAMETER],
    ["quadrant bits in the EA", [1n, 1n, 0xc000000000000000n, 0x900000n, 0n, 8n], H_PARAMETER],
    ["a huge count", [1n, 1n, 0n, 0x900000n, 0n, BigInt(COPY_TOFROM_MAX) + 1n], H_NO_MEM],
    ["an unknown L2", [9n, 1n, 0n, 0x900000n, 0n, 8n], H_PARAMETER],
    ["a huge LPID", [1n << 40n, 1n, 0n, 0x900000n, 0n, 8n], H_PARAMETER],
    ["an unmapped EA", [1n, 1n, 0x10000n, 0x900000n, 0n, 8n], H_NOT_FOUND],
    ["a PID outside the process table", [1n, 4096n, 0n, 0x900000n, 0n, 8n], H_NOT_FOUND],
    ["a PID with no tree", [1n, 2n, 0n, 0x900000n, 0n, 8n], H_NOT_FOUND],
    ["a destination outside L1 memory", [1n, 1n, 0n, BigInt(RAM), 0n, 8n], H_NOT_FOUND],
    ["a source outside L1 memory", [1n, 1n, 0n, 0n, BigInt(RAM - 4), 8n], H_NOT_FOUND],
  ] as const)("rejects %s", (_n, args, status) => {
    const l1 = makeL1();
    withProcess(l1);
    expect(call(l1, H_COPY_TOFROM_GUEST, ...args)).toBe(status);
  });

  it("H_FUNCTION without nesting", () => {
    expect(
      call(makeL1({ nested: false }), H_COPY_TOFROM_GUEST, 1n, 1n, 0n, 0x900000n, 0n, 8n),
    ).toBe(H_FUNCTION);
  });
});

describe("lifecycle", () => {
  it("moving an L1 memslot removes the shadow entries built on it (rmap)", () => {
    const l1 = makeL1();
    churn(l1);
    const before = l1.nested.rmapEntries(L2_BASE + 0x20000);
    expect(before).toEqual([`1:${0x20000}`]);
    const slot = l1.vm.memslots.list()[0]!;
    l1.vm.setUserMemoryRegion({ ...slot });
    expect(l1.nested.rmapEntries(L2_BASE + 0x20000)).toEqual([]);
    expect(l1.nested.statistics().rmapRemovals).toBeGreaterThan(0);
    expect(l1.nested.guests.list()[0]!.shadow.size).toBe(0);
  });

  it("destroying the VM releases every shadow LPID", () => {
    const l1 = makeL1();
    churn(l1);
    expect(l1.kvm.lpids.inUse().length).toBe(2);
    l1.vm.destroy();
    expect(l1.kvm.lpids.inUse()).toEqual([]);
  });

  it("reference counts: one for the table, one per user", () => {
    const l1 = makeL1();
    call(l1, H_SET_PARTITION_TABLE, PTCR);
    const a = l1.nested.guests.get(3, PTCR, true);
    if (a.kind !== "ok") throw new Error(a.kind);
    expect(a.guest.refcnt).toBe(2);
    const b = l1.nested.guests.get(3, PTCR, true);
    expect(b.kind === "ok" && b.guest === a.guest).toBe(true);
    expect(a.guest.refcnt).toBe(3);
    l1.nested.guests.put(a.guest);
    l1.nested.guests.put(a.guest);
    l1.nested.guests.remove(a.guest);
    expect(a.guest.refcnt).toBe(0);
    expect(() => l1.nested.guests.put(a.guest)).toThrow(/underflow/);
    expect(l1.nested.guests.get(3, PTCR, false).kind).toBe("absent");
  });
});
