import type { TlbieOp, TlbieOutcome } from "./contract";
import { LPCR_GTSE, LPCR_HR, TWO32 } from "./registers";

/** Which entries an invalidation selects (the IS field, with its operands resolved). */
export type InvalidationTarget =
  /** IS=0: the page of `addr` (tree address for process scope, guest real for partition). */
  | { is: "va"; lpid: number; pid: number; addr: number; pageShift: number }
  /** IS=1: every entry of (LPID, PID). Process scope only. */
  | { is: "pid"; lpid: number; pid: number }
  /** IS=2: every entry of the LPID. */
  | { is: "lpid"; lpid: number }
  /** IS=3: every entry. */
  | { is: "all" };

/** A decoded invalidation: what to drop (RIC), in which scope (PRS), selected by `target`. */
export interface Invalidation {
  /** RIC 0 = TLB, 1 = page-walk cache, 2 = TLB + PWC + cached table entries. */
  ric: "tlb" | "pwc" | "all";
  scope: "process" | "partition";
  target: InvalidationTarget;
}

/** Result of decoding tlbie/tlbiel: an invalidation to perform, or the reason not to. */
export type TlbieDecode =
  | { kind: "invalidate"; inv: Invalidation }
  | { kind: "everything"; why: string }
  | Exclude<TlbieOutcome, { kind: "done" }>;

/** RB[56:58] AP -> page shift, for the four sizes POWER9 implements. */
export function apToShift(ap: number): number | undefined {
  switch (ap) {
    case 0:
      return 12;
    case 5:
      return 16;
    case 1:
      return 21;
    case 2:
      return 30;
    default:
      return undefined;
  }
}

/** Page shift -> AP code (inverse of apToShift). */
export function shiftToAp(shift: number): number {
  switch (shift) {
    case 12:
      return 0;
    case 16:
      return 5;
    case 21:
      return 1;
    case 30:
      return 2;
    default:
      throw new Error(`page shift ${shift} has no tlbie AP encoding (use 12, 16, 21 or 30)`);
  }
}

/**
 * Decodes tlbie/tlbiel operands under the current registers, applying the privilege rules
 * (QEMU storage-ctrl `do_tlbie`) and the invalid-form rules (QEMU `helper_tlbie_isa300`).
 *
 * RB: EPN 0:51, SET 40:51 (tlbiel), IS 52:53, AP 56:58. RS: PID 0:31, LPID 32:63.
 * The LPID used is RS[LPID] in hypervisor state, LPIDR in a guest: a guest can only
 * invalidate its own partition (so a guest IS=3 is limited to its LPID as well).
 */
export function decodeTlbie(op: TlbieOp): TlbieDecode {
  const { regs } = op;
  const ric = op.ric & 3;
  const prs = op.prs & 1;
  const hv = regs.msrHV;
  if (regs.msrPR) return { kind: "privileged" };
  if (!hv) {
    if (prs === 0 && (regs.lpcrLo & LPCR_HR) !== 0) return { kind: "hv-privileged" };
    if (!op.local && (regs.lpcrLo & LPCR_GTSE) === 0) return { kind: "hv-privileged" };
  }
  const effR = hv ? (op.r & 1) === 1 : (regs.lpcrLo & LPCR_HR) !== 0;
  const is = (op.rbLo >>> 10) & 3;
  if (!effR) {
    // HPT-format invalidation. hvsim models radix only, so (like QEMU) drop everything.
    return { kind: "everything", why: "tlbie with R=0 (HPT form) flushes everything" };
  }
  if (ric === 3) return { kind: "invalid-form", reason: "RIC=3 is reserved" };
  if ((ric === 1 || ric === 2) && is === 0) {
    return { kind: "invalid-form", reason: `RIC=${ric} with IS=0` };
  }
  if (prs === 0 && is === 1) return { kind: "invalid-form", reason: "PRS=0 with IS=1" };
  if (op.local && ric === 1) {
    const set = (op.rbLo >>> 12) & 0xfff;
    if (set !== 0) return { kind: "invalid-form", reason: `tlbiel PWC with SET=${set}` };
  }
  const lpid = hv ? op.rsLo >>> 0 : regs.lpidr >>> 0;
  const pid = op.rsHi >>> 0;
  const ricName = ric === 0 ? "tlb" : ric === 1 ? "pwc" : "all";
  const scope = prs === 1 ? "process" : "partition";
  switch (is) {
    case 0: {
      const pageShift = apToShift((op.rbLo >>> 5) & 7);
      if (pageShift === undefined) {
        return { kind: "invalid-form", reason: `unsupported AP ${(op.rbLo >>> 5) & 7}` };
      }
      // EA bits 0:1 (the quadrant) do not take part in the tree address; a process-scoped
      // invalidation outside quadrant 0 is boundedly undefined (QEMU flushes everything),
      // hvsim invalidates the page it names, which is what the OS means.
      const epn = (op.rbHi & 0xfffff) * TWO32 + ((op.rbLo & 0xfffff000) >>> 0);
      const p = 2 ** pageShift;
      const addr = Math.floor(epn / p) * p;
      return {
        kind: "invalidate",
        inv: { ric: ricName, scope, target: { is: "va", lpid, pid, addr, pageShift } },
      };
    }
    case 1:
      return { kind: "invalidate", inv: { ric: ricName, scope, target: { is: "pid", lpid, pid } } };
    case 2:
      return { kind: "invalidate", inv: { ric: ricName, scope, target: { is: "lpid", lpid } } };
    default:
      return {
        kind: "invalidate",
        inv: { ric: ricName, scope, target: hv ? { is: "all" } : { is: "lpid", lpid } },
      };
  }
}
