// Host side of the async-page-fault proposal (README "Async page fault"). When a vCPU touches
// guest memory the host has swapped out, the host can either stall the vCPU until the page is
// back (what every arm64 KVM does today) or, when the guest registered a record and can take
// the notification, start the swap-in, tell the guest "page not present" with a token, and let
// it run something else; when the page is back it writes the token to `ready_token` and raises
// the page-ready PPI.
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import type { GuestMemoryPort } from "./guest-memory";
import {
  APF_RECORD_OFFSETS,
  ARM_SMCCC_KVM_FUNC_APF_FEATURES,
  ARM_SMCCC_KVM_FUNC_APF_READY_ACK,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
  KVM_APF_FLAG_ENABLE,
  KVM_APF_REASON_NONE,
  KVM_APF_REASON_PAGE_NOT_PRESENT,
  KVM_APF_RECORD_ALIGN,
  KVM_APF_RECORD_SIZE,
  KVM_APF_SUPPORTED_FLAGS,
  KVM_APF_VERSION_1_0,
  encodeApfRecord,
} from "./apf-abi";
import { OEN_VENDOR_HYP } from "./smccc-owners";
import {
  SMCCC_RET_INVALID_PARAMETER,
  SMCCC_RET_NOT_SUPPORTED,
  SMCCC_RET_SUCCESS,
} from "./smccc-return";

export const APF_SERVICE_NAME = "Async page fault (hvsim proposal)";

/** What the host-side service needs from the machine (consumer-side ports). */
export interface ApfHostPorts {
  readonly memory: GuestMemoryPort;
  /** Simulated time in ticks. */
  now(): bigint;
  /** Makes PPI `intid` pending on `vcpu`. */
  raisePpi(vcpu: number, intid: number): void;
  /** The swap-in of `page` finished: the page is resident again. */
  pageIn(page: bigint): void;
}

export interface ApfConfig {
  readonly vcpus: number;
  readonly readyIntid: number;
  /** How long a swap-in takes, in ticks. */
  readonly swapInTicks: bigint;
}

/** What the host does about a guest access to a swapped-out page. */
export type MissingPageAction =
  /** The notification was delivered: the record says PAGE_NOT_PRESENT with this token. */
  | { readonly kind: "async"; readonly token: number }
  /** No async PF possible: the vCPU is stalled until the page is in. */
  | { readonly kind: "stall" };

interface VcpuApf {
  recordIpa: bigint | undefined;
  nextToken: number;
  awaitingAck: boolean;
  readyQueue: number[];
}

interface SwapIn {
  readonly vcpu: number;
  readonly token: number;
  readonly page: bigint;
  readonly doneAt: bigint;
}

export interface ApfState {
  readonly version: 1;
  readonly vcpus: readonly {
    readonly recordIpa: string | null;
    readonly nextToken: number;
    readonly awaitingAck: boolean;
    readonly readyQueue: readonly number[];
  }[];
  readonly swapIns: readonly {
    readonly vcpu: number;
    readonly token: number;
    readonly page: string;
    readonly doneAt: string;
  }[];
}

export class AsyncPageFaults {
  private readonly vcpus: VcpuApf[];
  private swapIns: SwapIn[] = [];

  constructor(
    private readonly cfg: ApfConfig,
    private readonly ports: ApfHostPorts,
  ) {
    this.vcpus = Array.from({ length: cfg.vcpus }, () => ({
      recordIpa: undefined,
      nextToken: 1,
      awaitingAck: false,
      readyQueue: [],
    }));
  }

  /** True when `vcpu` has registered a record and enabled the service. */
  enabled(vcpu: number): boolean {
    return this.v(vcpu).recordIpa !== undefined;
  }

  /** The functions APF_FEATURES, APF_REGISTER and APF_READY_ACK. */
  service(): SmcccService {
    return {
      name: APF_SERVICE_NAME,
      ranges: [
        {
          owner: OEN_VENDOR_HYP,
          conventions: ["smc32", "smc64"],
          first: ARM_SMCCC_KVM_FUNC_APF_FEATURES,
          last: ARM_SMCCC_KVM_FUNC_APF_READY_ACK,
        },
      ],
      handle: (call) => this.handle(call),
    };
  }

  /**
   * A guest access by `vcpu` hit `page`, which the host has swapped out. Deliver "page not
   * present" when the guest can take it: the service is enabled on this vCPU and the previous
   * notification has been consumed (`reason` back to NONE). Otherwise the vCPU must stall.
   */
  onMissingPage(vcpu: number, page: bigint): MissingPageAction {
    const s = this.v(vcpu);
    const ipa = s.recordIpa;
    if (ipa === undefined) return { kind: "stall" };
    const mem = this.ports.memory;
    const reason = new DataView(
      mem.read(ipa + BigInt(APF_RECORD_OFFSETS.reason), 4).buffer,
    ).getUint32(0, true);
    if (reason !== KVM_APF_REASON_NONE) return { kind: "stall" };
    if (this.swapIns.some((w) => w.page === page)) {
      // Already on its way in for another task: that task will be woken by its own token; this
      // access simply waits (KVM x86 does the same for a second fault on the same gfn).
      return { kind: "stall" };
    }
    const token = s.nextToken;
    s.nextToken = s.nextToken === 0xffffffff ? 1 : s.nextToken + 1;
    this.writeU32(ipa + BigInt(APF_RECORD_OFFSETS.notPresentToken), token);
    this.writeU32(ipa + BigInt(APF_RECORD_OFFSETS.reason), KVM_APF_REASON_PAGE_NOT_PRESENT);
    this.swapIns.push({ vcpu, token, page, doneAt: this.ports.now() + this.cfg.swapInTicks });
    return { kind: "async", token };
  }

  /** When the next swap-in finishes, if any. */
  nextEventAt(): bigint | undefined {
    let t: bigint | undefined;
    for (const w of this.swapIns) if (t === undefined || w.doneAt < t) t = w.doneAt;
    return t;
  }

  /** Completes every swap-in due by now and delivers what page-ready notifications it can. */
  poll(): void {
    const now = this.ports.now();
    const done = this.swapIns.filter((w) => w.doneAt <= now);
    this.swapIns = this.swapIns.filter((w) => w.doneAt > now);
    for (const w of done) {
      this.ports.pageIn(w.page);
      const s = this.v(w.vcpu);
      // A vCPU that disabled the service meanwhile gets no notification; its page is in.
      if (s.recordIpa !== undefined) s.readyQueue.push(w.token);
    }
    for (let i = 0; i < this.vcpus.length; i++) this.deliverReady(i);
  }

  save(): ApfState {
    return {
      version: 1,
      vcpus: this.vcpus.map((s) => ({
        recordIpa: s.recordIpa === undefined ? null : s.recordIpa.toString(),
        nextToken: s.nextToken,
        awaitingAck: s.awaitingAck,
        readyQueue: [...s.readyQueue],
      })),
      swapIns: this.swapIns.map((w) => ({
        vcpu: w.vcpu,
        token: w.token,
        page: w.page.toString(),
        doneAt: w.doneAt.toString(),
      })),
    };
  }

  /**
   * Restores on a destination host. Migration copies all of guest memory, so every page that
   * was being swapped in on the source is present here: its token becomes ready at once.
   */
  restoreFrom(state: ApfState): void {
    if (state.version !== 1) {
      throw new Error(
        `async-PF state version ${String(state.version)} is not supported (expected 1)`,
      );
    }
    state.vcpus.forEach((s, i) => {
      const d = this.v(i);
      d.recordIpa = s.recordIpa === null ? undefined : BigInt(s.recordIpa);
      d.nextToken = s.nextToken;
      d.awaitingAck = s.awaitingAck;
      d.readyQueue = [...s.readyQueue];
    });
    this.swapIns = [];
    for (const w of state.swapIns) {
      this.ports.pageIn(BigInt(w.page));
      const d = this.v(w.vcpu);
      if (d.recordIpa !== undefined) d.readyQueue.push(w.token);
    }
  }

  private deliverReady(vcpu: number): void {
    const s = this.v(vcpu);
    if (s.recordIpa === undefined || s.awaitingAck) return;
    const token = s.readyQueue.shift();
    if (token === undefined) return;
    this.writeU32(s.recordIpa + BigInt(APF_RECORD_OFFSETS.readyToken), token);
    s.awaitingAck = true;
    this.ports.raisePpi(vcpu, this.cfg.readyIntid);
  }

  private handle(call: SmcccCall): SmcccOutcome {
    const s = this.v(call.vcpu);
    switch (call.functionId >>> 0) {
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID:
        return returns(
          KVM_APF_VERSION_1_0,
          KVM_APF_RECORD_SIZE,
          this.cfg.readyIntid,
          KVM_APF_SUPPORTED_FLAGS,
        );
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID: {
        const ipa = call.args[0] ?? 0n;
        const flags = call.args[1] ?? 0n;
        if ((flags & ~BigInt(KVM_APF_SUPPORTED_FLAGS)) !== 0n) {
          return returns(SMCCC_RET_INVALID_PARAMETER);
        }
        if ((flags & BigInt(KVM_APF_FLAG_ENABLE)) === 0n) {
          // Disable: pages being swapped in still arrive, but no notification follows.
          s.recordIpa = undefined;
          s.awaitingAck = false;
          s.readyQueue = [];
          return returns(SMCCC_RET_SUCCESS);
        }
        if (s.recordIpa !== undefined) return returns(SMCCC_RET_INVALID_PARAMETER);
        if (ipa % BigInt(KVM_APF_RECORD_ALIGN) !== 0n) return returns(SMCCC_RET_INVALID_PARAMETER);
        if (!this.ports.memory.contains(ipa, KVM_APF_RECORD_SIZE)) {
          return returns(SMCCC_RET_INVALID_PARAMETER);
        }
        this.ports.memory.write(
          ipa,
          encodeApfRecord({
            version: KVM_APF_VERSION_1_0,
            flags: KVM_APF_FLAG_ENABLE,
            reason: KVM_APF_REASON_NONE,
            notPresentToken: 0,
            readyToken: 0,
          }),
        );
        s.recordIpa = ipa;
        return returns(SMCCC_RET_SUCCESS);
      }
      case ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID: {
        const ipa = s.recordIpa;
        if (ipa === undefined || !s.awaitingAck) return returns(SMCCC_RET_INVALID_PARAMETER);
        const ready = new DataView(
          this.ports.memory.read(ipa + BigInt(APF_RECORD_OFFSETS.readyToken), 4).buffer,
        ).getUint32(0, true);
        // The guest must clear ready_token before acknowledging, or the next token would
        // overwrite one it has not read.
        if (ready !== 0) return returns(SMCCC_RET_INVALID_PARAMETER);
        s.awaitingAck = false;
        this.deliverReady(call.vcpu);
        return returns(SMCCC_RET_SUCCESS);
      }
      default:
        return returns(SMCCC_RET_NOT_SUPPORTED);
    }
  }

  private writeU32(gpa: bigint, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.ports.memory.write(gpa, b);
  }

  private v(vcpu: number): VcpuApf {
    const s = this.vcpus[vcpu];
    if (s === undefined) throw new Error(`no vCPU ${vcpu} (the VM has ${this.vcpus.length})`);
    return s;
  }
}
