// The pseries interrupt controller as QEMU composes it on KVM (hw/ppc/spapr_irq.c,
// spapr_xive_kvm.c, xics_kvm.c): @hvsim/xive's SpaprIrq (XICS and/or XIVE by ic-mode), placed
// in kernel through kvm-hv-core's InKernelIrqchip port or emulated here in the VMM, switched
// at reset and CAS, with QEMU's guest addresses for the ESB pages and the TIMA.
//
// Where each piece runs, as on QEMU + KVM:
//   XICS in kernel: H_XIRR/H_XIRR_X/H_EOI/H_CPPR/H_IPI/H_IPOLL and the RTAS calls ibm,set-xive,
//     ibm,get-xive, ibm,int-off, ibm,int-on never leave the kernel (KVM_PPC_RTAS_DEFINE_TOKEN).
//   XIVE in kernel: the ESB pages and the TIMA OS page are the device's, mapped into the guest
//     (no exit at all); the H_INT_* hcalls still go to the VMM, which QEMU implements by
//     forwarding them to the KVM device's attributes (spapr_xive.c -> spapr_xive_kvm.c).
//   In the VMM (kernel-irqchip=off): every hcall is an exit, every ESB/TIMA access an mmio exit.
import { rtasTokenByName } from "@hvsim/hcall-abi";
import {
  KVM_DEV_TYPE_XICS,
  KVM_DEV_TYPE_XIVE,
  KvmError,
  type InKernelIrqchip,
  type InKernelMmioDevice,
  type InKernelRtasCall,
  type MmioSize,
  type Vcpu,
  type Vm,
} from "@hvsim/kvm-hv-core";
import {
  H_EOI,
  H_CPPR,
  H_FUNCTION,
  H_HARDWARE,
  H_INT_GET_SOURCE_INFO,
  H_INT_RESET,
  H_IPI,
  H_IPOLL,
  H_XIRR,
  H_XIRR_X,
  RTAS_OUT_HW_ERROR,
  RTAS_OUT_PARAM_ERROR,
  RTAS_OUT_SUCCESS,
  SPAPR_XIVE_TM_BASE,
  SpaprIrq,
  TM_SHIFT,
  TM_SPC_ACK_OS_REG,
  TimaPageView,
  XIVE_TM_OS_PAGE,
  callHcall,
  checkIcMode,
  machineHasXive,
  type ActiveIntc,
  type KvmIrqHost,
  type HcallResult,
  type IcMode,
  type SpaprIrqState,
  type MmioDevice,
  type XicsOnXive,
} from "@hvsim/xive";

/** `-M pseries,kernel-irqchip=`: required, refused, or (unset) used when the host can. */
export type KernelIrqchipMode = "on" | "off" | "allowed";
export type IntcPlacement = "kernel" | "vmm";

/** The XICS hcalls (PAPR), in the order QEMU registers them. */
const XICS_HCALLS: readonly number[] = [H_CPPR, H_IPI, H_XIRR, H_XIRR_X, H_EOI, H_IPOLL];
/** The RTAS calls of the ICS (xics_spapr.c), in kernel as KVM's book3s_rtas.c. */
export const XICS_RTAS_CALLS: readonly string[] = [
  "ibm,set-xive",
  "ibm,get-xive",
  "ibm,int-off",
  "ibm,int-on",
];

function isHIntHcall(nr: number): boolean {
  return nr >= H_INT_GET_SOURCE_INFO && nr <= H_INT_RESET;
}

export interface IntcPlan {
  /** ic-mode as given: what the device tree and CAS offer. */
  readonly icMode: IcMode;
  /** The XIVE exists (QEMU >= 8.1 creates none when KVM lacks KVM_CAP_PPC_IRQ_XIVE). */
  readonly xive: boolean;
  readonly kernelIrqchip: KernelIrqchipMode;
}

/**
 * spapr_irq_init / spapr_irq_check on `host` (what KVM_CHECK_EXTENSION says): the startup
 * decisions, or the message QEMU exits with. The rules are @hvsim/xive's capability.ts.
 */
export function planIntc(
  icMode: IcMode,
  kernelIrqchip: "on" | "off" | "split" | undefined,
  host: KvmIrqHost,
): { ok: true; plan: IntcPlan } | { ok: false; message: string } {
  const message = checkIcMode(icMode, kernelIrqchip ?? "allowed", host);
  if (message !== undefined) return { ok: false, message };
  return {
    ok: true,
    plan: {
      icMode,
      xive: machineHasXive(icMode, host),
      kernelIrqchip: kernelIrqchip === "on" || kernelIrqchip === "off" ? kernelIrqchip : "allowed",
    },
  };
}

/** Counters for --stats: how interrupts were taken and what the controller cost in exits. */
export interface IntcStats {
  /** Interrupts the guest accepted: ACK_OS_REG with NSR set (XIVE), H_XIRR/H_XIRR_X with a
   *  source (XICS). */
  accepted: number;
  /** Exits to the VMM on the interrupt path: ESB/TIMA accesses, the XICS ICP hcalls. */
  pathMmio: number;
  pathHcalls: number;
  /** Exits to the VMM to configure the controller: H_INT_* hcalls, the ICS's RTAS calls. */
  configHcalls: number;
  configRtas: number;
  /** Where the active controller runs, "xive in kernel" etc.; the last one when it changed. */
  placement: string;
}

/** The controller's state: what CAS negotiated and both controllers' (SpaprIrq's) state. */
export interface PseriesIntcState {
  readonly version: 1;
  readonly casXive: boolean;
  readonly irq: SpaprIrqState;
}

/** What the controller needs from the machine. */
export interface IntcMachine {
  guestError(message: string): void;
  warning(message: string): void;
}

interface Region {
  readonly name: string;
  readonly gpa: number;
  readonly device: MmioDevice;
}

/** The machine's interrupt controller: SpaprIrq, its placement and its wiring to the VM. */
export class PseriesIntc {
  readonly irq: SpaprIrq;
  private readonly lines: boolean[];
  private placementNow: IntcPlacement = "vmm";
  /** CAS chose XIVE exploitation (QEMU's ov5_cas has OV5_XIVE_EXPLOIT). */
  private casXive = false;
  private readonly counters: IntcStats = {
    accepted: 0,
    pathMmio: 0,
    pathHcalls: 0,
    configHcalls: 0,
    configRtas: 0,
    placement: "",
  };

  constructor(
    private readonly vm: Vm,
    readonly plan: IntcPlan,
    private readonly m: IntcMachine,
  ) {
    const nrVcpus = vm.vcpus.length;
    this.lines = new Array<boolean>(nrVcpus).fill(false);
    this.irq = new SpaprIrq({
      icMode: plan.xive ? plan.icMode : "xics",
      nrVcpus,
      guestMemory: {
        load32: (gra) => {
          const b = vm.readGuest(gra, 4);
          return b === undefined ? 0 : new DataView(b.buffer, b.byteOffset).getUint32(0, false);
        },
        store32: (gra, value) => {
          const b = new Uint8Array(4);
          new DataView(b.buffer).setUint32(0, value >>> 0, false);
          vm.writeGuest(gra, b);
        },
        isRam: (gra, length) => vm.memslots.toHost(gra, length) !== undefined,
      },
      interrupts: { setExternal: (v, level) => this.setLine(v, level) },
      // Thread contexts stay dispatched here (kvm-hv-core does not pull them on exit), so an
      // escalation can only come from a future pull: it wakes the vCPU, as KVM's handler does.
      escalation: { escalate: (v) => vm.interruptChanged(v) },
      log: { guestError: (msg) => m.guestError(msg) },
      timebase: { now: () => BigInt(vm.vcpus[0]?.cpu.tb ?? 0) },
      xivePlacement: this.placementOf("xive"),
    });
  }

  /** Where `intc` runs under kernel-irqchip (both KVM devices exist when plan.xive). */
  private placementOf(intc: ActiveIntc): IntcPlacement {
    return this.plan.kernelIrqchip === "off"
      ? "vmm"
      : intc === "xics" || this.plan.xive
        ? "kernel"
        : "vmm";
  }

  get active(): ActiveIntc {
    return this.irq.active;
  }

  get placement(): IntcPlacement {
    return this.placementNow;
  }

  /** Claim a device interrupt number (>= 0x1000) in every controller (spapr_irq_claim). */
  claim(irq: number, lsi: boolean): void {
    this.irq.claimIrq(irq, lsi);
  }

  /** qemu_irq_pulse: an edge on a device's interrupt, seen by the active controller only. */
  pulse(irq: number): void {
    this.irq.setIrq(irq, true);
    this.irq.setIrq(irq, false);
  }

  /** Machine reset (spapr_irq_reset): XICS before CAS, unless the machine is XIVE-only. */
  reset(): void {
    this.casXive = false;
    this.irq.reset();
    this.activate(this.plan.icMode === "xive" ? "xive" : "xics");
  }

  /** CAS chose `intc` (spapr_irq_update_active_intc after do_client_architecture_support). */
  cas(intc: ActiveIntc): void {
    this.casXive = intc === "xive";
    this.activate(intc);
  }

  /** Can CAS give the guest XIVE exploitation? (The XIVE exists.) */
  get offersXive(): boolean {
    return this.plan.xive;
  }

  /**
   * spapr_irq's set_active_intc: the old controller lets go of the vCPU lines and of its KVM
   * device (QEMU disconnects it), the new one is connected in kernel when it can be (a failed
   * KVM_CREATE_DEVICE falls back to the VMM with QEMU's warning, or is fatal with
   * kernel-irqchip=on) and takes the lines.
   */
  private activate(intc: ActiveIntc): void {
    for (let v = 0; v < this.lines.length; v++) {
      this.lines[v] = false;
      this.vm.setExternalInterrupt(v, false);
    }
    if (this.vm.hasIrqchip) this.vm.destroyIrqchip();
    let placement = this.placementOf(intc);
    if (placement === "kernel") {
      try {
        this.connectKernel(intc);
      } catch (e) {
        if (!(e instanceof KvmError) || this.plan.kernelIrqchip === "on") throw e;
        this.m.warning(
          `kernel_irqchip allowed but unavailable: ${e.message}; falling back to kernel-irqchip=off`,
        );
        placement = "vmm";
      }
    }
    this.placementNow = placement;
    this.counters.placement = `${intc} ${placement === "kernel" ? "in kernel" : "in the VMM"}`;
    this.irq.setActive(intc);
  }

  private connectKernel(intc: ActiveIntc): void {
    const chip: InKernelIrqchip = { externalPending: (v) => this.lines[v] ?? false };
    if (intc === "xics") {
      this.vm.createIrqchip(KVM_DEV_TYPE_XICS, {
        ...chip,
        hcall: (v, nr) => (XICS_HCALLS.includes(nr) ? this.runHcall(v, nr).ret : undefined),
        rtas: (v, call) => this.xicsRtas(call),
      });
      // QEMU: kvmppc_define_rtas_kernel_token for each ICS call when the XICS is in kernel.
      for (const name of XICS_RTAS_CALLS) {
        const token = rtasTokenByName(name)?.token;
        if (token !== undefined) this.vm.defineRtasToken(name, token);
      }
      return;
    }
    this.vm.createIrqchip(KVM_DEV_TYPE_XIVE, chip);
    const xive = this.irq.xive!;
    this.vm.mapInKernelMmio({
      name: "xive.esb",
      gpa: xive.vcBase,
      size: xive.esb.size,
      device: this.asKernelDevice(xive.esb),
    });
    // KVM's XIVE device maps the TIMA's OS page only (xive_native_tima_fault).
    this.vm.mapInKernelMmio({
      name: "xive.tima.os",
      gpa: SPAPR_XIVE_TM_BASE + (XIVE_TM_OS_PAGE << TM_SHIFT),
      size: 1 << TM_SHIFT,
      device: this.asKernelDevice(this.countAcks(new TimaPageView(xive.tima, XIVE_TM_OS_PAGE), 0)),
    });
  }

  private asKernelDevice(d: MmioDevice): InKernelMmioDevice {
    return {
      accessSizes: d.accessSizes,
      read: (off, size, vcpu) => d.read(off, size, vcpu),
      write: (off, size, value, vcpu) => d.write(off, size, value, vcpu),
    };
  }

  /** Count accepted interrupts at the TIMA's ACK_OS_REG (offset within `page`). */
  private countAcks(d: MmioDevice, pageOffset: number): MmioDevice {
    return {
      size: d.size,
      accessSizes: d.accessSizes,
      read: (off, size, cpu) => {
        const v = d.read(off, size, cpu);
        if (off - pageOffset === TM_SPC_ACK_OS_REG && size === 2 && v >> 8n !== 0n)
          this.counters.accepted++;
        return v;
      },
      write: (off, size, value, cpu) => d.write(off, size, value, cpu),
    };
  }

  private setLine(v: number, level: boolean): void {
    this.lines[v] = level;
    if (this.placementNow === "kernel") this.vm.interruptChanged(v);
    else this.vm.setExternalInterrupt(v, level);
  }

  private runHcall(v: Vcpu, nr: number): HcallResult {
    const args: bigint[] = [];
    for (let r = 4; r <= 12; r++) args.push(v.getGpr(r));
    const r = callHcall(this.irq.hcalls(), nr, v.id, args);
    r.outs.forEach((o, i) => v.setGpr(4 + i, o));
    if ((nr === H_XIRR || nr === H_XIRR_X) && r.ret === 0 && (r.outs[0]! & 0xffffffn) !== 0n) {
      this.counters.accepted++;
    }
    return r;
  }

  /**
   * An hcall that reached the VMM: the controller's, answered here (r3 returned, r4.. set), or
   * undefined when it is not one. H_INT_* exist only once CAS chose XIVE exploitation (QEMU
   * checks ov5_cas); the XICS ones answer H_HARDWARE while XIVE is active or the XICS is in
   * kernel (check_emulated_xics), H_FUNCTION on a machine without XICS.
   */
  vmmHcall(v: Vcpu, nr: number): number | undefined {
    if (isHIntHcall(nr)) {
      this.counters.configHcalls++;
      if (!this.casXive) return H_FUNCTION;
      return this.runHcall(v, nr).ret;
    }
    if (!XICS_HCALLS.includes(nr)) return undefined;
    this.counters.pathHcalls++;
    if (this.irq.xics === undefined) return H_FUNCTION;
    if (this.casXive || this.vm.hasIrqchip) return H_HARDWARE;
    return this.runHcall(v, nr).ret;
  }

  /**
   * The ICS's RTAS calls reaching the VMM (QEMU's xics_spapr.c): undefined when this machine has
   * no XICS (the tokens are not in its tree); RTAS_OUT_HW_ERROR once XIVE exploitation was
   * negotiated or while the XICS is in kernel.
   */
  vmmRtas(name: string, args: readonly number[], nret: number): readonly number[] | undefined {
    if (!XICS_RTAS_CALLS.includes(name) || this.irq.xics === undefined) return undefined;
    this.counters.configRtas++;
    if (this.casXive || this.vm.hasIrqchip) return [RTAS_OUT_HW_ERROR];
    return this.xicsRtas({ name, token: rtasTokenByName(name)?.token ?? 0, args, nret });
  }

  /** ibm,set-xive / get-xive / int-off / int-on with QEMU's and KVM's argument checks. */
  private xicsRtas(call: InKernelRtasCall): readonly number[] | undefined {
    const xics: XicsOnXive | undefined = this.irq.xics;
    if (xics === undefined) return undefined;
    const n = call.args.length;
    const a = (i: number): number => call.args[i] ?? 0;
    switch (call.name) {
      case "ibm,set-xive":
        if (n !== 3 || call.nret !== 1) return [RTAS_OUT_PARAM_ERROR];
        return [xics.setXive(a(0), a(1), a(2))];
      case "ibm,get-xive": {
        if (n !== 1 || call.nret !== 3) return [RTAS_OUT_PARAM_ERROR];
        const c = xics.getXive(a(0));
        return c.status === RTAS_OUT_SUCCESS ? [c.status, c.server, c.priority] : [c.status];
      }
      case "ibm,int-off":
        if (n !== 1 || call.nret !== 1) return [RTAS_OUT_PARAM_ERROR];
        return [xics.intOff(a(0))];
      case "ibm,int-on":
        if (n !== 1 || call.nret !== 1) return [RTAS_OUT_PARAM_ERROR];
        return [xics.intOn(a(0))];
      default:
        return undefined;
    }
  }

  /** The ESB and TIMA regions QEMU maps while the XIVE is active (emulated in the VMM). */
  private vmmRegions(): readonly Region[] {
    const xive = this.irq.xive;
    if (xive === undefined || this.irq.active !== "xive") return [];
    return [
      { name: "xive.esb", gpa: xive.vcBase, device: xive.esb },
      {
        name: "xive.tima",
        gpa: SPAPR_XIVE_TM_BASE,
        device: this.countAcks(xive.tima, XIVE_TM_OS_PAGE << TM_SHIFT),
      },
    ];
  }

  /**
   * An mmio exit: handled (and a load completed) when it falls in the active XIVE's ESB or TIMA
   * pages; false when no controller region is there. Under kernel-irqchip the TIMA's HW, HV and
   * USER pages are not mapped (KVM maps the OS page only; QEMU would take a SIGBUS there): a
   * guest error, loads read all ones.
   */
  vmmMmio(v: Vcpu, gpa: number, size: MmioSize, isWrite: boolean, data: bigint): boolean {
    const xive = this.irq.xive;
    if (xive === undefined || this.irq.active !== "xive") return false;
    const inTima = gpa >= SPAPR_XIVE_TM_BASE && gpa < SPAPR_XIVE_TM_BASE + xive.tima.size;
    if (this.placementNow === "kernel") {
      if (!inTima) return false;
      this.counters.pathMmio++;
      this.m.guestError(
        `TIMA page ${(gpa - SPAPR_XIVE_TM_BASE) >> TM_SHIFT} is not mapped by KVM's XIVE device (0x${gpa.toString(16)})`,
      );
      if (!isWrite) v.completeMmio(-1n);
      return true;
    }
    const r = this.vmmRegions().find((x) => gpa >= x.gpa && gpa < x.gpa + x.device.size);
    if (r === undefined) return false;
    this.counters.pathMmio++;
    const off = gpa - r.gpa;
    if (!r.device.accessSizes.includes(size)) {
      this.m.guestError(
        `${r.name}: ${size}-byte ${isWrite ? "store" : "load"} at offset 0x${off.toString(16)}`,
      );
      if (!isWrite) v.completeMmio(-1n);
      return true;
    }
    if (isWrite) r.device.write(off, size, data, v.id);
    else v.completeMmio(r.device.read(off, size, v.id));
    return true;
  }

  stats(): IntcStats {
    return { ...this.counters };
  }

  save(): PseriesIntcState {
    return { version: 1, casXive: this.casXive, irq: this.irq.save() };
  }

  /**
   * Restore on the destination (QEMU's post_load: the active controller first, connected in
   * kernel or here as this machine's options say, then its state); the vCPU lines follow the
   * restored thread contexts.
   */
  restore(s: PseriesIntcState): void {
    if (s.version !== 1)
      throw new Error(`intc: state version ${String(s.version)} is not supported (1)`);
    this.casXive = s.casXive;
    this.activate(s.irq.active);
    this.irq.restore(s.irq);
    const active = s.irq.active === "xive" ? this.irq.xive : this.irq.xics;
    active?.router.tctx.forEach((t) => t.resync());
  }
}
