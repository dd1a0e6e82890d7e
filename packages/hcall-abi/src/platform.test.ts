import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_CEDE,
  H_CLEAR_MOD,
  H_ENTER_NESTED,
  H_GET_TERM_CHAR,
  H_RPT_INVALIDATE,
  H_RTAS,
  H_SET_MODE,
  H_XIRR_X,
  KVM_CAPS,
  KVM_CAP_PPC_ENABLE_HCALL,
  KVM_CAP_PPC_IRQ_XIVE,
  KVM_CAP_PPC_NESTED_HV,
  KVM_CAP_PPC_RPT_INVALIDATE,
  KVM_HV_DEFAULT_ENABLED_HCALLS,
  KVM_HV_OPTIONAL_HCALLS,
  OV5_MMU_RADIX_300,
  OV5_MMU_RADIX_GTSE,
  OV5_XIVE_BOTH,
  OV5_XIVE_EXPLOIT,
  QEMU_ENABLED_AT_INIT_HCALLS,
  QEMU_HYPERTAS_FUNCTIONS,
  RTAS_START_CPU,
  RTAS_TOKENS,
  RTAS_TOKEN_MAX,
  SPAPR_CAPS,
  checkEnableHcall,
  defaultSpaprCaps,
  PSERIES_MACHINES,
  encodeOptionVector,
  guestOv5,
  hypertasFunctions,
  isGatedByHcallBitmap,
  kvmCapById,
  kvmCapByName,
  negotiateCas,
  ov5PlatformSupport,
  ovBitLocation,
  ovecBits,
  ovecFromBits,
  ovecTest,
  parseMachineOptions,
  resolveCaps,
  rtasTokenByName,
  rtasTokenByValue,
  type ResolvedCaps,
} from "./index";

const resolved = (text: string): ResolvedCaps => {
  const r = parseMachineOptions(text);
  if (!r.ok) throw new Error(r.error.message);
  return resolveCaps(r.value);
};

describe("KVM capabilities", () => {
  it("has kvm.h's ids", () => {
    expect([
      KVM_CAP_PPC_ENABLE_HCALL,
      KVM_CAP_PPC_NESTED_HV,
      KVM_CAP_PPC_IRQ_XIVE,
      KVM_CAP_PPC_RPT_INVALIDATE,
    ]).toEqual([104, 160, 169, 202]);
    expect(kvmCapByName("PPC_NESTED_HV")?.use).toBe("vm-enable");
    expect(kvmCapByName("kvm_cap_ppc_rpt_invalidate")?.use).toBe("check");
    expect(kvmCapById(169)?.name).toBe("KVM_CAP_PPC_IRQ_XIVE");
    expect(kvmCapById(1)).toBeUndefined();
    expect(new Set(KVM_CAPS.map((c) => c.id)).size).toBe(KVM_CAPS.length);
  });

  it("default-enables exactly the pre-bitmap hcalls, not H_RPT_INVALIDATE", () => {
    expect(KVM_HV_DEFAULT_ENABLED_HCALLS).toHaveLength(19);
    expect(KVM_HV_DEFAULT_ENABLED_HCALLS).toContain(H_CEDE);
    expect(KVM_HV_DEFAULT_ENABLED_HCALLS).toContain(H_XIRR_X);
    expect(KVM_HV_DEFAULT_ENABLED_HCALLS).not.toContain(H_RPT_INVALIDATE);
    expect(KVM_HV_DEFAULT_ENABLED_HCALLS).not.toContain(H_SET_MODE);
    expect(KVM_HV_OPTIONAL_HCALLS).toContain(H_RPT_INVALIDATE);
    expect(QEMU_ENABLED_AT_INIT_HCALLS).toContain(H_CLEAR_MOD);
    expect(QEMU_ENABLED_AT_INIT_HCALLS).not.toContain(H_RPT_INVALIDATE);
  });

  it("checks KVM_CAP_PPC_ENABLE_HCALL arguments as KVM does", () => {
    expect(checkEnableHcall(H_RPT_INVALIDATE, 1)).toEqual({ ok: true });
    expect(checkEnableHcall(H_CEDE, 0)).toEqual({ ok: true });
    expect(checkEnableHcall(H_RTAS, 1)).toMatchObject({ ok: false, errno: "EINVAL" });
    expect(checkEnableHcall(H_ENTER_NESTED, 1)).toMatchObject({
      ok: false,
      reason: /MAX_HCALL_OPCODE/,
    });
    expect(checkEnableHcall(0x449, 1)).toMatchObject({ ok: false, reason: /multiple of 4/ });
    expect(checkEnableHcall(H_CEDE, 2)).toMatchObject({ ok: false, reason: /0 or 1/ });
    expect(checkEnableHcall(H_GET_TERM_CHAR, 1)).toMatchObject({
      ok: false,
      reason: /does not implement/,
    });
    expect(isGatedByHcallBitmap(H_RPT_INVALIDATE)).toBe(true);
    expect(isGatedByHcallBitmap(H_ENTER_NESTED)).toBe(false);
  });
});

describe("hypertas strings", () => {
  it("lists hcall-rpt-invalidate iff cap-rpt-invalidate is on", () => {
    const off = hypertasFunctions(resolved("pseries-9.0"));
    const on = hypertasFunctions(resolved("pseries-9.0,cap-rpt-invalidate=on"));
    expect(off).not.toContain("hcall-rpt-invalidate");
    expect(on.filter((s) => !off.includes(s))).toEqual(["hcall-rpt-invalidate"]);
    expect(on.indexOf("hcall-rpt-invalidate")).toBe(on.indexOf("hcall-vphn") + 1);
    expect(
      hypertasFunctions(resolved("pseries"), { multiTce: false, hptResize: false }).slice(-2),
    ).toEqual(["hcall-vphn", "hcall-watchdog"]);
    expect(QEMU_HYPERTAS_FUNCTIONS).toEqual(["hcall-memop1"]);
  });
});

describe("RTAS tokens", () => {
  it("numbers tokens from 0x2000 in QEMU's order", () => {
    expect(rtasTokenByName("display-character")?.token).toBe(0x2000);
    expect(rtasTokenByName("power-off")?.token).toBe(0x2003);
    expect(rtasTokenByName("start-cpu")?.token).toBe(RTAS_START_CPU);
    expect(rtasTokenByName("ibm,nmi-interlock")?.token).toBe(0x202c);
    expect(RTAS_TOKEN_MAX).toBe(0x202d);
    expect(rtasTokenByValue(0x200a)?.name).toBe("ibm,set-xive");
    expect(rtasTokenByValue(0x202d)).toBeUndefined();
    expect(rtasTokenByName("nope")).toBeUndefined();
  });
});

describe("CAS option vector 5", () => {
  it("locates QEMU's OV_BIT numbers at Linux's byte/mask", () => {
    expect(ovBitLocation(OV5_MMU_RADIX_300)).toEqual({ byte: 24, mask: 0x40 }); // Linux OV5_MMU_RADIX 0x1840
    expect(ovBitLocation(OV5_MMU_RADIX_GTSE)).toEqual({ byte: 26, mask: 0x40 }); // OV5_RADIX_GTSE 0x1A40
    expect(ovBitLocation(OV5_XIVE_EXPLOIT)).toEqual({ byte: 23, mask: 0x40 }); // OV5_XIVE_EXPLOIT 0x1740
    expect(ovBitLocation(OV5_XIVE_BOTH)).toEqual({ byte: 23, mask: 0x80 });
  });

  it("encodes a Linux guest's request and reads it back bit by bit", () => {
    const v = guestOv5({ mmu: "radix", radixGtse: true, xive: "exploit" });
    expect(v.length).toBe(26);
    expect([v[22], v[23], v[25]]).toEqual([0x40, 0x40, 0x40]);
    expect(ovecBits(v)).toEqual([OV5_XIVE_EXPLOIT, OV5_MMU_RADIX_300, OV5_MMU_RADIX_GTSE]);
    expect(guestOv5({ mmu: "dynamic", radixGtse: false, xive: "either" })[23]).toBe(0xc0);
    expect(encodeOptionVector(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 1, 2));
    expect(() => encodeOptionVector(new Uint8Array(0))).toThrow(RangeError);
  });

  it("bit sets round-trip through bytes (fast-check)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 })), (bits) => {
        const data = ovecFromBits(bits);
        expect(ovecBits(data)).toEqual([...bits].sort((a, b) => a - b));
        for (const b of bits) expect(ovecTest(data, b)).toBe(true);
      }),
    );
  });

  it("advertises the platform like QEMU (TCG, dual mode: 17 80 18 c0 19 00 1a 40)", () => {
    expect([...ov5PlatformSupport("dual", true, "tcg")]).toEqual([
      0x17, 0x80, 0x18, 0xc0, 0x19, 0x00, 0x1a, 0x40,
    ]);
    expect(ov5PlatformSupport("xive", true, "kvm-radix")[1]).toBe(0x40);
    expect(ov5PlatformSupport("xics", true, "kvm-radix-and-hash")[3]).toBe(0x80);
    expect(ov5PlatformSupport("xics", true, "kvm-hash")[3]).toBe(0x00);
    expect([...ov5PlatformSupport("dual", false, "tcg").subarray(0, 4)]).toEqual([
      0x17, 0x00, 0x18, 0x00,
    ]);
  });

  it("negotiates MMU, GTSE and the interrupt controller as QEMU's CAS does", () => {
    const radixXive = guestOv5({ mmu: "radix", radixGtse: true, xive: "exploit" });
    expect(negotiateCas(radixXive, "dual")).toEqual({
      ok: true,
      mmu: "radix",
      gtse: true,
      intc: "xive",
      ov5Cas: [OV5_XIVE_EXPLOIT, OV5_MMU_RADIX_300, OV5_MMU_RADIX_GTSE],
    });
    expect(
      negotiateCas(guestOv5({ mmu: "radix", radixGtse: false, xive: "legacy" }), "dual"),
    ).toMatchObject({
      gtse: false,
      intc: "xics",
    });
    expect(negotiateCas(radixXive, "xics")).toMatchObject({
      ok: false,
      message: /unavailable interrupt mode \(XIVE\)/,
    });
    expect(
      negotiateCas(guestOv5({ mmu: "hash", radixGtse: false, xive: "legacy" }), "xive"),
    ).toMatchObject({
      ok: false,
      message: /\(XICS\)/,
    });
    expect(
      negotiateCas(guestOv5({ mmu: "hash", radixGtse: false, xive: "either" }), "dual"),
    ).toMatchObject({
      ok: false,
      message: "guest requested an invalid interrupt mode",
    });
    expect(negotiateCas(radixXive, "dual", { radix: false, hash: true })).toMatchObject({
      ok: false,
      message: /radix/,
    });
    expect(
      negotiateCas(guestOv5({ mmu: "hash", radixGtse: false, xive: "legacy" }), "dual", {
        radix: true,
        hash: false,
      }),
    ).toMatchObject({
      ok: false,
      message: /hash/,
    });
    expect(
      negotiateCas(guestOv5({ mmu: "hash", radixGtse: true, xive: "legacy" }), "xics"),
    ).toMatchObject({
      ok: true,
      mmu: "hash",
      gtse: false,
    });
  });
});

describeWithPeers(["qemu-system-ppc64", "dtc"], "agreement with QEMU's pseries", () => {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-abi-qemu-"));
  const dts = (machine: string): string => {
    const dtb = join(dir, "m.dtb");
    const q = runPeer("qemu-system-ppc64", [
      "-M",
      `${machine},dumpdtb=${dtb}`,
      "-nographic",
      "-nodefaults",
    ]);
    expect(q.stderr).toContain("dtb dumped");
    const d = runPeer("dtc", ["-q", "-I", "dtb", "-O", "dts", dtb]);
    expect(d.status).toBe(0);
    return d.stdout;
  };

  it("writes the same RTAS tokens, hypertas strings and OV5 platform support", () => {
    const text = dts("pseries,cap-rpt-invalidate=off");
    const tokens = [
      ...text.matchAll(/^\s*((?:ibm,)?[a-z0-9-]+(?:2)?) = <(0x20[0-9a-f]{2})>;/gm),
    ].map((m) => ({
      name: m[1]!,
      token: Number(m[2]),
    }));
    expect(tokens.sort((a, b) => a.token - b.token)).toEqual(RTAS_TOKENS.map((t) => ({ ...t })));
    const ht = /ibm,hypertas-functions = "([^;]*)";/.exec(text)![1]!.split("\\0");
    expect(ht).toEqual(hypertasFunctions(resolved("pseries,cap-rpt-invalidate=off")));
    expect(/qemu,hypertas-functions = "([^"]*)"/.exec(text)![1]).toBe(QEMU_HYPERTAS_FUNCTIONS[0]);
    const ps = /ibm,arch-vec-5-platform-support = <(0x[0-9a-f]+) (0x[0-9a-f]+)>/.exec(text)!;
    const bytes = [ps[1]!, ps[2]!].flatMap((w) => {
      const n = Number(w);
      return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    });
    expect(bytes).toEqual([...ov5PlatformSupport("dual", true, "tcg")]);
  });

  it("knows every cap this QEMU offers, with the same value lists", () => {
    const help = runPeer("qemu-system-ppc64", ["-M", "pseries,help"]).stdout;
    const caps = [...help.matchAll(/cap-([a-z0-9-]+)=<(\w+)>\s+- (.*)$/gm)];
    expect(caps.length).toBeGreaterThan(10);
    for (const [, name, type, desc] of caps) {
      const ours = SPAPR_CAPS.find((c) => c.name === name);
      expect(ours, `cap-${name}`).toBeDefined();
      expect({ bool: "bool", string: "string", pagesize: "int" }[ours!.type]).toBe(type);
      if (ours!.values) for (const v of ours!.values) expect(desc!.replace(/\s/g, "")).toContain(v);
    }
  });

  it("has the same per-machine-version defaults (POWER9 CPU) for every cap this QEMU offers", () => {
    const help = runPeer("qemu-system-ppc64", ["-M", "pseries,help"]).stdout;
    const offered = [...help.matchAll(/cap-([a-z0-9-]+)=</g)].map((m) => m[1]!);
    const versions = runPeer("qemu-system-ppc64", ["-M", "help"]).stdout;
    let compared = 0;
    // Every version where a default changes, its neighbours, and this QEMU's latest.
    const probe = [
      "pseries-3.0",
      "pseries-3.1",
      "pseries-4.0",
      "pseries-4.1",
      "pseries-4.2",
      "pseries-5.0",
      "pseries-7.2",
    ];
    for (const m of PSERIES_MACHINES.filter((x) => probe.includes(x.name))) {
      if (!new RegExp(`^${m.name.replace(".", "\\.")} `, "m").test(versions)) continue;
      const cmds = [
        { execute: "qmp_capabilities" },
        ...offered.map((c) => ({
          execute: "qom-get",
          arguments: { path: "/machine", property: `cap-${c}` },
        })),
        { execute: "quit" },
      ];
      const q = runPeer(
        "qemu-system-ppc64",
        ["-M", m.name, "-cpu", "POWER9", "-S", "-display", "none", "-nodefaults", "-qmp", "stdio"],
        { input: cmds.map((c) => JSON.stringify(c)).join("\n") + "\n" },
      );
      const returns = q.stdout
        .split("\n")
        .filter((l) => l.startsWith('{"return"'))
        .map((l) => (JSON.parse(l) as { return: unknown }).return)
        .slice(1, 1 + offered.length);
      const defaults = defaultSpaprCaps(m, "power9");
      offered.forEach((name, i) => {
        const cap = SPAPR_CAPS.find((c) => c.name === name)!;
        const v = defaults[cap.index]!;
        const ours =
          cap.type === "bool" ? v === 1 : cap.type === "string" ? cap.values![v] : 2 ** v;
        expect(returns[i], `${m.name} cap-${name}`).toEqual(ours);
      });
      compared++;
    }
    // Newer QEMUs drop the oldest machines; whatever this QEMU still has must agree.
    expect(compared).toBeGreaterThanOrEqual(3);
  });

  it("accepts and rejects the same machine options", () => {
    const cases = [
      "pseries-7.2,cap-nested-hv=on",
      "pseries-7.2,cap-cfpc=fixed,cap-ibs=fixed-ccd",
      "pseries-7.2,cap-hpt-max-page-size=16M",
      "pseries-7.2,cap-hpt-max-page-size=48k",
      "pseries-7.2,cap-nested-hv=maybe",
      "pseries-7.2,cap-cfpc=partial",
      "pseries-7.2,cap-nosuch=on",
      "pseries-7.2,ic-mode=xics",
      "pseries-7.2,ic-mode=apic",
      "pseries-2.12", // QEMU 7.2 still has 2.12; hvsim does not: rejected by design
    ];
    for (const c of cases) {
      const q = runPeer("qemu-system-ppc64", [
        "-M",
        `${c},dumpdtb=${join(dir, "x.dtb")}`,
        "-nographic",
        "-nodefaults",
      ]);
      const qemuOk = q.stderr.includes("dtb dumped");
      const ours = parseMachineOptions(c).ok;
      if (c.startsWith("pseries-2.12")) expect(ours).toBe(false);
      else expect(ours, `${c}: ${q.stderr}`).toBe(qemuOk);
    }
  });
});
