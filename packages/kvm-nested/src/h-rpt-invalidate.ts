// H_RPT_INVALIDATE (0x448) from the L1, handled in L0 only when the VMM enabled it in the
// VM's hcall bitmap (Vm calls kvm-nested only then). Both functions: partition-scoped flushes
// of an L2's shadow translations (type NESTED), and process-scoped flushes of the caller's own
// LPID for a guest running with LPCR[GTSE]=0. Decisions from hcall-abi (Linux's rules).
import { decideRptInvalidate, decodeRptInvalidate } from "@hvsim/hcall-abi";
import type { HcallOutcome, Vcpu } from "@hvsim/kvm-hv-core";
import type { NestedContext } from "./context";
import { bump } from "./context";

export function hRptInvalidate(ctx: NestedContext, v: Vcpu): HcallOutcome {
  const args: bigint[] = [];
  for (let r = 4; r <= 9; r++) args.push(v.getGpr(r));
  const req = decodeRptInvalidate(args);
  const o = decideRptInvalidate(req, {
    hcallEnabled: true,
    radix: ctx.vm.radix,
    nestingEnabled: ctx.nestingEnabled(),
    isNestedLpid: (l) => l < 2n ** 32n && ctx.guests.has(Number(l)),
  });
  switch (o.kind) {
    case "exit-to-vmm":
      return { kind: "too-hard" };
    case "rejected":
      return { kind: "done", ret: o.status };
    case "partition-scoped": {
      bump(ctx.stats.invalidations, "H_RPT_INVALIDATE nested");
      const got = ctx.guests.get(Number(o.lpid), ctx.l1Ptcr, false);
      if (got.kind !== "ok") return { kind: "done", ret: o.status };
      const g = got.guest;
      for (const f of o.flushes) {
        if (f.kind === "whole") {
          if (f.ric === 2) ctx.flushNested(g);
          else if (f.ric === 0) ctx.dropShadow(g);
        } else {
          const lim = 2n ** 52n;
          const s = Number(f.start > lim ? lim : f.start);
          const e = Number(f.end > lim ? lim : f.end);
          ctx.invalidateShadowRange(g, s, e);
        }
      }
      ctx.guests.put(g);
      return { kind: "done", ret: o.status };
    }
    case "process-scoped": {
      bump(ctx.stats.invalidations, "H_RPT_INVALIDATE process");
      // Every flush form is at most "the whole PID" (the hypervisor may invalidate more).
      if (o.flushes.length > 0) ctx.vm.mmu.flushPid(ctx.vm.lpid, Number(o.pid & 0xffffffffn));
      return { kind: "done", ret: o.status };
    }
    default: {
      const never: never = o;
      throw new Error(`unknown H_RPT_INVALIDATE outcome ${JSON.stringify(never)}`);
    }
  }
}
