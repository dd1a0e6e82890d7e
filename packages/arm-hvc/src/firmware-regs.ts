// The frozen hypercall set of a VM: KVM arm64's firmware pseudo-registers (Linux
// Documentation/virt/kvm/arm/fw-pseudo-registers.rst, arch/arm64/kvm/hypercalls.c). The VMM
// reads the defaults (everything the host supports), writes back the set it wants to expose,
// and the set is fixed once any vCPU has run: a different value is then -EBUSY. Migration
// carries these registers; the destination writes them and refuses the VM if it cannot honour
// one, naming the service.
import type { HypercallGate } from "./smccc-dispatcher";
import { canonicalFunctionId, decodeFunctionId } from "./smccc-id";
import { OEN_ARM_ARCH, OEN_STANDARD } from "./smccc-owners";
import type { SpectreState } from "./arch-service";
import {
  KVM_PSCI_0_1_IDS,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
} from "./psci-ids";
import { versionString } from "./arch-service";
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST } from "./pv-time";
import {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
} from "./trng-service";
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
} from "./vendor-hyp-service";
import {
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK,
} from "./apf-abi";

// Register ids (arch/arm64/include/uapi/asm/kvm.h).
export const KVM_REG_ARM64 = 0x6000000000000000n;
export const KVM_REG_SIZE_U64 = 0x0030000000000000n;
export const KVM_REG_ARM_FW = 0x0014n << 16n;
export const KVM_REG_ARM_FW_FEAT_BMAP = 0x0016n << 16n;
export function KVM_REG_ARM_FW_REG(r: number): bigint {
  return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW | BigInt(r & 0xffff);
}
export function KVM_REG_ARM_FW_FEAT_BMAP_REG(r: number): bigint {
  return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW_FEAT_BMAP | BigInt(r & 0xffff);
}
export const KVM_REG_ARM_PSCI_VERSION = KVM_REG_ARM_FW_REG(0);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1 = KVM_REG_ARM_FW_REG(1);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2 = KVM_REG_ARM_FW_REG(2);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3 = KVM_REG_ARM_FW_REG(3);
export const KVM_REG_ARM_STD_BMAP = KVM_REG_ARM_FW_FEAT_BMAP_REG(0);
export const KVM_REG_ARM_STD_HYP_BMAP = KVM_REG_ARM_FW_FEAT_BMAP_REG(1);
export const KVM_REG_ARM_VENDOR_HYP_BMAP = KVM_REG_ARM_FW_FEAT_BMAP_REG(2);
export const KVM_REG_ARM_VENDOR_HYP_BMAP_2 = KVM_REG_ARM_FW_FEAT_BMAP_REG(3);

// Workaround levels (higher = better protected).
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_AVAIL = 0n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_AVAIL = 1n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_REQUIRED = 2n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL = 0n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_UNKNOWN = 1n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL = 2n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED = 3n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED = 1n << 4n;
const KVM_REG_FEATURE_LEVEL_MASK = 0xfn;

/** Errors a ONE_REG access can fail with (negative errno, as the ioctl returns them). */
export const ENOENT = -2;
export const EBUSY = -16;
export const EINVAL = -22;
export type FwRegErrno = typeof ENOENT | typeof EBUSY | typeof EINVAL;

export type FwRegRead =
  | { readonly ok: true; readonly value: bigint }
  | { readonly ok: false; readonly errno: FwRegErrno };

/** A hypercall service the bitmaps switch on and off. */
export type HypercallServiceId =
  "trng" | "pv-time" | "kvm-features" | "ptp" | "discover-impl" | "apf";

export interface HypercallServiceBits {
  readonly id: HypercallServiceId;
  readonly name: string;
  readonly register: bigint;
  readonly registerName: string;
  readonly mask: bigint;
}

/** Which bits of which bitmap register stand for which service. */
export const HYPERCALL_SERVICES: readonly HypercallServiceBits[] = [
  {
    id: "trng",
    name: "TRNG v1.0 (true random number generator)",
    register: KVM_REG_ARM_STD_BMAP,
    registerName: "KVM_REG_ARM_STD_BMAP",
    mask: 1n,
  },
  {
    id: "pv-time",
    name: "paravirtualized stolen time (PV_TIME)",
    register: KVM_REG_ARM_STD_HYP_BMAP,
    registerName: "KVM_REG_ARM_STD_HYP_BMAP",
    mask: 1n,
  },
  {
    id: "kvm-features",
    name: "KVM vendor hypervisor features and Call UID (FUNC_FEAT)",
    register: KVM_REG_ARM_VENDOR_HYP_BMAP,
    registerName: "KVM_REG_ARM_VENDOR_HYP_BMAP",
    mask: 1n,
  },
  {
    id: "ptp",
    name: "KVM PTP clock (KVM_PTP)",
    register: KVM_REG_ARM_VENDOR_HYP_BMAP,
    registerName: "KVM_REG_ARM_VENDOR_HYP_BMAP",
    mask: 2n,
  },
  {
    id: "discover-impl",
    name: "target CPU implementation discovery (DISCOVER_IMPL_VER/CPUS)",
    register: KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    registerName: "KVM_REG_ARM_VENDOR_HYP_BMAP_2",
    mask: 3n,
  },
  {
    id: "apf",
    name: "async page fault (APF_FEATURES/REGISTER/READY_ACK, hvsim proposal)",
    register: KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    registerName: "KVM_REG_ARM_VENDOR_HYP_BMAP_2",
    mask: KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK,
  },
];

/** What a host kernel implements: decides what a VM may be given, never what it is given. */
export interface HostHypercallSupport {
  readonly name: string;
  readonly services: readonly HypercallServiceId[];
  /** Registers this kernel knows (an older kernel lacks VENDOR_HYP_BMAP_2: -ENOENT). */
  readonly registers: readonly bigint[];
  /** Highest PSCI version the kernel implements (it implements all lower ones too). */
  readonly maxPsciVersion: number;
  readonly spectreV2: SpectreState;
  readonly spectreV4: SpectreState;
  readonly spectreBhb: SpectreState;
}

export const ALL_FW_REGISTERS: readonly bigint[] = [
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
];

export function fwRegisterName(id: bigint): string {
  const names: [bigint, string][] = [
    [KVM_REG_ARM_PSCI_VERSION, "KVM_REG_ARM_PSCI_VERSION"],
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1"],
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2"],
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, "KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3"],
    [KVM_REG_ARM_STD_BMAP, "KVM_REG_ARM_STD_BMAP"],
    [KVM_REG_ARM_STD_HYP_BMAP, "KVM_REG_ARM_STD_HYP_BMAP"],
    [KVM_REG_ARM_VENDOR_HYP_BMAP, "KVM_REG_ARM_VENDOR_HYP_BMAP"],
    [KVM_REG_ARM_VENDOR_HYP_BMAP_2, "KVM_REG_ARM_VENDOR_HYP_BMAP_2"],
  ];
  const hit = names.find(([r]) => r === id);
  return `${hit?.[1] ?? "unknown register"} (0x${id.toString(16)})`;
}

function wa1Level(s: SpectreState): bigint {
  switch (s) {
    case "vulnerable":
      return KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_AVAIL;
    case "mitigated":
      return KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_AVAIL;
    case "unaffected":
      return KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_REQUIRED;
  }
}
function wa2Level(s: SpectreState): bigint {
  // KVM reports NOT_REQUIRED for a mitigated (SSBS) or unaffected host, NOT_AVAIL otherwise.
  return s === "vulnerable"
    ? KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL
    : KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED;
}

export interface FirmwareRegistersState {
  readonly version: 1;
  /** Register id (hex) → value (hex), the list a VMM migrates (QEMU's cpreg list). */
  readonly registers: Readonly<Record<string, string>>;
}

/** A VM's firmware pseudo-registers, on one host. */
export class FirmwareRegisters implements HypercallGate {
  private psciVersion: number;
  private readonly bitmaps = new Map<bigint, bigint>();
  private ranOnce = false;

  /**
   * @param psci02 the vCPUs were created with KVM_ARM_VCPU_PSCI_0_2 (PSCI 0.2+ rather than 0.1)
   */
  constructor(
    readonly host: HostHypercallSupport,
    private readonly psci02: boolean,
  ) {
    this.psciVersion = psci02 ? host.maxPsciVersion : PSCI_VERSION_0_1;
    for (const r of [
      KVM_REG_ARM_STD_BMAP,
      KVM_REG_ARM_STD_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    ]) {
      if (host.registers.includes(r)) this.bitmaps.set(r, this.supportedBits(r));
    }
  }

  /** Bits of bitmap register `reg` this host implements. */
  supportedBits(reg: bigint): bigint {
    let m = 0n;
    for (const s of HYPERCALL_SERVICES) {
      if (s.register === reg && this.host.services.includes(s.id)) m |= s.mask;
    }
    return m;
  }

  /** The first vCPU has run: from now on the set is frozen. */
  markRan(): void {
    this.ranOnce = true;
  }
  get hasRan(): boolean {
    return this.ranOnce;
  }

  /** KVM_GET_ONE_REG. */
  get(id: bigint): FwRegRead {
    if (!this.host.registers.includes(id)) return { ok: false, errno: ENOENT };
    switch (id) {
      case KVM_REG_ARM_PSCI_VERSION:
        return { ok: true, value: BigInt(this.psciVersion) };
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1:
        return { ok: true, value: wa1Level(this.host.spectreV2) };
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2:
        return { ok: true, value: wa2Level(this.host.spectreV4) };
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3:
        return { ok: true, value: wa1Level(this.host.spectreBhb) };
      default: {
        const v = this.bitmaps.get(id);
        return v === undefined ? { ok: false, errno: ENOENT } : { ok: true, value: v };
      }
    }
  }

  /** KVM_SET_ONE_REG: 0, or -ENOENT / -EINVAL / -EBUSY. */
  set(id: bigint, value: bigint): 0 | FwRegErrno {
    if (!this.host.registers.includes(id)) return ENOENT;
    switch (id) {
      case KVM_REG_ARM_PSCI_VERSION: {
        const v = Number(value);
        const wants02 = this.psci02;
        const ok =
          BigInt(v) === value &&
          (v === PSCI_VERSION_0_1
            ? !wants02
            : (v === PSCI_VERSION_0_2 || v === PSCI_VERSION_1_0 || v === PSCI_VERSION_1_1) &&
              wants02 &&
              v <= this.host.maxPsciVersion);
        if (!ok) return EINVAL;
        // Deliberate divergence: KVM (hypercalls.c as read) accepts a new PSCI version even
        // after a vCPU has run. The guest has already discovered its PSCI version by then, so
        // hvsim freezes it with the bitmaps: a different value after the first run is -EBUSY.
        if (this.ranOnce && v !== this.psciVersion) return EBUSY;
        this.psciVersion = v;
        return 0;
      }
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1:
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3: {
        if ((value & ~KVM_REG_FEATURE_LEVEL_MASK) !== 0n) return EINVAL;
        const host = wa1Level(
          id === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1 ? this.host.spectreV2 : this.host.spectreBhb,
        );
        // The guest may have been promised at most what this host provides.
        return value > host ? EINVAL : 0;
      }
      case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2: {
        if (
          (value & ~(KVM_REG_FEATURE_LEVEL_MASK | KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED)) !==
          0n
        ) {
          return EINVAL;
        }
        const level = value & KVM_REG_FEATURE_LEVEL_MASK;
        if (
          (value & KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED) !== 0n &&
          level !== KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL
        ) {
          return EINVAL;
        }
        let want: bigint;
        switch (level) {
          case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL:
          case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_UNKNOWN:
            want = KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL;
            break;
          case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL:
          case KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED:
            want = KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED;
            break;
          default:
            return EINVAL;
        }
        return want > wa2Level(this.host.spectreV4) ? EINVAL : 0;
      }
      default: {
        const cur = this.bitmaps.get(id);
        if (cur === undefined) return ENOENT;
        if ((value & ~this.supportedBits(id)) !== 0n) return EINVAL;
        // hvsim's async-PF functions are one service: all three bits or none.
        if (id === KVM_REG_ARM_VENDOR_HYP_BMAP_2) {
          const apf = value & KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK;
          if (apf !== 0n && apf !== KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK) return EINVAL;
        }
        if (this.ranOnce && value !== cur) return EBUSY;
        this.bitmaps.set(id, value);
        return 0;
      }
    }
  }

  /** The VM's PSCI version word. */
  get psci(): number {
    return this.psciVersion;
  }

  /** Whether the VM's set includes `service`. */
  enabled(service: HypercallServiceId): boolean {
    const s = HYPERCALL_SERVICES.find((x) => x.id === service);
    if (s === undefined) return false;
    return ((this.bitmaps.get(s.register) ?? 0n) & s.mask) === s.mask;
  }

  /** Switches a service on or off in the set (a VMM convenience over get/set). */
  setService(service: HypercallServiceId, on: boolean): 0 | FwRegErrno {
    const s = HYPERCALL_SERVICES.find((x) => x.id === service);
    if (s === undefined) return ENOENT;
    const cur = this.bitmaps.get(s.register);
    if (cur === undefined) return on ? ENOENT : 0;
    return this.set(s.register, on ? cur | s.mask : cur & ~s.mask);
  }

  /** KVM_FEATURES' W0..W3: vendor functions 0..31, 32..63, 64..95, 96..127. */
  vendorFeatureWords(): readonly [number, number, number, number] {
    const b = this.bitmaps.get(KVM_REG_ARM_VENDOR_HYP_BMAP) ?? 0n;
    const b2 = this.bitmaps.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2) ?? 0n;
    const w = (x: bigint) => Number(BigInt.asUintN(32, x));
    return [w(b), w(b >> 32n), w(b2), w(b2 >> 32n)];
  }

  /** `kvm_hvc_call_allowed`: is the call in the VM's set? */
  allows(functionId: number): boolean {
    const id = functionId >>> 0;
    switch (canonicalFunctionId(id)) {
      case ARM_SMCCC_TRNG_VERSION:
      case ARM_SMCCC_TRNG_FEATURES:
      case ARM_SMCCC_TRNG_GET_UUID:
      case ARM_SMCCC_TRNG_RND32:
      case ARM_SMCCC_TRNG_RND64:
        return this.enabled("trng");
      case ARM_SMCCC_HV_PV_TIME_FEATURES:
      case ARM_SMCCC_HV_PV_TIME_ST:
        return this.enabled("pv-time");
      case ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID:
      case ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID:
        return this.enabled("kvm-features");
      case ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID:
        return this.enabled("ptp");
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID:
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID:
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID:
        return this.enabled("apf");
      default: {
        if ((Object.values(KVM_PSCI_0_1_IDS) as number[]).includes(id)) return true;
        const f = decodeFunctionId(id);
        if (f.type !== "fast") return false;
        // KVM serves the whole Arm architecture range (SMCCC_VERSION, ARCH_FEATURES, and the
        // workaround calls, which its EL2 fast path answers before any bitmap is consulted)
        // and PSCI (standard service numbers 0..0x1F) whatever the bitmaps say.
        if (f.owner === OEN_ARM_ARCH) return true;
        return f.owner === OEN_STANDARD && f.number <= 0x1f;
      }
    }
  }

  /** The migration record: every register this host has, as the VMM reads it. */
  save(): FirmwareRegistersState {
    const registers: Record<string, string> = {};
    for (const id of ALL_FW_REGISTERS) {
      const r = this.get(id);
      if (r.ok) registers[id.toString(16)] = r.value.toString(16);
    }
    return { version: 1, registers };
  }
}

/** Why a destination refuses an incoming VM's frozen set. */
export interface FrozenSetRefusal {
  readonly register: bigint;
  readonly errno: FwRegErrno;
  readonly message: string;
}

function serviceNamesIn(register: bigint, bits: bigint): string {
  const hits = HYPERCALL_SERVICES.filter((s) => s.register === register && (s.mask & bits) !== 0n);
  return hits.length === 0
    ? `unknown bits 0x${bits.toString(16)}`
    : hits.map((s) => `"${s.name}"`).join(", ");
}

/**
 * Writes an incoming VM's firmware registers on the destination, before its vCPUs run, as a VMM
 * does on migration. Returns the refusals; an empty list means the VM may run here. A register
 * this host lacks is tolerated only at its reset value 0 (QEMU's migration tolerance for
 * KVM_REG_ARM_VENDOR_HYP_BMAP_2): 0 means no service of that register is in use.
 */
export function restoreFirmwareRegisters(
  dest: FirmwareRegisters,
  state: FirmwareRegistersState,
): FrozenSetRefusal[] {
  if (state.version !== 1) {
    throw new Error(
      `firmware-register state version ${String(state.version)} is not supported (expected 1)`,
    );
  }
  const out: FrozenSetRefusal[] = [];
  for (const [idHex, valueHex] of Object.entries(state.registers)) {
    const id = BigInt(`0x${idHex}`);
    const value = BigInt(`0x${valueHex}`);
    const rc = dest.set(id, value);
    if (rc === 0) continue;
    const host = dest.host.name;
    if (rc === ENOENT) {
      if (value === 0n) continue;
      out.push({
        register: id,
        errno: rc,
        message: `host "${host}" does not know ${fwRegisterName(id)}, and the incoming VM uses ${serviceNamesIn(id, value)} from it: migrate to a host whose kernel has it`,
      });
      continue;
    }
    let message: string;
    if (id === KVM_REG_ARM_PSCI_VERSION) {
      message = `host "${host}" cannot provide PSCI ${versionString(Number(value))}, which the incoming VM was given`;
    } else if (
      id === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1 ||
      id === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2 ||
      id === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3
    ) {
      message = `host "${host}" cannot honour ${fwRegisterName(id)} level ${value}: the incoming VM was promised a better mitigation than this host has`;
    } else {
      const missing = value & ~dest.supportedBits(id);
      message =
        missing !== 0n
          ? `host "${host}" does not implement ${serviceNamesIn(id, missing)} (${fwRegisterName(id)} bits 0x${missing.toString(16)}), which is in the incoming VM's frozen hypercall set: migrate to a host that has it, or start the VM without it`
          : `host "${host}" refused ${fwRegisterName(id)} = 0x${value.toString(16)} (errno ${rc})`;
    }
    out.push({ register: id, errno: rc, message });
  }
  return out;
}
