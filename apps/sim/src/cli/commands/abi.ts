import {
  HCALLS,
  H_COPY_TOFROM_GUEST,
  H_RTAS,
  H_SET_PARTITION_TABLE,
  KVM_HV_DEFAULT_ENABLED_HCALLS,
  KVM_HV_OPTIONAL_HCALLS,
  PSERIES_MACHINES,
  RETURN_CODES,
  checkCapsMigration,
  formatCapValue,
  gprToStatus,
  hcallByName,
  hcallByOpcode,
  hcallRegisterUses,
  hcallTableOf,
  hypertasFunctions,
  isGatedByHcallBitmap,
  isLongBusy,
  parseMachineOptions,
  resolveCaps,
  returnCodeByName,
  returnCodeByValue,
  type CapsCpu,
  type HcallInfo,
  type ResolvedCaps,
  type ReturnCodeInfo,
} from "@hvsim/hcall-abi";
import type { RegisterCommand } from "../command";
import { UsageError } from "../io";

// `hvsim abi …`: the PAPR hcall ABI reference from @hvsim/hcall-abi, on the command line.

const hex = (n: number): string => `0x${n.toString(16)}`;

function parseInteger(text: string): bigint | undefined {
  const t = text.trim();
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) {
    return t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t);
  }
  return undefined;
}

function findHcall(arg: string): HcallInfo {
  const n = parseInteger(arg);
  const info =
    n === undefined
      ? hcallByName(arg)
      : n >= 0n && n <= 0xffffn
        ? hcallByOpcode(Number(n))
        : undefined;
  if (info === undefined) {
    throw new UsageError(
      `unknown hcall '${arg}': give an opcode (0xf804) or a name (H_ENTER_NESTED); ` +
        "`hvsim abi hcall` lists them all",
    );
  }
  return info;
}

function kvmLine(h: HcallInfo): string {
  if (!isGatedByHcallBitmap(h.opcode)) {
    const why = "not gated by KVM's hcall-enable bitmap (above MAX_HCALL_OPCODE)";
    if (h.opcode >= H_SET_PARTITION_TABLE && h.opcode <= H_COPY_TOFROM_GUEST) {
      return `in kernel when KVM_CAP_PPC_NESTED_HV is enabled, else H_FUNCTION; ${why}`;
    }
    if (h.opcode === H_RTAS) {
      return `in kernel for tokens set with KVM_PPC_RTAS_DEFINE_TOKEN, else to the VMM; ${why}`;
    }
    return `exits to the VMM; ${why}`;
  }
  if (KVM_HV_DEFAULT_ENABLED_HCALLS.includes(h.opcode)) return "in kernel, enabled by default";
  if (KVM_HV_OPTIONAL_HCALLS.includes(h.opcode))
    return "in kernel, off until KVM_CAP_PPC_ENABLE_HCALL turns it on";
  return "not in KVM-HV: exits to the VMM (QEMU)";
}

function describeHcall(h: HcallInfo): string {
  const by = { "qemu+linux": "QEMU and Linux", linux: "Linux only", qemu: "QEMU only" }[
    h.definedBy
  ];
  const range = {
    papr: "standard PAPR",
    platform: "platform-specific (0xF000-0xFFFC)",
    ultravisor: "Ultravisor (0xEF00-0xEF80)",
  }[h.range];
  const lines = [
    `${h.name}  ${hex(h.opcode)}${h.aliases.length > 0 ? `  (alias ${h.aliases.join(", ")})` : ""}`,
    `  ${h.description}`,
    `  defined by: ${by}; range: ${range}; QEMU dispatch table: ${hcallTableOf(h.opcode)}`,
    `  KVM-HV: ${kvmLine(h)}`,
  ];
  const uses = hcallRegisterUses(h);
  const reg = (gpr: number): string => `r${gpr}`.padEnd(4);
  lines.push("  in:");
  for (const u of uses.inputs) lines.push(`    ${reg(u.gpr)}= ${u.name}`);
  if (h.args === undefined) lines.push("    (arguments not recorded: PowerVM-only call, see PAPR)");
  lines.push("  out:");
  for (const u of uses.outputs) lines.push(`    ${reg(u.gpr)}= ${u.name}`);
  if (h.results === undefined) lines.push("    (outputs not recorded)");
  return `${lines.join("\n")}\n`;
}

function listHcalls(): string {
  const rows = HCALLS.map((h) => {
    const args =
      h.args === undefined ? "(not recorded)" : h.args.length === 0 ? "-" : h.args.join(", ");
    return `${hex(h.opcode).padEnd(8)}${h.name.padEnd(34)}${args}`;
  });
  return `${"opcode".padEnd(8)}${"name".padEnd(34)}arguments (r4, r5, …)\n${rows.join("\n")}\n${HCALLS.length} hcalls\n`;
}

function findReturnCode(arg: string): ReturnCodeInfo {
  const n = parseInteger(arg);
  let info: ReturnCodeInfo | undefined;
  if (n === undefined) info = returnCodeByName(arg);
  else if (n <= 0xffff_ffff_ffff_ffffn) {
    // A 64-bit r3 value such as 0xfffffffffffffffc is read as the signed status it holds.
    const v = n > 0x7fffffffn ? BigInt(gprToStatus(BigInt.asUintN(64, n))) : n;
    if (v >= -0x80000000n && v <= 0x7fffffffn) info = returnCodeByValue(Number(v));
  }
  if (info === undefined) {
    throw new UsageError(
      `unknown return code '${arg}': give a value (-4, 0xfffffffffffffffc) or a name (H_PARAMETER); ` +
        "`hvsim abi rc` lists them all",
    );
  }
  return info;
}

function describeReturnCode(rc: ReturnCodeInfo): string {
  const kind =
    rc.value === 0
      ? "success"
      : isLongBusy(rc.value)
        ? "long busy (retry later)"
        : rc.value > 0
          ? "partial/busy"
          : "error";
  const r3 = BigInt.asUintN(64, BigInt(rc.value)).toString(16).padStart(16, "0");
  return (
    `${rc.name}  ${rc.value}  (r3 = 0x${r3})${rc.aliases.length > 0 ? `  alias ${rc.aliases.join(", ")}` : ""}\n` +
    `  ${rc.description}\n  kind: ${kind}; defined by: ${rc.inQemu ? "QEMU and Linux" : "Linux only"}\n`
  );
}

function listReturnCodes(): string {
  const rows = RETURN_CODES.map(
    (rc) => `${String(rc.value).padStart(6)}  ${rc.name.padEnd(36)}${rc.description}`,
  );
  return `${"value".padStart(6)}  ${"name".padEnd(36)}meaning\n${rows.join("\n")}\n`;
}

const CPUS: readonly CapsCpu[] = ["power7", "power7+", "power8", "power9", "power10", "power11"];

function resolveOrThrow(text: string, cpu: CapsCpu): ResolvedCaps {
  const r = parseMachineOptions(text);
  if (!r.ok) {
    throw new UsageError(
      `${r.error.message}\n` +
        (r.error.kind === "unknown-machine"
          ? `hvsim: machines: ${PSERIES_MACHINES.map((m) => m.name).join(" ")}`
          : "hvsim: `hvsim abi caps` shows every cap with its default"),
    );
  }
  return resolveCaps(r.value, cpu);
}

function capTable(r: ResolvedCaps): string {
  const head = `${r.machine.name} (cpu ${r.cpu}, ic-mode ${r.icMode})\n`;
  const cols = (a: string, b: string, c: string, d: string): string =>
    `${a.padEnd(24)}${b.padEnd(12)}${c.padEnd(12)}${d}`.trimEnd();
  const rows = r.caps.map((c) =>
    cols(
      `cap-${c.cap.name}`,
      formatCapValue(c.cap, c.value),
      formatCapValue(c.cap, c.default),
      c.source + (c.source === "explicit" && c.value !== c.default ? " (differs: migrated)" : ""),
    ),
  );
  return `${head}${cols("cap", "value", "default", "source")}\n${rows.join("\n")}\n`;
}

export const registerAbi: RegisterCommand = (program, { io, setExit }) => {
  const abi = program
    .command("abi")
    .description("the PAPR hcall ABI reference: hcalls, return codes, spapr caps");

  abi
    .command("hcall")
    .description(
      "show an hcall by opcode or name (its argument and result registers); no argument lists all",
    )
    .argument("[hcall]", "opcode (0xf804) or name (H_ENTER_NESTED)")
    .action((arg: string | undefined) => {
      io.out(arg === undefined ? listHcalls() : describeHcall(findHcall(arg)));
    });

  abi
    .command("rc")
    .description("show a return code by value or name; no argument lists all")
    .argument("[code]", "value (-4, 0xfffffffffffffffc) or name (H_PARAMETER)")
    .allowUnknownOption() // so that a negative value such as -4 is an argument, not an option
    .action((arg: string | undefined) => {
      io.out(arg === undefined ? listReturnCodes() : describeReturnCode(findReturnCode(arg)));
    });

  abi
    .command("caps")
    .description("resolve QEMU machine options into the spapr cap table (value, default, source)")
    .argument("[machine]", "QEMU -machine text, e.g. pseries-9.0,cap-nested-hv=on", "pseries")
    .option("--cpu <cpu>", `CPU model that masks the defaults (${CPUS.join(", ")})`, "power9")
    .option("--migrate-to <machine>", "check migrating to a destination with these machine options")
    .action((text: string, opts: { cpu: string; migrateTo?: string }) => {
      if (!CPUS.includes(opts.cpu as CapsCpu)) {
        throw new UsageError(`unknown --cpu '${opts.cpu}' (expected ${CPUS.join(", ")})`);
      }
      const cpu = opts.cpu as CapsCpu;
      const src = resolveOrThrow(text, cpu);
      io.out(capTable(src));
      io.out(`ibm,hypertas-functions: ${hypertasFunctions(src).join(" ")}\n`);
      if (opts.migrateTo !== undefined) {
        const dst = resolveOrThrow(opts.migrateTo, cpu);
        const rep = checkCapsMigration(src, dst);
        io.out(`migration to ${dst.machine.name}: ${rep.verdict}\n`);
        for (const i of rep.issues) io.out(`  ${i.level}: ${i.message}\n`);
        if (rep.verdict === "error") setExit(1);
      }
    });
};
