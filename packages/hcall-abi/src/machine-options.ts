// QEMU's `-machine` option syntax for pseries, e.g.
//   pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on,ic-mode=xive,kernel-irqchip=split
// Comma-separated `key=value` pairs (QemuOpts): the first item may be a bare machine type (the
// implied `type` key); `,,` is a literal comma inside a value; a later duplicate key wins; a
// bare bool key means `on`. Cap values follow QEMU's setters: bools take on/off/yes/no/true/
// false/y/n, string caps match their value list case-insensitively, hpt-max-page-size takes a
// size (`64k`, `16M`, `0x10000`) that must be a power of two. Unknown machine versions, caps,
// options or values are errors that name the offender — QEMU would refuse to start too.

import {
  PSERIES_LATEST,
  PSERIES_MACHINES,
  SPAPR_CAPS,
  defaultIcMode,
  defaultSpaprCaps,
  formatCapValue,
  pseriesMachine,
  spaprCap,
  type CapsCpu,
  type PseriesMachine,
  type SpaprCapInfo,
  type SpaprCapName,
} from "./spapr-caps";

export type IcMode = "xics" | "xive" | "dual";
export type KernelIrqchip = "on" | "off" | "split";
export type ResizeHpt = "default" | "disabled" | "enabled" | "required";
export type MaxCpuCompat = "power7" | "power8" | "power9" | "power10" | "power11";

/** Machine options other than caps that hvsim understands, typed. */
export interface MachineOtherOptions {
  readonly icMode?: IcMode;
  readonly kernelIrqchip?: KernelIrqchip;
  readonly maxCpuCompat?: MaxCpuCompat;
  readonly resizeHpt?: ResizeHpt;
  readonly vsmt?: number;
  readonly dumpdtb?: string;
  readonly xVof?: boolean;
}

export interface MachineOptions {
  readonly machine: PseriesMachine;
  /** The machine was named `pseries` (the alias of the latest version). */
  readonly viaAlias: boolean;
  /** Caps given on the command line, by name, as stored values. */
  readonly caps: Readonly<Partial<Record<SpaprCapName, number>>>;
  readonly other: MachineOtherOptions;
}

export type MachineOptionsErrorKind =
  | "syntax"
  | "unknown-machine"
  | "unknown-cap"
  | "bad-cap-value"
  | "unknown-option"
  | "bad-option-value";

export interface MachineOptionsError {
  readonly kind: MachineOptionsErrorKind;
  readonly message: string;
  readonly key?: string;
  readonly value?: string;
}

export type MachineOptionsResult =
  | { readonly ok: true; readonly value: MachineOptions }
  | { readonly ok: false; readonly error: MachineOptionsError };

const TRUE_WORDS = ["on", "yes", "true", "y"];
const FALSE_WORDS = ["off", "no", "false", "n"];

function parseBool(v: string): boolean | undefined {
  if (TRUE_WORDS.includes(v)) return true;
  if (FALSE_WORDS.includes(v)) return false;
  return undefined;
}

/** qemu_strtosz for integers: decimal or 0x-hex, optional B/K/M/G/T/P/E suffix (any case). */
export function parseQemuSize(text: string): bigint | undefined {
  const m = /^(0x[0-9a-f]+|\d+)([bkmgtpe]?)$/i.exec(text.trim());
  if (m === null) return undefined;
  const exp = "bkmgtpe".indexOf((m[2] || "b").toLowerCase());
  const n = BigInt(m[1]!);
  return n << BigInt(10 * exp);
}

/** Split QemuOpts text on `,`, with `,,` meaning a literal comma. */
function splitOpts(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ",") {
      if (text[i + 1] === ",") {
        cur += ",";
        i++;
        continue;
      }
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

const knownMachines = (): string =>
  `${PSERIES_MACHINES[0]!.name} … ${PSERIES_LATEST.name}, and pseries (= ${PSERIES_LATEST.name})`;

type OtherKey = keyof MachineOtherOptions;

interface OtherOptionSpec {
  readonly option: string;
  readonly key: OtherKey;
  readonly parse: (v: string | undefined) => MachineOtherOptions[OtherKey] | undefined;
  readonly expects: string;
  readonly format: (v: NonNullable<MachineOtherOptions[OtherKey]>) => string;
}

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: string | undefined): T | undefined =>
    values.find((x) => x === v);

/** The non-cap options, in the order `formatMachineOptions` writes them. Append-only. */
export const MACHINE_OTHER_OPTIONS: readonly OtherOptionSpec[] = [
  {
    option: "ic-mode",
    key: "icMode",
    parse: oneOf<IcMode>(["xics", "xive", "dual"]),
    expects: "xics, xive or dual",
    format: String,
  },
  {
    option: "kernel-irqchip",
    key: "kernelIrqchip",
    parse: (v) => (v === undefined ? "on" : oneOf<KernelIrqchip>(["on", "off", "split"])(v)),
    expects: "on, off or split",
    format: String,
  },
  {
    option: "max-cpu-compat",
    key: "maxCpuCompat",
    parse: (v) =>
      oneOf<MaxCpuCompat>(["power7", "power8", "power9", "power10", "power11"])(v?.toLowerCase()),
    expects: "power7, power8, power9, power10 or power11",
    format: String,
  },
  {
    option: "resize-hpt",
    key: "resizeHpt",
    parse: oneOf<ResizeHpt>(["default", "disabled", "enabled", "required"]),
    expects: "default, disabled, enabled or required",
    format: String,
  },
  {
    option: "vsmt",
    key: "vsmt",
    parse: (v) => (v !== undefined && /^[1-9]\d{0,3}$/.test(v) ? Number(v) : undefined),
    expects: "a positive integer",
    format: String,
  },
  {
    option: "dumpdtb",
    key: "dumpdtb",
    parse: (v) => (v === undefined || v === "" ? undefined : v),
    expects: "a file name",
    format: (v) => String(v).replaceAll(",", ",,"),
  },
  {
    option: "x-vof",
    key: "xVof",
    parse: (v) => (v === undefined ? true : parseBool(v)),
    expects: "on or off",
    format: (v) => (v ? "on" : "off"),
  },
];

function parseCap(cap: SpaprCapInfo, raw: string | undefined): number | MachineOptionsError {
  const key = `cap-${cap.name}`;
  const bad = (message: string): MachineOptionsError => ({
    kind: "bad-cap-value",
    message,
    key,
    ...(raw === undefined ? {} : { value: raw }),
  });
  switch (cap.type) {
    case "bool": {
      if (raw === undefined) return 1;
      const b = parseBool(raw);
      return b === undefined
        ? bad(`Parameter '${key}' expects 'on' or 'off', got '${raw}'`)
        : b
          ? 1
          : 0;
    }
    case "string": {
      const values = cap.values ?? [];
      const i =
        raw === undefined ? -1 : values.findIndex((x) => x.toLowerCase() === raw.toLowerCase());
      if (i < 0) {
        return bad(
          `Invalid capability mode "${raw ?? ""}" for ${key} (expected ${values.join(", ")})`,
        );
      }
      return i;
    }
    case "pagesize": {
      const size = raw === undefined ? undefined : parseQemuSize(raw);
      if (size === undefined)
        return bad(`Parameter '${key}' expects a size (e.g. 64k, 16M), got '${raw ?? ""}'`);
      if (size === 0n || (size & (size - 1n)) !== 0n)
        return bad(`${key} must be a power of 2, got '${raw}'`);
      const shift = size.toString(2).length - 1;
      if (shift > 255) return bad(`${key} is too large: '${raw}'`);
      return shift;
    }
  }
}

/** Parse `-machine` text. Errors are values that name the bad machine, cap, option or value. */
export function parseMachineOptions(text: string): MachineOptionsResult {
  const fail = (e: MachineOptionsError): MachineOptionsResult => ({ ok: false, error: e });
  const items = splitOpts(text.trim());
  let machineName: string | undefined;
  const caps: Partial<Record<SpaprCapName, number>> = {};
  const other: Record<string, unknown> = {};
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item === "") {
      if (items.length === 1) break;
      return fail({ kind: "syntax", message: `Invalid parameter '' (empty option) in '${text}'` });
    }
    const eq = item.indexOf("=");
    let key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    if (
      i === 0 &&
      eq < 0 &&
      !key.startsWith("cap-") &&
      !MACHINE_OTHER_OPTIONS.some((o) => o.option === key)
    ) {
      machineName = key;
      continue;
    }
    if (key === "type") {
      if (value === undefined || value === "")
        return fail({ kind: "syntax", message: "type= needs a machine name" });
      machineName = value;
      continue;
    }
    if (key.startsWith("cap-")) {
      const cap = spaprCap(key);
      if (cap === undefined) {
        return fail({
          kind: "unknown-cap",
          message: `unknown spapr capability '${key}' (known: ${SPAPR_CAPS.map((c) => `cap-${c.name}`).join(", ")})`,
          key,
        });
      }
      const v = parseCap(cap, value);
      if (typeof v !== "number") return fail(v);
      caps[cap.name as SpaprCapName] = v;
      continue;
    }
    key = key.trim();
    const spec = MACHINE_OTHER_OPTIONS.find((o) => o.option === key);
    if (spec === undefined) {
      return fail({
        kind: "unknown-option",
        message: `unknown machine option '${key}' (hvsim knows type, cap-*, ${MACHINE_OTHER_OPTIONS.map((o) => o.option).join(", ")})`,
        key,
      });
    }
    const parsed = spec.parse(value);
    if (parsed === undefined) {
      return fail({
        kind: "bad-option-value",
        message: `machine option '${key}' expects ${spec.expects}, got '${value ?? ""}'`,
        key,
        ...(value === undefined ? {} : { value }),
      });
    }
    other[spec.key] = parsed;
  }
  const name = machineName ?? "pseries";
  const machine = pseriesMachine(name);
  if (machine === undefined) {
    return fail({
      kind: "unknown-machine",
      message: `unknown machine type '${name}' (hvsim knows ${knownMachines()})`,
      value: name,
    });
  }
  if (other.icMode !== undefined && machine.major === 3 && machine.minor === 0) {
    return fail({
      kind: "bad-option-value",
      message: "pseries-3.0 only uses the legacy XICS backend: do not pass ic-mode",
      key: "ic-mode",
    });
  }
  return {
    ok: true,
    value: { machine, viaAlias: name === "pseries", caps, other: other as MachineOtherOptions },
  };
}

/** The canonical text for options: machine, caps in SPAPR_CAP order, other options in table order. */
export function formatMachineOptions(o: MachineOptions): string {
  const parts = [o.viaAlias ? "pseries" : o.machine.name];
  for (const cap of SPAPR_CAPS) {
    const v = o.caps[cap.name as SpaprCapName];
    if (v !== undefined) parts.push(`cap-${cap.name}=${formatCapValue(cap, v)}`);
  }
  for (const spec of MACHINE_OTHER_OPTIONS) {
    const v = o.other[spec.key];
    if (v !== undefined) parts.push(`${spec.option}=${spec.format(v as never)}`);
  }
  return parts.join(",");
}

// ---- the resolved cap table ----

export interface ResolvedCap {
  readonly cap: SpaprCapInfo;
  readonly value: number;
  readonly default: number;
  readonly source: "default" | "explicit";
}

export interface ResolvedCaps {
  readonly machine: PseriesMachine;
  readonly cpu: CapsCpu;
  /** One row per cap, in SPAPR_CAP order. */
  readonly caps: readonly ResolvedCap[];
  /** The interrupt-controller mode: explicit `ic-mode`, else the machine's default. */
  readonly icMode: IcMode;
}

/** Effective caps: the command line where given, else the machine-version default for the CPU. */
export function resolveCaps(o: MachineOptions, cpu: CapsCpu = "power9"): ResolvedCaps {
  const defaults = defaultSpaprCaps(o.machine, cpu);
  const caps = SPAPR_CAPS.map((cap): ResolvedCap => {
    const explicit = o.caps[cap.name as SpaprCapName];
    const def = defaults[cap.index]!;
    return explicit === undefined
      ? { cap, value: def, default: def, source: "default" }
      : { cap, value: explicit, default: def, source: "explicit" };
  });
  return { machine: o.machine, cpu, caps, icMode: o.other.icMode ?? defaultIcMode(o.machine) };
}

/** The effective value of one cap. */
export function capValue(r: ResolvedCaps, name: SpaprCapName): number {
  const row = r.caps.find((c) => c.cap.name === name);
  if (row === undefined) throw new Error(`no cap named ${name}`);
  return row.value;
}
