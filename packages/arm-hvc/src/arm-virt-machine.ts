// The ABI-level arm64 `virt` machine: guest RAM, vCPUs, a device tree (or ACPI FADT flags),
// and whatever answers HVC and SMC — a KVM-like host, a Xen-like host, or no hypervisor at all
// (EL3 firmware answers SMC; HVC is UNDEFINED). Every guest-visible feature is an explicit
// option; the simulated host kernel only decides whether an option can be honoured.
import type { Conduit, SmcccOutcome, SystemEvent } from "./smccc-call";
import type { HypercallGate, SmcccDispatcher } from "./smccc-dispatcher";
import type { GuestStopReason, MemoryAccessResult, VcpuPlatform } from "./arm-vcpu";
import { ArmVcpu, GuestStop, smcccCallFromRegisters, writeSmcccResults } from "./arm-vcpu";
import { GuestMemory } from "./guest-memory";
import type { GuestMemoryState } from "./guest-memory";
import { PsciPowerModel, defaultMpidr } from "./psci-power";
import type { PsciPowerState } from "./psci-power";
import { PV_TIME_RECORD_SIZE } from "./pv-time";
import type { StolenTime } from "./pv-time";
import type { PtpClock } from "./vendor-hyp-service";
import type { AsyncPageFaults, ApfState } from "./apf-service";
import type {
  FirmwareRegisters,
  FirmwareRegistersState,
  FrozenSetRefusal,
  HostHypercallSupport,
} from "./firmware-regs";
import { SeededEntropy } from "./trng-service";
import { XEN_HYPERCALL_TAG, xenHypercall } from "./xen-hypercall";
import type {
  AcpiFadtView,
  DeviceTreeSink,
  DeviceTreeView,
  FirmwareDescription,
} from "./device-tree";
import { ACPI_FADT_PSCI_COMPLIANT, ACPI_FADT_PSCI_USE_HVC } from "./device-tree";
import { writeMachineTree } from "./machine-device-tree";
import { FdtTreeSink, FdtTreeView } from "./fdt-device-tree";
import { SMCCC_RET_NOT_SUPPORTED } from "./smccc-return";
import type { ArmVirtMachineOptions, ArmVirtResolvedOptions } from "./arm-virt-options";
import { PSCI_VERSION_WORDS, resolveArmVirtOptions } from "./arm-virt-options";
import { wireHost } from "./arm-virt-hosts";

export type {
  ArmHostKind,
  ArmVirtMachineOptions,
  ArmVirtResolvedOptions,
  FirmwareTables,
  PsciVersionName,
} from "./arm-virt-options";

/** How a run ended. */
export type ArmExit =
  | { readonly kind: "returned" }
  | { readonly kind: "system-event"; readonly event: SystemEvent }
  | { readonly kind: "guest-killed"; readonly vcpu: number; readonly reason: string }
  | { readonly kind: "cpu-off"; readonly vcpu: number }
  | { readonly kind: "hang"; readonly vcpu: number; readonly reason: string };

export interface ArmRunResult {
  readonly lines: readonly string[];
  readonly exit: ArmExit;
  readonly ticks: bigint;
  /** Ticks vCPUs spent stalled on host page faults. */
  readonly stallTicks: bigint;
  /** Ticks spent in WFI waiting for an interrupt. */
  readonly idleTicks: bigint;
}

/** What a guest program gets: its boot vCPU, the firmware tables, a console. */
export interface ArmGuestEnv {
  readonly vcpu: ArmVcpu;
  readonly firmware: FirmwareDescription;
  /** Guest RAM as the guest may use it (the /memory range). */
  readonly ram: { readonly base: bigint; readonly size: bigint };
  log(line: string): void;
  /** Places code at physical address `pc`: what a vCPU started there by PSCI CPU_ON runs. */
  defineEntry(pc: bigint, code: (vcpu: ArmVcpu) => void): void;
}

export type ArmGuestProgram = (env: ArmGuestEnv) => void;

/** Nanoseconds per tick: a 62.5 MHz generic timer, QEMU virt's CNTFRQ. */
const NS_PER_TICK = 16n;
/** Simulated real time at tick 0: 2026-01-01T00:00:00Z. Never the host's clock. */
const EPOCH_NS = 1767225600n * 1_000_000_000n;
const PAGE_SHIFT = 12n;

type ConduitRoute =
  | { readonly kind: "undefined"; readonly why: string }
  | { readonly kind: "smccc"; readonly dispatcher: SmcccDispatcher; readonly gate?: HypercallGate }
  | { readonly kind: "xen-hypercall" }
  | { readonly kind: "unknown"; readonly why: string };

export interface ArmVirtState {
  readonly version: 1;
  readonly options: ArmVirtResolvedOptions;
  readonly clock: string;
  /** State of the entropy source behind TRNG. */
  readonly entropy: string;
  readonly firmwareRegisters?: FirmwareRegistersState;
  readonly power: PsciPowerState;
  readonly memory: GuestMemoryState;
  readonly apf?: ApfState;
  readonly stolenTime?: ReturnType<StolenTime["save"]>;
  readonly swappedOut: readonly string[];
  readonly vcpus: readonly {
    readonly x: readonly string[];
    readonly pendingPpis: readonly number[];
  }[];
}

export class ArmVirtMachine implements VcpuPlatform {
  readonly options: ArmVirtResolvedOptions;
  readonly hostKernel: HostHypercallSupport | undefined;
  readonly memory: GuestMemory;
  readonly power: PsciPowerModel;
  readonly vcpus: ArmVcpu[];
  readonly frozenSet: FirmwareRegisters | undefined;
  readonly hypervisor: SmcccDispatcher | undefined;
  readonly firmwareMonitor: SmcccDispatcher | undefined;
  readonly apf: AsyncPageFaults | undefined;
  readonly stolenTime: StolenTime | undefined;
  /** The DTB firmware hands the guest (tables=dt): `@hvsim/fdt`'s bytes, also in guest RAM. */
  readonly dtb: Uint8Array | undefined;
  /** Where the DTB lies in guest RAM (the boot vCPU's X0); undefined with tables=acpi. */
  readonly dtbAddress: bigint | undefined;
  /** The machine's tree as the guest reads it: a view over the parsed DTB. */
  readonly deviceTree: DeviceTreeView | undefined;
  readonly acpi: AcpiFadtView | undefined;
  /** Refusals met while taking in a migrated VM (empty when it may run). */
  readonly refusals: readonly FrozenSetRefusal[];

  private clock = 0n;
  private entropy: SeededEntropy;
  private stallTicks = 0n;
  private idleTicks = 0n;
  private lines: string[] = [];
  private readonly swappedOut = new Set<bigint>();
  private readonly entries = new Map<bigint, (vcpu: ArmVcpu) => void>();
  private startingSecondaries = false;
  private readonly pvRegionBase: bigint;

  constructor(options: ArmVirtMachineOptions, incoming?: FirmwareRegistersState) {
    const o = resolveArmVirtOptions(options);
    this.options = o;
    this.entropy = new SeededEntropy(BigInt(o.trngSeed));
    const ramBase = BigInt(o.ramBase);
    this.memory = new GuestMemory(ramBase, o.ramSize);
    const mpidrs = Array.from({ length: o.vcpus }, (_, i) => defaultMpidr(i));
    this.power = new PsciPowerModel(mpidrs);
    this.vcpus = mpidrs.map((_, i) => new ArmVcpu(i, this));
    // Stolen-time records: QEMU puts them in a separate 64 KiB region (0x090a0000); hvsim
    // carves the top of RAM instead and leaves it out of /memory, so the guest never uses it.
    const pvBytes = BigInt(((o.vcpus * PV_TIME_RECORD_SIZE + 4095) >> 12) << 12);
    this.pvRegionBase =
      o.host === "kvm" ? ramBase + BigInt(o.ramSize) - pvBytes : ramBase + BigInt(o.ramSize);

    const w = wireHost({
      options: o,
      ...(options.hostKernel !== undefined ? { hostKernel: options.hostKernel } : {}),
      ...(incoming !== undefined ? { incoming } : {}),
      memory: this.memory,
      power: this.power,
      pvRegionBase: this.pvRegionBase,
      ptp: this.ptpClock(),
      entropy: () => this.entropy,
      now: () => this.clock,
      raisePpi: (v, intid) => this.vcpu(v).pendingPpis.add(intid),
      pageIn: (page) => this.swappedOut.delete(page),
    });
    this.hostKernel = w.hostKernel;
    this.frozenSet = w.frozenSet;
    this.hypervisor = w.hypervisor;
    this.firmwareMonitor = w.firmwareMonitor;
    this.apf = w.apf;
    this.stolenTime = w.stolenTime;
    this.refusals = w.refusals;

    const guestRamSize = this.pvRegionBase - ramBase;
    if (o.firmwareTables === "dt") {
      const sink = new FdtTreeSink();
      this.writeDeviceTree(sink, guestRamSize);
      const dtb = sink.blob();
      // The DTB goes in the last pages of guest RAM (below the PV-time region), and the boot
      // vCPU gets its address in X0, as the arm64 Linux boot protocol says. QEMU's virt board
      // puts it at the start of RAM for a bare-metal image, or after the initrd for Linux;
      // hvsim's guest programs use low RAM, so the top keeps them apart. Like Linux, the guest
      // may use that RAM once it no longer needs the tree: /memory covers it.
      const dtbAddress = (this.pvRegionBase - BigInt(dtb.length)) & ~0xfffn;
      this.memory.write(dtbAddress, dtb);
      this.vcpu(0).x[0] = dtbAddress;
      const parsed = FdtTreeView.parse(dtb);
      if (!parsed.ok) {
        throw new Error(`broken machine: its own DTB does not parse: ${parsed.error.message}`);
      }
      this.dtb = dtb;
      this.dtbAddress = dtbAddress;
      this.deviceTree = parsed.view;
      this.acpi = undefined;
    } else {
      this.dtb = undefined;
      this.dtbAddress = undefined;
      this.deviceTree = undefined;
      this.acpi = {
        armBootFlags: o.psci
          ? ACPI_FADT_PSCI_COMPLIANT | (o.conduit === "hvc" ? ACPI_FADT_PSCI_USE_HVC : 0)
          : 0,
        hypervisorVendorId: 0n,
      };
    }
  }

  /** Writes this machine's device tree into `sink` (e.g. an `@hvsim/fdt` builder). */
  writeDeviceTree(sink: DeviceTreeSink, guestRamSize?: bigint): void {
    const o = this.options;
    const ramBase = BigInt(o.ramBase);
    writeMachineTree(
      {
        ...(o.psci
          ? { psci: { version: PSCI_VERSION_WORDS[o.psciVersion], method: o.conduit } }
          : {}),
        mpidrs: this.vcpus.map((_, i) => this.power.mpidr(i)),
        memory: { base: ramBase, size: guestRamSize ?? this.pvRegionBase - ramBase },
        ...(o.host === "xen"
          ? {
              xen: {
                major: 4,
                minor: 17,
                grantTable: { base: 0x38000000n, size: 0x01000000n },
                eventChannelPpi: 15,
              },
            }
          : {}),
      },
      sink,
    );
  }

  /** The host swaps out the guest page holding `gpa` (host memory pressure). */
  swapOut(gpa: bigint): void {
    this.swappedOut.add(gpa >> PAGE_SHIFT);
  }

  isSwappedOut(gpa: bigint): boolean {
    return this.swappedOut.has(gpa >> PAGE_SHIFT);
  }

  /** The host kept vCPU `vcpu` from running for `ns` (stolen time). */
  steal(vcpu: number, ns: bigint): void {
    this.stolenTime?.addStolen(vcpu, ns);
    this.stolenTime?.publish(vcpu);
  }

  /** Runs `program` on vCPU 0 until it returns or the guest stops. */
  run(program: ArmGuestProgram): ArmRunResult {
    if (this.refusals.length > 0) {
      throw new Error(
        `this VM was refused by its host and cannot run: ${this.refusals.map((r) => r.message).join("; ")}`,
      );
    }
    this.frozenSet?.markRan();
    this.lines = [];
    const boot = this.vcpu(0);
    const deviceTree = this.deviceTreeInRam();
    const env: ArmGuestEnv = {
      vcpu: boot,
      firmware: {
        ...(deviceTree !== undefined ? { deviceTree } : {}),
        ...(this.acpi !== undefined ? { acpi: this.acpi } : {}),
      },
      ram: {
        base: BigInt(this.options.ramBase),
        size: this.pvRegionBase - BigInt(this.options.ramBase),
      },
      log: (line) => this.lines.push(line),
      defineEntry: (pc, code) => this.entries.set(pc, code),
    };
    let exit: ArmExit;
    try {
      this.stolenTime?.publish(0);
      program(env);
      this.startSecondaries();
      exit = { kind: "returned" };
    } catch (e) {
      if (!(e instanceof GuestStop)) throw e;
      exit = this.exitFor(e.stop);
      if (e.stop.kind === "cpu-off") {
        try {
          this.startSecondaries();
        } catch (e2) {
          if (!(e2 instanceof GuestStop)) throw e2;
          exit = this.exitFor(e2.stop);
        }
      }
    }
    this.describeExit(exit);
    return {
      lines: [...this.lines],
      exit,
      ticks: this.clock,
      stallTicks: this.stallTicks,
      idleTicks: this.idleTicks,
    };
  }

  // --- VcpuPlatform --------------------------------------------------------------------------

  now(): bigint {
    return this.clock;
  }

  conduit(vcpu: ArmVcpu, insn: Conduit, imm: number): void {
    this.clock += 1n;
    const functionId = Number(BigInt.asUintN(32, vcpu.x[0] ?? 0n));
    vcpu.conduitTrace.push({ insn, imm, functionId });
    const route = this.route(insn, imm);
    switch (route.kind) {
      case "undefined":
        throw new GuestStop({
          kind: "guest-killed",
          vcpu: vcpu.index,
          reason: `${insn.toUpperCase()} #${imm} is UNDEFINED here (${route.why}): Undefined Instruction exception (ESR_ELx.EC=0x00) with no handler`,
        });
      case "unknown":
        vcpu.x[0] = BigInt.asUintN(64, BigInt(SMCCC_RET_NOT_SUPPORTED));
        return;
      case "xen-hypercall":
        vcpu.x[0] = xenHypercall(vcpu.x, { major: 4, minor: 17 });
        return;
      case "smccc": {
        const call = smcccCallFromRegisters(vcpu.x, insn, vcpu.index);
        this.apply(vcpu, route.dispatcher.dispatch(call, route.gate));
        return;
      }
    }
  }

  load64(vcpu: ArmVcpu, gpa: bigint): MemoryAccessResult {
    this.clock += 1n;
    if (this.swappedOut.has(gpa >> PAGE_SHIFT)) {
      const action =
        this.apf !== undefined && this.frozenSet?.enabled("apf") === true
          ? this.apf.onMissingPage(vcpu.index, gpa >> PAGE_SHIFT)
          : ({ kind: "stall" } as const);
      if (action.kind === "async") return { kind: "page-not-present" };
      this.stallOn(gpa);
    }
    return { kind: "value", value: this.memory.readU64(gpa) };
  }

  store64(_vcpu: ArmVcpu, gpa: bigint, value: bigint): void {
    this.clock += 1n;
    // Stores to a swapped-out page stall; the guest programs here only load from such pages.
    if (this.swappedOut.has(gpa >> PAGE_SHIFT)) this.stallOn(gpa);
    this.memory.writeU64(gpa, value);
  }

  load32(_vcpu: ArmVcpu, gpa: bigint): number {
    this.clock += 1n;
    if (this.swappedOut.has(gpa >> PAGE_SHIFT)) this.stallOn(gpa);
    return this.memory.readU32(gpa);
  }

  store32(_vcpu: ArmVcpu, gpa: bigint, value: number): void {
    this.clock += 1n;
    if (this.swappedOut.has(gpa >> PAGE_SHIFT)) this.stallOn(gpa);
    this.memory.writeU32(gpa, value);
  }

  work(vcpu: ArmVcpu, ticks: bigint): void {
    this.clock += ticks;
    if (vcpu.index === 0) this.startSecondaries();
  }

  waitForInterrupt(vcpu: ArmVcpu): void {
    this.apf?.poll();
    if (vcpu.index === 0) this.startSecondaries();
    if (vcpu.pendingPpis.size > 0) return;
    const next = this.apf?.nextEventAt();
    if (next === undefined) {
      throw new GuestStop({
        kind: "hang",
        vcpu: vcpu.index,
        reason: "WFI with no interrupt pending and none that could ever arrive",
      });
    }
    if (next > this.clock) {
      this.idleTicks += next - this.clock;
      this.clock = next;
    }
    this.apf?.poll();
  }

  boundary(vcpu: ArmVcpu): void {
    this.apf?.poll();
    vcpu.takeInterrupts();
  }

  // --- migration -----------------------------------------------------------------------------

  save(): ArmVirtState {
    return {
      version: 1,
      options: this.options,
      clock: this.clock.toString(),
      entropy: this.entropy.save(),
      ...(this.frozenSet !== undefined ? { firmwareRegisters: this.frozenSet.save() } : {}),
      power: this.power.save(),
      memory: this.memory.save(),
      ...(this.apf !== undefined ? { apf: this.apf.save() } : {}),
      ...(this.stolenTime !== undefined ? { stolenTime: this.stolenTime.save() } : {}),
      swappedOut: [...this.swappedOut].map((p) => p.toString()),
      vcpus: this.vcpus.map((v) => ({
        x: v.x.map((r) => r.toString()),
        pendingPpis: [...v.pendingPpis],
      })),
    };
  }

  /**
   * Loads the runtime state of a migrated VM (memory, power, vCPU registers, services). Used by
   * `restoreArmVirtMachine` after the frozen hypercall set was accepted.
   */
  restoreRuntime(state: ArmVirtState): void {
    this.clock = BigInt(state.clock);
    this.entropy = SeededEntropy.restore(state.entropy);
    this.memory.loadFrom(state.memory);
    this.power.loadFrom(state.power);
    // Migration brings every page over: nothing is swapped out on arrival.
    this.swappedOut.clear();
    if (state.stolenTime !== undefined) this.stolenTime?.restoreFrom(state.stolenTime);
    if (state.apf !== undefined) this.apf?.restoreFrom(state.apf);
    state.vcpus.forEach((v, i) => {
      const cpu = this.vcpu(i);
      v.x.forEach((r, n) => (cpu.x[n] = BigInt(r)));
      for (const p of v.pendingPpis) cpu.pendingPpis.add(p);
    });
  }

  // --- internals -----------------------------------------------------------------------------

  private route(insn: Conduit, imm: number): ConduitRoute {
    switch (this.options.host) {
      case "kvm": {
        const d = this.hypervisor;
        if (d === undefined)
          throw new Error("broken machine: a KVM host without a hypervisor dispatcher");
        // KVM ignores an HVC's immediate; an SMC with a nonzero immediate is reserved by SMCCC
        // and KVM answers it with -1. Since Linux 6.4, KVM routes an imm-0 SMC (trapped by
        // HCR_EL2.TSC) through the same SMCCC handler as HVC.
        if (insn === "smc" && imm !== 0) return { kind: "unknown", why: "nonzero SMC immediate" };
        return this.frozenSet !== undefined
          ? { kind: "smccc", dispatcher: d, gate: this.frozenSet }
          : { kind: "smccc", dispatcher: d };
      }
      case "xen": {
        const d = this.hypervisor;
        if (d === undefined)
          throw new Error("broken machine: a Xen host without a hypervisor dispatcher");
        if (insn === "hvc" && imm === XEN_HYPERCALL_TAG) return { kind: "xen-hypercall" };
        if (imm !== 0) {
          return {
            kind: "undefined",
            why: `Xen injects an undefined exception for ${insn.toUpperCase()} #${imm}`,
          };
        }
        return { kind: "smccc", dispatcher: d };
      }
      case "none": {
        if (insn === "hvc") return { kind: "undefined", why: "EL2 is not implemented" };
        const d = this.firmwareMonitor;
        if (d === undefined) throw new Error("broken machine: no EL3 firmware dispatcher");
        if (imm !== 0) return { kind: "unknown", why: "nonzero SMC immediate" };
        return { kind: "smccc", dispatcher: d };
      }
    }
  }

  private apply(vcpu: ArmVcpu, outcome: SmcccOutcome): void {
    switch (outcome.kind) {
      case "return":
        writeSmcccResults(vcpu.x, outcome);
        return;
      case "cpu-off":
        throw new GuestStop({ kind: "cpu-off", vcpu: vcpu.index });
      case "system-event":
        throw new GuestStop({ kind: "system-event", vcpu: vcpu.index, event: outcome.event });
    }
  }

  private exitFor(stop: GuestStopReason): ArmExit {
    switch (stop.kind) {
      case "guest-killed":
        return { kind: "guest-killed", vcpu: stop.vcpu, reason: stop.reason };
      case "cpu-off":
        return { kind: "cpu-off", vcpu: stop.vcpu };
      case "hang":
        return { kind: "hang", vcpu: stop.vcpu, reason: stop.reason };
      case "system-event":
        return { kind: "system-event", event: stop.event };
    }
  }

  private describeExit(exit: ArmExit): void {
    switch (exit.kind) {
      case "returned":
        this.lines.push("hvsim: guest program returned");
        return;
      case "system-event":
        this.lines.push(`hvsim: system event ${exit.event.type}`);
        return;
      case "guest-killed":
        this.lines.push(`hvsim: guest killed on vCPU ${exit.vcpu}: ${exit.reason}`);
        return;
      case "cpu-off":
        this.lines.push(`hvsim: vCPU ${exit.vcpu} powered off (PSCI CPU_OFF)`);
        return;
      case "hang":
        this.lines.push(`hvsim: vCPU ${exit.vcpu} hangs: ${exit.reason}`);
        return;
    }
  }

  /**
   * The tree the guest finds: parsed from the DTB bytes in guest RAM, not from the machine's
   * copy, so what the guest reads is what lies in its memory. A guest that overwrote its DTB
   * (a migrated guest that reused that RAM) gets no tree: a guest error, and it goes on.
   */
  private deviceTreeInRam(): DeviceTreeView | undefined {
    if (this.dtb === undefined || this.dtbAddress === undefined) return undefined;
    const parsed = FdtTreeView.parse(this.memory.read(this.dtbAddress, this.dtb.length));
    if (parsed.ok) return parsed.view;
    this.lines.push(
      `hvsim: guest error: the DTB at 0x${this.dtbAddress.toString(16)} no longer parses (${parsed.error.message}); the guest sees no device tree`,
    );
    return undefined;
  }

  private stallOn(gpa: bigint): void {
    const t = BigInt(this.options.swapInTicks);
    this.clock += t;
    this.stallTicks += t;
    this.swappedOut.delete(gpa >> PAGE_SHIFT);
  }

  private startSecondaries(): void {
    if (this.startingSecondaries) return;
    this.startingSecondaries = true;
    try {
      for (let pending = this.power.pending(); pending.length > 0; pending = this.power.pending()) {
        for (const i of pending) this.startSecondary(i);
      }
    } finally {
      this.startingSecondaries = false;
    }
  }

  private startSecondary(index: number): void {
    const entry = this.power.completePending(index);
    const v = this.vcpu(index);
    v.x.fill(0n);
    v.x[0] = entry.contextId;
    this.stolenTime?.publish(index);
    const code = this.entries.get(entry.pc);
    if (code === undefined) {
      this.lines.push(
        `hvsim: guest error: vCPU ${index} started at 0x${entry.pc.toString(16)}, where the guest placed no code; it faults and stops`,
      );
      this.power.powerOff(index);
      return;
    }
    try {
      code(v);
      this.lines.push(`hvsim: guest error: vCPU ${index}'s entry code returned; it idles`);
    } catch (e) {
      if (e instanceof GuestStop && e.stop.kind === "cpu-off") return;
      throw e;
    }
  }

  private ptpClock(): PtpClock {
    return {
      realtimeNs: () => EPOCH_NS + this.clock * NS_PER_TICK,
      physicalCounter: () => this.clock,
      virtualOffset: () => 0n,
    };
  }

  private vcpu(index: number): ArmVcpu {
    const v = this.vcpus[index];
    if (v === undefined) throw new Error(`no vCPU ${index}`);
    return v;
  }
}

/** The result of taking in a migrated VM. */
export type ArmRestoreResult =
  | { readonly ok: true; readonly machine: ArmVirtMachine }
  | { readonly ok: false; readonly refusals: readonly FrozenSetRefusal[] };

/**
 * Restores a saved VM on a destination host (`hostKernel` for KVM). The destination writes the
 * incoming frozen hypercall set first; if it cannot honour it, the VM is refused with messages
 * naming the services, and nothing of it runs.
 */
export function restoreArmVirtMachine(
  state: ArmVirtState,
  dest: { readonly hostKernel?: HostHypercallSupport },
): ArmRestoreResult {
  if (state.version !== 1) {
    throw new Error(
      `arm64-virt state version ${String(state.version)} is not supported (expected 1)`,
    );
  }
  const o = state.options;
  // The options are not checked against the destination's kernel: the incoming frozen set is
  // the contract, and the constructor checks that instead.
  const options: ArmVirtMachineOptions = {
    ...o,
    ramBase: BigInt(o.ramBase),
    trngSeed: BigInt(o.trngSeed),
    ...(dest.hostKernel !== undefined ? { hostKernel: dest.hostKernel } : {}),
  };
  const m = new ArmVirtMachine(options, state.firmwareRegisters);
  if (m.refusals.length > 0) return { ok: false, refusals: m.refusals };
  m.restoreRuntime(state);
  return { ok: true, machine: m };
}
