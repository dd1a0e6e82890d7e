// QEMU sPAPR capabilities (`-machine pseries,cap-<name>=<value>`): every guest-visible optional
// feature is an explicit machine property whose default is pinned by the machine version and
// masked by the CPU model; a requested value the host cannot provide stops the machine instead
// of being silently dropped. Sources: QEMU include/hw/ppc/spapr.h (SPAPR_CAP_* indexes and
// values), hw/ppc/spapr_caps.c (names, value sets, default_caps_with_cpu), hw/ppc/spapr.c
// (per-machine-version defaults). nested-hv.md §3.2.
//
// A cap value is a uint8: bool caps 0/1; string caps the index into their value list (ordered
// so that each value is a superset of the previous — migration compares numbers);
// hpt-max-page-size the page shift.

export type SpaprCapType = "bool" | "string" | "pagesize";

export interface SpaprCapInfo {
  /** SPAPR_CAP_* index; the order of the table. */
  readonly index: number;
  /** Name without the `cap-` prefix, as in `cap-nested-hv`. */
  readonly name: string;
  readonly description: string;
  readonly type: SpaprCapType;
  /** For string caps: the accepted values, index = stored value. */
  readonly values?: readonly string[];
  /** Name of its migration subsection, `spapr/cap/<vmstate>`. */
  readonly vmstate: string;
}

const TRISTATE = ["broken", "workaround", "fixed"] as const;

/** The capability table, in SPAPR_CAP_* order. Append-only. */
export const SPAPR_CAPS: readonly SpaprCapInfo[] = [
  {
    index: 0,
    name: "htm",
    type: "bool",
    vmstate: "htm",
    description: "Allow Hardware Transactional Memory (HTM)",
  },
  {
    index: 1,
    name: "vsx",
    type: "bool",
    vmstate: "vsx",
    description: "Allow Vector Scalar Extensions (VSX)",
  },
  {
    index: 2,
    name: "dfp",
    type: "bool",
    vmstate: "dfp",
    description: "Allow Decimal Floating Point (DFP)",
  },
  {
    index: 3,
    name: "cfpc",
    type: "string",
    values: TRISTATE,
    vmstate: "cfpc",
    description: "Cache Flush on Privilege Change",
  },
  {
    index: 4,
    name: "sbbc",
    type: "string",
    values: TRISTATE,
    vmstate: "sbbc",
    description: "Speculation Barrier Bounds Checking",
  },
  {
    index: 5,
    name: "ibs",
    type: "string",
    // fixed-na is stored as 4 (its index) although spapr.h defines SPAPR_CAP_FIXED_NA as 0x10.
    values: ["broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na"],
    vmstate: "ibs",
    description: "Indirect Branch Speculation",
  },
  {
    index: 6,
    name: "hpt-max-page-size",
    type: "pagesize",
    vmstate: "hpt_maxpagesize",
    description: "Maximum page size for Hash Page Table guests",
  },
  {
    index: 7,
    name: "nested-hv",
    type: "bool",
    vmstate: "nested_kvm_hv",
    description: "Allow Nested KVM-HV",
  },
  {
    index: 8,
    name: "large-decr",
    type: "bool",
    vmstate: "large_decr",
    description: "Allow Large Decrementer",
  },
  {
    index: 9,
    name: "ccf-assist",
    type: "bool",
    vmstate: "ccf_assist",
    description: "Count Cache Flush Assist via HW Instruction",
  },
  {
    index: 10,
    name: "fwnmi",
    type: "bool",
    vmstate: "fwnmi",
    description: "Implements PAPR FWNMI option",
  },
  {
    index: 11,
    name: "rpt-invalidate",
    type: "bool",
    vmstate: "rpt_invalidate",
    description: "Allow H_RPT_INVALIDATE",
  },
  {
    index: 12,
    name: "ail-mode-3",
    type: "bool",
    vmstate: "ail_mode_3",
    description: "Alternate Interrupt Location (AIL) mode 3 support",
  },
  {
    index: 13,
    name: "nested-papr",
    type: "bool",
    vmstate: "nested_papr",
    description: "Allow Nested HV (PAPR API)",
  },
  {
    index: 14,
    name: "dawr1",
    type: "bool",
    vmstate: "dawr1",
    description: "Allow 2nd Data Address Watchpoint Register (DAWR1)",
  },
];

export type SpaprCapName =
  | "htm"
  | "vsx"
  | "dfp"
  | "cfpc"
  | "sbbc"
  | "ibs"
  | "hpt-max-page-size"
  | "nested-hv"
  | "large-decr"
  | "ccf-assist"
  | "fwnmi"
  | "rpt-invalidate"
  | "ail-mode-3"
  | "nested-papr"
  | "dawr1";

export function spaprCap(name: string): SpaprCapInfo | undefined {
  const n = name.toLowerCase().replace(/^cap-/, "");
  return SPAPR_CAPS.find((c) => c.name === n);
}

/** The stored value (a cap's uint8) rendered the way the command line spells it. */
export function formatCapValue(cap: SpaprCapInfo, value: number): string {
  switch (cap.type) {
    case "bool":
      return value === 0 ? "off" : "on";
    case "string":
      return cap.values?.[value] ?? `invalid(${value})`;
    case "pagesize":
      return formatPageSize(value);
  }
}

/** 16 → "64K", 24 → "16M", 34 → "16G". */
export function formatPageSize(shift: number): string {
  const units = ["", "K", "M", "G", "T", "P", "E"];
  const u = Math.min(Math.floor(shift / 10), units.length - 1);
  return `${2 ** (shift - u * 10)}${units[u]}`;
}

// ---- machine versions ----

/** A pseries machine version. */
export interface PseriesMachine {
  /** `pseries-9.0`. */
  readonly name: string;
  readonly major: number;
  readonly minor: number;
}

/**
 * The pseries machine versions QEMU keeps (the oldest in tree is 3.0; pseries-10.0 is the
 * latest and the `pseries` alias), as in the reference snapshot of hw/ppc/spapr.c.
 */
export const PSERIES_MACHINES: readonly PseriesMachine[] = [
  [3, 0],
  [3, 1],
  [4, 0],
  [4, 1],
  [4, 2],
  [5, 0],
  [5, 1],
  [5, 2],
  [6, 0],
  [6, 1],
  [6, 2],
  [7, 0],
  [7, 1],
  [7, 2],
  [8, 0],
  [8, 1],
  [8, 2],
  [9, 0],
  [9, 1],
  [9, 2],
  [10, 0],
].map(([major, minor]) => ({ name: `pseries-${major}.${minor}`, major: major!, minor: minor! }));

export const PSERIES_LATEST: PseriesMachine = PSERIES_MACHINES[PSERIES_MACHINES.length - 1]!;

/** `pseries` (the alias of the latest) or `pseries-X.Y`; undefined if hvsim does not know it. */
export function pseriesMachine(name: string): PseriesMachine | undefined {
  if (name === "pseries") return PSERIES_LATEST;
  return PSERIES_MACHINES.find((m) => m.name === name);
}

const atMost = (m: PseriesMachine, major: number, minor: number): boolean =>
  m.major < major || (m.major === major && m.minor <= minor);

/**
 * The CPU model, as far as caps care: its ISA level decides which defaults are masked off
 * (default_caps_with_cpu). hvsim's pseries CPU is a POWER9; QEMU's own default CPU is
 * power10 for pseries ≥ 4.0 and power8 for ≤ 3.1, so defaults are asked for explicitly.
 */
export type CapsCpu = "power7" | "power7+" | "power8" | "power9" | "power10" | "power11";

const CPU_LEVEL: Readonly<Record<CapsCpu, number>> = {
  power7: 206,
  "power7+": 2061,
  power8: 207,
  power9: 300,
  power10: 310,
  power11: 310,
};

const levelAtLeast = (cpu: CapsCpu, isa: number): boolean => {
  const l = CPU_LEVEL[cpu];
  // 2.06+ (POWER7+) sits between 2.06 and 2.07.
  const norm = (x: number): number => (x === 2061 ? 206.5 : x);
  return norm(l) >= norm(isa);
};

/** The machine class's default caps (before CPU masking), by SPAPR_CAP index. */
export function machineClassDefaultCaps(machine: PseriesMachine): number[] {
  const caps = [0, 1, 1, 1, 1, 1, 16, 0, 1, 1, 1, 0, 1, 0, 0];
  if (atMost(machine, 4, 2)) {
    caps[9] = 0; // ccf-assist
    caps[10] = 0; // fwnmi
  }
  if (atMost(machine, 3, 1)) {
    caps[3] = 0; // cfpc broken
    caps[4] = 0; // sbbc broken
    caps[5] = 0; // ibs broken
    caps[8] = 0; // large-decr off
  }
  return caps;
}

/** The defaults QEMU computes for a machine version and CPU (default_caps_with_cpu). */
export function defaultSpaprCaps(machine: PseriesMachine, cpu: CapsCpu = "power9"): number[] {
  const caps = machineClassDefaultCaps(machine);
  if (!levelAtLeast(cpu, 310)) caps[14] = 0;
  if (!levelAtLeast(cpu, 300)) caps[8] = 0;
  if (!levelAtLeast(cpu, 207)) {
    caps[0] = 0;
    caps[3] = 0;
    caps[12] = 0;
  }
  if (!levelAtLeast(cpu, 2061)) caps[4] = 0;
  if (!levelAtLeast(cpu, 206)) {
    caps[1] = 0;
    caps[2] = 0;
    caps[5] = 0;
  }
  return caps;
}

/**
 * pseries ≤ 4.0 never migrates hpt-max-page-size (pre_4_1_migration: older QEMUs would not
 * understand the subsection).
 */
export function capMigratesOn(cap: SpaprCapInfo, machine: PseriesMachine): boolean {
  return !(cap.name === "hpt-max-page-size" && atMost(machine, 4, 0));
}

/** The interrupt-controller mode a machine version starts in when `ic-mode` is not given. */
export function defaultIcMode(machine: PseriesMachine): "xics" | "dual" {
  return atMost(machine, 4, 0) ? "xics" : "dual";
}
