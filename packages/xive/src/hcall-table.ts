// Hypercalls as a registration table keyed by hcall number. The same table serves both
// placements: kvm-hv-core registers it as in-kernel handlers (no exit), or apps/sim calls it
// when it handles the `papr-hcall` exit in the VMM.
import { H_FUNCTION } from "./papr-constants";

/** R4..R12 on entry, as unsigned 64-bit values. */
export type HcallArgs = readonly bigint[];

export interface HcallResult {
  /** R3: H_SUCCESS or an H_* error code. */
  readonly ret: number;
  /** R4.. on return (unsigned 64-bit; -1 is 0xFFFF_FFFF_FFFF_FFFF). */
  readonly outs: readonly bigint[];
}

export type HcallHandler = (vcpu: number, args: HcallArgs) => HcallResult;

export interface HcallEntry {
  readonly name: string;
  readonly handler: HcallHandler;
}

export type HcallTable = ReadonlyMap<number, HcallEntry>;

export const U64_MINUS_1 = 0xffff_ffff_ffff_ffffn;

export function ret(code: number, ...outs: bigint[]): HcallResult {
  return { ret: code, outs };
}

/** Argument i, or 0 when the caller passed fewer. */
export function arg(args: HcallArgs, i: number): bigint {
  return BigInt.asUintN(64, args[i] ?? 0n);
}

/** Call an hcall from a table; unregistered numbers return H_FUNCTION (as PAPR requires). */
export function callHcall(
  table: HcallTable,
  nr: number,
  vcpu: number,
  args: HcallArgs,
): HcallResult {
  const e = table.get(nr);
  return e ? e.handler(vcpu, args) : ret(H_FUNCTION);
}
