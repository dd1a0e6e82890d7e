// Paravirtualized stolen time (Arm DEN0057A; Linux Documentation/virt/kvm/arm/pvtime.rst),
// owned by the Standard Hypervisor Service (OEN 5). SMC64/HVC64 only.
//
// Record (64 bytes, little-endian, one per vCPU, at an IPA the VMM chooses with the vCPU
// attribute KVM_ARM_VCPU_PVTIME_CTRL/KVM_ARM_VCPU_PVTIME_IPA):
//   0x00 u32 revision    = 0
//   0x04 u32 attributes  = 0
//   0x08 u64 stolen_time   nanoseconds this vCPU was runnable but not running
//   0x10 48 bytes padding
// The host updates it before the vCPU runs; the guest only reads it.
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import type { GuestMemoryPort } from "./guest-memory";
import { OEN_STANDARD_HYP } from "./smccc-owners";
import { SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_SUCCESS } from "./smccc-return";

export const ARM_SMCCC_HV_PV_TIME_FEATURES = 0xc5000020;
export const ARM_SMCCC_HV_PV_TIME_ST = 0xc5000021;
export const PV_TIME_RECORD_SIZE = 64;
export const PV_TIME_SERVICE_NAME = "Paravirtualized time (PV_TIME)";

export interface StolenTimeRecord {
  readonly revision: number;
  readonly attributes: number;
  readonly stolenTimeNs: bigint;
}

export function encodeStolenTimeRecord(r: StolenTimeRecord): Uint8Array {
  const b = new Uint8Array(PV_TIME_RECORD_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, r.revision >>> 0, true);
  v.setUint32(4, r.attributes >>> 0, true);
  v.setBigUint64(8, BigInt.asUintN(64, r.stolenTimeNs), true);
  return b;
}

export function decodeStolenTimeRecord(bytes: Uint8Array): StolenTimeRecord {
  if (bytes.length < 16) throw new Error(`a stolen-time record is 64 bytes; got ${bytes.length}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    revision: v.getUint32(0, true),
    attributes: v.getUint32(4, true),
    stolenTimeNs: v.getBigUint64(8, true),
  };
}

/** Per-vCPU stolen-time state the VMM configures and the host updates. */
export class StolenTime {
  private readonly ipa: (bigint | undefined)[];
  private readonly stolen: bigint[];

  constructor(
    vcpus: number,
    private readonly memory: GuestMemoryPort,
  ) {
    this.ipa = Array.from({ length: vcpus }, () => undefined);
    this.stolen = Array.from({ length: vcpus }, () => 0n);
  }

  /**
   * KVM_ARM_VCPU_PVTIME_IPA: where vCPU `vcpu`'s record lives. It must be 64-byte aligned and
   * inside guest RAM; returns an errno-style message on refusal.
   */
  setIpa(vcpu: number, ipa: bigint): string | undefined {
    if (ipa % 64n !== 0n) return `stolen-time IPA 0x${ipa.toString(16)} is not 64-byte aligned`;
    if (!this.memory.contains(ipa, PV_TIME_RECORD_SIZE)) {
      return `stolen-time IPA 0x${ipa.toString(16)} is outside guest RAM`;
    }
    if (this.ipa[vcpu] !== undefined) return `vCPU ${vcpu} already has a stolen-time IPA`;
    this.ipa[vcpu] = ipa;
    return undefined;
  }

  ipaOf(vcpu: number): bigint | undefined {
    return this.ipa[vcpu];
  }

  /** The host took `ns` from vCPU `vcpu` (it was runnable and did not run). */
  addStolen(vcpu: number, ns: bigint): void {
    this.stolen[vcpu] = (this.stolen[vcpu] ?? 0n) + ns;
  }

  /** Before the vCPU runs: publish its stolen time (`kvm_update_stolen_time`). */
  publish(vcpu: number): void {
    const ipa = this.ipa[vcpu];
    if (ipa === undefined) return;
    this.memory.write(
      ipa,
      encodeStolenTimeRecord({ revision: 0, attributes: 0, stolenTimeNs: this.stolen[vcpu] ?? 0n }),
    );
  }

  save(): { version: 1; ipa: (string | null)[]; stolen: string[] } {
    return {
      version: 1,
      ipa: this.ipa.map((i) => (i === undefined ? null : i.toString())),
      stolen: this.stolen.map((s) => s.toString()),
    };
  }

  restoreFrom(state: { version: 1; ipa: (string | null)[]; stolen: string[] }): void {
    state.ipa.forEach((i, n) => (this.ipa[n] = i === null ? undefined : BigInt(i)));
    state.stolen.forEach((s, n) => (this.stolen[n] = BigInt(s)));
  }
}

/** PV_TIME_FEATURES / PV_TIME_ST (KVM `kvm_hypercall_pv_features`, `kvm_init_stolen_time`). */
export function createPvTimeService(st: StolenTime): SmcccService {
  return {
    name: PV_TIME_SERVICE_NAME,
    ranges: [{ owner: OEN_STANDARD_HYP, conventions: ["smc64"], first: 0x20, last: 0x21 }],
    handle(call: SmcccCall): SmcccOutcome {
      const configured = st.ipaOf(call.vcpu) !== undefined;
      switch (call.functionId >>> 0) {
        case ARM_SMCCC_HV_PV_TIME_FEATURES: {
          const fid = Number(BigInt.asUintN(32, call.args[0] ?? 0n));
          const known = fid === ARM_SMCCC_HV_PV_TIME_FEATURES || fid === ARM_SMCCC_HV_PV_TIME_ST;
          return returns(known && configured ? SMCCC_RET_SUCCESS : SMCCC_RET_NOT_SUPPORTED);
        }
        case ARM_SMCCC_HV_PV_TIME_ST: {
          const ipa = st.ipaOf(call.vcpu);
          if (ipa === undefined) return returns(SMCCC_RET_NOT_SUPPORTED);
          st.publish(call.vcpu);
          return returns(ipa);
        }
        default:
          return returns(SMCCC_RET_NOT_SUPPORTED);
      }
    },
  };
}
