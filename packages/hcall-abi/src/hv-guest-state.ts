// struct hv_guest_state: the L2 vCPU's hypervisor state an L1 passes to H_ENTER_NESTED (r4,
// L1 real address) and L0 writes back on exit. Versioned and append-only: version 1 ends
// after `ppr` (232 bytes), version 2 adds DAWR1/DAWRX1 (248 bytes). `version` must be first.
// Layout: Linux arch/powerpc/include/asm/hvcall.h, QEMU include/hw/ppc/spapr_nested.h.
//
// What L0 does with a bad version (nested-hv.md §1.3, §5.1):
//   Linux: reads `version` (byteswapped if needed); hv_guest_state_size(version) < 0, i.e.
//          version ∉ {1, 2}, or an unreadable struct → H_PARAMETER. (Its later
//          `version > HV_GUEST_STATE_VERSION → H_P2` check is unreachable after that.)
//   QEMU:  version > 2 → H_PARAMETER; a short mapping → H_PARAMETER.
// hvsim decodes to a typed error and names the H_PARAMETER status Linux returns.

import { H_PARAMETER } from "./return-codes";
import {
  decodeFields,
  encodeFields,
  layoutFields,
  structSize,
  type DecodeResult,
  type Endian,
  type StructDecodeError,
  type StructField,
} from "./struct-codec";

export const HV_GUEST_STATE_VERSION = 2;

/** The field table. Append-only: a new version adds rows at the end with a new `since`. */
export const HV_GUEST_STATE_FIELDS: readonly StructField[] = layoutFields([
  ["version", 8],
  ["lpid", 4],
  ["vcpu_token", 4],
  ["lpcr", 8],
  ["pcr", 8],
  ["amor", 8],
  ["dpdes", 8],
  ["hfscr", 8],
  ["tb_offset", 8, 1, true],
  ["dawr0", 8],
  ["dawrx0", 8],
  ["ciabr", 8],
  ["hdec_expiry", 8],
  ["purr", 8],
  ["spurr", 8],
  ["ic", 8],
  ["vtb", 8],
  ["hdar", 8],
  ["hdsisr", 8],
  ["heir", 8],
  ["asdr", 8],
  ["srr0", 8],
  ["srr1", 8],
  ["sprg", 8, 4],
  ["pidr", 8],
  ["cfar", 8],
  ["ppr", 8],
  // Version 1 ends here.
  ["dawr1", 8, 1, false, 2],
  ["dawrx1", 8, 1, false, 2],
]);

/** struct hv_guest_state as plain data. Fields a version lacks are 0. */
export interface HvGuestState {
  version: bigint;
  /** L1's LPID for this L2. */
  lpid: number;
  vcpu_token: number;
  lpcr: bigint;
  pcr: bigint;
  amor: bigint;
  dpdes: bigint;
  hfscr: bigint;
  /** Signed: L2 timebase = L1 timebase + tb_offset. */
  tb_offset: bigint;
  dawr0: bigint;
  dawrx0: bigint;
  ciabr: bigint;
  /** When L0 must return to L1 with 0x980, in L1's timebase. */
  hdec_expiry: bigint;
  purr: bigint;
  spurr: bigint;
  ic: bigint;
  vtb: bigint;
  hdar: bigint;
  hdsisr: bigint;
  heir: bigint;
  asdr: bigint;
  srr0: bigint;
  srr1: bigint;
  sprg: [bigint, bigint, bigint, bigint];
  pidr: bigint;
  cfar: bigint;
  ppr: bigint;
  dawr1: bigint;
  dawrx1: bigint;
}

/** Size in bytes of a version: 232 for 1, 248 for 2, undefined otherwise (Linux returns -1). */
export function hvGuestStateSize(version: number | bigint): number | undefined {
  if (version === 1 || version === 1n) return structSize(HV_GUEST_STATE_FIELDS, 1);
  if (version === 2 || version === 2n) return structSize(HV_GUEST_STATE_FIELDS, 2);
  return undefined;
}

/** The H_* status Linux's H_ENTER_NESTED returns for this decode error (always H_PARAMETER). */
export function hvGuestStateErrorStatus(_error: StructDecodeError): number {
  return H_PARAMETER;
}

/**
 * Decode an hv_guest_state from L1 memory. `bytes` may be longer than the struct (only
 * `hvGuestStateSize(version)` bytes are read). Errors: fewer than 8 bytes, a version other
 * than 1 or 2, or fewer bytes than the version needs.
 */
export function decodeHvGuestState(bytes: Uint8Array, endian: Endian): DecodeResult<HvGuestState> {
  const struct = "hv_guest_state";
  if (bytes.length < 8) {
    return { ok: false, error: { kind: "short-buffer", struct, need: 8, have: bytes.length } };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const version = dv.getBigUint64(0, endian === "little");
  const size = hvGuestStateSize(version);
  if (size === undefined) {
    return { ok: false, error: { kind: "bad-version", struct, version, supported: [1, 2] } };
  }
  if (bytes.length < size) {
    return { ok: false, error: { kind: "short-buffer", struct, need: size, have: bytes.length } };
  }
  const rec = decodeFields(HV_GUEST_STATE_FIELDS, Number(version), bytes, endian);
  return { ok: true, value: rec as unknown as HvGuestState };
}

/**
 * Encode in `state.version`'s layout (232 or 248 bytes). A version other than 1 or 2 is a
 * caller bug and throws; v2-only fields are not written for version 1.
 */
export function encodeHvGuestState(state: HvGuestState, endian: Endian): Uint8Array {
  if (hvGuestStateSize(state.version) === undefined) {
    throw new RangeError(`hv_guest_state version ${state.version} cannot be encoded (1 or 2)`);
  }
  return encodeFields(
    HV_GUEST_STATE_FIELDS,
    Number(state.version),
    state as unknown as Record<string, unknown>,
    endian,
  );
}

/** An all-zero state of the given version (a starting point for L1-side code and tests). */
export function emptyHvGuestState(version: 1 | 2 = HV_GUEST_STATE_VERSION): HvGuestState {
  return {
    version: BigInt(version),
    lpid: 0,
    vcpu_token: 0,
    lpcr: 0n,
    pcr: 0n,
    amor: 0n,
    dpdes: 0n,
    hfscr: 0n,
    tb_offset: 0n,
    dawr0: 0n,
    dawrx0: 0n,
    ciabr: 0n,
    hdec_expiry: 0n,
    purr: 0n,
    spurr: 0n,
    ic: 0n,
    vtb: 0n,
    hdar: 0n,
    hdsisr: 0n,
    heir: 0n,
    asdr: 0n,
    srr0: 0n,
    srr1: 0n,
    sprg: [0n, 0n, 0n, 0n],
    pidr: 0n,
    cfar: 0n,
    ppr: 0n,
    dawr1: 0n,
    dawrx1: 0n,
  };
}
