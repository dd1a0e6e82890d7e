// H_COPY_TOFROM_GUEST (0xF80C, kvmhv_copy_tofrom_guest_nested): copy between an L1 buffer and
// an L2 effective address, translated with the L2's process table (PID r5) and the L1's
// partition-scoped tree for the L2. r4 = L2 LPID, r6 = EA, r7 = to (L1), r8 = from (L1), r9 = n.
import { H_FUNCTION, H_NO_MEM, H_NOT_FOUND, H_PARAMETER, H_SUCCESS } from "@hvsim/hcall-abi";
import type { Vcpu } from "@hvsim/kvm-hv-core";
import type { NestedContext } from "./context";
import type { NestedGuest } from "./nested-guests";
import { walkRadix } from "./radix-walk";

/** Largest copy L0 buffers (Linux's kvmalloc fails long before; then H_NO_MEM). */
export const COPY_TOFROM_MAX = 16 * 1024 * 1024;

const PRTB_MASK = 0x0ffffffffffff000n;

function readBe64(ctx: NestedContext, gpa: bigint): bigint | undefined {
  const b = ctx.readL1(gpa, 8);
  return b === undefined
    ? undefined
    : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
}

/** L2 guest-physical -> L1 guest-physical through the L1's tree; undefined if unmapped. */
function l2ToL1(ctx: NestedContext, g: NestedGuest, nGpa: number): number | undefined {
  const w = walkRadix((a) => readBe64(ctx, BigInt(a)), g.l1GrToHr, nGpa);
  return w.kind === "leaf" ? w.leaf.pa + (nGpa % 2 ** w.leaf.pageShift) : undefined;
}

/** EA -> L2 guest-physical through PID's process tree (table entries read through the L1). */
function eaToL2(
  ctx: NestedContext,
  g: NestedGuest,
  pid: number,
  ea: number,
): { gpa: number; end: number } | undefined {
  const readL2 = (nGpa: number): bigint | undefined => {
    const l1 = l2ToL1(ctx, g, nGpa);
    return l1 === undefined ? undefined : readBe64(ctx, BigInt(l1));
  };
  const prtb = Number(g.processTable & PRTB_MASK);
  const entries = 2 ** (Number(g.processTable & 0x1fn) + 12 - 4);
  if (g.processTable === 0n || pid >= entries) return undefined;
  const prte0 = readL2(prtb + pid * 16);
  if (prte0 === undefined || prte0 === 0n) return undefined;
  const w = walkRadix(readL2, prte0, ea);
  if (w.kind !== "leaf") return undefined;
  const size = 2 ** w.leaf.pageShift;
  const gpa = w.leaf.pa + (ea % size);
  return { gpa, end: gpa - (gpa % size) + size };
}

export function hCopyTofromGuest(ctx: NestedContext, v: Vcpu): number {
  if (!ctx.nestingEnabled()) return H_FUNCTION;
  const lpid = v.getGpr(4);
  const pid = Number(v.getGpr(5) & 0xffffffffn);
  const eaddr = v.getGpr(6);
  const gpTo = v.getGpr(7);
  const gpFrom = v.getGpr(8);
  const n = v.getGpr(9);
  if (gpTo !== 0n && gpFrom !== 0n) return H_PARAMETER;
  if ((eaddr & (0xfffn << 52n)) !== 0n) return H_PARAMETER;
  if (n > BigInt(COPY_TOFROM_MAX)) return H_NO_MEM;
  if (lpid >= 2n ** 32n) return H_PARAMETER;
  const got = ctx.guests.get(Number(lpid), ctx.l1Ptcr, false);
  if (got.kind !== "ok") return H_PARAMETER;
  const g = got.guest;
  try {
    const len = Number(n);
    const buf = new Uint8Array(len);
    if (gpFrom !== 0n) {
      const src = ctx.readL1(gpFrom, len);
      if (src === undefined) return H_NOT_FOUND;
      buf.set(src);
    }
    let done = 0;
    while (done < len) {
      const ea = Number(eaddr) + done;
      const t = eaToL2(ctx, g, pid, ea);
      if (t === undefined) return H_NOT_FOUND;
      const chunk = Math.min(len - done, t.end - t.gpa, 0x10000 - (t.gpa % 0x10000));
      const l1 = l2ToL1(ctx, g, t.gpa);
      if (l1 === undefined) return H_NOT_FOUND;
      if (gpFrom !== 0n) {
        if (!ctx.writeL1(BigInt(l1), buf.subarray(done, done + chunk))) return H_NOT_FOUND;
      } else {
        const part = ctx.readL1(BigInt(l1), chunk);
        if (part === undefined) return H_NOT_FOUND;
        buf.set(part, done);
      }
      done += chunk;
    }
    if (gpFrom === 0n && !ctx.writeL1(gpTo, buf)) return H_NOT_FOUND;
    return H_SUCCESS;
  } finally {
    ctx.guests.put(g);
  }
}
