import { H_SET_PARTITION_TABLE } from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import type { NestedHvPort, NestedHvState } from "./nested-port";
import { I, RAM, vmWith } from "./test-guest";
import type { Vcpu } from "./vcpu";
import type { Vm } from "./vm";

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
    save: () => ({ kind: "fake", version: 1, inL2: [...l2].map((v) => v.id) }) as NestedHvState,
    restore(s) {
      // Called after the vCPUs: the registers it sees are the restored ones.
      calls.push(`restore ${JSON.stringify(s)} pc=${vmOf.vm?.vcpus[0]?.pc.toString(16)}`);
    },
  };
}

/** The VM the fake port is attached to (for the restore check). */
const vmOf: { vm: Vm | undefined } = { vm: undefined };

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

  it("saves the port's state with the VM, also while a vCPU runs an L2, and hands it back after the vCPUs", () => {
    const { vm, v } = vmWith([I.self]);
    const port = fakePort();
    vm.setNestedHv(port);
    port.l2.add(v);
    v.pc = 0x1234n;
    const s = vm.save();
    expect(s.version).toBe(3);
    expect(s.nested).toEqual({ kind: "fake", version: 1, inL2: [0] });

    const dst = vmWith([I.self]);
    const dstPort = fakePort();
    dst.vm.setNestedHv(dstPort);
    vmOf.vm = dst.vm;
    dst.vm.restore(s);
    expect(dstPort.calls).toEqual(['restore {"kind":"fake","version":1,"inL2":[0]} pc=1234']);
  });

  it("refuses a state with nested-HV state on a VM without the port; older versions restore", () => {
    const { vm, v } = vmWith([I.self]);
    vm.setNestedHv(fakePort());
    const s = vm.save();
    const dst = vmWith([I.self]);
    expect(() => dst.vm.restore(s)).toThrow(
      /carries nested-HV state \(fake\) but this VM runs no nested hypervisors: enable KVM_CAP_PPC_NESTED_HV/,
    );
    // A version 2 state (no `nested`) restores, and resets an attached port.
    const { nested: _, ...v2 } = s;
    const port = fakePort();
    dst.vm.setNestedHv(port);
    dst.vm.restore({ ...v2, version: 2 });
    expect(port.calls).toEqual(["release"]);
    expect(dst.v.pc).toBe(v.pc);
    expect(() => dst.vm.restore({ ...s, version: 4 as 3 })).toThrow(/version 4 is not supported/);
  });

  it("reports radix once a process table is registered", () => {
    const { vm } = vmWith([I.self]);
    expect(vm.radix).toBe(false);
    vm.configureV3Mmu(0n, true);
    expect(vm.radix).toBe(true);
  });
});
