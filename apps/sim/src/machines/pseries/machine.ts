// The pseries machine ("QEMU" on top of kvm-hv-core): options, memory, the boot protocol of
// DESIGN §3, the device tree, RTAS, CAS, and the run loop that handles KVM's exits.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import {
  H_P2,
  H_P3,
  H_P4,
  H_PARAMETER,
  H_SUCCESS,
  KVM_CAP_PPC_ENABLE_HCALL,
  KVM_CAP_PPC_IRQ_XIVE,
  KVM_CAP_PPC_NESTED_HV,
  OV5_INDEX_MMU,
  OV5_INDEX_RADIX_EXT,
  OV5_INDEX_XIVE,
  QEMU_ENABLED_AT_INIT_HCALLS,
  RTAS_OUT_HW_ERROR,
  RTAS_OUT_PARAM_ERROR,
  RTAS_OUT_SUCCESS,
  capValue,
  capsMigrationStream,
  checkCapsMigrationStream,
  parseMachineOptions,
  parseQemuSize,
  resolveCaps,
  rtasTokenByValue,
  H_RPT_INVALIDATE,
} from "@hvsim/hcall-abi";
import type { ResolvedCaps } from "@hvsim/hcall-abi";
import { DEFAULT_HOST, Kvm } from "@hvsim/kvm-hv-core";
import type { HostModel, Vcpu, VcpuExit, Vm, VmState } from "@hvsim/kvm-hv-core";
import { IsolationChecker, IsolationViolation, KvmNested } from "@hvsim/kvm-nested";
import type { IsolationPort, NestedStats } from "@hvsim/kvm-nested";
import { SPR, SplitMix32 } from "@hvsim/ppc-isa";
import { SPAPR_IRQ_EPOW, SPAPR_IRQ_HOTPLUG, SPAPR_IRQ_VIO, casSelectIntc } from "@hvsim/xive";
import { TIMEBASE_FREQUENCY, pseriesFdt } from "./device-tree";
import type { PseriesDtConfig } from "./device-tree";
import { ElfError, parseElf, type ElfImage } from "../../loader/elf";
import { SnapshotError, readSnapshot, writeSnapshot } from "../../migration/snapshot-file";
import { PseriesIntc, planIntc, type IntcStats, type PseriesIntcState } from "./intc";
import { RtasEvents, type RtasEventsState } from "./rtas-events";
import { SpaprVty, type SpaprVtyState } from "./vty";
import { formatHostModel } from "./host-model";
import { handlePaprHcall } from "./papr";
import { ChromeTrace } from "./trace";
import type { PaprMachine, PaprResult } from "./papr";

/** Options as the `hvsim run` command parses them (QEMU's spelling in the comments). */
export interface PseriesOptions {
  /** -M / -machine: `pseries[-X.Y][,cap-...=...][,ic-mode=...]` (default `pseries`). */
  machine?: string;
  /** -m: RAM size, QEMU syntax (`512M`, `1G`; a bare number is MiB). Default 512M. */
  memory?: string;
  /** -smp: `N` or `cpus=N[,...]`. Default 1. */
  smp?: string | number;
  /** -kernel: an ELF file. */
  kernel?: string;
  /** -initrd */
  initrd?: string;
  /** -append: the kernel command line (/chosen/bootargs). */
  append?: string;
  /** -bios: a raw image loaded at 0 instead of the built-in boot ROM. */
  bios?: string;
  /** --max-insns: instruction budget; running past it is an error (default 2e9). */
  maxInsns?: number;
  /** Seed of H_RANDOM and /chosen/rng-seed (default 0). */
  seed?: number;
  /** The simulated host (decides which caps can be honoured). */
  host?: HostModel;
  /** File reader (tests can inject one); default fs.readFileSync. */
  readFile?: (path: string) => Uint8Array;
  /** Report guest errors (unimplemented hcalls and RTAS calls, tolerated misuse) on the error
   *  output, like QEMU's `-d guest_errors,unimp`. Off by default, as in QEMU. */
  logGuestErrors?: boolean;
  /** -no-reboot: RTAS system-reboot ends the run (status 0) instead of resetting. */
  noReboot?: boolean;
  /** Console input for H_GET_TERM_CHAR (what QEMU reads from stdin); none by default. It is
   *  there from the start, as piped input is for QEMU. */
  input?: string | Uint8Array;
  /**
   * What the host does while the guest runs, in order, each once the console has printed its
   * `after` text (after the previous one's): type `input` on the console, and/or request a
   * power-down (QEMU's monitor `system_powerdown`: an EPOW event).
   */
  hostActions?: readonly HostAction[];
  /** --trace FILE: write a Chrome trace-event timeline there when the machine stops. */
  trace?: string;
  /** File writer for `-M ...,dumpdtb=FILE` and `--trace`; default fs.writeFileSync. */
  writeFile?: (path: string, data: Uint8Array) => void;
  /** `-d isolation`: check every host-memory access made for the VM (by its vCPUs, the MMU
   *  and L0, for the L1 and its L2s) against its memslots and page tables; the first one
   *  outside stops the machine with an error (kvm-nested's IsolationChecker). */
  checkIsolation?: boolean;
  /** Pause when the vCPUs have executed this many instructions in all (migration's "stop at
   *  instruction N"): the run ends with reason `paused` and the machine can be saved. */
  pauseAt?: number;
  /** With `pauseAt`: write the paused machine's snapshot to this file (`--save FILE`). */
  saveTo?: string;
  /** A snapshot to continue instead of booting (QEMU's `-incoming`): this machine's options
   *  and host must be able to honour it. */
  incoming?: Uint8Array;
  /** Put the final state's hash (PseriesMachineImpl.stateHash) in the result. */
  stateHash?: boolean;
}

/**
 * What the VMM adds to KVM's state for a migration (QEMU's spapr vmstate): the guest-visible
 * machine state outside the vCPUs and RAM. The host model and the options are not in it: the
 * destination has its own.
 */
export interface PseriesVmmState {
  version: 1;
  /** H_RANDOM's generator. */
  rng: number;
  todOffset: number;
  casDone: boolean;
  /** The negotiated option vector 5 and interrupt mode (the tree CAS returned). */
  ov5: Uint8Array;
  xive: boolean;
  rngSeed: Uint8Array;
  /** The interrupt controller (mode, sources, queues, thread contexts), the console (its
   *  unread input) and the RTAS event log. */
  intc: PseriesIntcState;
  vty: SpaprVtyState;
  events: RtasEventsState;
  /** How far the scripted host actions got: the next one, and the console text it looks at. */
  hostActions: { next: number; transcript: string };
  resets: number;
  rtasCalls: Record<string, number>;
}

/** A paused pseries machine, as `hvsim migrate` / `--save` store it. */
export interface PseriesMachineState {
  version: 1;
  /** The source's -M text (for messages; the destination runs with its own). */
  machine: string;
  ramBytes: number;
  smp: number;
  /** The caps the migration stream carries: those set explicitly and differing from the
   *  machine default (QEMU's rule). */
  caps: Record<string, number>;
  /** The source's host model (`--host` syntax), for messages: the destination's own decides. */
  sourceHost: string;
  /** Instructions executed when it was paused (all vCPUs). */
  instructions: number;
  /** KVM's state, with kvm-nested's when cap-nested-hv=on (VmState.nested). */
  vm: VmState;
  vmm: PseriesVmmState;
}

/** A restore the destination refuses (incompatible caps, RAM size, vCPUs ...): why. */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationRefused";
  }
}

/** One scripted host action (see PseriesOptions.hostActions). */
export interface HostAction {
  readonly after: string;
  readonly input?: string;
  readonly powerdown?: boolean;
}

/** Where output goes: the guest console, and hvsim's own messages. */
export interface PseriesOutput {
  console(text: string): void;
  error(text: string): void;
}

export interface PseriesStats {
  instructions: number;
  /** Machine resets (RTAS system-reboot). */
  resets: number;
  exits: Record<string, number>;
  hcallsInKernel: Record<string, number>;
  hcallsInVmm: Record<string, number>;
  rtasCalls: Record<string, number>;
  hdsi: number;
  hisi: number;
  pagesMapped: number;
  hdecSlices: number;
  /** Guest `stop` instructions that trapped (HFU cause 9) and were emulated: host DD2.2 only. */
  stopsEmulated: number;
  mmu: {
    translations: number;
    walks: number;
    walkReads: number;
    tlbHits: number;
    tlbMisses: number;
    partitionTlbHits: number;
    partitionTlbMisses: number;
  };
  /** Wall-clock milliseconds from runPseries() to the first guest instruction (not simulated). */
  startupMs: number;
  /** Wall-clock milliseconds spent running the guest, and the resulting speed. */
  runMs: number;
  mips: number;
  hostBytesAllocated: number;
  /** With cap-nested-hv=on: L2 exits by level and trap, shadow faults, rmap removals and
   *  invalidations by hcall (kvm-nested). */
  nested?: NestedStats;
  /** With `-d isolation`: host-memory accesses checked, by port. */
  isolationChecks?: Record<IsolationPort, number>;
  /** The interrupt controller: interrupts accepted and the exits it cost, and where it ran. */
  intc?: IntcStats;
  /** RTAS calls answered in kernel (the XICS calls under an in-kernel XICS). */
  rtasInKernel?: Record<string, number>;
}

export interface PseriesResult {
  /** Process exit status: 0 after RTAS power-off (as QEMU), non-zero on errors. */
  status: number;
  /** Why the machine stopped, in a few words. */
  reason: string;
  stats: PseriesStats;
  /** With `stateHash`: the final guest-visible state's SHA-256. */
  stateHash?: string;
}

const KERNEL_LOAD_ADDR = 0x400000;
/** QEMU: the FDT lies FDT_MAX_SIZE below the top of the RMA (capped at FDT_MAX_ADDR). */
const FDT_MAX_SIZE = 0x200000;
const FDT_MAX_ADDR = 0x80000000;
const SPAPR_ENTRY_POINT = 0x100;
/** `b .+0x3fff00` at 0x100: the built-in boot ROM (identical to guests/bootrom/bootrom.bin). */
const BOOT_BRANCH = 0x483fff00;
const DEFAULT_MAX_INSNS = 2_000_000_000;
/** Exit status when the guest runs past --max-insns (QEMU has no equivalent). */
export const STATUS_RUNAWAY = 3;
/** Exit status for bad options/images (QEMU exits 1). */
export const STATUS_BAD_OPTIONS = 1;

class ConfigError extends Error {}

function parseSmp(smp: string | number | undefined): number {
  if (smp === undefined) return 1;
  const text = String(smp);
  const bad = (why: string): ConfigError => new ConfigError(`-smp ${text}: ${why}`);
  let cpus: number | undefined;
  for (const [i, item] of text.split(",").entries()) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? (i === 0 ? "cpus" : item) : item.slice(0, eq);
    const val = eq < 0 ? item : item.slice(eq + 1);
    const n = /^\d+$/.test(val) ? Number(val) : NaN;
    switch (key) {
      case "cpus":
      case "maxcpus":
        if (!Number.isInteger(n) || n < 1 || n > 1024) {
          throw bad("expected a CPU count from 1 to 1024 (e.g. -smp 2)");
        }
        if (key === "cpus") cpus = n;
        else if (cpus !== undefined && n !== cpus) {
          throw bad("CPU hotplug is not modelled: maxcpus must equal cpus");
        }
        break;
      case "threads":
        if (n !== 1) throw bad("hvsim's pseries has one thread per core for now (threads=1)");
        break;
      case "cores":
      case "sockets":
        if (!Number.isInteger(n) || n < 1) throw bad(`${key} must be a positive integer`);
        break;
      default:
        throw bad(`unknown -smp option '${key}' (cpus, maxcpus, sockets, cores, threads)`);
    }
  }
  if (cpus === undefined) throw bad("give the CPU count (e.g. -smp 2)");
  return cpus;
}

function parseMemory(mem: string | undefined): number {
  const text = mem ?? "512M";
  const v = /^\d+$/.test(text) ? BigInt(text) * 1024n * 1024n : parseQemuSize(text);
  if (v === undefined || v < 0x10000000n || v > 1n << 40n || v % 0x10000000n !== 0n) {
    throw new ConfigError(
      `-m ${text}: RAM must be a multiple of 256 MiB between 256M and 1T (e.g. -m 512M), as QEMU's pseries requires`,
    );
  }
  return Number(v);
}

/** Refuse caps the host model cannot honour (DESIGN §4), naming the cap. */
function checkCaps(caps: ResolvedCaps, kvm: Kvm): void {
  const want = (name: Parameters<typeof capValue>[1]): boolean => capValue(caps, name) !== 0;
  if (want("nested-hv") && kvm.checkExtension(KVM_CAP_PPC_NESTED_HV) === 0) {
    throw new ConfigError(
      `cap-nested-hv=on: the host (${kvm.host.cpu}) KVM cannot run nested hypervisors; use cap-nested-hv=off or another host`,
    );
  }
  if (want("rpt-invalidate") && !kvm.host.rptInvalidate) {
    throw new ConfigError(
      `cap-rpt-invalidate=on: the host (${kvm.host.cpu}) KVM has no H_RPT_INVALIDATE; use cap-rpt-invalidate=off`,
    );
  }
  if (want("htm")) {
    throw new ConfigError(
      "cap-htm=on: hvsim's POWER9 has no transactional memory; use cap-htm=off",
    );
  }
}

/** Run a pseries machine to completion. Never throws for user errors: they become a status. */
export function runPseries(options: PseriesOptions, out: PseriesOutput): PseriesResult {
  const t0 = performance.now();
  const machine = buildPseries(options, out);
  if (!(machine instanceof PseriesMachineImpl)) return machine;
  const dumpdtb = machine.dumpdtbPath();
  if (dumpdtb !== undefined) {
    // QEMU's -machine dumpdtb=FILE: write the boot device tree and exit without running.
    try {
      (options.writeFile ?? writeFileSync)(dumpdtb, machine.bootFdt);
    } catch (e) {
      out.error(`hvsim: dumpdtb=${dumpdtb}: cannot write it (${(e as Error).message})\n`);
      return { status: STATUS_BAD_OPTIONS, reason: "bad options", stats: emptyStats() };
    }
    out.error(`hvsim: info: dtb dumped to ${dumpdtb}. Exiting.\n`);
    return { status: 0, reason: "dumpdtb", stats: emptyStats() };
  }
  const result = machine.run(t0);
  if (result.reason !== "paused" && options.saveTo !== undefined) {
    out.error(
      `hvsim: --save ${options.saveTo}: the guest stopped (${result.reason}) after ${result.stats.instructions} instructions, before --pause-at ${options.pauseAt}; nothing saved\n`,
    );
    return { ...result, status: result.status === 0 ? STATUS_BAD_OPTIONS : result.status };
  }
  if (result.reason === "paused" && options.saveTo !== undefined) {
    try {
      (options.writeFile ?? writeFileSync)(
        options.saveTo,
        writeSnapshot("pseries", machine.save()),
      );
      out.error(
        `hvsim: paused at instruction ${result.stats.instructions}, saved to ${options.saveTo}\n`,
      );
    } catch (e) {
      const why =
        e instanceof MigrationRefused
          ? e.message
          : `cannot write ${options.saveTo} (${(e as Error).message})`;
      out.error(`hvsim: --save: ${why}\n`);
      return { ...result, status: STATUS_BAD_OPTIONS, reason: "save failed" };
    }
  }
  return options.stateHash === true ? { ...result, stateHash: machine.stateHash() } : result;
}

/** Reason prefix of a result whose `incoming` snapshot the machine refused. */
export const INCOMING_REFUSED = "incoming migration refused: ";

/**
 * Build (but do not run) a pseries machine, and with `incoming` restore the snapshot into it.
 * Bad options and a refused snapshot are reported and become a result (status 1, as QEMU
 * exits when its incoming migration fails; the reason starts with INCOMING_REFUSED).
 */
export function buildPseries(
  options: PseriesOptions,
  out: PseriesOutput,
): PseriesMachineImpl | PseriesResult {
  let machine: PseriesMachineImpl;
  try {
    machine = new PseriesMachineImpl(options, out);
  } catch (e) {
    if (e instanceof ConfigError) {
      out.error(`hvsim: ${e.message}\n`);
      return { status: STATUS_BAD_OPTIONS, reason: "bad options", stats: emptyStats() };
    }
    throw e;
  }
  if (options.incoming === undefined) return machine;
  try {
    const state = readSnapshot(options.incoming, "pseries") as PseriesMachineState;
    for (const w of machine.restore(state)) out.error(`hvsim: warning: ${w}\n`);
    return machine;
  } catch (e) {
    if (!(e instanceof SnapshotError) && !(e instanceof MigrationRefused)) throw e;
    out.error(`hvsim: ${INCOMING_REFUSED}${e.message}\n`);
    return {
      status: STATUS_BAD_OPTIONS,
      reason: `${INCOMING_REFUSED}${e.message}`,
      stats: emptyStats(),
    };
  }
}

function emptyStats(): PseriesStats {
  return {
    instructions: 0,
    resets: 0,
    exits: {},
    hcallsInKernel: {},
    hcallsInVmm: {},
    rtasCalls: {},
    hdsi: 0,
    hisi: 0,
    pagesMapped: 0,
    hdecSlices: 0,
    stopsEmulated: 0,
    mmu: {
      translations: 0,
      walks: 0,
      walkReads: 0,
      tlbHits: 0,
      tlbMisses: 0,
      partitionTlbHits: 0,
      partitionTlbMisses: 0,
    },
    startupMs: 0,
    runMs: 0,
    mips: 0,
    hostBytesAllocated: 0,
  };
}

/** The machine behind runPseries (exported for tests). */
export class PseriesMachineImpl implements PaprMachine {
  private readonly kvm: Kvm;
  readonly vm: Vm;
  /** kvm-nested on the VM when cap-nested-hv=on. */
  nested: KvmNested | undefined;
  /** The interrupt controller (XICS and/or XIVE by ic-mode, in kernel or here). */
  readonly intc: PseriesIntc;
  private readonly ramHost: number;
  private resets = 0;
  private readonly caps: ResolvedCaps;
  private readonly ramBytes: number;
  private readonly smp: number;
  private readonly maxInsns: number;
  private readonly rng: SplitMix32;
  private readonly dt: PseriesDtConfig;
  private readonly rtasCalls: Record<string, number> = {};
  /** RTAS set-time-of-day offset, seconds. */
  private todOffset = 0;
  private casDone = false;
  private readonly dumpdtb: string | undefined;
  /** The console (spapr-vty) and the RTAS event sources (EPOW). */
  private readonly vty: SpaprVty;
  private readonly events: RtasEvents;
  /** Console output so far (from `transcriptFrom`), for the scripted host actions. */
  private transcript = "";
  private nextAction = 0;
  private readonly tracer: ChromeTrace | undefined;
  /** The device tree as placed in guest memory at reset. */
  bootFdt: Uint8Array = new Uint8Array(0);
  private readonly isolation: IsolationChecker | undefined;

  constructor(
    private readonly o: PseriesOptions,
    private readonly out: PseriesOutput,
  ) {
    const parsed = parseMachineOptions(o.machine ?? "pseries");
    if (!parsed.ok) throw new ConfigError(`-M ${o.machine}: ${parsed.error.message}`);
    this.caps = resolveCaps(parsed.value);
    this.dumpdtb = parsed.value.other.dumpdtb;
    this.ramBytes = parseMemory(o.memory);
    this.smp = parseSmp(o.smp);
    this.maxInsns = o.maxInsns ?? DEFAULT_MAX_INSNS;
    if (!Number.isInteger(this.maxInsns) || this.maxInsns <= 0) {
      throw new ConfigError(`--max-insns ${o.maxInsns}: expected a positive integer`);
    }
    this.rng = new SplitMix32(o.seed ?? 0);
    this.isolation = o.checkIsolation === true ? new IsolationChecker() : undefined;
    this.kvm = new Kvm({
      host: o.host ?? DEFAULT_HOST,
      ...(this.isolation !== undefined ? { hostMemory: this.isolation.memory } : {}),
    });
    checkCaps(this.caps, this.kvm);
    this.tracer = o.trace !== undefined ? new ChromeTrace() : undefined;
    const tracer = this.tracer;
    this.ramHost = this.kvm.allocGuestRam(this.ramBytes);
    this.vm = this.createVm(tracer);
    this.isolation?.watch(this.vm, this.kvm.partitionTable, this.nested);
    // What KVM_CHECK_EXTENSION tells QEMU: POWER9 has a XIVE; the native device is missing
    // where this KVM runs in a pseries partition.
    const planned = planIntc(this.caps.icMode, parsed.value.other.kernelIrqchip, {
      hasXive: true,
      onPseries:
        this.kvm.host.onPseries === true || this.kvm.checkExtension(KVM_CAP_PPC_IRQ_XIVE) === 0,
    });
    if (!planned.ok) throw new ConfigError(planned.message);
    this.intc = new PseriesIntc(this.vm, planned.plan, {
      guestError: (m) => this.guestError(m),
      warning: (m) => this.out.error(`hvsim: warning: ${m}\n`),
    });
    // The machine's interrupt sources (QEMU: spapr_events_init, the VIO devices' claims).
    for (const irq of [SPAPR_IRQ_EPOW, SPAPR_IRQ_HOTPLUG, SPAPR_IRQ_VIO, SPAPR_IRQ_VIO + 1]) {
      this.intc.claim(irq, false);
    }
    this.intc.reset();
    this.vty = new SpaprVty(() => this.intc.pulse(SPAPR_IRQ_VIO));
    this.events = new RtasEvents(() => this.intc.pulse(SPAPR_IRQ_EPOW));
    if (o.input !== undefined) {
      this.vty.hostInput(typeof o.input === "string" ? new TextEncoder().encode(o.input) : o.input);
    }
    this.dt = {
      ramBytes: this.ramBytes,
      smp: this.smp,
      caps: this.caps,
      ov5: new Uint8Array([0, 0]),
      rngSeed: this.randomBytes(32),
      xive: this.caps.icMode === "xive",
      ...(o.append !== undefined ? { bootargs: o.append } : {}),
    };
    this.load();
  }

  /** KVM_CREATE_VM and what QEMU does right after: caps, hcall enables, RAM, vCPUs. */
  private createVm(tracer: ChromeTrace | undefined): Vm {
    const vm = this.kvm.createVm({
      log: (m) => this.guestError(m),
      ...(tracer !== undefined ? { trace: (e) => tracer.vm(e) } : {}),
    });
    if (capValue(this.caps, "nested-hv") !== 0) {
      // QEMU on KVM: KVM_ENABLE_CAP(PPC_NESTED_HV); hvsim's "KVM" module for it is kvm-nested.
      vm.enableCap(KVM_CAP_PPC_NESTED_HV, [1]);
      this.nested = KvmNested.attach(vm, { log: (m) => this.guestError(m) });
    }
    for (const h of QEMU_ENABLED_AT_INIT_HCALLS) vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [h, 1]);
    // cap-rpt-invalidate=on: kvmppc_enable_h_rpt_invalidate (never on by default: migration).
    if (capValue(this.caps, "rpt-invalidate") !== 0) {
      vm.enableCap(KVM_CAP_PPC_ENABLE_HCALL, [H_RPT_INVALIDATE, 1]);
    }
    vm.setUserMemoryRegion({ slot: 0, gpa: 0, size: this.ramBytes, hostAddr: this.ramHost });
    for (let i = 0; i < this.smp; i++) {
      const v = vm.createVcpu(i);
      if (i !== 0) v.mpState = "stopped";
    }
    return vm;
  }

  /**
   * RTAS system-reboot without -no-reboot: a machine reset as QEMU's on KVM. The vCPUs go back
   * to their reset registers, the secondaries stop, the boot images and a fresh device tree are
   * loaded again and vCPU 0 starts at 0x100; RAM otherwise keeps its contents and time goes on.
   */
  private reset(): void {
    this.vm.reset();
    for (const v of this.vm.vcpus) if (v.id !== 0) v.mpState = "stopped";
    this.casDone = false;
    this.dt.ov5 = new Uint8Array([0, 0]);
    this.dt.xive = this.caps.icMode === "xive";
    this.dt.rngSeed = this.randomBytes(32);
    this.intc.reset();
    this.events.reset();
    this.resets++;
    this.load();
  }

  private read(path: string, what: string): Uint8Array {
    try {
      return (this.o.readFile ?? ((p: string) => new Uint8Array(readFileSync(p))))(path);
    } catch (e) {
      throw new ConfigError(`${what} ${path}: cannot read it (${(e as Error).message})`);
    }
  }

  private randomBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) new DataView(b.buffer).setUint32(i, this.rng.nextU32() >>> 0);
    return b;
  }

  private write(gpa: number, data: Uint8Array, what: string): void {
    if (!this.vm.writeGuest(gpa, data)) {
      throw new ConfigError(
        `${what} does not fit in RAM (0x${gpa.toString(16)} + 0x${data.length.toString(16)} > 0x${this.ramBytes.toString(16)}); give more memory with -m`,
      );
    }
  }

  /** The boot protocol: ROM (or -bios) at 0, -kernel segments, -initrd, the FDT, vCPU 0. */
  private load(): void {
    if (this.o.bios !== undefined) {
      this.write(0, this.read(this.o.bios, "-bios"), "-bios");
    } else {
      const rom = new Uint8Array(0x104);
      new DataView(rom.buffer).setUint32(SPAPR_ENTRY_POINT, BOOT_BRANCH, false);
      this.write(0, rom, "the boot ROM");
    }
    let kernelEnd = KERNEL_LOAD_ADDR;
    if (this.o.kernel !== undefined) {
      const bytes = this.read(this.o.kernel, "-kernel");
      let elf: ElfImage;
      try {
        elf = parseElf(bytes, `-kernel ${this.o.kernel}`, "a raw image goes to -bios");
      } catch (e) {
        if (e instanceof ElfError) throw new ConfigError(e.message);
        throw e;
      }
      for (const s of elf.segments) {
        // QEMU's rule: (vaddr & 0x0fffffff) + the load address.
        const at = Number(s.vaddr & 0x0fffffffn) + KERNEL_LOAD_ADDR;
        const img = new Uint8Array(s.memSize);
        img.set(s.data);
        this.write(at, img, `-kernel segment at 0x${s.vaddr.toString(16)}`);
        kernelEnd = Math.max(kernelEnd, at + s.memSize);
      }
      this.dt.kernel = {
        addr: KERNEL_LOAD_ADDR,
        size: kernelEnd - KERNEL_LOAD_ADDR,
        littleEndian: elf.littleEndian,
      };
    }
    if (this.o.initrd !== undefined) {
      if (this.o.kernel === undefined) throw new ConfigError("-initrd needs -kernel");
      const rd = this.read(this.o.initrd, "-initrd");
      // QEMU places the initrd 64 KiB-aligned after the kernel, leaving at least 64 KiB.
      const start = (kernelEnd + 0x1ffff) & ~0xffff;
      this.write(start, rd, "-initrd");
      this.dt.initrd = { start, end: start + rd.length };
    }
    const fdtAddr = this.fdtAddr();
    const fdt = pseriesFdt(this.dt);
    if (fdt.length > FDT_MAX_SIZE) throw new Error("device tree larger than FDT_MAX_SIZE");
    this.write(fdtAddr, fdt, "the device tree");
    this.bootFdt = fdt;
    const v0 = this.vm.vcpu(0);
    v0.pc = BigInt(SPAPR_ENTRY_POINT);
    v0.setGpr(3, BigInt(fdtAddr));
    v0.setGpr(4, 0n);
    v0.setGpr(5, 0n);
  }

  dumpdtbPath(): string | undefined {
    return this.dumpdtb;
  }

  private fdtAddr(): number {
    return Math.min(this.ramBytes, FDT_MAX_ADDR) - FDT_MAX_SIZE;
  }

  /** Run until the guest powers off, something fails, or the vCPUs have executed `pauseAt`
   *  instructions in all (reason `paused`; default the option's, Infinity = never). */
  run(t0: number, pauseAt: number = this.o.pauseAt ?? Infinity): PseriesResult {
    let budget = this.maxInsns - this.instructions();
    let first = true;
    let startupMs = 0;
    const finish = (status: number, reason: string): PseriesResult => {
      const result = {
        status,
        reason,
        stats: this.stats(startupMs, performance.now() - t0 - startupMs),
      };
      if (this.tracer !== undefined && this.o.trace !== undefined) {
        this.tracer.instant(0, this.vm.vcpu(0).cpu.tb, `stop: ${reason}`, "machine");
        try {
          (this.o.writeFile ?? writeFileSync)(
            this.o.trace,
            new TextEncoder().encode(this.tracer.toJson()),
          );
        } catch (e) {
          this.out.error(
            `hvsim: --trace ${this.o.trace}: cannot write it (${(e as Error).message})\n`,
          );
        }
      }
      return result;
    };
    for (;;) {
      if (first) {
        startupMs = performance.now() - t0;
        first = false;
      }
      const before = this.instructions();
      if (before >= pauseAt) return finish(0, "paused");
      let exit: VcpuExit;
      try {
        exit = this.vm.run(Math.min(budget, pauseAt - before));
      } catch (e) {
        if (!(e instanceof IsolationViolation)) throw e;
        // A simulator bug -d isolation exists to catch: say what was reached, and stop.
        this.out.error(`hvsim: ${e.message}\n`);
        return finish(STATUS_RUNAWAY, "isolation");
      }
      budget -= this.instructions() - before;
      if (exit.kind === "budget" && budget > 0) continue; // at the pause point
      switch (exit.kind) {
        case "papr-hcall": {
          const v = this.vm.vcpu(exit.vcpu);
          const r = handlePaprHcall(this, v, exit.nr);
          switch (r.kind) {
            case "poweroff":
              return finish(r.status, r.reason);
            case "reset":
              this.reset();
              break;
            case "resume":
              break;
            default: {
              const never: never = r;
              throw new Error(`unknown hcall result ${JSON.stringify(never)}`);
            }
          }
          break;
        }
        case "budget":
          this.out.error(
            `hvsim: the guest ran ${this.maxInsns} instructions without powering off (--max-insns ${this.maxInsns}); raise --max-insns if it needs longer, or check that it ends with RTAS power-off\n`,
          );
          return finish(STATUS_RUNAWAY, "max-insns");
        case "halted":
          this.out.error(
            "hvsim: every vCPU is stopped or idle with nothing to wake it (the guest hung); the machine stops\n",
          );
          return finish(STATUS_RUNAWAY, "halted");
        case "mmio": {
          const v = this.vm.vcpu(exit.vcpu);
          const emulable = !exit.fetch && exit.nested !== true;
          if (emulable && this.intc.vmmMmio(v, exit.gpa, exit.size, exit.isWrite, exit.data)) {
            break;
          }
          const access = `${exit.isWrite ? "wrote" : "read"}`;
          this.out.error(
            exit.nested === true
              ? `hvsim: an L2 on vCPU ${exit.vcpu} ${access} its L1's guest physical 0x${exit.gpa.toString(16)}, which is not RAM: hvsim does not emulate MMIO for nested guests\n`
              : `hvsim: vCPU ${exit.vcpu} ${access} guest physical 0x${exit.gpa.toString(16)}, where there is neither RAM nor a device\n`,
          );
          return finish(STATUS_RUNAWAY, "mmio");
        }
        case "shutdown":
          this.out.error(`hvsim: vCPU ${exit.vcpu}: ${exit.reason}\n`);
          return finish(STATUS_RUNAWAY, "shutdown");
        case "debug":
          this.out.error(`hvsim: vCPU ${exit.vcpu} executed attn\n`);
          return finish(STATUS_RUNAWAY, "debug");
        case "internal-error":
          this.out.error(`hvsim: internal error on vCPU ${exit.vcpu}: ${exit.reason}\n`);
          return finish(STATUS_RUNAWAY, "internal-error");
        default: {
          const never: never = exit;
          throw new Error(`unknown exit ${JSON.stringify(never)}`);
        }
      }
      if (budget <= 0) {
        this.out.error(
          `hvsim: the guest ran ${this.maxInsns} instructions without powering off (--max-insns ${this.maxInsns}); raise --max-insns if it needs longer\n`,
        );
        return finish(STATUS_RUNAWAY, "max-insns");
      }
    }
  }

  /**
   * The paused machine's state (vCPUs, RAM, VMM state) for a migration. With cap-nested-hv=on
   * the VM's state carries kvm-nested's (the L1's partition table, its nested guests, and the
   * vCPUs inside H_ENTER_NESTED), so an L1 migrates with its L2s, also in the middle of one.
   */
  save(): PseriesMachineState {
    return {
      version: 1,
      machine: this.o.machine ?? "pseries",
      ramBytes: this.ramBytes,
      smp: this.smp,
      caps: capsMigrationStream(this.caps),
      sourceHost: formatHostModel(this.kvm.host),
      instructions: this.instructions(),
      vm: this.vm.save(),
      vmm: {
        version: 1,
        rng: this.rng.state,
        todOffset: this.todOffset,
        casDone: this.casDone,
        ov5: this.dt.ov5.slice(),
        xive: this.dt.xive,
        rngSeed: this.dt.rngSeed.slice(),
        intc: this.intc.save(),
        vty: this.vty.save(),
        events: this.events.save(),
        hostActions: { next: this.nextAction, transcript: this.transcript },
        resets: this.resets,
        rtasCalls: { ...this.rtasCalls },
      },
    };
  }

  /**
   * Continue a saved machine here (this machine was built from the destination's own options
   * and host model, and has not run). Refuses, changing nothing, what this machine cannot
   * take: a stream whose caps are above this machine's (QEMU's rule), another RAM size or
   * vCPU count. Returns the warnings (caps below this machine's).
   */
  restore(s: PseriesMachineState): string[] {
    if (s.version !== 1 || s.vmm.version !== 1) {
      throw new MigrationRefused(
        `machine state version ${s.version}/${s.vmm.version}: this hvsim reads 1/1`,
      );
    }
    if (s.ramBytes !== this.ramBytes) {
      throw new MigrationRefused(
        `the source has ${s.ramBytes / 2 ** 20} MiB of RAM, this machine ${this.ramBytes / 2 ** 20} MiB: start the destination with -m ${s.ramBytes / 2 ** 20}M`,
      );
    }
    if (s.smp !== this.smp) {
      throw new MigrationRefused(
        `the source has ${s.smp} vCPUs, this machine ${this.smp}: start the destination with -smp ${s.smp}`,
      );
    }
    const report = checkCapsMigrationStream(s.caps, this.caps);
    const errors = report.issues.filter((i) => i.level === "error");
    if (errors.length > 0) {
      throw new MigrationRefused(
        `${errors.map((e) => e.message).join("; ")}: start the destination with the source's caps (-M ${s.machine})`,
      );
    }
    // The devices first (QEMU restores the interrupt controller before the vCPUs' lines are
    // looked at): connecting an in-kernel controller sets up its device regions, which the
    // VM's restore then maps where the source had them mapped.
    this.intc.restore(s.vmm.intc);
    this.vty.restore(s.vmm.vty);
    this.events.restore(s.vmm.events);
    this.vm.restore(s.vm);
    this.rng.state = s.vmm.rng;
    this.todOffset = s.vmm.todOffset;
    this.casDone = s.vmm.casDone;
    this.dt.ov5 = s.vmm.ov5.slice();
    this.dt.xive = s.vmm.xive;
    this.dt.rngSeed = s.vmm.rngSeed.slice();
    this.nextAction = s.vmm.hostActions.next;
    this.transcript = s.vmm.hostActions.transcript;
    this.resets = s.vmm.resets;
    for (const k of Object.keys(this.rtasCalls)) delete this.rtasCalls[k];
    Object.assign(this.rtasCalls, s.vmm.rtasCalls);
    return report.issues.map((i) => i.message);
  }

  /**
   * SHA-256 of the guest-visible machine state: every vCPU's registers and timers, the RAM
   * contents (all-zero chunks left out, so where the host allocated does not matter) and the
   * VMM's guest-visible state. Host-owned registers (PTCR, LPIDR) are left out: they follow
   * the host. Two runs that end with the same hash ended in the same state.
   */
  stateHash(): string {
    const h = createHash("sha256");
    const s = this.vm.save();
    for (const v of s.vcpus) {
      const { sprs, ...rest } = v.cpu;
      const guestSprs = Object.entries(sprs).filter(
        ([n]) => Number(n) !== SPR.PTCR && Number(n) !== SPR.LPIDR,
      );
      h.update(JSON.stringify({ ...v, cpu: { ...rest, sprs: guestSprs } }));
    }
    for (const m of s.memory) {
      if (m.data.some((b) => b !== 0)) {
        h.update(`${m.gpa}:`);
        h.update(m.data);
      }
    }
    h.update(JSON.stringify({ rng: this.rng.state, tod: this.todOffset, cas: this.casDone }));
    return h.digest("hex");
  }

  private instructions(): number {
    let n = 0;
    for (const v of this.vm.vcpus) n += v.cpu.icount;
    return n;
  }

  private stats(startupMs: number, runMs: number): PseriesStats {
    const s = this.vm.stats();
    const c = this.vm.mmu.counters();
    return {
      instructions: this.instructions(),
      resets: this.resets,
      exits: { ...s.exits },
      hcallsInKernel: s.hcallsInKernel,
      hcallsInVmm: s.hcallsToVmm,
      rtasCalls: { ...this.rtasCalls },
      hdsi: s.hdsi,
      hisi: s.hisi,
      pagesMapped: s.pagesMapped,
      hdecSlices: s.hdecSlices,
      stopsEmulated: s.stopsEmulated,
      mmu: {
        translations: c.translations,
        walks: c.walks,
        walkReads: c.walkReads,
        tlbHits: c.tlbHits,
        tlbMisses: c.tlbMisses,
        partitionTlbHits: c.partitionTlbHits,
        partitionTlbMisses: c.partitionTlbMisses,
      },
      startupMs,
      runMs,
      mips: runMs > 0 ? this.instructions() / (runMs * 1000) : 0,
      hostBytesAllocated: this.kvm.mem.allocatedBytes,
      ...(this.nested !== undefined ? { nested: this.nested.statistics() } : {}),
      ...(this.isolation !== undefined ? { isolationChecks: { ...this.isolation.checked } } : {}),
      intc: this.intc.stats(),
      rtasInKernel: { ...s.rtasInKernel },
    };
  }

  // --- PaprMachine --------------------------------------------------------------------------

  console(text: string): void {
    this.out.console(text);
    const actions = this.o.hostActions ?? [];
    if (this.nextAction >= actions.length) return;
    this.transcript += text;
    for (;;) {
      const a = actions[this.nextAction];
      const at = a === undefined ? -1 : this.transcript.indexOf(a.after);
      if (a === undefined || at < 0) return;
      // The next action looks at what the console prints after this one's text.
      this.transcript = this.transcript.slice(at + a.after.length);
      this.nextAction++;
      if (a.input !== undefined) this.vty.hostInput(new TextEncoder().encode(a.input));
      if (a.powerdown === true) this.events.powerdown(this.timeOfDay(this.vm.vcpu(0).cpu.tb));
    }
  }

  /** The RTAS time of day at timebase `tb`: 2000-01-01T00:00:00Z plus simulated time. */
  private timeOfDay(tb: number): Date {
    return new Date((946684800 + this.todOffset + Math.floor(tb / TIMEBASE_FREQUENCY)) * 1000);
  }

  guestError(message: string): void {
    if (this.o.logGuestErrors === true) this.out.error(`hvsim: guest error: ${message}\n`);
  }

  intcHcall(v: Vcpu, nr: number): number | undefined {
    return this.intc.vmmHcall(v, nr);
  }

  consoleInput(max: number): Uint8Array {
    return this.vty.getChars(max);
  }

  random(): bigint {
    return (BigInt(this.rng.nextU32() >>> 0) << 32n) | BigInt(this.rng.nextU32() >>> 0);
  }

  setInterruptLittleEndian(le: boolean): void {
    this.vm.setInterruptLittleEndian(le);
  }

  setAddressTranslationMode(ail: 0 | 2 | 3): boolean {
    // AIL 3 (interrupts at 0xc000000000004000) needs cap-ail-mode-3.
    if (ail === 3 && capValue(this.caps, "ail-mode-3") === 0) return false;
    this.vm.setAlternateInterruptLocation(ail);
    return true;
  }

  private readU32(gpa: number): number | undefined {
    const b = this.vm.readGuest(gpa, 4);
    return b === undefined ? undefined : new DataView(b.buffer).getUint32(0, false);
  }

  private writeU32(gpa: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, false);
    this.vm.writeGuest(gpa, b);
  }

  rtas(v: Vcpu, argsGpa: number): PaprResult {
    const token = this.readU32(argsGpa);
    const nargs = this.readU32(argsGpa + 4);
    const nret = this.readU32(argsGpa + 8);
    if (token === undefined || nargs === undefined || nret === undefined) {
      this.guestError(`RTAS argument buffer at 0x${argsGpa.toString(16)} is not in RAM`);
      return { kind: "resume" };
    }
    const name = rtasTokenByValue(token)?.name ?? `0x${token.toString(16)}`;
    this.rtasCalls[name] = (this.rtasCalls[name] ?? 0) + 1;
    this.tracer?.instant(v.id, v.cpu.tb, `RTAS ${name}`, "rtas");
    const arg = (i: number): number => (i < nargs ? (this.readU32(argsGpa + 12 + 4 * i) ?? 0) : 0);
    const rets = argsGpa + 12 + 4 * nargs;
    const setRet = (i: number, val: number): void => {
      if (i < nret) this.writeU32(rets + 4 * i, val);
    };
    switch (name) {
      case "power-off":
        if (nargs !== 2 || nret !== 1) {
          setRet(0, RTAS_OUT_PARAM_ERROR);
          return { kind: "resume" };
        }
        return { kind: "poweroff", status: 0, reason: "power-off" };
      case "system-reboot":
        if (nargs !== 0 || nret !== 1) {
          setRet(0, RTAS_OUT_PARAM_ERROR);
          return { kind: "resume" };
        }
        if (this.o.noReboot === true) {
          return { kind: "poweroff", status: 0, reason: "system-reboot" };
        }
        setRet(0, RTAS_OUT_SUCCESS);
        return { kind: "reset" };
      case "display-character":
        this.console(String.fromCharCode(arg(0) & 0xff));
        setRet(0, RTAS_OUT_SUCCESS);
        return { kind: "resume" };
      case "get-time-of-day": {
        // Deterministic: 2000-01-01T00:00:00Z plus the simulated time of this vCPU.
        const tb = v.cpu.tb;
        const ns = Math.floor(((tb % TIMEBASE_FREQUENCY) * 1e9) / TIMEBASE_FREQUENCY);
        const d = this.timeOfDay(tb);
        setRet(0, RTAS_OUT_SUCCESS);
        setRet(1, d.getUTCFullYear());
        setRet(2, d.getUTCMonth() + 1);
        setRet(3, d.getUTCDate());
        setRet(4, d.getUTCHours());
        setRet(5, d.getUTCMinutes());
        setRet(6, d.getUTCSeconds());
        setRet(7, ns);
        return { kind: "resume" };
      }
      case "set-time-of-day": {
        const want = Date.UTC(arg(0), arg(1) - 1, arg(2), arg(3), arg(4), arg(5)) / 1000;
        const now = 946684800 + Math.floor(v.cpu.tb / TIMEBASE_FREQUENCY);
        this.todOffset = want - now;
        setRet(0, RTAS_OUT_SUCCESS);
        return { kind: "resume" };
      }
      case "query-cpu-stopped-state": {
        const t = this.vm.vcpus.find((x) => x.id === arg(0));
        if (t === undefined) {
          setRet(0, RTAS_OUT_PARAM_ERROR);
          return { kind: "resume" };
        }
        setRet(0, RTAS_OUT_SUCCESS);
        setRet(1, t.mpState === "stopped" ? 0 : 2);
        return { kind: "resume" };
      }
      case "start-cpu": {
        const t = this.vm.vcpus.find((x) => x.id === arg(0));
        if (t === undefined) {
          setRet(0, RTAS_OUT_PARAM_ERROR);
          return { kind: "resume" };
        }
        if (t.mpState !== "stopped") {
          setRet(0, RTAS_OUT_HW_ERROR);
          return { kind: "resume" };
        }
        // QEMU: the new thread starts at the given address, 64-bit big-endian with MSR[ME],
        // r3 as given, with LPCR (ILE included) like the others.
        t.msr = (1n << 63n) | (1n << 12n);
        t.pc = BigInt(arg(1));
        t.setGpr(3, BigInt(arg(2)));
        t.cpu.stopped = false;
        t.ceded = false;
        // Its timebase follows the caller's (one machine, one timebase).
        t.cpu.tbOffset = v.cpu.tb - t.cpu.icount * t.cpu.tbTicksPerInsn;
        t.mpState = "runnable";
        setRet(0, RTAS_OUT_SUCCESS);
        return { kind: "resume" };
      }
      case "stop-self":
        v.mpState = "stopped";
        return { kind: "resume" };
      case "check-exception": {
        const r = this.events.checkException(
          Array.from({ length: nargs }, (_, i) => arg(i)),
          nret,
        );
        if (r.write !== undefined) this.vm.writeGuest(r.write.gpa, r.write.data);
        r.rets.forEach((x, i) => setRet(i, x >>> 0));
        return { kind: "resume" };
      }
      case "event-scan":
        this.events
          .eventScan(
            Array.from({ length: nargs }, (_, i) => arg(i)),
            nret,
          )
          .forEach((x, i) => setRet(i, x >>> 0));
        return { kind: "resume" };
      default: {
        const args = Array.from({ length: nargs }, (_, i) => arg(i));
        const rets = this.intc.vmmRtas(name, args, nret);
        if (rets !== undefined) {
          rets.forEach((r, i) => setRet(i, r >>> 0));
          return { kind: "resume" };
        }
        this.guestError(`RTAS ${name} is not implemented`);
        setRet(0, RTAS_OUT_PARAM_ERROR);
        return { kind: "resume" };
      }
    }
  }

  cas(_v: Vcpu, vecGpa: number, bufGpa: number, bufSize: number): number | PaprResult {
    // The CAS vector: PVR pairs until a mask/value pair with ~mask & pvr != 0 ... (hvsim's
    // guests end it with an ISA-3.00 logical PVR), then the option vectors.
    const vec = this.vm.readGuest(vecGpa, 4096);
    if (vec === undefined) return H_PARAMETER;
    let p = 0;
    for (;;) {
      if (p + 8 > vec.length) return H_PARAMETER;
      const dv = new DataView(vec.buffer, p, 8);
      const mask = dv.getUint32(0, false);
      const pvr = dv.getUint32(4, false);
      p += 8;
      if ((~mask & pvr) >>> 0 !== 0 && mask !== 0xffffffff) break;
    }
    const nvecs = vec[p++]! + 1;
    let ov5: Uint8Array = new Uint8Array(0);
    for (let i = 1; i <= nvecs && p < vec.length; i++) {
      const len = vec[p++]! + 1;
      if (i === 5) ov5 = vec.slice(p, p + len);
      p += len;
    }
    const byte = (n: number): number => ov5[n - 1] ?? 0;
    const radix = (byte(OV5_INDEX_MMU) & 0x40) !== 0;
    const gtse = (byte(OV5_INDEX_RADIX_EXT) & 0x40) !== 0;
    const xive = (byte(OV5_INDEX_XIVE) & 0x40) !== 0;
    // As QEMU: a mode the machine does not offer ends the run; a dual machine without a XIVE
    // (QEMU 8.1 on a KVM without KVM_CAP_PPC_IRQ_XIVE) grants XICS instead of exploitation.
    const intc = casSelectIntc(this.caps.icMode, xive, this.intc.offersXive);
    if (intc.kind === "error") {
      this.out.error(`hvsim: ${intc.message}\n`);
      return { kind: "poweroff", status: 1, reason: "cas" };
    }
    if (!radix) {
      this.guestError("CAS without radix: hvsim's KVM runs radix guests only");
      return H_PARAMETER;
    }
    this.casDone = true;
    this.vm.configureV3Mmu(0n, gtse);
    const xiveChosen = intc.intc === "xive";
    this.intc.cas(intc.intc);
    // ibm,architecture-vec-5 as QEMU updates it: the negotiated MMU, GTSE and interrupt mode.
    const neg = new Uint8Array(OV5_INDEX_RADIX_EXT + 1);
    neg[0] = OV5_INDEX_RADIX_EXT - 1;
    neg[OV5_INDEX_MMU] = 0x40;
    if (gtse) neg[OV5_INDEX_RADIX_EXT] = 0x40;
    if (xiveChosen) neg[OV5_INDEX_XIVE] = 0x40;
    this.dt.ov5 = neg;
    this.dt.xive = xiveChosen;
    // QEMU 7.2: the whole updated tree goes to the guest's buffer after a 4-byte header.
    const fdt = pseriesFdt(this.dt);
    if (bufSize >= 4 + fdt.length) {
      const hdr = new Uint8Array(4);
      new DataView(hdr.buffer).setUint32(0, 1, false);
      this.vm.writeGuest(bufGpa, hdr);
      this.vm.writeGuest(bufGpa + 4, fdt);
    }
    return H_SUCCESS;
  }

  registerProcessTable(
    flags: bigint,
    procTbl: bigint,
    pageSize: bigint,
    tableSize: bigint,
  ): number {
    const FLAG_MODIFY = 0x10n;
    const FLAG_REGISTER = 0x08n;
    const FLAG_RADIX = 0x04n;
    const FLAG_GTSE = 0x01n;
    if (flags & ~0x1fn) return H_PARAMETER;
    if (!(flags & FLAG_MODIFY)) return H_PARAMETER;
    if (!this.casDone) {
      this.guestError("H_REGISTER_PROC_TBL before CAS");
    }
    let dw1 = 0n;
    if (flags & FLAG_REGISTER) {
      if (!(flags & FLAG_RADIX)) {
        this.guestError("H_REGISTER_PROC_TBL for a hash process table: hvsim is radix only");
        return H_PARAMETER;
      }
      if (procTbl & 0xfffn || procTbl >> 60n) return H_P2;
      if (pageSize) return H_P3;
      if (tableSize > 24n) return H_P4;
      dw1 = (1n << 63n) | procTbl | tableSize;
    }
    this.vm.configureV3Mmu(dw1, (flags & FLAG_GTSE) !== 0n);
    return H_SUCCESS;
  }
}

/** `--stats` as text: one line per figure, stable order (for the CLI and the demo). */
/** Counters as `name=n name=n` sorted by name, or `-` when there are none. */
export function formatCounts(r: Record<string, number>): string {
  return Object.keys(r).length === 0
    ? "-"
    : Object.entries(r)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
}

/** Each L2's shadow-tree cost: `LPID n: K KiB for L leaves`, in LPID order. */
function shadowTrees(t: NestedStats["shadowTrees"]): string {
  const rows = Object.entries(t)
    .sort(([a], [b]) => Number(a.slice(5)) - Number(b.slice(5)))
    .map(([k, c]) => `${k}: ${(c.tableBytes / 1024).toFixed(2)} KiB for ${c.leaves} leaves`);
  return rows.length === 0 ? "-" : rows.join(", ");
}

/** The interrupt controller's line: where it ran, interrupts taken, what they cost in exits. */
function formatIntcStats(i: IntcStats, rtasInKernel: Record<string, number>): string {
  const path = i.pathMmio + i.pathHcalls;
  const per = i.accepted > 0 ? (path / i.accepted).toFixed(1) : "-";
  const inKernel = Object.values(rtasInKernel).reduce((a, b) => a + b, 0);
  return [
    `interrupts       ${i.accepted} accepted, ${i.placement}`,
    `  VMM exits      interrupt path: mmio=${i.pathMmio} hcall=${i.pathHcalls} (${per} per interrupt); configuration: hcall=${i.configHcalls} RTAS=${i.configRtas}${inKernel > 0 ? ` (RTAS in kernel: ${inKernel})` : ""}`,
  ].join("\n");
}

export function formatPseriesStats(s: PseriesStats): string {
  const kv = formatCounts;
  return [
    `instructions     ${s.instructions}`,
    `MIPS             ${s.mips.toFixed(1)} (${s.runMs.toFixed(0)} ms running, ${s.startupMs.toFixed(1)} ms to the first instruction)`,
    `exits            ${kv(s.exits)}`,
    `hcalls in kernel ${kv(s.hcallsInKernel)}`,
    `hcalls in VMM    ${kv(s.hcallsInVmm)}`,
    `RTAS calls       ${kv(s.rtasCalls)}`,
    `HDSI/HISI        ${s.hdsi}/${s.hisi} (${s.pagesMapped} pages mapped), HDEC slices ${s.hdecSlices}`,
    ...(s.intc !== undefined ? [formatIntcStats(s.intc, s.rtasInKernel ?? {})] : []),
    ...(s.stopsEmulated > 0
      ? [`guest stop       ${s.stopsEmulated} emulated after HFU (host POWER9 DD2.2)`]
      : []),
    `MMU              translations=${s.mmu.translations} walks=${s.mmu.walks} walk-reads=${s.mmu.walkReads} tlb=${s.mmu.tlbHits}/${s.mmu.tlbMisses} partition-tlb=${s.mmu.partitionTlbHits}/${s.mmu.partitionTlbMisses} (hits/misses)`,
    `host memory      ${(s.hostBytesAllocated / 1024).toFixed(0)} KiB allocated`,
    ...(s.nested !== undefined
      ? [
          `L2 entries       ${s.nested.enterNested} (errors: ${kv(s.nested.enterNestedErrors)})`,
          `L2 exits in L0   ${kv(s.nested.l2ExitsInL0)}`,
          `L2 exits to L1   ${kv(s.nested.l2ExitsToL1)}`,
          `shadow faults    ${s.nested.shadowFaults} (${s.nested.shadowFaultsReflected} reflected to L1), rmap removals ${s.nested.rmapRemovals}`,
          `invalidations    ${kv(s.nested.invalidations)}`,
          `shadow trees     ${shadowTrees(s.nested.shadowTrees)}`,
        ]
      : []),
    ...(s.isolationChecks !== undefined
      ? [
          `isolation        ${s.isolationChecks.data} data and ${s.isolationChecks["page-table"]} page-table accesses checked, none outside`,
        ]
      : []),
    "",
  ].join("\n");
}
