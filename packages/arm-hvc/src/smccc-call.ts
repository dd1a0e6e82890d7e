// One SMCCC call as a service sees it, and what the service answers. Register semantics (which
// registers carry arguments and results, what is truncated, what is preserved) are applied by
// the vCPU model (`arm-vcpu.ts`); services see plain values.
import type { SmcccFunctionFields } from "./smccc-id";
import { retToX } from "./smccc-return";

/** The instruction that made the call. */
export type Conduit = "hvc" | "smc";

export interface SmcccCall {
  /** W0 as the caller wrote it, SVE hint and all. */
  readonly functionId: number;
  readonly fields: SmcccFunctionFields;
  /**
   * X1..X17. For an SMC32/HVC32 function only W1..W7 are arguments: the vCPU model has already
   * cleared their upper halves and zeroed the rest.
   */
  readonly args: readonly bigint[];
  readonly conduit: Conduit;
  /** Index of the calling vCPU. */
  readonly vcpu: number;
}

/** A system event the VMM must act on (KVM_EXIT_SYSTEM_EVENT). */
export type SystemEvent =
  | { readonly type: "shutdown" }
  | { readonly type: "reset" }
  | { readonly type: "warm-reset" }
  | { readonly type: "vendor-reset"; readonly resetType: number; readonly cookie: bigint }
  | { readonly type: "suspend"; readonly entry: bigint; readonly contextId: bigint };

/** What a service does with a call: an architectural outcome, as a value. */
export type SmcccOutcome =
  /** Results for X0..X3 (up to X17 for SMCCC v1.2 SMC64 calls), as 64-bit register values. */
  | { readonly kind: "return"; readonly values: readonly bigint[] }
  /** PSCI CPU_OFF succeeded: the calling vCPU powers down and the call never returns. */
  | { readonly kind: "cpu-off" }
  /** The call leaves to the VMM (SYSTEM_OFF, SYSTEM_RESET, ...). */
  | { readonly kind: "system-event"; readonly event: SystemEvent };

/** A "return" outcome; numbers may be negative return codes (written as 64-bit two's complement). */
export function returns(...values: readonly (number | bigint)[]): SmcccOutcome {
  return { kind: "return", values: values.map(retToX) };
}
