// What answers HVC and SMC on the arm64-virt machine, per host kind: the registration tables
// of SMCCC services switched on by the host kernel and the VM's frozen hypercall set (DESIGN
// §6.7).
//   kvm  — KVM's SMCCC handler: Arm architecture service, PSCI, TRNG, PV time, the KVM vendor
//          service (UID, FEATURES, PTP) and, on a host carrying the proposal, async PF; every
//          call gated by the VM's firmware bitmaps.
//   xen  — Xen's SMCCC handler: architecture service, PSCI, Xen's Call UID (plus HVC #0xEA1).
//   none — no EL2: EL3 firmware in the TF-A mould answers SMC (SMCCC 1.2, PSCI with entry-point
//          checks); HVC is UNDEFINED.
import type { ArmVirtResolvedOptions } from "./arm-virt-options";
import { PSCI_VERSION_WORDS } from "./arm-virt-options";
import { SmcccDispatcher } from "./smccc-dispatcher";
import type { GuestMemory } from "./guest-memory";
import type { PsciPowerModel } from "./psci-power";
import { createPsciService } from "./psci-service";
import { createArchService } from "./arch-service";
import {
  ARM_SMCCC_HV_PV_TIME_FEATURES,
  PV_TIME_RECORD_SIZE,
  StolenTime,
  createPvTimeService,
} from "./pv-time";
import { createVendorHypService } from "./vendor-hyp-service";
import type { PtpClock } from "./vendor-hyp-service";
import { AsyncPageFaults } from "./apf-service";
import {
  FirmwareRegisters,
  HYPERCALL_SERVICES,
  KVM_REG_ARM_PSCI_VERSION,
  restoreFirmwareRegisters,
} from "./firmware-regs";
import type {
  FirmwareRegistersState,
  FrozenSetRefusal,
  HostHypercallSupport,
  HypercallServiceId,
} from "./firmware-regs";
import { KVM_HOST_APF, KVM_HOST_MAINLINE } from "./host-profiles";
import type { SeededEntropy } from "./trng-service";
import { createTrngService } from "./trng-service";
import { createXenHypService } from "./xen-hypercall";
import { KVM_VENDOR_HYP_UID } from "./smccc-uid";
import { ArmOptionError } from "./option-error";

/** What host wiring needs from the machine. */
export interface HostWiringPorts {
  readonly options: ArmVirtResolvedOptions;
  /** KVM host kernel; default kvm-apf when apf is on, else kvm-mainline. */
  readonly hostKernel?: HostHypercallSupport;
  /** A migrated VM's firmware registers, written instead of the options' set. */
  readonly incoming?: FirmwareRegistersState;
  readonly memory: GuestMemory;
  readonly power: PsciPowerModel;
  /** Where the stolen-time records start. */
  readonly pvRegionBase: bigint;
  readonly ptp: PtpClock;
  entropy(): SeededEntropy;
  now(): bigint;
  raisePpi(vcpu: number, intid: number): void;
  pageIn(page: bigint): void;
}

export interface HostWiring {
  readonly hostKernel: HostHypercallSupport | undefined;
  readonly frozenSet: FirmwareRegisters | undefined;
  /** Answers HVC (and trapped SMC) at EL2. */
  readonly hypervisor: SmcccDispatcher | undefined;
  /** Answers SMC at EL3 (host=none). */
  readonly firmwareMonitor: SmcccDispatcher | undefined;
  readonly apf: AsyncPageFaults | undefined;
  readonly stolenTime: StolenTime | undefined;
  /** Why a migrated VM's frozen set was refused (empty when accepted). */
  readonly refusals: readonly FrozenSetRefusal[];
}

/** The VMM writes the VM's whole set from the options, never keeping a host default. */
function writeFrozenSet(fw: FirmwareRegisters, o: ArmVirtResolvedOptions): void {
  const kernel = fw.host;
  const want: [HypercallServiceId, boolean][] = [
    ["kvm-features", true],
    ["ptp", o.ptp],
    ["pv-time", o.pvTime],
    ["apf", o.apf],
    ["trng", o.trng],
    ["discover-impl", false],
  ];
  for (const [id, on] of want) {
    if (fw.setService(id, on) !== 0) {
      const name = HYPERCALL_SERVICES.find((s) => s.id === id)?.name ?? id;
      throw new ArmOptionError(
        `host "${kernel.name}" does not implement ${name}, which this machine's options ask for: turn that option off or use a host that has it`,
      );
    }
  }
  if (fw.set(KVM_REG_ARM_PSCI_VERSION, BigInt(PSCI_VERSION_WORDS[o.psciVersion])) !== 0) {
    throw new ArmOptionError(
      `host "${kernel.name}" cannot provide PSCI ${o.psciVersion}: choose a lower psci-version`,
    );
  }
}

function wireKvm(p: HostWiringPorts): HostWiring {
  const o = p.options;
  const kernel = p.hostKernel ?? (o.apf ? KVM_HOST_APF : KVM_HOST_MAINLINE);
  const fw = new FirmwareRegisters(kernel, o.psciVersion !== "0.1");
  let refusals: FrozenSetRefusal[] = [];
  if (p.incoming !== undefined) refusals = restoreFirmwareRegisters(fw, p.incoming);
  else writeFrozenSet(fw, o);

  const d = new SmcccDispatcher();
  d.register(
    createArchService({
      smcccVersion: { major: 1, minor: 1 },
      spectreV2: kernel.spectreV2,
      spectreV4: kernel.spectreV4,
      spectreBhb: kernel.spectreBhb,
      answersSelfQueries: false,
      otherFeature: (fid) =>
        fid === ARM_SMCCC_HV_PV_TIME_FEATURES ? (fw.enabled("pv-time") ? 0 : -1) : undefined,
    }),
  );
  d.register(
    createPsciService({
      version: () => fw.psci,
      power: p.power,
      smcccVersionImplemented: true,
      systemSuspend: false,
    }),
  );
  d.register(
    createVendorHypService({
      uid: KVM_VENDOR_HYP_UID,
      featureWords: () => fw.vendorFeatureWords(),
      ...(kernel.services.includes("ptp") ? { ptp: p.ptp } : {}),
    }),
  );
  if (kernel.services.includes("trng")) d.register(createTrngService(p.entropy));
  let stolenTime: StolenTime | undefined;
  if (kernel.services.includes("pv-time")) {
    stolenTime = new StolenTime(o.vcpus, p.memory);
    for (let i = 0; i < o.vcpus; i++) {
      const err = stolenTime.setIpa(i, p.pvRegionBase + BigInt(i * PV_TIME_RECORD_SIZE));
      if (err !== undefined) throw new Error(`broken machine layout: ${err}`);
    }
    d.register(createPvTimeService(stolenTime));
  }
  let apf: AsyncPageFaults | undefined;
  if (kernel.services.includes("apf")) {
    apf = new AsyncPageFaults(
      { vcpus: o.vcpus, readyIntid: o.apfReadyIntid, swapInTicks: BigInt(o.swapInTicks) },
      { memory: p.memory, now: p.now, raisePpi: p.raisePpi, pageIn: p.pageIn },
    );
    d.register(apf.service());
  }
  return {
    hostKernel: kernel,
    frozenSet: fw,
    hypervisor: d,
    firmwareMonitor: undefined,
    apf,
    stolenTime,
    refusals,
  };
}

function wireXen(p: HostWiringPorts): HostWiring {
  const d = new SmcccDispatcher();
  d.register(
    createArchService({
      smcccVersion: { major: 1, minor: 1 },
      spectreV2: "mitigated",
      spectreV4: "mitigated",
      spectreBhb: "mitigated",
      answersSelfQueries: false,
    }),
  );
  d.register(
    createPsciService({
      version: PSCI_VERSION_WORDS[p.options.psciVersion],
      power: p.power,
      smcccVersionImplemented: true,
      systemSuspend: false,
    }),
  );
  d.register(createXenHypService());
  return {
    hostKernel: undefined,
    frozenSet: undefined,
    hypervisor: d,
    firmwareMonitor: undefined,
    apf: undefined,
    stolenTime: undefined,
    refusals: [],
  };
}

function wireFirmwareOnly(p: HostWiringPorts): HostWiring {
  const d = new SmcccDispatcher();
  const smccc11 = p.options.firmwareSmccc !== "1.0";
  // SMCCC 1.0 firmware predates SMCCC_VERSION and the architecture service: OEN 0 is unknown.
  if (smccc11) {
    d.register(
      createArchService({
        smcccVersion: { major: 1, minor: 2 },
        spectreV2: "mitigated",
        spectreV4: "mitigated",
        spectreBhb: "mitigated",
        answersSelfQueries: true,
      }),
    );
  }
  d.register(
    createPsciService({
      version: PSCI_VERSION_WORDS[p.options.psciVersion],
      power: p.power,
      smcccVersionImplemented: smccc11,
      systemSuspend: true,
      isValidEntry: (pc) => p.memory.contains(pc, 4),
    }),
  );
  return {
    hostKernel: undefined,
    frozenSet: undefined,
    hypervisor: undefined,
    firmwareMonitor: d,
    apf: undefined,
    stolenTime: undefined,
    refusals: [],
  };
}

export function wireHost(p: HostWiringPorts): HostWiring {
  switch (p.options.host) {
    case "kvm":
      return wireKvm(p);
    case "xen":
      return wireXen(p);
    case "none":
      return wireFirmwareOnly(p);
  }
}
