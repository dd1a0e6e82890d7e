import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import type { NestedHvPort } from "./nested-port";
import { I, RAM, vmWith } from "./test-guest";
import type { Vcpu } from "./vcpu";

function fakePort(): NestedHvPort & { calls: string[]; l2: Set<Vcpu> } {
  const calls: string[] = [];
  const l2 = new Set<Vcpu>();
  return {
    calls,
    l2,
    l1Hcall(v, nr) {
      calls.push(`l1Hcall ${nr.toString(16)}`);
      if (nr !== H_SET_PARTITION_TABLE) return undefined;
      l2.add(v); // "enters" the L2
      return { kind: "done", ret: 0 };
    },
    inL2: (v) => l2.has(v),
    l2Hcall(v) {
      calls.push("l2Hcall");
      l2.delete(v);
      v.setGpr(3, 0xc00n);
      return { kind: "handled" };
    },
    l2Interrupt(_v, vector) {
      calls.push(`l2Interrupt ${vector.toString(16)}`);
      return undefined;
    },
    sliceHdec(_v, slice) {
      calls.push("sliceHdec");
      return slice;
    },
    l1RangeUnmapped(gpa, size) {
      calls.push(`unmapped ${gpa.toString(16)}+${size.toString(16)}`);
    },
    release() {
      calls.push("release");
    },
  };
}

describe("NestedHvPort", () => {
  it("routes the L1's nested hcalls and everything the vCPU does while it runs an L2", () => {
    const { vm, v } = vmWith([I.li(3, 0), I.sc1, I.sc1, I.self]);
    const port = fakePort();
    vm.setNestedHv(port);
    v.setGpr(3, BigInt(H_SET_PARTITION_TABLE));
    // li r3,0 would clobber r3: start at the sc.
    v.pc = 0x104n;
    vm.run(1000);
    expect(port.calls[0]).toBe("l1Hcall f800");
    expect(port.calls[1]).toBe("l2Hcall");
    expect(v.getGpr(3)).toBe(0xc00n);
  });

  it("asks for the HDEC of a slice while an L2 runs, and lets L0 keep its own HDEC", () => {
    const { vm, v } = vmWith([I.self]);
    const port = fakePort();
    vm.setNestedHv(port);
    port.l2.add(v);
    vm.run(0x30000);
    expect(port.calls).toContain("sliceHdec");
    expect(port.calls).toContain("l2Interrupt 980");
    expect(vm.stats().hdecSlices).toBeGreaterThan(0);
  });

  it("reports L1 memory L0 unmaps, and releases the port with the VM", () => {
    const { kvm, vm } = vmWith([I.self]);
    const port = fakePort();
    vm.setNestedHv(port);
    const slot = vm.memslots.list()[0]!;
    vm.setUserMemoryRegion({ ...slot });
    expect(port.calls).toContain(`unmapped 0+${RAM.toString(16)}`);
    const host = vm.nestedHost();
    const l = host.allocLpid();
    expect(l).toBeDefined();
    expect(kvm.lpids.inUse()).toContain(l);
    host.freeLpid(l!);
    expect(vm.instantiateGuestPage(0x12345)).toBe(slot.hostAddr + 0x12345);
    expect(vm.instantiateGuestPage(RAM)).toBeUndefined();
    vm.destroy();
    expect(port.calls.at(-1)).toBe("release");
  });

  it("refuses to save while a vCPU runs an L2", () => {
    const { vm, v } = vmWith([I.self]);
    const port = fakePort();
    vm.setNestedHv(port);
    port.l2.add(v);
    expect(() => vm.save()).toThrow(/nested guest/);
    port.l2.delete(v);
    expect(vm.save().version).toBe(2);
  });

  it("reports radix once a process table is registered", () => {
    const { vm } = vmWith([I.self]);
    expect(vm.radix).toBe(false);
    vm.configureV3Mmu(0n, true);
    expect(vm.radix).toBe(true);
  });
});
