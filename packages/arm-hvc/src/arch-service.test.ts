import { describe, expect, test } from "vitest";
import {
  SMCCC_ARCH_FEATURES_FUNC_ID,
  SMCCC_ARCH_SOC_ID_FUNC_ID,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION_FUNC_ID,
  archFeatures,
  createArchService,
  versionString,
  versionWord,
} from "./arch-service";
import type { ArchServiceConfig, SpectreState } from "./arch-service";
import { decodeFunctionId } from "./smccc-id";

const kvm = (s: SpectreState, extra: Partial<ArchServiceConfig> = {}): ArchServiceConfig => ({
  smcccVersion: { major: 1, minor: 1 },
  spectreV2: s,
  spectreV4: s,
  spectreBhb: s,
  answersSelfQueries: false,
  ...extra,
});

function run(cfg: ArchServiceConfig, fid: number, arg = 0n): number {
  const o = createArchService(cfg).handle({
    functionId: fid,
    fields: decodeFunctionId(fid),
    args: [arg],
    conduit: "hvc",
    vcpu: 0,
  });
  if (o.kind !== "return") throw new Error("expected a return");
  return Number(BigInt.asIntN(64, o.values[0] ?? 0n));
}

describe("Arm architecture service", () => {
  test("ids", () => {
    expect([
      SMCCC_VERSION_FUNC_ID,
      SMCCC_ARCH_FEATURES_FUNC_ID,
      SMCCC_ARCH_SOC_ID_FUNC_ID,
      SMCCC_ARCH_WORKAROUND_1,
      SMCCC_ARCH_WORKAROUND_2,
      SMCCC_ARCH_WORKAROUND_3,
    ]).toEqual([0x80000000, 0x80000001, 0x80000002, 0x80008000, 0x80007fff, 0x80003fff]);
  });

  test("SMCCC_VERSION encodes major<<16 | minor", () => {
    expect(run(kvm("mitigated"), SMCCC_VERSION_FUNC_ID)).toBe(0x10001);
    expect(
      run(kvm("mitigated", { smcccVersion: { major: 1, minor: 2 } }), SMCCC_VERSION_FUNC_ID),
    ).toBe(0x10002);
    expect(versionWord(1, 3)).toBe(0x10003);
    expect(versionString(0x10003)).toBe("1.3");
  });

  test.each([
    ["vulnerable", -1, -1, -1],
    ["mitigated", 0, -2, 0],
    ["unaffected", 1, -2, 1],
  ] as const)(
    "ARCH_FEATURES of the workarounds on a %s host (KVM's answers)",
    (state, wa1, wa2, wa3) => {
      const cfg = kvm(state);
      expect(run(cfg, SMCCC_ARCH_FEATURES_FUNC_ID, BigInt(SMCCC_ARCH_WORKAROUND_1))).toBe(wa1);
      expect(run(cfg, SMCCC_ARCH_FEATURES_FUNC_ID, BigInt(SMCCC_ARCH_WORKAROUND_2))).toBe(wa2);
      expect(run(cfg, SMCCC_ARCH_FEATURES_FUNC_ID, BigInt(SMCCC_ARCH_WORKAROUND_3))).toBe(wa3);
      // The workaround calls themselves succeed only when the firmware implements them.
      expect(run(cfg, SMCCC_ARCH_WORKAROUND_1)).toBe(state === "mitigated" ? 0 : -1);
      expect(run(cfg, SMCCC_ARCH_WORKAROUND_2)).toBe(-1);
      expect(run(cfg, SMCCC_ARCH_WORKAROUND_3)).toBe(state === "mitigated" ? 0 : -1);
    },
  );

  test("self queries: KVM says NOT_SUPPORTED, TF-A says SUCCESS", () => {
    expect(archFeatures(kvm("mitigated"), SMCCC_VERSION_FUNC_ID)).toBe(-1);
    expect(archFeatures(kvm("mitigated"), SMCCC_ARCH_FEATURES_FUNC_ID)).toBe(-1);
    const tfa = kvm("mitigated", { answersSelfQueries: true });
    expect(archFeatures(tfa, SMCCC_VERSION_FUNC_ID)).toBe(0);
    expect(archFeatures(tfa, SMCCC_ARCH_FEATURES_FUNC_ID)).toBe(0);
  });

  test("ARCH_FEATURES of another service's id goes to otherFeature", () => {
    const cfg = kvm("mitigated", { otherFeature: (fid) => (fid === 0xc5000020 ? 0 : undefined) });
    expect(run(cfg, SMCCC_ARCH_FEATURES_FUNC_ID, 0xc5000020n)).toBe(0);
    expect(run(cfg, SMCCC_ARCH_FEATURES_FUNC_ID, 0xc5000021n)).toBe(-1);
    expect(run(kvm("mitigated"), SMCCC_ARCH_FEATURES_FUNC_ID, 0xc5000020n)).toBe(-1);
  });

  test("SOC_ID and anything else in OEN 0 is not supported", () => {
    expect(run(kvm("mitigated"), SMCCC_ARCH_SOC_ID_FUNC_ID)).toBe(-1);
    expect(run(kvm("mitigated"), 0x80001234)).toBe(-1);
  });
});
