// The TRNG firmware interface (Arm DEN0098), a Standard Secure Service function set (OEN 4,
// numbers 0x50..0x53) that KVM offers its guests (arch/arm64/kvm/trng.c). hvsim's entropy is a
// seeded generator, part of the machine state: the same seed gives the same bits (DESIGN §5).
import type { SmcccCall, SmcccOutcome } from "./smccc-call";
import { returns } from "./smccc-call";
import type { SmcccService } from "./smccc-dispatcher";
import { OEN_STANDARD } from "./smccc-owners";
import { uuidToRegisters } from "./smccc-uid";

export const ARM_SMCCC_TRNG_VERSION = 0x84000050;
export const ARM_SMCCC_TRNG_FEATURES = 0x84000051;
export const ARM_SMCCC_TRNG_GET_UUID = 0x84000052;
export const ARM_SMCCC_TRNG_RND32 = 0x84000053;
export const ARM_SMCCC_TRNG_RND64 = 0xc4000053;
export const ARM_SMCCC_TRNG_VERSION_1_0 = 0x10000;
/** TRNG return codes: deliberately a space of their own, not SMCCC's. */
export const TRNG_SUCCESS = 0;
export const TRNG_NOT_SUPPORTED = -1;
export const TRNG_INVALID_PARAMETER = -2;
export const TRNG_NO_ENTROPY = -3;
/** KVM's TRNG service UUID (`arm_smc_trng_uuid`). */
export const KVM_TRNG_UUID = "0d21e000-4384-11eb-8070-5244554e5a4c";
export const TRNG_SERVICE_NAME = "TRNG (true random number generator)";

const M64 = (1n << 64n) - 1n;

/** SplitMix64: a small, well-distributed, seedable generator (not a real entropy source). */
export class SeededEntropy {
  constructor(private state: bigint) {
    this.state = BigInt.asUintN(64, state);
  }

  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }

  save(): string {
    return this.state.toString();
  }

  static restore(state: string): SeededEntropy {
    return new SeededEntropy(BigInt(state));
  }
}

export function createTrngService(entropy: () => SeededEntropy): SmcccService {
  const uid = uuidToRegisters(KVM_TRNG_UUID);
  const rnd = (call: SmcccCall, size: 32 | 64): SmcccOutcome => {
    const n = Number(BigInt.asUintN(32, call.args[0] ?? 0n));
    if (n > 3 * size) return returns(TRNG_INVALID_PARAMETER, 0, 0, 0);
    // bits[0] holds bits 63:0, bits[1] 127:64, bits[2] 191:128; bits at and above N are zero.
    const gen = entropy();
    const bits = [0n, 0n, 0n];
    for (let i = 0; i < Math.ceil(n / 64); i++) bits[i] = gen.next64();
    for (let i = 0; i < 3; i++) {
      const lo = i * 64;
      if (n <= lo) bits[i] = 0n;
      else if (n < lo + 64) bits[i] = (bits[i] ?? 0n) & ((1n << BigInt(n - lo)) - 1n);
    }
    const [b0, b1, b2] = bits as [bigint, bigint, bigint];
    return size === 32
      ? returns(TRNG_SUCCESS, BigInt.asUintN(32, b1), b0 >> 32n, BigInt.asUintN(32, b0))
      : returns(TRNG_SUCCESS, b2, b1, b0);
  };
  return {
    name: TRNG_SERVICE_NAME,
    ranges: [
      { owner: OEN_STANDARD, conventions: ["smc32"], first: 0x50, last: 0x53 },
      { owner: OEN_STANDARD, conventions: ["smc64"], first: 0x53, last: 0x53 },
    ],
    handle(call: SmcccCall): SmcccOutcome {
      switch (call.functionId >>> 0) {
        case ARM_SMCCC_TRNG_VERSION:
          return returns(ARM_SMCCC_TRNG_VERSION_1_0);
        case ARM_SMCCC_TRNG_FEATURES: {
          const fid = Number(BigInt.asUintN(32, call.args[0] ?? 0n));
          const known = [
            ARM_SMCCC_TRNG_VERSION,
            ARM_SMCCC_TRNG_FEATURES,
            ARM_SMCCC_TRNG_GET_UUID,
            ARM_SMCCC_TRNG_RND32,
            ARM_SMCCC_TRNG_RND64,
          ].includes(fid);
          return returns(known ? TRNG_SUCCESS : TRNG_NOT_SUPPORTED);
        }
        case ARM_SMCCC_TRNG_GET_UUID:
          return returns(...uid);
        case ARM_SMCCC_TRNG_RND32:
          return rnd(call, 32);
        case ARM_SMCCC_TRNG_RND64:
          return rnd(call, 64);
        default:
          return returns(TRNG_NOT_SUPPORTED);
      }
    },
  };
}
