// ibm,client-architecture-support (CAS, KVMPPC_H_CAS 0xF002): the guest passes option
// vectors; option vector 5 (OV5) negotiates, among much else, the MMU (hash/radix), radix
// GTSE (guest translation shootdown: may the guest tlbie itself?) and the interrupt
// controller (XICS legacy or XIVE exploitation). Before CAS the platform advertises what it
// allows in /chosen/ibm,arch-vec-5-platform-support as (byte index, value) pairs.
//
// Bit numbering is IBM's within a byte (bit 0 = 0x80); OV5 byte n is the n-th byte after the
// vector's length byte. QEMU names a bit OV_BIT(byte, bit) = (byte-1)*8 + bit
// (include/hw/ppc/spapr_ovec.h); Linux names a field (byte << 8) | mask
// (arch/powerpc/include/asm/prom.h: OV5_MMU_RADIX 0x1840, OV5_RADIX_GTSE 0x1A40, ...).

import type { IcMode } from "./machine-options";

/** QEMU's OV_BIT(byte, bit). */
export function ovBit(byte: number, bit: number): number {
  return (byte - 1) * 8 + bit;
}

export const OV1_PPC_3_00 = ovBit(3, 0);
export const OV5_DRCONF_MEMORY = ovBit(2, 2);
export const OV5_FORM1_AFFINITY = ovBit(5, 0);
export const OV5_HP_EVT = ovBit(6, 5);
export const OV5_HPT_RESIZE = ovBit(6, 7);
export const OV5_DRMEM_V2 = ovBit(22, 0);
/** Byte 23 bit 0: "either mode" — only the platform may say it; a guest asking is an error. */
export const OV5_XIVE_BOTH = ovBit(23, 0);
/** Byte 23 bit 1: 1 = XIVE exploitation, 0 = legacy (XICS). */
export const OV5_XIVE_EXPLOIT = ovBit(23, 1);
/** Byte 24 bit 0: radix and hash. */
export const OV5_MMU_BOTH = ovBit(24, 0);
/** Byte 24 bit 1: 1 = radix, 0 = hash. */
export const OV5_MMU_RADIX_300 = ovBit(24, 1);
/** Byte 26 bit 1: radix with GTSE. */
export const OV5_MMU_RADIX_GTSE = ovBit(26, 1);

/** OV5 byte indexes and values (QEMU SPAPR_OV5_XIVE_*, Linux prom.h). */
export const OV5_INDEX_XIVE = 23;
export const OV5_INDEX_MMU = 24;
export const OV5_INDEX_HASH_EXT = 25;
export const OV5_INDEX_RADIX_EXT = 26;
export const SPAPR_OV5_XIVE_LEGACY = 0x00;
export const SPAPR_OV5_XIVE_EXPLOIT = 0x40;
export const SPAPR_OV5_XIVE_BOTH = 0x80;

/** Byte index (1-based) and mask of an OV bit. */
export function ovBitLocation(bit: number): { byte: number; mask: number } {
  return { byte: Math.floor(bit / 8) + 1, mask: 0x80 >> (bit % 8) };
}

/** Option-vector data bytes (byte 1 at index 0) with these bits set. */
export function ovecFromBits(bits: readonly number[]): Uint8Array {
  const len = bits.reduce((m, b) => Math.max(m, ovBitLocation(b).byte), 0);
  const out = new Uint8Array(len);
  for (const b of bits) {
    const { byte, mask } = ovBitLocation(b);
    out[byte - 1]! |= mask;
  }
  return out;
}

/** Is `bit` set in the option-vector data bytes? Bits past the end read as 0. */
export function ovecTest(data: Uint8Array, bit: number): boolean {
  const { byte, mask } = ovBitLocation(bit);
  return ((data[byte - 1] ?? 0) & mask) !== 0;
}

/** The set bits of option-vector data, ascending. */
export function ovecBits(data: Uint8Array): number[] {
  const out: number[] = [];
  data.forEach((v, i) => {
    for (let b = 0; b < 8; b++) if (v & (0x80 >> b)) out.push(i * 8 + b);
  });
  return out;
}

/** A vector as it sits in ibm,architecture-vec: a length byte (len - 1), then the data. */
export function encodeOptionVector(data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length > 256) {
    throw new RangeError(`an option vector holds 1..256 bytes, got ${data.length}`);
  }
  const out = new Uint8Array(data.length + 1);
  out[0] = data.length - 1;
  out.set(data, 1);
  return out;
}

/** What a guest asks for in OV5 (the fields Linux prom_init fills). */
export interface GuestOv5Request {
  /** Byte 24: hash only, radix only, either, or either and switchable later. */
  readonly mmu: "hash" | "radix" | "either" | "dynamic";
  /** Byte 26 0x40. */
  readonly radixGtse: boolean;
  /** Byte 23: legacy XICS only, XIVE exploitation only, or either. */
  readonly xive: "legacy" | "exploit" | "either";
}

/** OV5 data bytes (26 of them) carrying a guest request, as Linux encodes it. */
export function guestOv5(req: GuestOv5Request): Uint8Array {
  const out = new Uint8Array(OV5_INDEX_RADIX_EXT);
  out[OV5_INDEX_XIVE - 1] = { legacy: 0x00, exploit: 0x40, either: 0x80 }[req.xive];
  out[OV5_INDEX_MMU - 1] = { hash: 0x00, radix: 0x40, either: 0x80, dynamic: 0xc0 }[req.mmu];
  out[OV5_INDEX_RADIX_EXT - 1] = req.radixGtse ? 0x40 : 0x00;
  return out;
}

/** How the platform's MMU support is decided (spapr_dt_ov5_platform_support). */
export type PlatformMmu = "tcg" | "kvm-radix-and-hash" | "kvm-radix" | "kvm-hash";

/**
 * /chosen/ibm,arch-vec-5-platform-support: (23, XIVE modes), (24, MMU modes), (25, hash
 * extensions: none), (26, radix extensions: GTSE). A pre-POWER9 compat CPU gets XICS and hash.
 */
export function ov5PlatformSupport(icMode: IcMode, isa300: boolean, mmu: PlatformMmu): Uint8Array {
  const val = [
    OV5_INDEX_XIVE,
    0,
    OV5_INDEX_MMU,
    0,
    OV5_INDEX_HASH_EXT,
    0x00,
    OV5_INDEX_RADIX_EXT,
    0x40,
  ];
  val[1] = { dual: SPAPR_OV5_XIVE_BOTH, xive: SPAPR_OV5_XIVE_EXPLOIT, xics: SPAPR_OV5_XIVE_LEGACY }[
    icMode
  ];
  if (!isa300) {
    val[1] = SPAPR_OV5_XIVE_LEGACY;
    val[3] = 0x00;
  } else {
    val[3] = { tcg: 0xc0, "kvm-radix-and-hash": 0x80, "kvm-radix": 0x40, "kvm-hash": 0x00 }[mmu];
  }
  return Uint8Array.from(val);
}

/** The outcome of CAS for the MMU and the interrupt controller. */
export type CasNegotiation =
  | {
      readonly ok: true;
      readonly mmu: "radix" | "hash";
      readonly gtse: boolean;
      readonly intc: "xics" | "xive";
      /** The negotiated OV5 bits hvsim models (platform ∩ guest). */
      readonly ov5Cas: readonly number[];
    }
  | { readonly ok: false; readonly message: string };

/**
 * QEMU's CAS decision (do_client_architecture_support + spapr_irq_update_active_intc) for
 * the bits hvsim models. The platform offers XIVE exploitation when ic-mode allows XIVE,
 * radix when the CPU is ISA 3.0 (and, under KVM, the host does radix), and GTSE with radix.
 * Errors are QEMU's messages; QEMU exits on them.
 */
export function negotiateCas(
  guestOv5Data: Uint8Array,
  icMode: IcMode,
  platform: { readonly radix: boolean; readonly hash: boolean } = { radix: true, hash: true },
): CasNegotiation {
  const guestRadix = ovecTest(guestOv5Data, OV5_MMU_RADIX_300);
  const guestXive = ovecTest(guestOv5Data, OV5_XIVE_EXPLOIT);
  if (ovecTest(guestOv5Data, OV5_XIVE_BOTH)) {
    return { ok: false, message: "guest requested an invalid interrupt mode" };
  }
  if (guestRadix && !platform.radix) {
    return { ok: false, message: "Guest requested unavailable MMU mode (radix)." };
  }
  if (!guestRadix && !platform.hash) {
    return { ok: false, message: "Guest requested unavailable MMU mode (hash)." };
  }
  const hasXive = icMode !== "xics";
  const hasXics = icMode !== "xive";
  if (guestXive && !hasXive) {
    return {
      ok: false,
      message:
        "Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property",
    };
  }
  if (!guestXive && !hasXics) {
    return {
      ok: false,
      message:
        "Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual",
    };
  }
  const platformBits = [
    ...(hasXive ? [OV5_XIVE_EXPLOIT] : []),
    ...(platform.radix ? [OV5_MMU_RADIX_300, OV5_MMU_RADIX_GTSE] : []),
  ];
  const ov5Cas = platformBits.filter((b) => ovecTest(guestOv5Data, b)).sort((a, b) => a - b);
  const intc = !hasXics || (hasXive && ov5Cas.includes(OV5_XIVE_EXPLOIT)) ? "xive" : "xics";
  return {
    ok: true,
    mmu: guestRadix ? "radix" : "hash",
    gtse: guestRadix && ov5Cas.includes(OV5_MMU_RADIX_GTSE),
    intc,
    ov5Cas,
  };
}
