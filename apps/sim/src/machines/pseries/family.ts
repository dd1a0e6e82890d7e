// The pseries family behind `hvsim run -M pseries[-X.Y][,cap-...][,ic-mode=...] ...`: turns the
// CLI's options into PseriesOptions, streams the guest console, and reports the exit status.
import { readFileSync } from "node:fs";
import { parseHostModel } from "./host-model";
import { formatPseriesStats, runPseries, type PseriesOptions, type PseriesResult } from "./machine";
import { migratePseries } from "./migration";

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
  /** `-d isolation` */
  readonly checkIsolation?: boolean;
  readonly dumpDtb?: string;
  /** Console input for H_GET_TERM_CHAR (the CLI reads it from a redirected stdin or
   *  --console-input FILE). */
  readonly input?: Uint8Array;
  /** `--input TEXT`: console input given on the command line (escapes \r, \n, \\); wins over
   *  `input`. */
  readonly inputText?: string;
  /** `--host MODEL[,prop=on|off]`: the simulated host (see host-model.ts). */
  readonly host?: string;
  /** `--pause-at N`: stop after N instructions (all vCPUs), e.g. to `--save` the machine. */
  readonly pauseAt?: string;
  /** `--save FILE`: with --pause-at, write the paused machine's snapshot. */
  readonly save?: string;
  /** `--incoming FILE`: continue a snapshot instead of booting (QEMU's -incoming). */
  readonly incoming?: string;
  /** `--state-hash`: print the final guest-visible state's SHA-256. */
  readonly stateHash?: boolean;
  /** `--migrate-at N`: migrate in this process when N instructions have run ... */
  readonly migrateAt?: string;
  /** ... to this host model (`--migrate-to`, default the source's) ... */
  readonly migrateTo?: string;
  /** ... running this -M (`--migrate-machine`, default the source's) ... */
  readonly migrateMachine?: string;
  /** ... writing the snapshot here too (`--snapshot FILE`). */
  readonly snapshot?: string;
}

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
  if (r.input !== undefined) options.input = r.input;
  if (r.host !== undefined) {
    const host = parseHostModel(r.host);
    if (typeof host === "string") return { kind: "error", message: host };
    options.host = host;
  }
  if (r.guestErrors) options.logGuestErrors = true;
  if (r.checkIsolation) options.checkIsolation = true;
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
  if (r.inputText !== undefined) {
    options.input = r.inputText.replace(/\\(r|n|\\)/g, (_, c: string) =>
      c === "r" ? "\r" : c === "n" ? "\n" : "\\",
    );
  }
  if (r.dumpDtb !== undefined) {
    // `hvsim dumpdtb FILE` / `--dumpdtb FILE` are QEMU's `-machine dumpdtb=FILE`.
    options.machine = `${r.machine},dumpdtb=${r.dumpDtb}`;
  }
  if (r.pauseAt !== undefined) {
    const n = parseCount("--pause-at", r.pauseAt);
    if (typeof n === "string") return { kind: "error", message: n };
    options.pauseAt = n;
  }
  if (r.save !== undefined) {
    if (r.pauseAt === undefined) return { kind: "error", message: "--save needs --pause-at N" };
    options.saveTo = r.save;
  }
  if (r.stateHash) options.stateHash = true;
  if (r.incoming !== undefined) {
    try {
      options.incoming = new Uint8Array(readFileSync(r.incoming));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return { kind: "error", message: `--incoming ${r.incoming}: cannot read it (${why})` };
    }
  }
  if (
    options.kernel === undefined &&
    options.bios === undefined &&
    r.dumpDtb === undefined &&
    options.incoming === undefined
  ) {
    return {
      kind: "error",
      message:
        "pseries needs something to boot: -kernel FILE.elf (placed at 0x400000 behind the boot ROM) or -bios FILE",
    };
  }
  const out = { console: (s: string) => io.out(s), error: (s: string) => io.err(s) };
  let result: PseriesResult;
  if (r.migrateAt !== undefined) {
    const at = parseCount("--migrate-at", r.migrateAt);
    if (typeof at === "string") return { kind: "error", message: at };
    const destination: PseriesOptions = {
      ...options,
      machine: r.migrateMachine ?? options.machine,
    };
    if (r.migrateTo !== undefined) {
      const host = parseHostModel(r.migrateTo);
      if (typeof host === "string")
        return { kind: "error", message: host.replace("--host", "--migrate-to") };
      destination.host = host;
    }
    result = migratePseries(
      {
        source: options,
        at,
        destination,
        ...(r.snapshot !== undefined ? { snapshotFile: r.snapshot } : {}),
      },
      out,
    );
  } else {
    if (r.migrateTo !== undefined || r.migrateMachine !== undefined || r.snapshot !== undefined) {
      return {
        kind: "error",
        message: "--migrate-to, --migrate-machine and --snapshot need --migrate-at N",
      };
    }
    result = runPseries(options, out);
  }
  if (r.stats && result.reason !== "dumpdtb") {
    io.err(`\nhvsim stats (${result.reason})\n${formatPseriesStats(result.stats)}\n`);
  }
  if (result.stateHash !== undefined) io.err(`hvsim: state hash ${result.stateHash}\n`);
  return { kind: "ran", lines: [], exitStatus: result.status };
}

export const pseries = {
  name: "pseries",
  summary:
    "POWER9 pseries (QEMU's spapr): -kernel ELF | -bios FILE, -m, -smp, -initrd, -append, caps as -M options",
  matches: (type: string): boolean => type === "pseries" || type.startsWith("pseries-"),
  run: runPseriesRequest,
} as const;
