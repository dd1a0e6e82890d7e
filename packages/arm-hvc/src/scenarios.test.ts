// The scenario matrix of issue 8: KVM-like host with and without async PF, Xen-like host, no
// hypervisor, migration between hosts with different frozen sets, and the never-probe-blindly
// guarantee on a machine where HVC is UNDEFINED.
import { describe, expect, test } from "vitest";
import { runArmScenario, parseArmMachineSpec, exitStatusOf } from "./run-scenario";
import { ArmVirtMachine, restoreArmVirtMachine } from "./arm-virt-machine";
import type { ArmGuestProgram } from "./arm-virt-machine";
import { discoverPlatform } from "./discovery-client";
import { blindProbeGuest, discoveryGuest } from "./guest-discovery";
import { apfGuest, APF_GUEST_DATA_OFFSET, APF_GUEST_DATA_VALUE } from "./guest-apf";
import { KVM_HOST_APF, KVM_HOST_MAINLINE, KVM_HOST_OLD } from "./host-profiles";
import { EBUSY, KVM_REG_ARM_VENDOR_HYP_BMAP } from "./firmware-regs";
import { MemoryDeviceTree, propString, propStringList } from "./device-tree";
import type { FirmwareDescription } from "./device-tree";
import type { ArmVcpu } from "./arm-vcpu";

function trace(m: ArmVirtMachine) {
  return m.vcpus.flatMap((v) =>
    v.conduitTrace.map((t) => `${t.insn}#${t.imm.toString(16)}:${t.functionId.toString(16)}`),
  );
}

describe("KVM-like host", () => {
  test("discovery without async PF: Linux's probe order, services from the bitmap", () => {
    const r = runArmScenario({ host: "kvm", guest: "discovery" });
    expect(r.exitStatus).toBe(0);
    expect(r.exit).toEqual({ kind: "system-event", event: { type: "shutdown" } });
    expect(r.lines).toContain("psci: PSCIv1.1 detected in firmware.");
    expect(r.lines).toContain("psci: SMC Calling Convention v1.1");
    expect(r.lines).toContain(
      "smccc: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 0x00000003)",
    );
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services=trng,ptp,pv-time",
    );
    expect(r.lines).toContain("smp: CPU_ON again before it ran = ON_PENDING");
    expect(r.lines).toContain("smp: AFFINITY_INFO after it ran = OFF");
  });

  test("the probe order is PSCI_VERSION → PSCI_FEATURES(SMCCC_VERSION) → SMCCC_VERSION → TRNG → ARCH_FEATURES → UID → FEATURES", () => {
    const m = new ArmVirtMachine({ host: "kvm", apf: true });
    m.run((env) => {
      discoverPlatform(env.firmware, env.vcpu, env.log);
    });
    expect(trace(m)).toEqual([
      "hvc#0:84000000", // PSCI_VERSION
      "hvc#0:84000006", // MIGRATE_INFO_TYPE
      "hvc#0:8400000a", // PSCI_FEATURES(SMCCC_VERSION)
      "hvc#0:80000000", // SMCCC_VERSION
      "hvc#0:84000050", // TRNG_VERSION (Linux probes TRNG as soon as SMCCC >= 1.1)
      "hvc#0:80000001", // ARCH_FEATURES(WORKAROUND_1)
      "hvc#0:80000001",
      "hvc#0:80000001",
      "hvc#0:8600ff01", // Call UID
      "hvc#0:86000000", // KVM_FEATURES
      "hvc#0:80000001", // ARCH_FEATURES(PV_TIME_FEATURES)
      "hvc#0:c5000020", // PV_TIME_FEATURES(PV_TIME_ST)
      "hvc#0:c5000021", // PV_TIME_ST
    ]);
  });

  test("discovery with async PF: the bitmap advertises functions 80..82", () => {
    const r = runArmScenario({ host: "kvm", apf: true, guest: "discovery" });
    expect(r.lines).toContain(
      "smccc: KVM: hypervisor services detected (0x00000000 0x00070000 0x00000000 0x00000003)",
    );
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services=trng,ptp,pv-time,apf",
    );
  });

  test("apf guest with async PF: task B runs while task A's page is swapped in", () => {
    const r = runArmScenario({ host: "kvm", apf: true, guest: "apf" });
    expect(r.exitStatus).toBe(0);
    expect(r.lines).toContain("kvm-apf: v1.0 enabled: record at 0x40002000, page-ready INTID 20");
    expect(r.lines).toContain("task A: page 0x40200000 not present (token 1); switching task");
    expect(r.lines).toContain("irq 20: page ready (token 1): task A runnable");
    expect(r.lines).toContain("task A: read 0xc0ffee after waiting 20008 ticks");
    expect(r.lines).toContain(
      "apf: async page fault; task B ran 19 of 30 slices while A waited; both tasks done in 30008 ticks",
    );
  });

  test("apf guest without async PF: the vCPU stalls and B waits", () => {
    const r = runArmScenario({ host: "kvm", guest: "apf" });
    expect(r.lines).toContain("kvm-apf: not offered by the hypervisor; page faults stall the vCPU");
    expect(r.lines).toContain(
      "apf: synchronous page fault; task B ran 0 of 30 slices while A waited; both tasks done in 50001 ticks",
    );
    // The host implements async PF but the VM's frozen set does not include it.
    const m = new ArmVirtMachine({ host: "kvm", hostKernel: KVM_HOST_APF });
    m.memory.writeU64(m.memory.base + APF_GUEST_DATA_OFFSET, APF_GUEST_DATA_VALUE);
    m.swapOut(m.memory.base + APF_GUEST_DATA_OFFSET);
    const res = m.run(apfGuest());
    expect(res.stallTicks).toBe(20000n);
    expect(res.lines).toContain(
      "kvm-apf: not offered by the hypervisor; page faults stall the vCPU",
    );
    // Called blindly anyway, the APF functions answer NOT_SUPPORTED.
    const cpu = m.vcpus[0] as ArmVcpu;
    cpu.x[0] = 0x86000050n;
    m.conduit(cpu, "hvc", 0);
    expect(cpu.x[0]).toBe(0xffffffffffffffffn);
  });

  test("PSCI 0.1: ids from the tree, no SMCCC conduit, no vendor calls", () => {
    const r = runArmScenario({ host: "kvm", psciVersion: "0.1", guest: "discovery" });
    expect(r.lines).toContain("psci: Using PSCI v0.1 Function IDs from DT");
    expect(r.lines).toContain("smp: CPU1 booted (context id 0x0)");
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=0.1 smccc=1.0 hypervisor=none services=none",
    );
    expect(r.exit).toEqual({ kind: "returned" });
  });

  test("PSCI 0.2: no PSCI_FEATURES, so SMCCC stays 1.0 and no vendor call is made", () => {
    const m = new ArmVirtMachine({ host: "kvm", psciVersion: "0.2" });
    const r = m.run(discoveryGuest());
    expect(r.lines).toContain("psci: SMC Calling Convention v1.0");
    expect(trace(m).some((t) => t.includes(":86") || t.includes(":80000"))).toBe(false);
  });

  test("ACPI: the conduit comes from the FADT flags", () => {
    const r = runArmScenario({ host: "kvm", firmwareTables: "acpi", guest: "discovery" });
    expect(r.lines).toContain("psci: probing for conduit method from ACPI.");
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services=trng,ptp,pv-time",
    );
  });

  test("stolen time is read from the PV-time record", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    m.steal(0, 12345n);
    let stolen: bigint | undefined;
    m.run((env) => {
      stolen = discoverPlatform(env.firmware, env.vcpu, env.log).stolenTimeNs;
    });
    expect(stolen).toBe(12345n);
  });

  test("an SMC reaches the same SMCCC handler; a nonzero SMC immediate answers -1", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const cpu = m.vcpus[0] as ArmVcpu;
    cpu.x[0] = 0x84000000n;
    cpu.smc(0);
    expect(cpu.x[0]).toBe(0x10001n);
    cpu.x[0] = 0x84000000n;
    cpu.smc(1);
    expect(cpu.x[0]).toBe(0xffffffffffffffffn);
  });

  test("the frozen set cannot change once a vCPU ran", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    m.run(() => {});
    expect(m.frozenSet?.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 1n)).toBe(EBUSY);
  });
});

describe("Xen-like host", () => {
  test("Xen found from /hypervisor, its hypercall used, PSCI over HVC, Xen's UID", () => {
    const m = new ArmVirtMachine({ host: "xen" });
    const r = m.run(discoveryGuest());
    expect(r.lines).toContain("xen: Xen 4.17 support found");
    expect(r.lines).toContain("xen: Xen version 4.17");
    expect(r.lines).toContain(
      "smccc: vendor hypervisor UID a71812dc-c698-4369-9acf-79d18ddee667 (Xen)",
    );
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=xen services=none",
    );
    expect(trace(m)[0]).toBe("hvc#ea1:0");
    expect(trace(m)).not.toContain("hvc#0:86000000"); // never asks for KVM_FEATURES
  });

  test("Xen over ACPI: identified by its UID alone", () => {
    const r = runArmScenario({ host: "xen", firmwareTables: "acpi", guest: "discovery" });
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=xen services=none",
    );
  });

  test("Xen: other hypercalls answer -ENOSYS; a foreign HVC immediate is UNDEFINED", () => {
    const m = new ArmVirtMachine({ host: "xen" });
    const cpu = m.vcpus[0] as ArmVcpu;
    cpu.x[16] = 99n;
    cpu.hvc(0xea1);
    expect(BigInt.asIntN(64, cpu.x[0] ?? 0n)).toBe(-38n);
    cpu.x[0] = 0x8600ff03n;
    cpu.hvc(0);
    expect(cpu.x.slice(0, 2)).toEqual([0n, 1n]); // revision 0.1
    cpu.x[0] = 0x8600ff00n;
    cpu.smc(0);
    expect(cpu.x[0]).toBe(0xffffffffffffffffn);
    const r = m.run((env) => env.vcpu.hvc(5));
    expect(r.exit.kind).toBe("guest-killed");
  });
});

describe("no hypervisor (EL3 firmware only; HVC is UNDEFINED)", () => {
  test("PSCI over SMC from firmware, no vendor hypervisor, and not a single HVC", () => {
    const m = new ArmVirtMachine({ host: "none" });
    const r = m.run(discoveryGuest());
    expect(exitStatusOf(r.exit)).toBe(0);
    expect(r.lines).toContain("smccc: no vendor hypervisor service (Call UID not supported)");
    expect(r.lines).toContain(
      "discovery: conduit=smc psci=1.1 smccc=1.2 hypervisor=none services=none",
    );
    expect(trace(m).every((t) => t.startsWith("smc#0:"))).toBe(true);
  });

  test.each([
    ["no /psci node", { host: "none", psci: false } as const],
    ["ACPI without the PSCI flag", { host: "none", psci: false, firmwareTables: "acpi" } as const],
  ])("%s: the client issues no HVC or SMC at all", (_name, opts) => {
    const m = new ArmVirtMachine(opts);
    const r = m.run(discoveryGuest());
    expect(r.exit).toEqual({ kind: "returned" });
    expect(trace(m)).toEqual([]);
    expect(r.lines).toContain(
      "discovery: conduit=none psci=none smccc=1.0 hypervisor=none services=none",
    );
  });

  test("the blind prober dies on the same machine", () => {
    const r = runArmScenario({ host: "none", psci: false, guest: "blind-probe" });
    expect(r.exitStatus).toBe(1);
    expect(r.exit).toMatchObject({ kind: "guest-killed", vcpu: 0 });
    expect(r.lines.at(-1)).toBe(
      "hvsim: guest killed on vCPU 0: HVC #0 is UNDEFINED here (EL2 is not implemented): Undefined Instruction exception (ESR_ELx.EC=0x00) with no handler",
    );
  });

  test("a tree whose method is neither hvc nor smc means no conduit", () => {
    const dt = new MemoryDeviceTree();
    dt.beginNode("");
    dt.beginNode("psci");
    dt.property("compatible", propStringList(["arm,psci-1.0"]));
    dt.property("method", propString("magic"));
    dt.endNode();
    dt.endNode();
    const fw: FirmwareDescription = { deviceTree: dt };
    const m = new ArmVirtMachine({ host: "none" });
    const lines: string[] = [];
    const cpu = m.vcpus[0] as ArmVcpu;
    const rep = discoverPlatform(fw, cpu, (l) => lines.push(l));
    expect(rep.psci).toEqual({ kind: "absent", why: "invalid method magic" });
    expect(lines).toContain('psci: invalid "method" property: magic');
    expect(cpu.conduitTrace).toEqual([]);
    expect(discoverPlatform({}, cpu, () => {}).psci).toEqual({
      kind: "absent",
      why: "no firmware tables",
    });
    expect(cpu.conduitTrace).toEqual([]);
  });

  test("SMCCC 1.0 firmware: PSCI only; the client makes no SMCCC call beyond PSCI", () => {
    const m = new ArmVirtMachine({ host: "none", firmwareSmccc: "1.0" });
    const r = m.run(discoveryGuest());
    expect(r.lines).toContain("psci: SMC Calling Convention v1.0");
    expect(r.lines).toContain(
      "discovery: conduit=smc psci=1.1 smccc=1.0 hypervisor=none services=none",
    );
    expect(trace(m).every((t) => /^smc#0:[8c]4/.test(t))).toBe(true);
    expect(() => new ArmVirtMachine({ host: "kvm", firmwareSmccc: "1.0" })).toThrow(
      /needs host=none/,
    );
    expect(() => new ArmVirtMachine({ host: "none", firmwareSmccc: "1.1" as never })).toThrow(
      /use 1.0 or 1.2/,
    );
  });

  test("firmware PSCI checks entry points; SYSTEM_SUSPEND is offered", () => {
    const m = new ArmVirtMachine({ host: "none" });
    const cpu = m.vcpus[0] as ArmVcpu;
    cpu.x[0] = 0xc4000003n;
    cpu.x[1] = 1n;
    cpu.x[2] = 0x1000n; // not RAM
    cpu.smc(0);
    expect(BigInt.asIntN(64, cpu.x[0] ?? 0n)).toBe(-9n);
    const r = m.run((env) => {
      env.vcpu.x[0] = 0xc400000en;
      env.vcpu.x[1] = 0x40000000n;
      env.vcpu.x[2] = 0n;
      env.vcpu.smc(0);
    });
    expect(r.exit).toEqual({
      kind: "system-event",
      event: { type: "suspend", entry: 0x40000000n, contextId: 0n },
    });
    cpu.x[0] = 0x84000000n;
    cpu.smc(3);
    expect(cpu.x[0]).toBe(0xffffffffffffffffn);
  });
});

describe("a discovery client facing an unknown vendor UID", () => {
  test("reports it and uses no KVM services", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    // A hypervisor with another UID: replace the answer of Call UID through a program that
    // runs discovery against a patched dispatcher.
    const d = m.hypervisor;
    if (d === undefined) throw new Error("no dispatcher");
    const original = d.dispatch.bind(d);
    d.dispatch = (call, gate) =>
      call.functionId === 0x8600ff01
        ? { kind: "return", values: [1n, 2n, 3n, 4n] }
        : original(call, gate);
    const r = m.run(discoveryGuest());
    expect(r.lines).toContain(
      "smccc: vendor hypervisor UID 01000000-0200-0000-0300-000004000000 (not one this client knows)",
    );
    expect(r.lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=other services=trng,pv-time",
    );
  });
});

describe("machine runs", () => {
  test("a guest error: CPU_ON to an address with no code", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const r = m.run((env) => {
      env.vcpu.x[0] = 0xc4000003n;
      env.vcpu.x[1] = 1n;
      env.vcpu.x[2] = 0x40100000n;
      env.vcpu.hvc(0);
      env.vcpu.compute(1);
    });
    expect(r.lines).toContain(
      "hvsim: guest error: vCPU 1 started at 0x40100000, where the guest placed no code; it faults and stops",
    );
    expect(m.power.power(1)).toBe("off");
  });

  test("a secondary whose entry code returns idles; CPU_OFF of the boot vCPU ends the run", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const r = m.run((env) => {
      env.defineEntry(0x40100000n, () => {});
      env.vcpu.x[0] = 0xc4000003n;
      env.vcpu.x[1] = 1n;
      env.vcpu.x[2] = 0x40100000n;
      env.vcpu.hvc(0);
      env.vcpu.x[0] = 0x84000002n; // CPU_OFF on the boot vCPU
      env.vcpu.hvc(0);
    });
    expect(r.exit).toEqual({ kind: "cpu-off", vcpu: 0 });
    expect(r.lines).toContain("hvsim: guest error: vCPU 1's entry code returned; it idles");
    expect(exitStatusOf(r.exit)).toBe(0);
  });

  test("a secondary that powers the system off after the boot vCPU went off", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const r = m.run((env) => {
      env.defineEntry(0x40100000n, (v) => {
        v.x[0] = 0x84000008n;
        v.hvc(0);
      });
      env.vcpu.x[0] = 0xc4000003n;
      env.vcpu.x[1] = 1n;
      env.vcpu.x[2] = 0x40100000n;
      env.vcpu.hvc(0);
      env.vcpu.x[0] = 0x84000002n;
      env.vcpu.hvc(0);
    });
    expect(r.exit).toEqual({ kind: "system-event", event: { type: "shutdown" } });
  });

  test("WFI with nothing to wait for hangs the guest (exit status 2)", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    const r = m.run((env) => env.vcpu.wfi());
    expect(r.exit.kind).toBe("hang");
    expect(exitStatusOf(r.exit)).toBe(2);
    expect(r.lines.at(-1)).toBe(
      "hvsim: vCPU 0 hangs: WFI with no interrupt pending and none that could ever arrive",
    );
  });

  test("other errors from a guest program propagate", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    expect(() =>
      m.run(() => {
        throw new TypeError("bug in the guest program");
      }),
    ).toThrow(TypeError);
  });

  test("stores and 32-bit loads to a swapped-out page stall", () => {
    const m = new ArmVirtMachine({ host: "kvm", swapInTicks: 10 });
    m.swapOut(0x40300000n);
    expect(m.isSwappedOut(0x40300008n)).toBe(true);
    const r = m.run((env) => {
      env.vcpu.store64(0x40300000n, 5n);
      m.swapOut(0x40300000n);
      expect(env.vcpu.load32(0x40300000n)).toBe(5);
      m.swapOut(0x40300000n);
      env.vcpu.store32(0x40300000n, 6);
    });
    expect(r.stallTicks).toBe(30n);
  });

  test("machine options that cannot be honoured are refused with what to change", () => {
    expect(() => new ArmVirtMachine({ host: "xen", apf: true })).toThrow(/apf=on needs host=kvm/);
    expect(
      () => new ArmVirtMachine({ host: "kvm", apf: true, hostKernel: KVM_HOST_MAINLINE }),
    ).toThrow(
      'host "kvm-mainline" does not implement async page fault (APF_FEATURES/REGISTER/READY_ACK, hvsim proposal), which this machine\'s options ask for: turn that option off or use a host that has it',
    );
    expect(() => new ArmVirtMachine({ host: "xen", psciVersion: "0.1" })).toThrow(/needs host=kvm/);
    expect(() => new ArmVirtMachine({ host: "kvm", psciVersion: "2.0" as never })).toThrow(
      /not supported/,
    );
    expect(() => new ArmVirtMachine({ host: "kvm", vcpus: 0 })).toThrow(/vcpus=0/);
    expect(() => new ArmVirtMachine({ host: "kvm", ramSize: 1000 })).toThrow(/ram size/);
    expect(() => new ArmVirtMachine({ host: "arm" as never })).toThrow(/not a host kind/);
    expect(
      () =>
        new ArmVirtMachine({
          host: "kvm",
          hostKernel: { ...KVM_HOST_MAINLINE, maxPsciVersion: 0x10000 },
        }),
    ).toThrow(/cannot provide PSCI 1.1/);
  });
});

describe("migration between hosts with different frozen sets", () => {
  test("apf in the set, destination without it: refused, naming the service", () => {
    const r = runArmScenario({
      host: "kvm",
      apf: true,
      guest: "discovery",
      migrateTo: "kvm-mainline",
    });
    expect(r.exitStatus).toBe(3);
    expect(r.exit.kind).toBe("migration-refused");
    expect(r.lines.at(-1)).toMatch(
      /^hvsim: migration refused: host "kvm-mainline" does not implement "async page fault .*KVM_REG_ARM_VENDOR_HYP_BMAP_2/,
    );
  });

  test("apf in the set, old destination kernel without BMAP_2: refused", () => {
    const r = runArmScenario({ host: "kvm", apf: true, guest: "discovery", migrateTo: "kvm-old" });
    expect(r.lines.at(-1)).toMatch(/does not know KVM_REG_ARM_VENDOR_HYP_BMAP_2/);
  });

  test("a guest that powers the VM off is not migrated, and says so", () => {
    const r = runArmScenario({ host: "kvm", apf: true, guest: "apf", migrateTo: "kvm-old" });
    expect(r.exitStatus).toBe(0);
    expect(r.lines.at(-1)).toBe(
      'hvsim: not migrating to host "kvm-old": the guest ended the VM (system event shutdown)',
    );
  });

  test("apf host but apf off in the set: accepted anywhere; the guest sees the same services", () => {
    for (const dest of ["kvm-mainline", "kvm-old"]) {
      const r = runArmScenario({
        host: "kvm",
        hostKernel: "kvm-apf",
        guest: "discovery",
        migrateTo: dest,
      });
      expect(r.exitStatus).toBe(0);
      expect(r.lines).toContain(`hvsim: migration accepted by host "${dest}"`);
      expect(r.lines).toContain(
        "resume: hypervisor services unchanged after migration (0x00000003 0x00000000 0x00000000 0x00000000)",
      );
    }
  });

  test("apf to an apf host: accepted, and an outstanding page becomes ready on arrival", () => {
    const src = new ArmVirtMachine({ host: "kvm", apf: true });
    const data = src.memory.base + APF_GUEST_DATA_OFFSET;
    src.memory.writeU64(data, 42n);
    src.swapOut(data);
    let token = 0;
    const phase1: ArmGuestProgram = (env) => {
      const rec = env.ram.base + 0x2000n;
      env.vcpu.x[0] = 0xc6000051n;
      env.vcpu.x[1] = rec;
      env.vcpu.x[2] = 1n;
      env.vcpu.hvc(0);
      const r = env.vcpu.load64(data);
      expect(r.kind).toBe("page-not-present");
      token = env.vcpu.load32(rec + 0xcn);
    };
    expect(src.run(phase1).exit).toEqual({ kind: "returned" });
    expect(token).toBe(1);
    const restored = restoreArmVirtMachine(src.save(), { hostKernel: KVM_HOST_APF });
    if (!restored.ok) throw new Error(restored.refusals.map((x) => x.message).join());
    const dst = restored.machine;
    expect(dst.isSwappedOut(data)).toBe(false);
    const seen: number[] = [];
    const r = dst.run((env) => {
      env.vcpu.setIrqHandler((intid) => seen.push(intid, env.vcpu.load32(env.ram.base + 0x2010n)));
      env.vcpu.compute(1);
      const v = env.vcpu.load64(data);
      expect(v).toEqual({ kind: "value", value: 42n });
    });
    expect(r.exit).toEqual({ kind: "returned" });
    expect(seen).toEqual([20, 1]);
  });

  test("a refused VM cannot be run; xen and none VMs restore without a frozen set", () => {
    const src = new ArmVirtMachine({ host: "kvm", apf: true });
    src.run(() => {});
    const refused = new ArmVirtMachine(
      { host: "kvm", hostKernel: KVM_HOST_OLD },
      src.frozenSet?.save(),
    );
    expect(refused.refusals).toHaveLength(1);
    expect(() => refused.run(() => {})).toThrow(/refused by its host and cannot run/);
    for (const host of ["xen", "none"] as const) {
      const m = new ArmVirtMachine({ host });
      m.run(() => {});
      const back = restoreArmVirtMachine(m.save(), {});
      expect(back.ok).toBe(true);
      if (back.ok) expect(back.machine.save()).toEqual(m.save());
    }
    expect(() => restoreArmVirtMachine({ ...src.save(), version: 2 as 1 }, {})).toThrow(
      /version 2/,
    );
  });

  test("save → restore on the same host is exact", () => {
    const m = new ArmVirtMachine({ host: "kvm", apf: true });
    m.run(discoveryGuest({ powerOff: false }));
    const s = m.save();
    const back = restoreArmVirtMachine(s, { hostKernel: KVM_HOST_APF });
    expect(back.ok && back.machine.save()).toEqual(s);
  });
});

describe("scenario entry point", () => {
  test("machine spec parsing", () => {
    expect(parseArmMachineSpec("arm64-virt")).toEqual({ host: "kvm" });
    expect(
      parseArmMachineSpec(
        "arm64-virt,host=none,apf=off,psci=on,psci-version=1.0,tables=acpi,conduit=smc,smccc=1.0,kernel=kvm-old,vcpus=4",
      ),
    ).toEqual({
      host: "none",
      apf: false,
      psci: true,
      psciVersion: "1.0",
      firmwareTables: "acpi",
      conduit: "smc",
      firmwareSmccc: "1.0",
      hostKernel: "kvm-old",
      vcpus: 4,
    });
    expect(() => parseArmMachineSpec("pseries")).toThrow(/not arm64-virt/);
    expect(() => parseArmMachineSpec("arm64-virt,host")).toThrow(/needs a value/);
    expect(() => parseArmMachineSpec("arm64-virt,host=qemu")).toThrow(/use kvm, xen or none/);
    expect(() => parseArmMachineSpec("arm64-virt,apf=yes")).toThrow(/apf=yes: use on or off/);
    expect(() => parseArmMachineSpec("arm64-virt,psci-version=2")).toThrow(/psci-version=2/);
    expect(() => parseArmMachineSpec("arm64-virt,tables=fdt")).toThrow(/use dt or acpi/);
    expect(() => parseArmMachineSpec("arm64-virt,conduit=svc")).toThrow(/use hvc or smc/);
    expect(() => parseArmMachineSpec("arm64-virt,smccc=1.1")).toThrow(/use 1.0 or 1.2/);
    expect(() => parseArmMachineSpec("arm64-virt,vcpus=two")).toThrow(/whole number/);
    expect(() => parseArmMachineSpec("arm64-virt,colour=red")).toThrow(
      /unknown arm64-virt property "colour"/,
    );
  });

  test("bad scenario options are refused with what to change", () => {
    expect(() => runArmScenario({ host: "kvm", guest: "doom" as never })).toThrow(/--guest doom/);
    expect(() =>
      runArmScenario({ host: "xen", guest: "discovery", hostKernel: "kvm-apf" }),
    ).toThrow(/only applies to host=kvm/);
    expect(() =>
      runArmScenario({ host: "none", guest: "discovery", migrateTo: "kvm-apf" }),
    ).toThrow(/host=kvm only/);
    expect(() => runArmScenario({ host: "kvm", guest: "discovery", migrateTo: "kvm-9" })).toThrow(
      /unknown KVM host/,
    );
  });

  test("the header line names the machine", () => {
    const r = runArmScenario({
      host: "kvm",
      hostKernel: "kvm-apf",
      apf: false,
      psciVersion: "1.0",
      firmwareTables: "dt",
      psci: false,
      conduit: "hvc",
      guest: "discovery",
    });
    expect(r.lines[0]).toBe(
      "hvsim: arm64-virt host=kvm,kernel=kvm-apf,apf=off,psci-version=1.0,tables=dt,psci=off,conduit=hvc --guest discovery",
    );
    expect(
      runArmScenario({ host: "none", firmwareSmccc: "1.0", guest: "discovery" }).lines[0],
    ).toBe("hvsim: arm64-virt host=none,smccc=1.0 --guest discovery");
  });

  test("runs are deterministic", () => {
    const a = runArmScenario({ host: "kvm", apf: true, guest: "apf" });
    const b = runArmScenario({ host: "kvm", apf: true, guest: "apf" });
    expect(a).toEqual(b);
  });

  test("a blind prober on KVM survives (HVC exists there) — the danger is the machine without EL2", () => {
    const r = runArmScenario({ host: "kvm", guest: "blind-probe" });
    expect(r.lines).toContain("blind-probe: survived, W0 = 0xb66fb428");
    const m = new ArmVirtMachine({ host: "none" });
    expect(m.run(blindProbeGuest()).exit.kind).toBe("guest-killed");
  });
});

describe("TRNG in the machine", () => {
  test("on by default, off on request; its entropy is machine state that migrates", () => {
    const rnd = (m: ArmVirtMachine) => {
      const cpu = m.vcpus[0] as ArmVcpu;
      cpu.x[0] = 0xc4000053n;
      cpu.x[1] = 192n;
      cpu.hvc(0);
      return cpu.x.slice(0, 4);
    };
    const m = new ArmVirtMachine({ host: "kvm", trngSeed: 7n });
    m.run(() => {});
    rnd(m);
    const back = restoreArmVirtMachine(m.save(), { hostKernel: KVM_HOST_MAINLINE });
    if (!back.ok) throw new Error("refused");
    expect(rnd(back.machine)).toEqual(rnd(m));
    const off = new ArmVirtMachine({ host: "kvm", trng: false });
    expect(rnd(off)[0]).toBe(0xffffffffffffffffn);
    expect(off.run(discoveryGuest()).lines).toContain(
      "discovery: conduit=hvc psci=1.1 smccc=1.1 hypervisor=kvm services=ptp,pv-time",
    );
  });
});

describe("the VMM edits the frozen set before the first run", () => {
  test("a lower PSCI version written before the run is what the guest discovers", () => {
    const m = new ArmVirtMachine({ host: "kvm" });
    expect(m.frozenSet?.set(0x6030000000140000n, 0x10000n)).toBe(0);
    expect(m.run(discoveryGuest()).lines).toContain("psci: PSCIv1.0 detected in firmware.");
    expect(m.frozenSet?.set(0x6030000000140000n, 0x10001n)).toBe(EBUSY);
  });
});
