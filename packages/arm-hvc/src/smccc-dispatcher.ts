// The SMCCC dispatcher: services register the function-number ranges they own, per owner and
// calling convention; a call is routed by its id. It plays the role of TF-A's runtime-service
// table and of KVM's `kvm_smccc_call_handler` switch, as a registration table (DESIGN §6.7).
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccConvention } from "./smccc-id";
import { canonicalFunctionId, decodeFunctionId, formatFunctionId } from "./smccc-id";
import { smcccOwner } from "./smccc-owners";
import { SMCCC_RET_NOT_SUPPORTED } from "./smccc-return";

/** A run of fast-call function numbers of one owner, for the listed conventions. */
export interface SmcccFunctionRange {
  readonly owner: number;
  readonly conventions: readonly SmcccConvention[];
  readonly first: number;
  readonly last: number;
}

export interface SmcccService {
  /** Human name used in clash messages and traces ("PSCI", "KVM vendor hypervisor service"). */
  readonly name: string;
  readonly ranges: readonly SmcccFunctionRange[];
  /**
   * Ids outside SMCCC's shape that this service answers exactly (KVM's pre-standard PSCI 0.1
   * ids 0x95c1ba5e..61 are fast SMC32 ids of OEN 21 with reserved bits set).
   */
  readonly legacyIds?: readonly number[];
  handle(call: SmcccCall): SmcccOutcome;
}

/**
 * The per-VM filter consulted before routing (KVM's firmware bitmaps, `kvm_hvc_call_allowed`).
 * A call it refuses answers NOT_SUPPORTED, exactly as if no service owned it.
 */
export interface HypercallGate {
  allows(functionId: number): boolean;
}

function describeRange(r: SmcccFunctionRange): string {
  const owner = smcccOwner("fast", r.owner).name;
  const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, "0")}`;
  const span = r.first === r.last ? hex(r.first) : `${hex(r.first)}-${hex(r.last)}`;
  return `OEN ${r.owner} (${owner}) ${r.conventions.join("/").toUpperCase()} ${span}`;
}

export class SmcccDispatcher {
  private readonly registered: SmcccService[] = [];

  /**
   * Adds a service. A range that overlaps one already registered (same owner, a shared
   * convention, intersecting numbers) or a shared legacy id is a wiring error: it throws,
   * naming both services.
   */
  register(service: SmcccService): void {
    for (const r of service.ranges) {
      if (r.first > r.last || r.first < 0 || r.last > 0xffff) {
        throw new RangeError(
          `service "${service.name}" declares an invalid function range ${r.first}..${r.last}: use 0 <= first <= last <= 0xFFFF`,
        );
      }
    }
    for (const other of this.registered) {
      if (other.name === service.name) {
        throw new Error(`a service named "${service.name}" is already registered`);
      }
      for (const a of service.ranges) {
        for (const b of other.ranges) {
          const shared = a.conventions.some((c) => b.conventions.includes(c));
          if (a.owner === b.owner && shared && a.first <= b.last && b.first <= a.last) {
            throw new Error(
              `SMCCC function range clash: "${service.name}" (${describeRange(a)}) overlaps "${other.name}" (${describeRange(b)})`,
            );
          }
        }
      }
      for (const id of service.legacyIds ?? []) {
        if ((other.legacyIds ?? []).includes(id)) {
          throw new Error(
            `SMCCC function id clash: "${service.name}" and "${other.name}" both claim ${formatFunctionId(id)}`,
          );
        }
      }
    }
    this.registered.push(service);
  }

  /** The registered services, in registration order. */
  services(): readonly SmcccService[] {
    return [...this.registered];
  }

  /** The service that owns `functionId`, if any (the SVE hint is ignored). */
  lookup(functionId: number): SmcccService | undefined {
    const raw = functionId >>> 0;
    for (const s of this.registered) if (s.legacyIds?.includes(raw)) return s;
    const id = canonicalFunctionId(raw);
    const f = decodeFunctionId(id);
    // Hypervisors and this firmware model implement fast calls only; a fast call with reserved
    // bits set is not a valid SMCCC id (TF-A answers SMC_UNK).
    if (f.type !== "fast" || f.reserved !== 0) return undefined;
    for (const s of this.registered) {
      for (const r of s.ranges) {
        if (
          r.owner === f.owner &&
          r.conventions.includes(f.convention) &&
          f.number >= r.first &&
          f.number <= r.last
        ) {
          return s;
        }
      }
    }
    return undefined;
  }

  /**
   * The id a call is gated and routed by: a legacy id exactly as written (KVM's PSCI 0.1 ids
   * happen to have bit 16 set), any other id with the SVE hint cleared.
   */
  routingId(functionId: number): number {
    const raw = functionId >>> 0;
    return this.registered.some((s) => s.legacyIds?.includes(raw)) ? raw : canonicalFunctionId(raw);
  }

  /** Routes a call: NOT_SUPPORTED when the gate refuses it or nobody owns it. */
  dispatch(call: SmcccCall, gate?: HypercallGate): SmcccOutcome {
    const id = this.routingId(call.functionId);
    if (gate !== undefined && !gate.allows(id)) return returns(SMCCC_RET_NOT_SUPPORTED);
    const service = this.lookup(id);
    if (service === undefined) return returns(SMCCC_RET_NOT_SUPPORTED);
    return service.handle(call);
  }
}
