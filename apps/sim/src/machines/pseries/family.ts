// The pseries family behind `hvsim run -M pseries[-X.Y][,cap-...][,ic-mode=...] ...`: turns the
// CLI's options into PseriesOptions, streams the guest console, and reports the exit status.
import { DEFAULT_HOST, type HostModel } from "@hvsim/kvm-hv-core";
import { formatPseriesStats, runPseries, type PseriesOptions } from "./machine";

/** The `hvsim run` options the pseries family understands (QEMU's names). */
export interface PseriesRunRequest {
  readonly machine: string;
  readonly memory?: string;
  readonly smp?: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
  readonly bios?: string;
  readonly maxInsns?: string;
  readonly seed?: string;
  readonly stats?: boolean;
  readonly trace?: string;
  readonly noReboot?: boolean;
  readonly guestErrors?: boolean;
  readonly dumpDtb?: string;
  /** --host: the simulated host model. */
  readonly host?: string;
  /** --input: console input (escapes \r, \n, \\). */
  readonly input?: string;
}

/** The host models `--host` names. */
export const PSERIES_HOSTS: Readonly<Record<string, HostModel>> = {
  power9: DEFAULT_HOST,
  "power9-dd2.2": { ...DEFAULT_HOST, cpu: "POWER9 DD2.2" },
  // A KVM that itself runs in a pseries partition (nested): no XIVE native device for its guests.
  "power9-l1": { ...DEFAULT_HOST, onPseries: true },
};

export interface PseriesRunIo {
  out(text: string): void;
  err(text: string): void;
}

export type PseriesRunOutcome =
  | { readonly kind: "ran"; readonly lines: readonly string[]; readonly exitStatus: number }
  | { readonly kind: "error"; readonly message: string };

function parseCount(flag: string, text: string): number | string {
  const t = text.replace(/_/g, "");
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : Number(t);
  if (!Number.isSafeInteger(n) || n <= 0) return `${flag} ${text}: expected a positive integer`;
  return n;
}

export function runPseriesRequest(r: PseriesRunRequest, io: PseriesRunIo): PseriesRunOutcome {
  const options: PseriesOptions = { machine: r.machine };
  if (r.memory !== undefined) options.memory = r.memory;
  if (r.smp !== undefined) options.smp = r.smp;
  if (r.kernel !== undefined) options.kernel = r.kernel;
  if (r.initrd !== undefined) options.initrd = r.initrd;
  if (r.append !== undefined) options.append = r.append;
  if (r.bios !== undefined) options.bios = r.bios;
  if (r.trace !== undefined) options.trace = r.trace;
  if (r.noReboot) options.noReboot = true;
  if (r.guestErrors) options.logGuestErrors = true;
  if (r.maxInsns !== undefined) {
    const n = parseCount("--max-insns", r.maxInsns);
    if (typeof n === "string") return { kind: "error", message: n };
    options.maxInsns = n;
  }
  if (r.seed !== undefined) {
    const n = parseCount("--seed", r.seed);
    if (typeof n === "string") return { kind: "error", message: n };
    options.seed = n;
  }
  if (r.host !== undefined) {
    const host = PSERIES_HOSTS[r.host];
    if (host === undefined) {
      return {
        kind: "error",
        message: `--host ${r.host}: use ${Object.keys(PSERIES_HOSTS).join(", ")}`,
      };
    }
    options.host = host;
  }
  if (r.input !== undefined) {
    options.input = r.input.replace(/\\(r|n|\\)/g, (_, c: string) =>
      c === "r" ? "\r" : c === "n" ? "\n" : "\\",
    );
  }
  if (r.dumpDtb !== undefined) {
    // `hvsim dumpdtb FILE` / `--dumpdtb FILE` are QEMU's `-machine dumpdtb=FILE`.
    options.machine = `${r.machine},dumpdtb=${r.dumpDtb}`;
  }
  if (options.kernel === undefined && options.bios === undefined && r.dumpDtb === undefined) {
    return {
      kind: "error",
      message:
        "pseries needs something to boot: -kernel FILE.elf (placed at 0x400000 behind the boot ROM) or -bios FILE",
    };
  }
  const result = runPseries(options, { console: (s) => io.out(s), error: (s) => io.err(s) });
  if (r.stats && result.reason !== "dumpdtb") {
    io.err(`\nhvsim stats (${result.reason})\n${formatPseriesStats(result.stats)}\n`);
  }
  return { kind: "ran", lines: [], exitStatus: result.status };
}

export const pseries = {
  name: "pseries",
  summary:
    "POWER9 pseries (QEMU's spapr): -kernel ELF | -bios FILE, -m, -smp, -initrd, -append, caps as -M options",
  matches: (type: string): boolean => type === "pseries" || type.startsWith("pseries-"),
  run: runPseriesRequest,
} as const;
