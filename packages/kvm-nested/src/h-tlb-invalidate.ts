// H_TLB_INVALIDATE (0xF808, kvmhv_do_nested_tlbie): the L1 emulating a partition-scoped tlbie
// for one of its L2s. Validity matrix from hcall-abi (R=1, PRS=0, RIC!=3, IS!=1, IS=0 => RIC=0).
import { H_FUNCTION, H_SUCCESS, decideTlbInvalidate } from "@hvsim/hcall-abi";
import type { NestedContext } from "./context";
import { bump } from "./context";
import type { NestedGuest } from "./nested-guests";

function byRic(ctx: NestedContext, g: NestedGuest, ric: 0 | 1 | 2): void {
  switch (ric) {
    case 0:
      ctx.dropShadow(g);
      return;
    case 1:
      // Page-walk cache: L0 caches no walk of the L1's tree, so nothing to do.
      return;
    case 2:
      ctx.flushNested(g);
      return;
  }
}

export function hTlbInvalidate(ctx: NestedContext, r4: bigint, r5: bigint, r6: bigint): number {
  if (!ctx.nestingEnabled()) return H_FUNCTION;
  const d = decideTlbInvalidate(r4, r5, r6);
  if (!d.ok) return d.status;
  const op = d.op;
  switch (op.kind) {
    case "address": {
      bump(ctx.stats.invalidations, "H_TLB_INVALIDATE page");
      const got = ctx.guests.get(op.lpid, ctx.l1Ptcr, false);
      if (got.kind !== "ok") return H_SUCCESS; // an LPID L0 never saw: nothing cached
      const start = Number(op.addr > BigInt(2 ** 52) ? BigInt(2 ** 52) : op.addr);
      ctx.invalidateShadowRange(got.guest, start, start + 2 ** op.pageShift);
      ctx.guests.put(got.guest);
      return H_SUCCESS;
    }
    case "lpid": {
      bump(ctx.stats.invalidations, `H_TLB_INVALIDATE lpid ric=${op.ric}`);
      const got = ctx.guests.get(op.lpid, ctx.l1Ptcr, false);
      if (got.kind !== "ok") return H_SUCCESS;
      byRic(ctx, got.guest, op.ric);
      ctx.guests.put(got.guest);
      return H_SUCCESS;
    }
    case "all-lpids": {
      bump(ctx.stats.invalidations, `H_TLB_INVALIDATE all ric=${op.ric}`);
      for (const g of ctx.guests.list()) {
        g.refcnt++;
        byRic(ctx, g, op.ric);
        ctx.guests.put(g);
      }
      return H_SUCCESS;
    }
    default: {
      const never: never = op;
      throw new Error(`unknown H_TLB_INVALIDATE op ${JSON.stringify(never)}`);
    }
  }
}
