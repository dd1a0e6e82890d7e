import { l1hvArgv } from "../guests/l1hv-argv";
import type { Scenario } from "./scenario";

export const rptInvalidateFallback: Scenario = {
  name: "rpt-invalidate-fallback",
  title: "H_RPT_INVALIDATE is a cap, never on by default; an L1 falls back to H_TLB_INVALIDATE",
  explanation:
    "Seed 1: H_RPT_INVALIDATE lets an L1 hypervisor invalidate its nested guests' translations " +
    "in one hcall, but enabling it by default would break migration to hosts whose KVM lacks " +
    "it. So it is the machine option cap-rpt-invalidate (off by default), 'hcall-rpt-invalidate' " +
    "appears in ibm,hypertas-functions only when it is on, and a guest that does not find the " +
    "string must use H_TLB_INVALIDATE. A host that cannot honour the cap refuses to start the " +
    "machine instead of silently turning it off.",
  lookAt:
    "the hypertas list of step 1 (no hcall-rpt-invalidate), the 'partition-scoped invalidation' " +
    "line l1hv prints in steps 2 and 3 and the 'invalidations' line of --stats, and the " +
    "refusal in step 4 naming the cap.",
  steps: (guests) => [
    {
      says: "the default pseries-9.0 caps: hcall-rpt-invalidate is not advertised",
      argv: ["abi", "caps", "pseries-9.0,cap-nested-hv=on"],
      expect: {
        status: 0,
        output: ["cap-rpt-invalidate      off         off         default"],
        absent: ["hcall-rpt-invalidate"],
      },
    },
    {
      says: "l1hv does not find the string and invalidates with H_TLB_INVALIDATE",
      argv: [...l1hvArgv(guests, "pseries,cap-nested-hv=on"), "--stats"],
      expect: {
        status: 0,
        output: [
          "ibm,hypertas-functions: hcall-rpt-invalidate absent",
          "partition-scoped invalidation: H_TLB_INVALIDATE (fallback)",
          "l1hv: 6 of 6 L2s succeeded",
          /invalidations +H_TLB_INVALIDATE /,
        ],
        absent: ["H_RPT_INVALIDATE="],
      },
    },
    {
      says: "with cap-rpt-invalidate=on the string is there and l1hv uses H_RPT_INVALIDATE",
      argv: [...l1hvArgv(guests, "pseries,cap-nested-hv=on,cap-rpt-invalidate=on"), "--stats"],
      expect: {
        status: 0,
        output: [
          "ibm,hypertas-functions: hcall-rpt-invalidate present",
          "partition-scoped invalidation: H_RPT_INVALIDATE",
          "l1hv: 6 of 6 L2s succeeded",
          /hcalls in kernel .*H_RPT_INVALIDATE=\d+/,
        ],
      },
    },
    {
      says: "a host KVM without H_RPT_INVALIDATE refuses the cap, naming it",
      argv: [
        ...l1hvArgv(guests, "pseries,cap-nested-hv=on,cap-rpt-invalidate=on"),
        "--host",
        "power9-dd2.3,rpt-invalidate=off",
      ],
      expect: {
        status: 1,
        output: ["cap-rpt-invalidate=on: the host (POWER9 DD2.3) KVM has no H_RPT_INVALIDATE"],
        absent: ["l1hv:"],
      },
    },
  ],
};
