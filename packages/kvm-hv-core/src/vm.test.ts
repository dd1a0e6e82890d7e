import {
  H_CEDE,
  H_CONFER,
  H_PAGE_INIT,
  H_PARAMETER,
  H_PROD,
  H_PUT_TERM_CHAR,
  H_REGISTER_VPA,
  H_SET_DABR,
  H_SET_MODE,
  H_SUCCESS,
  KVM_CAP_PPC_ENABLE_HCALL,
  KVM_CAP_PPC_IRQ_XIVE,
  KVM_CAP_PPC_MMU_RADIX,
  KVM_CAP_PPC_NESTED_HV,
  KVM_CAP_PPC_RPT_INVALIDATE,
} from "@hvsim/hcall-abi";
import { SPR } from "@hvsim/ppc-isa";
import { lookupLeaf, mapPage, read64n } from "@hvsim/radix-mmu";
import { describe, expect, it } from "vitest";
import { KvmError } from "./errors";
import { Kvm } from "./kvm";
import { HDEC_SLICE, type Vm } from "./vm";
import { I, RAM, vmWith, words, type TestVm } from "./test-guest";

const LPCR_UPRT = 1n << 22n;
const LPCR_GTSE = 1n << 10n;
const LPCR_HR = 1n << 20n;
const LPCR_ILE = 1n << 25n;

describe("Kvm", () => {
  it("reports capabilities from the host model and allocates LPIDs per VM", () => {
    const kvm = new Kvm({ host: { cpu: "POWER9 DD2.2", rptInvalidate: false, nestedHv: true } });
    expect(kvm.checkExtension(KVM_CAP_PPC_MMU_RADIX)).toBe(1);
    expect(kvm.checkExtension(KVM_CAP_PPC_NESTED_HV)).toBe(1);
    expect(kvm.checkExtension(KVM_CAP_PPC_RPT_INVALIDATE)).toBe(0);
    expect(kvm.checkExtension(KVM_CAP_PPC_IRQ_XIVE)).toBe(1);
    expect(kvm.checkExtension(99999)).toBe(0);
    const a = kvm.createVm();
    const b = kvm.createVm();
    expect([a.lpid, b.lpid]).toEqual([1, 2]);
    a.destroy();
    expect(kvm.createVm().lpid).toBe(1);
    expect(() => a.createVcpu(0)).toThrow(KvmError);
  });

  it("writes the VM's PATE (HR + partition tree root) into the partition table PTCR names", () => {
    const { kvm, vm, v } = vmWith([I.self]);
    const base = kvm.partitionTable.base + 16 * vm.lpid;
    const dw0 = read64n(kvm.mem, base);
    expect(dw0 >> 63n).toBe(1n); // HR
    expect(dw0 & 0x0fffffffffffff00n).toBe(BigInt(vm.tree.root));
    expect(v.getSpr(SPR.PTCR)).toBe(
      (BigInt(kvm.partitionTable.ptcrHi) << 32n) | BigInt(kvm.partitionTable.ptcrLo),
    );
    expect(v.getSpr(SPR.LPIDR)).toBe(BigInt(vm.lpid));
    expect(v.getSpr(SPR.LPCR) & LPCR_HR).toBe(LPCR_HR);
    expect(v.msr >> 60n).toBe(0x8n); // SF, not HV
    expect(() => vm.createVcpu(0)).toThrow(/already exists/);
    expect(() => vm.vcpu(5)).toThrow(/no vCPU 5/);
  });

  it("refuses a memslot beyond host memory", () => {
    const kvm = new Kvm({ hostBytes: 0x10000000 });
    const vm = kvm.createVm();
    expect(() =>
      vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: 0x1000000, hostAddr: 0xf800000 }),
    ).toThrow(/outside host memory/);
    expect(() => kvm.allocGuestRam(0x100000000)).toThrow(/host memory exhausted/);
  });
});

describe("running a vCPU", () => {
  it("exits to the VMM for H_PUT_TERM_CHAR with the arguments, and resumes after the sc", () => {
    const { vm, v } = vmWith([I.li(3, H_PUT_TERM_CHAR), I.li(4, 7), I.sc1, I.li(8, 42), I.self]);
    const e = vm.run(10_000);
    expect(e).toMatchObject({ kind: "papr-hcall", vcpu: 0, nr: H_PUT_TERM_CHAR });
    if (e.kind === "papr-hcall") expect(e.args[0]).toBe(7n);
    expect(v.pc).toBe(0x10cn);
    v.setGpr(3, 0n);
    expect(vm.run(1000).kind).toBe("budget");
    expect(v.getGpr(8)).toBe(42n);
    const s = vm.stats();
    expect(s.hcallsToVmm).toEqual({ H_PUT_TERM_CHAR: 1 });
    expect(s.exits).toEqual({ "papr-hcall": 1, budget: 1 });
  });

  it("builds the partition-scoped tree on demand from HISI/HDSI, one 64 KiB page at a time", () => {
    const { vm, v } = vmWith([I.lis(5, 0x20), I.li(4, 0x1234), I.stw(4, 0, 5), I.self]);
    expect(lookupLeaf(vm.tree, 0)).toBeUndefined();
    expect(vm.run(1000).kind).toBe("budget");
    const s = vm.stats();
    expect(s.hisi).toBe(1);
    expect(s.hdsi).toBe(1);
    expect(s.pagesMapped).toBe(2);
    expect(lookupLeaf(vm.tree, 0)?.pageShift).toBe(16);
    expect(lookupLeaf(vm.tree, 0x200000)).toBeDefined();
    expect(vm.readGuest(0x200000, 4)).toEqual(words([0x1234]));
    expect(v.pc).toBe(0x10cn);
    expect(vm.mmu.counters().walks).toBeGreaterThan(0);
  });

  it("reports an access to unbacked guest physical memory as an mmio exit", () => {
    const { vm } = vmWith([I.lis(5, 0x4000), I.lwz(4, 0, 5), I.self]);
    expect(vm.run(1000)).toEqual({
      kind: "mmio",
      vcpu: 0,
      gpa: 0x40000000,
      size: 4,
      isWrite: false,
      data: 0n,
      fetch: false,
    });
  });

  it("throws (broken invariant) when a tree entry points outside the VM's memslots", () => {
    const { vm } = vmWith([I.lis(5, 0x100), I.lwz(4, 0, 5), I.self]);
    mapPage(vm.tree, 0x1000000, 0x200000000, 16, { perm: 7 });
    expect(() => vm.run(1000)).toThrow(/isolation: LPID 1/);
  });

  it("reflects an illegal instruction as a program interrupt (HEAI → 0x700)", () => {
    const { vm, v } = vmWith([0x00000000]);
    vm.writeGuest(0x700, words([I.self]));
    expect(vm.run(1000).kind).toBe("budget");
    expect(v.pc).toBe(0x700n);
    expect(v.getSpr(SPR.SRR0)).toBe(0x100n);
  });

  it("`sc 1` from the guest's problem state is a privileged program interrupt, not an hcall", () => {
    const { vm, v } = vmWith([I.sc1, I.self]);
    vm.writeGuest(0x700, words([I.self]));
    v.msr = v.msr | (1n << 14n); // MSR[PR]
    v.setGpr(3, 0x58n); // H_PUT_TERM_CHAR, which must not reach the VMM
    expect(vm.run(1000).kind).toBe("budget");
    expect(v.pc).toBe(0x700n);
    expect(v.getSpr(SPR.SRR0)).toBe(0x104n);
    expect(v.getSpr(SPR.SRR1) & 0x1f0000n).toBe(0x40000n); // SRR1[45]: privileged
    expect(vm.stats().hcallsToVmm).toEqual({});
  });

  it("says halted when no vCPU is runnable", () => {
    const { vm, v } = vmWith([I.self]);
    v.mpState = "stopped";
    expect(vm.run(1000)).toEqual({ kind: "halted", vcpu: -1 });
  });
});

describe("in-kernel hcalls and the enable bitmap", () => {
  const hcallAt = (nr: number, ...args: bigint[]) => {
    const t = vmWith([I.sc1, I.self]);
    t.v.setGpr(3, BigInt(nr));
    args.forEach((a, i) => t.v.setGpr(4 + i, a));
    return t;
  };

  it("handles default-enabled hcalls in kernel and exits when the VMM disabled them", () => {
    const a = hcallAt(H_SET_DABR, 0x1234n);
    expect(a.vm.run(1000).kind).toBe("budget");
    expect(a.v.getGpr(3)).toBe(BigInt(H_SUCCESS));
    expect(a.v.dabr).toBe(0x1234n);
    expect(a.vm.stats().hcallsInKernel).toEqual({ H_SET_DABR: 1 });

    const b = hcallAt(H_SET_DABR, 0x1234n);
    b.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_SET_DABR, 0]);
    expect(b.vm.hcallEnabled(H_SET_DABR)).toBe(false);
    expect(b.vm.run(1000)).toMatchObject({ kind: "papr-hcall", nr: H_SET_DABR });
  });

  it("H_SET_MODE is off by default; once enabled KVM keeps DAWR and passes LE to the VMM", () => {
    const a = hcallAt(H_SET_MODE, 0n, 2n);
    expect(a.vm.run(1000)).toMatchObject({ kind: "papr-hcall", nr: H_SET_MODE });
    const b = hcallAt(H_SET_MODE, 0n, 2n);
    b.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_SET_MODE, 1]);
    expect(b.vm.run(1000).kind).toBe("budget");
    expect(b.v.getGpr(3)).toBe(0n);
    const c = hcallAt(H_SET_MODE, 1n, 4n);
    c.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_SET_MODE, 1]);
    expect(c.vm.run(1000)).toMatchObject({ kind: "papr-hcall", nr: H_SET_MODE });
    c.vm.setInterruptLittleEndian(true);
    expect(c.v.getSpr(SPR.LPCR) & LPCR_ILE).toBe(LPCR_ILE);
    c.vm.setInterruptLittleEndian(false);
    expect(c.v.getSpr(SPR.LPCR) & LPCR_ILE).toBe(0n);
  });

  it("rejects KVM_CAP_PPC_ENABLE_HCALL for hcalls KVM-HV does not implement", () => {
    const { vm } = vmWith([I.self]);
    expect(() => vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_PUT_TERM_CHAR, 1])).toThrow(
      /does not implement/,
    );
    expect(() => vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_CEDE, 2])).toThrow(KvmError);
    expect(() => vm.enableCap(12345)).toThrow(/cannot be enabled/);
    vm.enableCap(KVM_CAP_PPC_NESTED_HV, [1]);
    expect(vm.nestedHvEnabled).toBe(true);
  });

  it("H_PAGE_INIT zeroes and copies guest pages", () => {
    const a = hcallAt(H_PAGE_INIT, 1n << 14n, 0x20000n, 0x30000n);
    a.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_PAGE_INIT, 1]);
    a.vm.writeGuest(0x30000, words([0xcafef00d]));
    a.vm.writeGuest(0x20ffc, words([0x1]));
    expect(a.vm.run(1000).kind).toBe("budget");
    expect(a.v.getGpr(3)).toBe(0n);
    expect(a.vm.readGuest(0x20000, 4)).toEqual(words([0xcafef00d]));
    expect(a.vm.readGuest(0x20ffc, 4)).toEqual(words([0]));

    const b = hcallAt(H_PAGE_INIT, 1n << 15n, 0x20000n);
    b.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_PAGE_INIT, 1]);
    b.vm.writeGuest(0x20010, words([0x5]));
    b.vm.run(1000);
    expect(b.vm.readGuest(0x20010, 4)).toEqual(words([0]));

    const c = hcallAt(H_PAGE_INIT, 1n << 15n, 0x20010n);
    c.vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_PAGE_INIT, 1]);
    c.vm.run(1000);
    expect(c.v.getGpr(3)).toBe(BigInt.asUintN(64, BigInt(H_PARAMETER)));
  });

  it("H_REGISTER_VPA checks the area is guest RAM", () => {
    const a = hcallAt(H_REGISTER_VPA, 1n << 45n, 0n, 0x8000n);
    a.vm.run(1000);
    expect(a.v.getGpr(3)).toBe(0n);
    const b = hcallAt(H_REGISTER_VPA, 1n << 45n, 0n, BigInt(RAM) + 0x1000n);
    b.vm.run(1000);
    expect(b.v.getGpr(3)).toBe(BigInt.asUintN(64, BigInt(H_PARAMETER)));
  });

  it("H_CONFER yields the slice and H_PROD names a vCPU", () => {
    const a = hcallAt(H_CONFER, 0n);
    expect(a.vm.run(1000).kind).toBe("budget");
    expect(a.vm.stats().hcallsInKernel).toEqual({ H_CONFER: 1 });
    const b = hcallAt(H_PROD, 9n);
    b.vm.run(1000);
    expect(b.v.getGpr(3)).toBe(BigInt.asUintN(64, BigInt(H_PARAMETER)));
  });

  it("an in-kernel interrupt controller answers its own hcalls", () => {
    const a = hcallAt(0x64 /* H_EOI */, 0n);
    a.vm.setIrqchip({
      externalPending: () => false,
      hcall: (_v, nr) => (nr === 0x64 ? 0 : undefined),
    });
    expect(a.vm.run(1000).kind).toBe("budget");
    expect(a.vm.stats().hcallsInKernel).toEqual({ H_EOI: 1 });
  });
});

describe("H_CEDE, H_PROD and scheduling", () => {
  it("cede sleeps until the decrementer fires, fast-forwarding time", () => {
    // DEC = 100000 ticks, then H_CEDE with EE=0 (KVM sets EE), the DEC interrupt at 0x900.
    const { vm, v } = vmWith([I.lis(4, 1), I.sc1, I.self]);
    vm.writeGuest(0x900, words([I.li(9, 1), I.self]));
    v.setSpr(SPR.DEC, 100000n);
    v.setGpr(3, BigInt(H_CEDE));
    // lis r4 is harmless; r3 stays H_CEDE.
    expect(vm.run(1_000_000).kind).toBe("budget");
    expect(v.getGpr(9)).toBe(1n);
    expect(v.pc).toBe(0x904n);
    expect(v.getSpr(SPR.SRR0)).toBe(0x108n);
    expect(v.cpu.tb).toBeGreaterThan(100000);
    expect(v.ceded).toBe(false);
  });

  it("H_PROD from another vCPU wakes a ceded one; vCPUs run round-robin on HDEC", () => {
    const { vm, v } = vmWith([I.sc1, I.addi(10, 10, 1), I.back(4)]);
    v.setSpr(SPR.DEC, 0x7fffffffn);
    v.setGpr(3, BigInt(H_CEDE));
    const v1 = vm.createVcpu(1);
    vm.writeGuest(0x2000, words([I.addi(11, 11, 1), I.back(4)]));
    vm.writeGuest(0x3000, words([I.li(3, H_PROD), I.li(4, 0), I.sc1, I.self]));
    v1.pc = 0x2000n;
    expect(vm.run(200_000).kind).toBe("budget");
    expect(v.ceded).toBe(true);
    expect(v1.getGpr(11)).toBeGreaterThan(1000n);
    expect(vm.stats().hdecSlices).toBeGreaterThan(0);
    v1.pc = 0x3000n;
    expect(vm.run(400_000).kind).toBe("budget");
    expect(v.ceded).toBe(false);
    expect(v.getGpr(10)).toBeGreaterThan(1000n);
  });

  it("is deterministic: the same VM run twice ends in the same state", () => {
    const run = () => {
      const { vm, v } = vmWith([I.addi(10, 10, 1), I.back(4)]);
      const v1 = vm.createVcpu(1);
      vm.writeGuest(0x2000, words([I.addi(11, 11, 3), I.back(4)]));
      v1.pc = 0x2000n;
      vm.run(333_333);
      return [v.getGpr(10), v1.getGpr(11), v.cpu.icount, v1.cpu.icount];
    };
    expect(run()).toEqual(run());
  });
});

describe("MMU configuration and save/restore", () => {
  it("KVM_PPC_CONFIGURE_V3_MMU sets PATE dw1 and LPCR[UPRT|GTSE]", () => {
    const { kvm, vm, v } = vmWith([I.self]);
    vm.configureV3Mmu(0x8000000000010004n, true);
    expect(read64n(kvm.mem, kvm.partitionTable.base + 16 * vm.lpid + 8)).toBe(0x8000000000010004n);
    expect(v.getSpr(SPR.LPCR) & (LPCR_UPRT | LPCR_GTSE)).toBe(LPCR_UPRT | LPCR_GTSE);
    vm.configureV3Mmu(0n, false);
    expect(v.getSpr(SPR.LPCR) & LPCR_GTSE).toBe(0n);
  });

  it("moving a memslot drops the partition-scoped mappings", () => {
    const { kvm, vm } = vmWith([I.self]);
    vm.run(100);
    expect(lookupLeaf(vm.tree, 0)).toBeDefined();
    vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
    expect(lookupLeaf(vm.tree, 0)).toBeUndefined();
  });

  it("a run saved at instruction N and restored on another host ends like one that never stopped", () => {
    const program = [I.lis(5, 0x30), I.addi(10, 10, 1), I.stw(10, 0, 5), I.back(8)];
    const straight = vmWith(program);
    straight.vm.run(50_000);
    straight.vm.run(50_000);

    const a = vmWith(program);
    a.vm.run(50_000);
    const state = a.vm.save();
    const kvm2 = new Kvm();
    kvm2.createVm(); // another LPID on the destination
    const vm2 = kvm2.createVm();
    vm2.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm2.allocGuestRam(RAM) });
    vm2.restore(state);
    expect(vm2.lpid).toBe(2);
    vm2.run(50_000);
    const b = vm2.vcpu(0);
    expect(b.getGpr(10)).toBe(straight.v.getGpr(10));
    expect(b.pc).toBe(straight.v.pc);
    expect(vm2.readGuest(0x300000, 4)).toEqual(straight.vm.readGuest(0x300000, 4));
    expect(b.getSpr(SPR.LPIDR)).toBe(2n);

    const vm3 = kvm2.createVm();
    expect(() => vm3.restore(state)).toThrow(/create the same memslots/);
    expect(() => vm3.restore({ ...state, version: 4 as 3 })).toThrow(/version 4/);
  });

  it("restoring replaces all of the destination's memory: what the source never wrote is zero", () => {
    const a = vmWith([I.self]);
    const state = a.vm.save();
    const b = vmWith([I.li(3, 1), I.self]); // the destination booted something else
    b.vm.writeGuest(0x800000, new Uint8Array([1, 2, 3, 4]));
    b.vm.run(10); // and cached its pages
    b.vm.restore(state);
    expect(b.vm.readGuest(0x800000, 4)).toEqual(new Uint8Array(4));
    expect(b.vm.readGuest(0x100, 4)).toEqual(words([I.self]));
    b.vm.run(10);
    expect(b.v.getGpr(3)).toBe(a.v.getGpr(3));
  });

  it("pausing anywhere, even inside an HDEC slice, and saving/restoring changes nothing", () => {
    // Two vCPUs time-sliced by HDEC, each counting in its own word: the schedule (who ran
    // when, and the timebase each saw) is visible in the counters and the registers.
    const program = [I.lis(5, 0x30), I.addi(10, 10, 1), I.stw(10, 0, 5), I.back(8)];
    const two = (): TestVm => {
      const t = vmWith(program);
      const v1 = t.vm.createVcpu(1);
      t.vm.writeGuest(
        0x200,
        words([I.lis(5, 0x31), I.addi(10, 10, 3), I.stw(10, 0, 5), I.back(8)]),
      );
      v1.pc = 0x200n;
      return t;
    };
    const TOTAL = 400_000;
    const snapshot = (vm: Vm) => ({
      vcpus: vm.vcpus.map((x) => x.save()),
      mem: [vm.readGuest(0x300000, 4), vm.readGuest(0x310000, 4)],
    });
    const straight = two();
    expect(straight.vm.run(TOTAL).kind).toBe("budget");
    const want = snapshot(straight.vm);
    expect(want.vcpus[1]!.cpu.icount).toBeGreaterThan(HDEC_SLICE); // both really ran, sliced

    for (const n of [1, 777, HDEC_SLICE - 1, HDEC_SLICE, HDEC_SLICE + 12_345, 3 * HDEC_SLICE + 5]) {
      // Paused in place and continued:
      const a = two();
      a.vm.run(n);
      a.vm.run(TOTAL - n);
      expect(snapshot(a.vm), `paused at ${n}`).toEqual(want);
      // Saved, restored into a fresh VM of another host, and continued:
      const b = two();
      b.vm.run(n);
      const state = b.vm.save();
      const kvm2 = new Kvm();
      const vm2 = kvm2.createVm();
      vm2.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm2.allocGuestRam(RAM) });
      vm2.restore(structuredClone(state));
      vm2.run(TOTAL - n);
      expect(snapshot(vm2), `saved at ${n}`).toEqual(want);
    }
  });
});

describe("tracing", () => {
  it("reports slices, hcalls by where they were handled, and page faults", () => {
    const events: string[] = [];
    const kvm = new Kvm();
    const vm = kvm.createVm({
      trace: (e) => {
        switch (e.kind) {
          case "slice":
            events.push(`slice ${e.vcpu} ${e.insns > 0}`);
            break;
          case "hcall":
            events.push(`hcall ${e.name} ${e.where}`);
            break;
          case "page-fault":
            events.push(`fault 0x${e.vector.toString(16)} 0x${e.gpa.toString(16)}`);
            break;
        }
      },
    });
    vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
    const v = vm.createVcpu(0);
    vm.writeGuest(0x100, words([I.li(3, H_SET_DABR), I.sc1, I.li(3, H_PUT_TERM_CHAR), I.sc1]));
    v.pc = 0x100n;
    expect(vm.run(1000).kind).toBe("papr-hcall");
    expect(events).toEqual([
      "fault 0xe20 0x0",
      "hcall H_SET_DABR kernel",
      "hcall H_PUT_TERM_CHAR vmm",
      "slice 0 true",
    ]);
  });
});

describe("KVM_RUN on one vCPU and the irqchip kick", () => {
  it("runVcpu runs only that vCPU and reports a stopped one as halted", () => {
    const { vm, v } = vmWith([I.addi(10, 10, 1), I.back(4)]);
    const v1 = vm.createVcpu(1);
    vm.writeGuest(0x2000, words([I.addi(11, 11, 1), I.back(4)]));
    v1.pc = 0x2000n;
    expect(vm.runVcpu(v1, 100_000).kind).toBe("budget");
    expect(v1.getGpr(11)).toBeGreaterThan(40_000n);
    expect(v.getGpr(10)).toBe(0n);
    v1.mpState = "stopped";
    expect(vm.runVcpu(v1, 1000)).toEqual({ kind: "halted", vcpu: 1 });
    const other = vmWith([I.self]);
    expect(() => vm.runVcpu(other.v, 10)).toThrow(/not in this VM/);
  });

  it("an external interrupt from the irqchip wakes a ceded vCPU and is delivered at 0x500", () => {
    const { vm, v } = vmWith([I.sc1, I.self]);
    vm.writeGuest(0x500, words([I.li(9, 5), I.self]));
    let pending = false;
    vm.setIrqchip({ externalPending: () => pending });
    v.setSpr(SPR.DEC, 0x7fffffffn);
    v.setGpr(3, BigInt(H_CEDE));
    expect(vm.run(10_000).kind).toBe("budget");
    expect(v.ceded).toBe(true);
    pending = true;
    vm.interruptChanged(0);
    expect(v.ceded).toBe(false);
    expect(vm.run(10_000).kind).toBe("budget");
    expect(v.getGpr(9)).toBe(5n);
    expect(v.getSpr(SPR.SRR0)).toBe(0x104n);
  });
});

describe("one timebase for the machine", () => {
  it("a vCPU that keeps exiting to the VMM does not fall behind the others in time", () => {
    // vCPU 0: H_PUT_TERM_CHAR in a loop (an exit every 3 instructions); vCPU 1 computes.
    const { vm, v } = vmWith([I.li(3, H_PUT_TERM_CHAR), I.sc1, I.back(8)]);
    const v1 = vm.createVcpu(1);
    vm.writeGuest(0x2000, words([I.addi(11, 11, 1), I.back(4)]));
    v1.pc = 0x2000n;
    let exits = 0;
    for (let budget = 2_000_000; budget > 0 && exits < 20; exits++) {
      const before = v.cpu.icount + v1.cpu.icount;
      const e = vm.run(budget);
      budget -= v.cpu.icount + v1.cpu.icount - before;
      expect(e.kind).toBe("papr-hcall");
    }
    expect(exits).toBe(20);
    expect(v1.cpu.tb).toBeGreaterThan(HDEC_SLICE * 10);
    expect(Math.abs(v.cpu.tb - v1.cpu.tb)).toBeLessThanOrEqual(4 * HDEC_SLICE);
    // Few instructions ran on vCPU 0, but its clock kept up.
    expect(v.cpu.icount).toBeLessThan(100);
  });
});

describe("reset", () => {
  it("returns every vCPU to its reset registers, keeps memory and time, forgets the process table", () => {
    const { kvm, vm, v } = vmWith([I.li(10, 7), I.stw(10, 0x800, 0), I.self]);
    vm.configureV3Mmu(0x10004n, true);
    vm.setInterruptLittleEndian(true);
    vm.run(1000);
    const tb = v.cpu.tb;
    expect(v.getGpr(10)).toBe(7n);
    vm.reset();
    expect(v.getGpr(10)).toBe(0n);
    expect(v.pc).toBe(0n);
    expect(v.cpu.tb).toBe(tb);
    expect(v.getSpr(SPR.LPCR) & (LPCR_UPRT | LPCR_ILE)).toBe(0n);
    expect(read64n(kvm.mem, kvm.partitionTable.base + 16 * vm.lpid + 8)).toBe(0n);
    expect(vm.readGuest(0x800, 4)).toEqual(words([7]));
    expect(v.decPending()).toBe(false);
    expect(v.getSpr(SPR.LPIDR)).toBe(BigInt(vm.lpid));
  });
});
