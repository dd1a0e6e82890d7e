// H_RPT_INVALIDATE (0x448): a radix guest asks its hypervisor to invalidate translations it
// cannot shoot down itself — process-scoped ones when it runs with LPCR[GTSE]=0, and, with
// the NESTED type bit, partition-scoped ones for one of its nested guests (replacing
// H_TLB_INVALIDATE). Registers: r4 id (PID, or the L2's LPID when NESTED), r5 target,
// r6 type, r7 pg_sizes, r8 start (inclusive EA), r9 end (exclusive EA); r3 status only.
//
// `decideRptInvalidate` reproduces what a Linux KVM-HV L0 does with each request
// (kvmppc_h_rpt_invalidate in book3s_hv.c, do_h_rpt_invalidate_pat in book3s_hv_nested.c,
// do_h_rpt_invalidate_prt in radix_tlb.c), including the status for every bad input and the
// flushes it performs. Note where Linux is more lenient than the PAPR text (nested-hv.md §2.2):
// it never checks the target of a process-scoped request, nor undefined type/page-size bits;
// an unknown nested LPID is a silent success (the L1 flushes a PATE before the first
// H_ENTER_NESTED creates the nested guest).

import { H_FUNCTION, H_P2, H_P4, H_P5, H_SUCCESS, H_UNSUPPORTED } from "./return-codes";

export const H_RPTI_TARGET_CMMU = 0x01n;
export const H_RPTI_TARGET_CMMU_LOCAL = 0x02n;
export const H_RPTI_TARGET_NMMU = 0x04n;

export const H_RPTI_TYPE_NESTED = 0x0001n;
export const H_RPTI_TYPE_TLB = 0x0002n;
export const H_RPTI_TYPE_PWC = 0x0004n;
/** Process-table entries (NESTED clear). */
export const H_RPTI_TYPE_PRT = 0x0008n;
/** Partition-table entries (NESTED set); the same bit as PRT. */
export const H_RPTI_TYPE_PAT = 0x0008n;
export const H_RPTI_TYPE_ALL = H_RPTI_TYPE_TLB | H_RPTI_TYPE_PWC | H_RPTI_TYPE_PRT;
export const H_RPTI_TYPE_NESTED_ALL = H_RPTI_TYPE_TLB | H_RPTI_TYPE_PWC | H_RPTI_TYPE_PAT;

export const H_RPTI_PAGE_4K = 0x01n;
export const H_RPTI_PAGE_64K = 0x02n;
export const H_RPTI_PAGE_2M = 0x04n;
export const H_RPTI_PAGE_1G = 0x08n;
/** -1UL: every page size. */
export const H_RPTI_PAGE_ALL = 0xffff_ffff_ffff_ffffn;

/** `end` meaning "to the end of the address space" (start 0, end -1 = everything). */
export const H_RPTI_END_ALL = 0xffff_ffff_ffff_ffffn;

/**
 * Above this many pages a range flush becomes a whole-PID / whole-LPID flush
 * (tlb_single_page_flush_ceiling and tlb_range_flush_page_ceiling, both 33 in Linux).
 */
export const RPTI_FLUSH_PAGE_CEILING = 33n;

/** The radix page sizes H_RPT_INVALIDATE can name, in Linux's mmu_psize order. */
export const RPTI_PAGE_SIZES: readonly { readonly bit: bigint; readonly shift: number }[] = [
  { bit: H_RPTI_PAGE_4K, shift: 12 },
  { bit: H_RPTI_PAGE_64K, shift: 16 },
  { bit: H_RPTI_PAGE_2M, shift: 21 },
  { bit: H_RPTI_PAGE_1G, shift: 30 },
];

/** The pg_sizes bit for a page shift (psize_to_rpti_pgsize); undefined for other sizes. */
export function rptiPageSizeBit(shift: number): bigint | undefined {
  return RPTI_PAGE_SIZES.find((p) => p.shift === shift)?.bit;
}

export interface RptInvalidateRequest {
  readonly id: bigint;
  readonly target: bigint;
  readonly type: bigint;
  readonly pg_sizes: bigint;
  readonly start: bigint;
  readonly end: bigint;
}

/** The six argument registers r4..r9 for a request (what an L1 loads before `sc 1`). */
export function encodeRptInvalidate(req: RptInvalidateRequest): bigint[] {
  return [req.id, req.target, req.type, req.pg_sizes, req.start, req.end].map((v) =>
    BigInt.asUintN(64, v),
  );
}

/** Read a request from the argument registers r4..r9 (more are ignored). */
export function decodeRptInvalidate(args: readonly bigint[]): RptInvalidateRequest {
  const a = (i: number): bigint => BigInt.asUintN(64, args[i] ?? 0n);
  return { id: a(0), target: a(1), type: a(2), pg_sizes: a(3), start: a(4), end: a(5) };
}

/** What the L0 knows about the calling partition. */
export interface RptInvalidateContext {
  /** H_RPT_INVALIDATE is on in the VM's hcall-enable bitmap (KVM_CAP_PPC_ENABLE_HCALL). */
  readonly hcallEnabled: boolean;
  /** The caller is a radix guest. */
  readonly radix: boolean;
  /** KVM_CAP_PPC_NESTED_HV was enabled for the VM (and it is radix). */
  readonly nestingEnabled: boolean;
  /** The caller has a nested guest with this LPID (its own numbering). */
  isNestedLpid(lpid: bigint): boolean;
}

/** One invalidation the L0 performs. RIC: 0 TLB, 1 page-walk cache, 2 everything. */
export type RptInvalidateFlush =
  | { readonly kind: "whole"; readonly ric: 0 | 1 | 2 }
  | {
      readonly kind: "range";
      readonly pageShift: number;
      readonly start: bigint;
      readonly end: bigint;
    };

export type RptInvalidateOutcome =
  /** Not enabled in KVM: the hcall leaves KVM for the VMM (KVM_EXIT_PAPR_HCALL). */
  | { readonly kind: "exit-to-vmm" }
  | { readonly kind: "rejected"; readonly status: number; readonly reason: string }
  /** Partition-scoped flushes of L2 `lpid`'s shadow translations. */
  | {
      readonly kind: "partition-scoped";
      readonly status: number;
      readonly lpid: bigint;
      readonly flushes: readonly RptInvalidateFlush[];
      readonly note?: string;
    }
  /** Process-scoped flushes for PID `pid` in the caller's own LPID. */
  | {
      readonly kind: "process-scoped";
      readonly status: number;
      readonly pid: bigint;
      readonly flushes: readonly RptInvalidateFlush[];
    };

const U64 = (1n << 64n) - 1n;

/** (end - start) >> shift in 64-bit unsigned arithmetic, as the C code computes it. */
function pageCount(start: bigint, end: bigint, shift: number): bigint {
  return ((end - start) & U64) >> BigInt(shift);
}

function isEverything(req: RptInvalidateRequest): boolean {
  return req.start === 0n && req.end === H_RPTI_END_ALL;
}

/** The status (and flushes) a Linux KVM-HV L0 produces for this H_RPT_INVALIDATE. */
export function decideRptInvalidate(
  raw: RptInvalidateRequest,
  ctx: RptInvalidateContext,
): RptInvalidateOutcome {
  const req = decodeRptInvalidate(encodeRptInvalidate(raw));
  if (!ctx.hcallEnabled) return { kind: "exit-to-vmm" };
  if (!ctx.radix) {
    return { kind: "rejected", status: H_UNSUPPORTED, reason: "the caller is not a radix guest" };
  }
  if (req.end < req.start) {
    return {
      kind: "rejected",
      status: H_P5,
      reason: `end 0x${req.end.toString(16)} < start 0x${req.start.toString(16)}`,
    };
  }
  if ((req.type & H_RPTI_TYPE_NESTED) !== 0n) {
    if (!ctx.nestingEnabled) {
      return {
        kind: "rejected",
        status: H_FUNCTION,
        reason: "NESTED request but nesting is not enabled",
      };
    }
    if (req.target !== H_RPTI_TARGET_CMMU) {
      return {
        kind: "rejected",
        status: H_P2,
        reason: `NESTED request with target 0x${req.target.toString(16)}; only CMMU (0x1) is supported`,
      };
    }
    return partitionScoped(req, ctx);
  }
  return { kind: "process-scoped", status: H_SUCCESS, pid: req.id, flushes: processScoped(req) };
}

function partitionScoped(
  req: RptInvalidateRequest,
  ctx: RptInvalidateContext,
): RptInvalidateOutcome {
  const lpid = req.id;
  const done = (
    status: number,
    flushes: RptInvalidateFlush[],
    note?: string,
  ): RptInvalidateOutcome =>
    note === undefined
      ? { kind: "partition-scoped", status, lpid, flushes }
      : { kind: "partition-scoped", status, lpid, flushes, note };
  if (!ctx.isNestedLpid(lpid)) {
    return done(H_SUCCESS, [], "no nested guest with this LPID yet: ignored");
  }
  if ((req.type & H_RPTI_TYPE_NESTED_ALL) === H_RPTI_TYPE_NESTED_ALL) {
    return done(H_SUCCESS, [{ kind: "whole", ric: 2 }]);
  }
  // A PWC-only request needs nothing: L0 caches no partition-scoped walk of the L2.
  if (isEverything(req)) return done(H_SUCCESS, [{ kind: "whole", ric: 0 }]);
  if ((req.type & H_RPTI_TYPE_TLB) === 0n) return done(H_SUCCESS, []);
  const flushes: RptInvalidateFlush[] = [];
  let matched = false;
  for (const ps of RPTI_PAGE_SIZES) {
    if ((req.pg_sizes & ps.bit) === 0n) continue;
    matched = true;
    if (pageCount(req.start, req.end, ps.shift) > RPTI_FLUSH_PAGE_CEILING) {
      flushes.push({ kind: "whole", ric: 0 });
      return done(H_SUCCESS, flushes);
    }
    flushes.push({ kind: "range", pageShift: ps.shift, start: req.start, end: req.end });
  }
  // do_tlb_invalidate_nested_tlb starts from H_P4 and only a page size it knows clears it.
  if (!matched) return done(H_P4, [], "pg_sizes names no radix page size");
  return done(H_SUCCESS, flushes);
}

function processScoped(req: RptInvalidateRequest): RptInvalidateFlush[] {
  if ((req.type & H_RPTI_TYPE_ALL) === H_RPTI_TYPE_ALL) return [{ kind: "whole", ric: 2 }];
  const flushes: RptInvalidateFlush[] = [];
  if ((req.type & H_RPTI_TYPE_PWC) !== 0n) flushes.push({ kind: "whole", ric: 1 });
  if (isEverything(req)) {
    flushes.push({ kind: "whole", ric: 0 });
    return flushes;
  }
  // Linux does the range flush whatever the TLB bit says (do_h_rpt_invalidate_prt).
  for (const ps of RPTI_PAGE_SIZES) {
    if ((req.pg_sizes & ps.bit) === 0n) continue;
    if (pageCount(req.start, req.end, ps.shift) > RPTI_FLUSH_PAGE_CEILING) {
      flushes.push({ kind: "whole", ric: 0 });
      return flushes;
    }
    flushes.push({ kind: "range", pageShift: ps.shift, start: req.start, end: req.end });
  }
  return flushes;
}

/** What L0 does when an L2 (a nested guest) issues H_RPT_INVALIDATE. */
export type L2RptInvalidateOutcome =
  /** NESTED requests are the L1's business: the `sc 1` exit (0xc00) is reflected to L1. */
  | { readonly kind: "reflect-to-l1" }
  /** Process-scoped: done in L0 on the L2's shadow LPID, r3 = H_SUCCESS, L2 resumes. */
  | {
      readonly kind: "process-scoped";
      readonly status: number;
      readonly pid: bigint;
      readonly flushes: readonly RptInvalidateFlush[];
    };

/**
 * L0's shortcut for a GTSE=0 L2 (kvmppc_nested_h_rpt_invalidate, called from the nested-exit
 * handler for `sc 1` with r3 = 0x448). Unlike the L1 path there is no radix, range or
 * enable-bitmap check: the flush is always done and always succeeds.
 */
export function decideL2RptInvalidate(raw: RptInvalidateRequest): L2RptInvalidateOutcome {
  const req = decodeRptInvalidate(encodeRptInvalidate(raw));
  if ((req.type & H_RPTI_TYPE_NESTED) !== 0n) return { kind: "reflect-to-l1" };
  return { kind: "process-scoped", status: H_SUCCESS, pid: req.id, flushes: processScoped(req) };
}
