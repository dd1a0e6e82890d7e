// The PAPR hcall register convention (Linux hvcall.h / hvCall.S, QEMU spapr_hypercall):
//
//   sc 1 (HVSC, .long 0x44000022) with
//     r3      = opcode
//     r4…r12  = up to 9 arguments
//   on return
//     r3      = status (an H_* code, sign-extended to 64 bits)
//     r4…r12  = outputs (plpar_hcall reads 4 of them, plpar_hcall9 all 9)
//
// KVM's exit to userspace carries the same window: papr_hcall.nr = r3, args[i] = r(4+i) for
// i < 9. QEMU hands handlers `&env->gpr[4]` and they write outputs into args[0..], i.e. r4….

import { hcallByOpcode, type HcallInfo } from "./hcall-numbers";

/** The `sc 1` instruction word (HVSC). */
export const HVSC_INSTRUCTION = 0x44000022;
export const HCALL_OPCODE_GPR = 3;
export const HCALL_STATUS_GPR = 3;
export const HCALL_FIRST_ARG_GPR = 4;
export const HCALL_MAX_ARGS = 9;
export const HCALL_FIRST_RESULT_GPR = 4;
export const HCALL_MAX_RESULTS = 9;

/** What the helpers need from a register file: a consumer-side port (DESIGN §6.2). */
export interface HcallGprs {
  readGpr(n: number): bigint;
  writeGpr(n: number, value: bigint): void;
}

/** A decoded hcall: its opcode and the nine argument registers r4..r12. */
export interface HcallRequest {
  readonly opcode: number;
  readonly args: readonly bigint[];
}

/** The GPR that holds argument `index` (0 → r4 … 8 → r12). */
export function hcallArgGpr(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= HCALL_MAX_ARGS) {
    throw new RangeError(`hcall argument index ${index} outside 0..${HCALL_MAX_ARGS - 1}`);
  }
  return HCALL_FIRST_ARG_GPR + index;
}

/** The GPR that holds output `index` (0 → r4 … 8 → r12). */
export function hcallResultGpr(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= HCALL_MAX_RESULTS) {
    throw new RangeError(`hcall result index ${index} outside 0..${HCALL_MAX_RESULTS - 1}`);
  }
  return HCALL_FIRST_RESULT_GPR + index;
}

/**
 * Read an hcall from the registers: r3 is the opcode (only its low 32 bits are meaningful;
 * a value above 0xFFFFFFFF is no hcall at all and comes back as -1), r4..r12 the arguments.
 */
export function readHcall(gprs: HcallGprs): HcallRequest {
  const r3 = gprs.readGpr(HCALL_OPCODE_GPR);
  const opcode = r3 > 0xffffffffn ? -1 : Number(r3);
  const args: bigint[] = [];
  for (let i = 0; i < HCALL_MAX_ARGS; i++) args.push(gprs.readGpr(HCALL_FIRST_ARG_GPR + i));
  return { opcode, args };
}

/** r3 as a 64-bit register value for an H_* status (negative codes sign-extend). */
export function statusToGpr(status: number): bigint {
  return BigInt.asUintN(64, BigInt(status));
}

/** The H_* status a 64-bit r3 holds (the signed interpretation). */
export function gprToStatus(r3: bigint): number {
  return Number(BigInt.asIntN(64, r3));
}

/** High and low 32-bit halves of a status in r3, for register files kept as Uint32 pairs. */
export function statusHalves(status: number): { hi: number; lo: number } {
  return { hi: status < 0 ? 0xffffffff : 0, lo: status >>> 0 };
}

/**
 * Complete an hcall: r3 = status, r4.. = outputs. Registers beyond the outputs are left as
 * they are, as QEMU and KVM leave them.
 */
export function writeHcallResult(
  gprs: HcallGprs,
  status: number,
  outputs: readonly bigint[] = [],
): void {
  if (outputs.length > HCALL_MAX_RESULTS) {
    throw new RangeError(
      `an hcall returns at most ${HCALL_MAX_RESULTS} outputs, got ${outputs.length}`,
    );
  }
  gprs.writeGpr(HCALL_STATUS_GPR, statusToGpr(status));
  outputs.forEach((v, i) => gprs.writeGpr(HCALL_FIRST_RESULT_GPR + i, BigInt.asUintN(64, v)));
}

/** One register of an hcall's calling sequence, for listings. */
export interface HcallRegisterUse {
  readonly gpr: number;
  readonly role: "opcode" | "argument" | "status" | "result";
  readonly name: string;
}

/** The registers an hcall reads and writes, by name (r3 opcode, r4.. arguments, r3 status, r4.. results). */
export function hcallRegisterUses(info: HcallInfo): {
  inputs: HcallRegisterUse[];
  outputs: HcallRegisterUse[];
} {
  const inputs: HcallRegisterUse[] = [
    { gpr: HCALL_OPCODE_GPR, role: "opcode", name: `${info.name} (0x${info.opcode.toString(16)})` },
  ];
  (info.args ?? []).forEach((name, i) =>
    inputs.push({ gpr: hcallArgGpr(i), role: "argument", name }),
  );
  const outputs: HcallRegisterUse[] = [
    { gpr: HCALL_STATUS_GPR, role: "status", name: info.r3 ?? "status (H_*)" },
  ];
  (info.results ?? []).forEach((name, i) =>
    outputs.push({ gpr: hcallResultGpr(i), role: "result", name }),
  );
  return { inputs, outputs };
}

/** Name each argument of a decoded request, when the hcall's arguments are recorded. */
export function namedHcallArgs(req: HcallRequest): { name: string; value: bigint }[] | undefined {
  const info = hcallByOpcode(req.opcode);
  if (info?.args === undefined) return undefined;
  return info.args.map((name, i) => ({ name, value: req.args[i] ?? 0n }));
}
