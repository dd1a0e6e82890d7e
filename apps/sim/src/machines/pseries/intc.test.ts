// PseriesIntc against a bare VM: placement decisions, the KVM device fallback, switching at
// CAS and reset, the VMM's gates on hcalls and RTAS, MMIO routing of the ESB and TIMA pages.
import {
  H_CPPR,
  H_FUNCTION,
  H_HARDWARE,
  H_INT_GET_SOURCE_INFO,
  H_SUCCESS,
  SPAPR_XIVE_TM_BASE,
  SPAPR_XIVE_VC_BASE,
} from "@hvsim/xive";
import { Kvm, type HostModel, type Vcpu, type Vm } from "@hvsim/kvm-hv-core";
import { assemble } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import { PseriesIntc, planIntc, type IntcPlan } from "./intc";

const intcOf = new Map<Vm, PseriesIntc>();
const HOST: HostModel = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true };

function setup(plan: IntcPlan, host: HostModel = HOST) {
  const kvm = new Kvm({ host });
  const vm = kvm.createVm();
  vm.setUserMemoryRegion({
    slot: 0,
    gpa: 0,
    size: 0x10000000,
    hostAddr: kvm.allocGuestRam(0x10000000),
  });
  for (let i = 0; i < 2; i++) vm.createVcpu(i);
  const log: string[] = [];
  const intc = new PseriesIntc(vm, plan, {
    guestError: (m) => log.push(`error: ${m}`),
    warning: (m) => log.push(`warning: ${m}`),
  });
  intc.claim(0x1100, false);
  intc.reset();
  intcOf.set(vm, intc);
  return { vm, intc, log, v: vm.vcpu(0) };
}

describe("planIntc (spapr_irq_init / spapr_irq_check)", () => {
  const p0 = { hasXive: true, onPseries: false };
  const l1 = { hasXive: true, onPseries: true };
  it("keeps the XIVE where KVM has it, drops it (dual -> XICS) where it does not", () => {
    expect(planIntc("dual", undefined, p0)).toEqual({
      ok: true,
      plan: { icMode: "dual", xive: true, kernelIrqchip: "allowed" },
    });
    expect(planIntc("dual", "off", l1)).toEqual({
      ok: true,
      plan: { icMode: "dual", xive: false, kernelIrqchip: "off" },
    });
    expect(planIntc("xics", "on", l1)).toMatchObject({ ok: true, plan: { xive: false } });
  });
  it("refuses what QEMU refuses", () => {
    expect(planIntc("dual", "split", p0)).toMatchObject({ ok: false, message: /split/ });
    expect(planIntc("xive", "off", l1)).toMatchObject({ ok: false, message: /ic-mode=xive/ });
    expect(planIntc("dual", "on", l1)).toMatchObject({ ok: false, message: /incompatible/ });
  });
});

describe("PseriesIntc", () => {
  it("dual in kernel: XICS device before CAS, XIVE device (ESB + TIMA OS page) after, XICS again at reset", () => {
    const { vm, intc } = setup({ icMode: "dual", xive: true, kernelIrqchip: "allowed" });
    expect([intc.active, intc.placement, vm.hasIrqchip]).toEqual(["xics", "kernel", true]);
    expect(intc.vmmHcall(vm.vcpu(0), H_CPPR)).toBe(H_HARDWARE); // the XICS is in kernel
    intc.cas("xive");
    expect(intc.stats().placement).toBe("xive in kernel");
    // The XICS's RTAS calls reaching the VMM now answer a hardware error (check_emulated_xics).
    expect(intc.vmmRtas("ibm,get-xive", [0x1100], 3)).toEqual([-1]);
    expect(intc.vmmRtas("ibm,nmi-register", [], 1)).toBeUndefined();
    intc.reset();
    expect(intc.stats().placement).toBe("xics in kernel");
  });

  it("H_INT_* exist only after CAS chose XIVE, whatever the active controller", () => {
    const { intc, v } = setup({ icMode: "xive", xive: true, kernelIrqchip: "off" });
    expect(intc.active).toBe("xive");
    expect(intc.vmmHcall(v, H_INT_GET_SOURCE_INFO)).toBe(H_FUNCTION);
    expect(intc.vmmHcall(v, H_CPPR)).toBe(H_FUNCTION); // no XICS on this machine
    expect(intc.vmmRtas("ibm,set-xive", [0x1100, 0, 5], 1)).toBeUndefined();
    intc.cas("xive");
    v.setGpr(4, 0n);
    v.setGpr(5, 0x1100n);
    expect(intc.vmmHcall(v, H_INT_GET_SOURCE_INFO)).toBe(H_SUCCESS);
    expect(v.getGpr(5)).toBe(BigInt(SPAPR_XIVE_VC_BASE + (0x1100 << 17) + 0x10000));
    expect(intc.vmmHcall(v, 0x1234)).toBeUndefined();
  });

  it("a failed KVM_CREATE_DEVICE falls back to the VMM with QEMU's warning, or is fatal with kernel-irqchip=on", () => {
    const l1: HostModel = { ...HOST, onPseries: true };
    const a = setup({ icMode: "xive", xive: true, kernelIrqchip: "allowed" }, l1);
    expect(a.intc.placement).toBe("vmm");
    expect(a.log.join("\n")).toMatch(
      /warning: kernel_irqchip allowed but unavailable: KVM_CREATE_DEVICE.*falling back to kernel-irqchip=off/,
    );
    expect(() => setup({ icMode: "xive", xive: true, kernelIrqchip: "on" }, l1)).toThrow(
      /ENODEV|XIVE native/,
    );
  });

  it("emulated in the VMM: ESB and TIMA accesses are routed by address, odd sizes are guest errors", () => {
    const { vm, intc, v, log } = setup({ icMode: "xive", xive: true, kernelIrqchip: "off" });
    intc.cas("xive");
    const mgmt0 = SPAPR_XIVE_VC_BASE + 0x10000;
    const tmOs = SPAPR_XIVE_TM_BASE + 0x20000;
    expect(access(vm, v, "ld 4, 0x800(30)", mgmt0)).toBe(true); // ESB GET: IPIs start off (01)
    expect(v.getGpr(4)).toBe(1n);
    expect(access(vm, v, "lwz 4, 0x800(30)", mgmt0)).toBe(true);
    expect(v.getGpr(4)).toBe(0xffff_ffffn);
    expect(log.at(-1)).toMatch(/xive.esb: 4-byte load at offset 0x10800/);
    v.setGpr(5, 0x05n);
    expect(access(vm, v, "stb 5, 0x11(30)", tmOs)).toBe(true); // CPPR 5 through the OS page
    expect(access(vm, v, "ld 4, 0x10(30)", tmOs)).toBe(true);
    expect((v.getGpr(4) >> 48n) & 0xffn).toBe(5n);
    expect(intc.stats()).toMatchObject({ pathMmio: 4 });
    expect(access(vm, v, "ld 4, 0(30)", 0x7000_0000_0000)).toBe(false);
  });

  it("in kernel, the TIMA pages KVM does not map are guest errors that read all ones", () => {
    const { vm, intc, v, log } = setup({ icMode: "xive", xive: true, kernelIrqchip: "allowed" });
    intc.cas("xive");
    expect(access(vm, v, "ld 4, 0x10(30)", SPAPR_XIVE_TM_BASE + 0x20000)).toBe("no exit");
    expect(access(vm, v, "ld 4, 0x10(30)", SPAPR_XIVE_TM_BASE)).toBe(true);
    expect(v.getGpr(4)).toBe(0xffff_ffff_ffff_ffffn);
    expect(log.at(-1)).toMatch(/TIMA page 0 is not mapped by KVM's XIVE device/);
    expect(access(vm, v, "ld 4, 0(30)", SPAPR_XIVE_VC_BASE + 0x10000)).toBe("no exit");
  });

  it("saves and restores onto another machine: the negotiated mode, its placement, a pending line", () => {
    const a = setup({ icMode: "dual", xive: true, kernelIrqchip: "off" });
    expect(a.intc.vmmRtas("ibm,set-xive", [0x1100, 1, 5], 1)).toEqual([0]);
    a.vm.vcpu(1).setGpr(4, 0xffn);
    a.intc.vmmHcall(a.vm.vcpu(1), H_CPPR);
    a.intc.pulse(0x1100);
    expect(a.vm.externalPending(1)).toBe(true);
    const state = JSON.parse(
      JSON.stringify(a.intc.save(), (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)),
      (_k, v: unknown) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v),
    );
    // The destination runs the XICS in kernel: same guest-visible state, another placement.
    const b = setup({ icMode: "dual", xive: true, kernelIrqchip: "allowed" });
    b.intc.restore(state);
    expect(b.intc.stats().placement).toBe("xics in kernel");
    expect(b.vm.externalPending(1)).toBe(true);
    expect(() => b.intc.restore({ ...state, version: 2 })).toThrow(/version/);
  });

  it("only the active controller sees device interrupts; lines follow the placement", () => {
    const { vm, intc } = setup({ icMode: "dual", xive: true, kernelIrqchip: "off" });
    // XICS in the VMM: route the vty to vCPU 1 at priority 5, then pulse it.
    expect(intc.vmmRtas("ibm,set-xive", [0x1100, 1, 5], 1)).toEqual([0]);
    const v1 = vm.vcpu(1);
    v1.setGpr(4, 0xffn);
    expect(intc.vmmHcall(v1, H_CPPR)).toBe(H_SUCCESS);
    intc.pulse(0x1100);
    expect(vm.externalPending(1)).toBe(true); // KVM_INTERRUPT from the VMM
    expect(intc.vmmRtas("ibm,get-xive", [0x1100, 0], 3)).toEqual([-3]);
    expect(intc.vmmRtas("ibm,int-off", [0x1100], 2)).toEqual([-3]);
    expect(intc.vmmRtas("ibm,int-on", [0x1100], 1)).toEqual([0]);
  });
});

/** Run `insn` on vCPU `v` with r30 = `addr`; answer its mmio exit through the controller. */
function access(vm: Vm, v: Vcpu, insn: string, addr: number): boolean | "no exit" {
  const code = assemble(`${insn}\nb .`, { littleEndian: false }).sections.get(".text")!;
  vm.writeGuest(0x1000, code);
  v.pc = 0x1000n;
  v.setGpr(30, BigInt(addr));
  const e = vm.runVcpu(v, 20);
  if (e.kind !== "mmio") return "no exit";
  return vm.vcpu(e.vcpu) === v && intcOf.get(vm)!.vmmMmio(v, e.gpa, e.size, e.isWrite, e.data);
}
