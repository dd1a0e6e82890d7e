// H_TLB_INVALIDATE (0xF808): an L1 hypervisor cannot execute a partition-scoped `tlbie` for
// its nested guests (it is not HV-privileged), so it hands L0 the operands instead:
//   r4 = instruction image: only RIC (bits 18-19), PRS (bit 17), R (bit 16) are used —
//        Linux builds it with H_TLBIE_P1_ENC(ric, prs, r);
//   r5 = RS: the L2's LPID (L1 numbering) in the low 32 bits;
//   r6 = RB: EPN (bits 12-63), IS (bits 10-11), AP (bits 5-7), as for tlbie.
// L0's validity matrix (kvmhv_emulate_priv_tlbie, nested-hv.md §1.6): R must be 1 (radix
// only), PRS must be 0 (process-scoped entries are L1's own business), RIC ≠ 3, IS ≠ 1
// (IS=1 matches a PID, meaningless partition-scoped), and IS=0 only with RIC=0. An AP with no
// radix page size is rejected too. Anything rejected → H_PARAMETER; otherwise H_SUCCESS (an
// unknown LPID is a no-op).

import { H_PARAMETER, H_SUCCESS } from "./return-codes";

/** Radix AP encodings (ISA 3.0 tlbie RB[AP]) → page shift. */
export const RADIX_AP_SHIFT: Readonly<Record<number, number>> = { 0: 12, 5: 16, 1: 21, 2: 30 };

/** The AP for a radix page shift; undefined for a size radix lacks. */
export function radixApForShift(shift: number): number | undefined {
  for (const [ap, s] of Object.entries(RADIX_AP_SHIFT)) if (s === shift) return Number(ap);
  return undefined;
}

/** H_TLBIE_P1_ENC(ric, prs, r): the r4 image. */
export function tlbieP1Enc(ric: number, prs: number, r: number): number {
  return (((ric & 3) << 18) | ((prs & 1) << 17) | ((r & 1) << 16)) >>> 0;
}

export interface TlbInvalidateFields {
  readonly ric: number;
  readonly prs: number;
  readonly r: number;
  readonly lpid: number;
  readonly is: number;
  readonly ap: number;
  /** RB >> 12. */
  readonly epn: bigint;
}

/** The three argument registers for a request. */
export function encodeTlbInvalidate(f: TlbInvalidateFields): {
  r4: bigint;
  r5: bigint;
  r6: bigint;
} {
  return {
    r4: BigInt(tlbieP1Enc(f.ric, f.prs, f.r)),
    r5: BigInt(f.lpid >>> 0),
    r6: BigInt.asUintN(64, (f.epn << 12n) | (BigInt(f.is & 3) << 10n) | (BigInt(f.ap & 7) << 5n)),
  };
}

/** The fields L0 reads from r4, r5, r6 (get_ric/get_prs/get_r/get_lpid/get_is/get_ap/get_epn). */
export function decodeTlbInvalidate(r4: bigint, r5: bigint, r6: bigint): TlbInvalidateFields {
  const rb = BigInt.asUintN(64, r6);
  return {
    ric: Number((r4 >> 18n) & 3n),
    prs: Number((r4 >> 17n) & 1n),
    r: Number((r4 >> 16n) & 1n),
    lpid: Number(r5 & 0xffff_ffffn),
    is: Number((rb >> 10n) & 3n),
    ap: Number((rb >> 5n) & 7n),
    epn: rb >> 12n,
  };
}

/** What L0 does for a valid request. */
export type TlbInvalidateOp =
  /** IS=0 (RIC=0): the page containing `addr` of size 2^pageShift in nested guest `lpid`. */
  | {
      readonly kind: "address";
      readonly lpid: number;
      readonly pageShift: number;
      readonly addr: bigint;
    }
  /** IS=2: everything of nested guest `lpid`; RIC 0 TLB, 1 PWC (a no-op in L0), 2 all + PATE re-read. */
  | { readonly kind: "lpid"; readonly lpid: number; readonly ric: 0 | 1 | 2 }
  /** IS=3: every nested guest of the L1. */
  | { readonly kind: "all-lpids"; readonly ric: 0 | 1 | 2 };

export type TlbInvalidateOutcome =
  | { readonly ok: true; readonly status: typeof H_SUCCESS; readonly op: TlbInvalidateOp }
  | { readonly ok: false; readonly status: typeof H_PARAMETER; readonly reason: string };

/** Apply Linux's validity matrix to r4/r5/r6. */
export function decideTlbInvalidate(r4: bigint, r5: bigint, r6: bigint): TlbInvalidateOutcome {
  const f = decodeTlbInvalidate(r4, r5, r6);
  const bad = (reason: string): TlbInvalidateOutcome => ({
    ok: false,
    status: H_PARAMETER,
    reason,
  });
  if (f.r === 0) return bad("R=0: only radix is supported");
  if (f.prs === 1) return bad("PRS=1: process-scoped invalidation is not HV-privileged");
  if (f.ric === 3) return bad("RIC=3 is not defined for radix");
  if (f.is === 1) return bad("IS=1 (match PID) is meaningless for partition-scoped entries");
  const ric = f.ric as 0 | 1 | 2;
  switch (f.is) {
    case 0: {
      if (ric !== 0) return bad(`IS=0 with RIC=${ric} is not allowed by the ISA`);
      const shift = RADIX_AP_SHIFT[f.ap];
      if (shift === undefined) return bad(`AP=${f.ap} is no radix page size`);
      const mask = ~((1n << BigInt(shift)) - 1n);
      return {
        ok: true,
        status: H_SUCCESS,
        op: {
          kind: "address",
          lpid: f.lpid,
          pageShift: shift,
          addr: (f.epn << 12n) & mask & ((1n << 64n) - 1n),
        },
      };
    }
    case 2:
      return { ok: true, status: H_SUCCESS, op: { kind: "lpid", lpid: f.lpid, ric } };
    default:
      return { ok: true, status: H_SUCCESS, op: { kind: "all-lpids", ric } };
  }
}
