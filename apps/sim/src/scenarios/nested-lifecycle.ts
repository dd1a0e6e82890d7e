import { l1hvArgv } from "../guests/l1hv-argv";
import type { Scenario } from "./scenario";

export const nestedLifecycle: Scenario = {
  name: "nested-lifecycle",
  title: "L0 -> L1 -> L2: nested guests created, run, invalidated and torn down through the v1 API",
  explanation:
    "Seed 2: with the nested-HV API v1 an L1 hypervisor registers a partition table with " +
    "H_SET_PARTITION_TABLE, creates an L2 by filling a partition-table entry, runs its vCPU with " +
    "H_ENTER_NESTED (the whole L2 state in hv_guest_state and pt_regs) and removes it by " +
    "clearing the entry and flushing the LPID (RIC=2). L0 gives each L2 a shadow LPID from the " +
    "same pool as its own guests and builds a shadow partition-scoped tree from L1's tree for " +
    "the L2 and L0's tree for L1. hvsim tags its TLB by shadow LPID, so an L1 that forgets an " +
    "invalidation is caught: QEMU's TCG flushes everything on every switch and never sees it. " +
    "Because an L2's state lives in its L1's memory (v1), migrating the L1 carries its L2s; " +
    "L0's shadow LPIDs and trees are rebuilt on the destination.",
  lookAt:
    "the per-L2 'LPID n ... flush rc=0' creation lines and '[L1] L2.n ... powered off', the " +
    "'L2 entries' / 'L2 exits in L0' / 'L2 exits to L1' / 'shadow faults' lines of --stats, and " +
    "in the last step the page-churn rounds reporting stale data.",
  steps: (guests) => [
    {
      says: "six L2s created, run round-robin on HDEC, and powered off; L0's view in --stats",
      argv: [...l1hvArgv(guests, "pseries,cap-nested-hv=on"), "--stats"],
      expect: {
        status: 0,
        output: [
          "L2.0: l2-hello, LPID 1, 16 MiB at L1 0x4000000, entry 0x400000, flush rc=0",
          "[L1] L2.0 (l2-hello) powered off",
          "l1hv: 6 of 6 L2s succeeded",
          /L2 entries +\d+/,
          /L2 exits to L1 +0x980=\d+/,
          /shadow faults +\d+ \(\d+ reflected to L1\)/,
        ],
      },
    },
    {
      says: "the L1 paused mid-run and migrated, its L2s with it: the same output",
      argv: [
        ...["migrate", "--at", "40000000", "--to", "power9-dd2.2", "--"],
        ...l1hvArgv(guests, "pseries,cap-nested-hv=on").slice(1),
      ],
      expect: {
        status: 0,
        output: [/hvsim: migrated at instruction 40000000 \(snapshot \d+ KiB\)/],
        sameStdoutAs: 0,
      },
    },
    {
      says: "without cap-nested-hv the L1 is told no (H_FUNCTION) and says so",
      argv: l1hvArgv(guests, "pseries"),
      expect: { status: 0, output: ["l1hv: L0 offers no nested HV"] },
    },
    {
      says: "an L1 that skips the invalidation after remapping an L2 page: L2 sees stale data",
      argv: l1hvArgv(guests, "pseries,cap-nested-hv=on", "l1hv.invalidate=skip"),
      expect: { status: 0, output: ["stale 8192: FAILED"], absent: ["stale 0: ok"] },
    },
  ],
};
