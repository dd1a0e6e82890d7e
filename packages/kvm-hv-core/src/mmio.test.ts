import { KVM_CAP_IRQ_XICS, KVM_CAP_PPC_IRQ_XIVE, KVMPPC_H_RTAS } from "@hvsim/hcall-abi";
import { assemble, SPR } from "@hvsim/ppc-isa";
import { describe, expect, it } from "vitest";
import { KvmError } from "./errors";
import { Kvm } from "./kvm";
import { byteSwap, decodeMmioInsn, type InKernelMmioDevice, type MmioSize } from "./mmio";
import { RAM } from "./test-guest";
import { KVM_DEV_TYPE_XICS, KVM_DEV_TYPE_XIVE, type InKernelIrqchip } from "./vm";

const word = (text: string): number =>
  new DataView(assemble(text, { littleEndian: false }).sections.get(".text")!.buffer).getUint32(
    0,
    false,
  );

/** A VM running `source` at 0x1000 (little-endian when `le`), r30 = an unbacked address. */
function vmRunning(source: string, le = false, opts: { onPseries?: boolean } = {}) {
  const log: string[] = [];
  const kvm = new Kvm({
    host: { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true, ...opts },
  });
  const vm = kvm.createVm({ log: (m) => log.push(m) });
  vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: RAM, hostAddr: kvm.allocGuestRam(RAM) });
  const v = vm.createVcpu(0);
  const code = assemble(source, { littleEndian: le }).sections.get(".text")!;
  vm.writeGuest(0x1000, code);
  v.pc = 0x1000n;
  if (le) v.msr = v.msr | 1n;
  v.setGpr(30, 0x4000_0000n);
  return { kvm, vm, v, log };
}

describe("decodeMmioInsn", () => {
  it("decodes the integer loads and stores KVM emulates, with their forms", () => {
    expect(decodeMmioInsn(word("lwz 4,8(5)"))).toMatchObject({
      mnemonic: "lwz",
      isWrite: false,
      size: 4,
      reg: 4,
      ra: 5,
      update: false,
    });
    expect(decodeMmioInsn(word("stdu 7,-16(1)"))).toMatchObject({
      isWrite: true,
      size: 8,
      reg: 7,
      ra: 1,
      update: true,
    });
    expect(decodeMmioInsn(word("lhaux 3,4,5"))).toMatchObject({
      size: 2,
      signExtend: true,
      update: true,
    });
    expect(decodeMmioInsn(word("lwa 3,4(5)"))).toMatchObject({ size: 4, signExtend: true });
    expect(decodeMmioInsn(word("ldbrx 3,0,4"))).toMatchObject({ size: 8, byteReverse: true });
    expect(decodeMmioInsn(word("sthbrx 3,0,4"))).toMatchObject({
      size: 2,
      isWrite: true,
      byteReverse: true,
    });
    expect(decodeMmioInsn(word("stb 3,0(4)"))).toMatchObject({ size: 1, isWrite: true });
    // Not loads/stores KVM emulates: a load-and-reserve, dcbz, an add.
    expect(decodeMmioInsn(word("lbarx 28,0,4"))).toBeUndefined();
    expect(decodeMmioInsn(word("dcbz 0,4"))).toBeUndefined();
    expect(decodeMmioInsn(word("add 3,4,5"))).toBeUndefined();
    expect(decodeMmioInsn(0)).toBeUndefined();
  });

  it("byte-swaps the low bytes of a value", () => {
    expect(byteSwap(0x1122n, 2)).toBe(0x2211n);
    expect(byteSwap(0x0102030405060708n, 8)).toBe(0x0807060504030201n);
    expect(byteSwap(0xaan, 1)).toBe(0xaan);
  });
});

describe("MMIO exits (KVM_EXIT_MMIO)", () => {
  it("a big-endian store reports the bytes' value; PC is past it", () => {
    const { vm, v } = vmRunning("li 4, 0x1234\nsth 4, 6(30)\nb .");
    const e = vm.run(100);
    expect(e).toEqual({
      kind: "mmio",
      vcpu: 0,
      gpa: 0x4000_0006,
      size: 2,
      isWrite: true,
      data: 0x1234n,
      fetch: false,
    });
    expect(v.pc).toBe(0x1008n);
    expect(vm.stats().mmioExits).toBe(1);
    expect(vm.stats().exits.mmio).toBe(1);
  });

  it("reports guest physical addresses above 4 GiB whole (the XIVE's are at 0x6010000000000)", () => {
    const { vm, v } = vmRunning("ld 4, 0xc08(30)\nb .");
    v.setGpr(30, 0x6010_0001_0000n);
    expect(vm.run(100)).toMatchObject({ kind: "mmio", gpa: 0x6010_0001_0c08, size: 8 });
  });

  it("a little-endian store and a byte-reversed one see the device's big-endian view", () => {
    const le = vmRunning("li 4, 0x1234\nsth 4, 0(30)\nsthbrx 4, 0, 30\nb .", true);
    expect(le.vm.run(100)).toMatchObject({ isWrite: true, data: 0x3412n });
    expect(le.vm.run(100)).toMatchObject({ isWrite: true, data: 0x1234n });
  });

  it("a load waits for completeMmio: byte order, sign extension, update form", () => {
    const { vm, v } = vmRunning("lhau 4, 2(30)\nldbrx 5, 0, 30\nb .", true);
    const e = vm.run(100);
    expect(e).toMatchObject({ kind: "mmio", gpa: 0x4000_0002, size: 2, isWrite: false });
    expect(v.getGpr(30)).toBe(0x4000_0002n); // RA = EA
    expect(() => vm.run(100)).toThrow(KvmError);
    v.completeMmio(0x80ffn); // bytes 80 ff, read little-endian: 0xff80, sign-extended
    expect(v.getGpr(4)).toBe(0xffff_ffff_ffff_ff80n);
    expect(vm.run(100)).toMatchObject({ size: 8, gpa: 0x4000_0002 });
    v.completeMmio(0x0102030405060708n); // ldbrx in LE mode: a big-endian load
    expect(v.getGpr(5)).toBe(0x0102030405060708n);
    expect(() => v.completeMmio(0n)).toThrow(/no MMIO load/);
  });

  it("an instruction that is no emulable load/store gets a program interrupt (KVM's EMULATE_FAIL)", () => {
    const { vm, v, log } = vmRunning("dcbz 0, 30\nb .");
    vm.writeGuest(0x700, new Uint8Array([0x48, 0, 0, 0])); // b . at the program vector
    expect(vm.run(3)).toMatchObject({ kind: "budget" });
    expect(v.pc).toBe(0x700n);
    expect(v.getSpr(SPR.SRR0)).toBe(0x1000n);
    expect(log.some((m) => /MMIO emulation failed/.test(m))).toBe(true);
  });

  it("save/restore carries an unanswered load and the VMM's interrupt level", () => {
    const { vm, v } = vmRunning("lwz 4, 0(30)\nb .");
    vm.run(100);
    vm.setExternalInterrupt(0, true);
    const s = v.save();
    v.completeMmio(1n);
    v.restore(s);
    expect(v.mmioLoad).toMatchObject({ reg: 4, size: 4 });
    expect(v.externalLine).toBe(true);
  });
});

/** A 128 KiB device that records accesses and answers offset + vCPU. */
function recorder(sizes: readonly MmioSize[] = [1, 2, 4, 8]) {
  const log: string[] = [];
  const dev: InKernelMmioDevice = {
    accessSizes: sizes,
    read: (off, size, vcpu) => {
      log.push(`r${size}@${off.toString(16)}/${vcpu}`);
      return BigInt(off + vcpu);
    },
    write: (off, size, value, vcpu) => {
      log.push(`w${size}@${off.toString(16)}=${value.toString(16)}/${vcpu}`);
    },
  };
  return { dev, log };
}

describe("in-kernel device regions (the device's pages mapped into the guest)", () => {
  it("accesses reach the device with offset, size, value and vCPU, without exits", () => {
    const { vm, v } = vmRunning(
      "li 4, 0x55\naddis 29, 30, 1\nstb 4, 0x11(29)\nlhbrx 5, 0, 30\nld 6, 8(29)\nb .",
      true,
    );
    const { dev, log } = recorder();
    vm.mapInKernelMmio({ name: "dev", gpa: 0x4000_0000, size: 0x20000, device: dev });
    expect(vm.run(50)).toMatchObject({ kind: "budget" });
    expect(log).toEqual(["w1@10011=55/0", "r2@0/0", "r8@10008/0"]);
    expect(v.getGpr(5)).toBe(0n);
    // A little-endian ld of the device's big-endian 0x10008 sees the bytes reversed.
    expect(v.getGpr(6)).toBe(byteSwap(0x10008n, 8));
    expect(vm.stats()).toMatchObject({ mmioExits: 0, devicePagesMapped: 2 });
  });

  it("a restored VM maps the device pages the saved one had, before or after the region appears", () => {
    const { vm } = vmRunning("lwz 4, 0(30)\nb .");
    const { dev } = recorder();
    vm.mapInKernelMmio({ name: "dev", gpa: 0x4000_0000, size: 0x20000, device: dev });
    vm.run(20);
    const state = vm.save();
    expect(state.devicePages).toEqual([0x4000_0000]);
    for (const regionFirst of [true, false]) {
      const b = vmRunning("lwz 4, 0(30)\nb .");
      if (regionFirst)
        b.vm.mapInKernelMmio({ name: "dev", gpa: 0x4000_0000, size: 0x20000, device: dev });
      b.vm.restore(state);
      if (!regionFirst)
        b.vm.mapInKernelMmio({ name: "dev", gpa: 0x4000_0000, size: 0x20000, device: dev });
      expect(b.vm.save().devicePages, `region first: ${regionFirst}`).toEqual([0x4000_0000]);
      // The page is there: the next access costs no HDSI.
      b.v.pc = 0x1000n;
      b.vm.run(5);
      expect(b.vm.stats().hdsi).toBe(0);
    }
  });

  it("the second vCPU is told apart; an undecoded size reads all ones and is a guest error", () => {
    const { vm, log } = vmRunning("b .");
    const v1 = vm.createVcpu(1);
    vm.writeGuest(
      0x2000,
      assemble("lwz 4, 0(30)\nb .", { littleEndian: false }).sections.get(".text")!,
    );
    v1.pc = 0x2000n;
    v1.setGpr(30, 0x4000_0000n);
    const { dev, log: acc } = recorder([8]);
    vm.mapInKernelMmio({ name: "esb", gpa: 0x4000_0000, size: 0x10000, device: dev });
    vm.runVcpu(v1, 50);
    expect(v1.getGpr(4)).toBe(0xffff_ffffn);
    expect(acc).toEqual([]);
    expect(log.some((m) => /esb: 4-byte load/.test(m))).toBe(true);
  });

  it("unmapping sends the next access to the VMM; overlaps and odd sizes are refused", () => {
    const { vm } = vmRunning("lwz 4, 0(30)\nlwz 4, 0(30)\nb .");
    const { dev } = recorder();
    vm.mapInKernelMmio({ name: "dev", gpa: 0x4000_0000, size: 0x10000, device: dev });
    expect(() =>
      vm.mapInKernelMmio({ name: "x", gpa: 0x4000_0000, size: 0x10000, device: dev }),
    ).toThrow(/overlaps/);
    expect(() => vm.mapInKernelMmio({ name: "ram", gpa: 0, size: 0x10000, device: dev })).toThrow(
      /overlaps/,
    );
    expect(() =>
      vm.mapInKernelMmio({ name: "odd", gpa: 0x5000_0000, size: 0x1000, device: dev }),
    ).toThrow(/64 KiB/);
    vm.run(1);
    vm.unmapInKernelMmio("dev");
    vm.unmapInKernelMmio("dev"); // twice is harmless
    expect(vm.run(10)).toMatchObject({ kind: "mmio", gpa: 0x4000_0000 });
  });
});

describe("the in-kernel interrupt controller", () => {
  const chip = (pending = () => false): InKernelIrqchip => ({ externalPending: pending });

  it("KVM_CAP_PPC_IRQ_XIVE is false for a nested L1's KVM and creating the XIVE device fails with ENODEV", () => {
    const l0 = new Kvm();
    expect(l0.checkExtension(KVM_CAP_PPC_IRQ_XIVE)).toBe(1);
    expect(l0.checkExtension(KVM_CAP_IRQ_XICS)).toBe(1);
    l0.createVm().createIrqchip(KVM_DEV_TYPE_XIVE, chip());

    const { kvm, vm } = vmRunning("b .", false, { onPseries: true });
    expect(kvm.checkExtension(KVM_CAP_PPC_IRQ_XIVE)).toBe(0);
    expect(kvm.checkExtension(KVM_CAP_IRQ_XICS)).toBe(1);
    let err: unknown;
    try {
      vm.createIrqchip(KVM_DEV_TYPE_XIVE, chip());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmError);
    expect((err as KvmError).code).toBe("ENODEV");
    expect((err as KvmError).message).toMatch(/pseries partition/);
    expect(vm.hasIrqchip).toBe(false);
    vm.createIrqchip(KVM_DEV_TYPE_XICS, chip());
    expect(vm.hasIrqchip).toBe(true);
    expect(() => vm.createIrqchip(KVM_DEV_TYPE_XICS, chip())).toThrow(/already/);
    expect(() => vm.createIrqchip(7, chip())).toThrow(/not an interrupt controller/);
    vm.destroyIrqchip();
    expect(vm.hasIrqchip).toBe(false);
  });

  it("KVM_INTERRUPT raises the external input and wakes a ceded vCPU", () => {
    const { vm, v } = vmRunning("li 3, 0xe0\nsc 1\nb .");
    vm.run(100);
    expect(v.ceded).toBe(true);
    expect(vm.externalPending(0)).toBe(false);
    vm.setExternalInterrupt(0, true);
    vm.setExternalInterrupt(0, true);
    expect(vm.externalPending(0)).toBe(true);
    expect(v.ceded).toBe(false);
    vm.setExternalInterrupt(0, false);
    expect(vm.externalPending(0)).toBe(false);
  });

  it("RTAS calls with a defined token are answered in kernel, others go to the VMM", () => {
    // rtas_args at 0x3000: token, nargs 1, nret 2, arg, rets.
    const { vm, v } = vmRunning(
      `li 3, 0\nori 3, 3, 0x${KVMPPC_H_RTAS.toString(16)}\nli 4, 0x3000\nsc 1\nb .`,
    );
    const args = new Uint8Array(20);
    const dv = new DataView(args.buffer);
    [0x200b, 1, 2, 0x1100].forEach((w, i) => dv.setUint32(4 * i, w, false));
    vm.writeGuest(0x3000, args);
    const calls: string[] = [];
    vm.createIrqchip(KVM_DEV_TYPE_XICS, {
      externalPending: () => false,
      rtas: (_v, c) => {
        calls.push(`${c.name}(${c.args.join(",")})/${c.nret}`);
        return c.name === "ibm,get-xive" ? [0, 3, 5] : undefined;
      },
    });
    vm.defineRtasToken("ibm,get-xive", 0x200b);
    expect(vm.run(100)).toMatchObject({ kind: "budget" });
    expect(calls).toEqual(["ibm,get-xive(4352)/2"]);
    const out = vm.readGuest(0x3010, 8)!;
    expect([0, 4].map((o) => new DataView(out.buffer).getUint32(o, false))).toEqual([0, 3]);
    expect(v.getGpr(3)).toBe(0n);
    expect(vm.stats().rtasInKernel).toEqual({ "ibm,get-xive": 1 });
    // Token removed: the same call is the VMM's.
    vm.defineRtasToken("ibm,get-xive", 0);
    v.pc = 0x1000n;
    expect(vm.run(100)).toMatchObject({ kind: "papr-hcall", nr: KVMPPC_H_RTAS });
  });
});
