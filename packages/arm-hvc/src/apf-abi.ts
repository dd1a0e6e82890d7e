// The paravirtual async-page-fault ABI (an hvsim proposal, documented in README "Async page
// fault"). Everything a guest and a host must agree on lives here: function ids, the shared
// record's byte layout, reasons, flags and the firmware-register bits that freeze the service
// into a VM's hypercall set.
//
// Numbering. The service is a vendor hypervisor service (OEN 6), discovered through the
// KVM_FEATURES bitmap. KVM uses vendor functions 0 (FEATURES), 1 (PTP), reserves 2..63 for
// pKVM (HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE, MMIO_GUARD, ...), uses 64..65 (DISCOVER_IMPL_VER,
// DISCOVER_IMPL_CPUS) and 127 (FEATURES_2). The proposal takes 80..82: inside the bitmap's
// 0..127 window (so KVM_FEATURES can advertise it in W2), clear of every number above, and
// frozen by KVM_REG_ARM_VENDOR_HYP_BMAP_2 (functions 64..127), whose bit n is function 64+n.
import { fastCallId } from "./smccc-id";
import { OEN_VENDOR_HYP } from "./smccc-owners";

export const ARM_SMCCC_KVM_FUNC_APF_FEATURES = 80;
export const ARM_SMCCC_KVM_FUNC_APF_REGISTER = 81;
export const ARM_SMCCC_KVM_FUNC_APF_READY_ACK = 82;

/** HVC32: W0 = ABI version, W1 = record size, W2 = page-ready INTID, W3 = REGISTER flags. */
export const ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID = fastCallId(
  "smc32",
  OEN_VENDOR_HYP,
  ARM_SMCCC_KVM_FUNC_APF_FEATURES,
);
/** HVC64: X1 = record IPA, X2 = flags. */
export const ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID = fastCallId(
  "smc64",
  OEN_VENDOR_HYP,
  ARM_SMCCC_KVM_FUNC_APF_REGISTER,
);
/** HVC32: no arguments; the guest has consumed `ready_token`. */
export const ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID = fastCallId(
  "smc32",
  OEN_VENDOR_HYP,
  ARM_SMCCC_KVM_FUNC_APF_READY_ACK,
);

/** APF ABI version 1.0, encoded like SMCCC_VERSION. */
export const KVM_APF_VERSION_1_0 = 0x00010000;
export const KVM_APF_RECORD_SIZE = 64;
export const KVM_APF_RECORD_ALIGN = 64;
/** APF_REGISTER flags: bit 0 = enable; every other bit must be zero. */
export const KVM_APF_FLAG_ENABLE = 0x1;
export const KVM_APF_SUPPORTED_FLAGS = KVM_APF_FLAG_ENABLE;
/** `reason`: what the last synchronous notification meant. */
export const KVM_APF_REASON_NONE = 0;
export const KVM_APF_REASON_PAGE_NOT_PRESENT = 1;
/** Default page-ready PPI: INTID 20 (PPI 4), clear of QEMU virt's timer/PMU/GIC PPIs. */
export const KVM_APF_DEFAULT_READY_INTID = 20;

/**
 * Bits of KVM_REG_ARM_VENDOR_HYP_BMAP_2 that freeze the service: function 64+n is bit n, so
 * bits 16..18. The three are all set or all clear (a partial set is -EINVAL).
 */
export const KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK = 0x7n << 16n;

/** The per-vCPU shared record (64 bytes, little-endian, 64-byte aligned). */
export interface ApfRecord {
  /** 0x00: ABI version the host wrote at registration (KVM_APF_VERSION_1_0). */
  readonly version: number;
  /** 0x04: host-written; bit 0 mirrors ENABLE. */
  readonly flags: number;
  /** 0x08: KVM_APF_REASON_*; the host sets PAGE_NOT_PRESENT, the guest writes NONE back. */
  readonly reason: number;
  /** 0x0C: token of the page that is being brought in. */
  readonly notPresentToken: number;
  /** 0x10: token of a page now present; the guest writes 0, then calls APF_READY_ACK. */
  readonly readyToken: number;
  // 0x14..0x3F: reserved, zero.
}

export const APF_RECORD_OFFSETS = {
  version: 0x00,
  flags: 0x04,
  reason: 0x08,
  notPresentToken: 0x0c,
  readyToken: 0x10,
} as const;

export function encodeApfRecord(r: ApfRecord): Uint8Array {
  const b = new Uint8Array(KVM_APF_RECORD_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(APF_RECORD_OFFSETS.version, r.version >>> 0, true);
  v.setUint32(APF_RECORD_OFFSETS.flags, r.flags >>> 0, true);
  v.setUint32(APF_RECORD_OFFSETS.reason, r.reason >>> 0, true);
  v.setUint32(APF_RECORD_OFFSETS.notPresentToken, r.notPresentToken >>> 0, true);
  v.setUint32(APF_RECORD_OFFSETS.readyToken, r.readyToken >>> 0, true);
  return b;
}

export function decodeApfRecord(bytes: Uint8Array): ApfRecord {
  if (bytes.length !== KVM_APF_RECORD_SIZE) {
    throw new Error(`an async-PF record is ${KVM_APF_RECORD_SIZE} bytes; got ${bytes.length}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    version: v.getUint32(APF_RECORD_OFFSETS.version, true),
    flags: v.getUint32(APF_RECORD_OFFSETS.flags, true),
    reason: v.getUint32(APF_RECORD_OFFSETS.reason, true),
    notPresentToken: v.getUint32(APF_RECORD_OFFSETS.notPresentToken, true),
    readyToken: v.getUint32(APF_RECORD_OFFSETS.readyToken, true),
  };
}
