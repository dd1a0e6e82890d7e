import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PSERIES_LATEST,
  PSERIES_MACHINES,
  SPAPR_CAPS,
  capValue,
  capsMigrationStream,
  checkCapsMigration,
  checkCapsMigrationStream,
  defaultSpaprCaps,
  formatCapValue,
  formatMachineOptions,
  formatPageSize,
  parseMachineOptions,
  parseQemuSize,
  pseriesMachine,
  resolveCaps,
  spaprCap,
  type MachineOptions,
  type ResolvedCaps,
  type SpaprCapName,
} from "./index";

function parse(text: string): MachineOptions {
  const r = parseMachineOptions(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const resolved = (text: string, cpu: Parameters<typeof resolveCaps>[1] = "power9"): ResolvedCaps =>
  resolveCaps(parse(text), cpu);

describe("spapr cap table", () => {
  it("has QEMU's indexes and names", () => {
    expect(SPAPR_CAPS.map((c) => c.name)).toEqual([
      "htm",
      "vsx",
      "dfp",
      "cfpc",
      "sbbc",
      "ibs",
      "hpt-max-page-size",
      "nested-hv",
      "large-decr",
      "ccf-assist",
      "fwnmi",
      "rpt-invalidate",
      "ail-mode-3",
      "nested-papr",
      "dawr1",
    ]);
    SPAPR_CAPS.forEach((c, i) => expect(c.index).toBe(i));
    expect(spaprCap("cap-nested-hv")?.index).toBe(7);
    expect(spaprCap("NESTED-HV")?.vmstate).toBe("nested_kvm_hv");
    expect(spaprCap("nope")).toBeUndefined();
  });

  it("formats values the way the command line spells them", () => {
    expect(formatCapValue(spaprCap("htm")!, 0)).toBe("off");
    expect(formatCapValue(spaprCap("htm")!, 1)).toBe("on");
    expect(formatCapValue(spaprCap("ibs")!, 4)).toBe("fixed-na");
    expect(formatCapValue(spaprCap("cfpc")!, 7)).toBe("invalid(7)");
    expect(formatCapValue(spaprCap("hpt-max-page-size")!, 16)).toBe("64K");
    expect([12, 21, 24, 34].map(formatPageSize)).toEqual(["4K", "2M", "16M", "16G"]);
  });
});

describe("defaults per machine version", () => {
  it("pseries-10.0 (latest): htm off, vsx/dfp on, workarounds, 64K, nested off, decr/ccf/fwnmi on, rpt off, ail3 on", () => {
    expect(defaultSpaprCaps(PSERIES_LATEST)).toEqual([
      0, 1, 1, 1, 1, 1, 16, 0, 1, 1, 1, 0, 1, 0, 0,
    ]);
    expect(pseriesMachine("pseries")).toBe(PSERIES_LATEST);
    expect(PSERIES_LATEST.name).toBe("pseries-10.0");
  });
  it("pseries-4.2 and older: ccf-assist and fwnmi off", () => {
    const d = defaultSpaprCaps(pseriesMachine("pseries-4.2")!);
    expect([d[9], d[10]]).toEqual([0, 0]);
    expect(defaultSpaprCaps(pseriesMachine("pseries-5.0")!)[10]).toBe(1);
  });
  it("pseries-3.1 and older: cfpc/sbbc/ibs broken, large-decr off", () => {
    const d = defaultSpaprCaps(pseriesMachine("pseries-3.1")!);
    expect([d[3], d[4], d[5], d[8]]).toEqual([0, 0, 0, 0]);
    expect(defaultSpaprCaps(pseriesMachine("pseries-4.0")!)[8]).toBe(1);
  });
  it("masks by CPU: POWER8 has no large decrementer, POWER7 no HTM/AIL3, dawr1 needs POWER10", () => {
    const m = pseriesMachine("pseries-9.0")!;
    expect(defaultSpaprCaps(m, "power8")[8]).toBe(0);
    const p7 = defaultSpaprCaps(m, "power7");
    expect([p7[0], p7[3], p7[12], p7[4], p7[1], p7[5]]).toEqual([0, 0, 0, 0, 1, 1]);
    expect(defaultSpaprCaps(m, "power7+")[4]).toBe(1);
    expect(defaultSpaprCaps(m, "power10")[14]).toBe(0); // still off by default on POWER10
  });
  it("knows pseries-3.0 … pseries-10.0 and nothing else", () => {
    expect(PSERIES_MACHINES.map((m) => m.name)).toContain("pseries-9.0");
    expect(pseriesMachine("pseries-2.12")).toBeUndefined();
    expect(pseriesMachine("pseries-10.1")).toBeUndefined();
  });
});

describe("machine-option parser", () => {
  it("parses the issue's example", () => {
    const o = parse("pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on");
    expect(o.machine.name).toBe("pseries-9.0");
    expect(o.caps).toEqual({ "nested-hv": 1, "rpt-invalidate": 1 });
    expect(o.other).toEqual({});
  });

  it("passes other machine options through, typed", () => {
    const o = parse(
      "pseries,ic-mode=xive,kernel-irqchip=split,max-cpu-compat=POWER9,resize-hpt=disabled,vsmt=8,dumpdtb=a,,b.dtb,x-vof=on",
    );
    expect(o.viaAlias).toBe(true);
    expect(o.machine).toBe(PSERIES_LATEST);
    expect(o.other).toEqual({
      icMode: "xive",
      kernelIrqchip: "split",
      maxCpuCompat: "power9",
      resizeHpt: "disabled",
      vsmt: 8,
      dumpdtb: "a,b.dtb",
      xVof: true,
    });
    expect(parse("type=pseries-8.2,kernel-irqchip").other.kernelIrqchip).toBe("on");
  });

  it("accepts QEMU's value spellings", () => {
    expect(parse("pseries,cap-htm=yes,cap-vsx=n,cap-dfp=true,cap-fwnmi").caps).toEqual({
      htm: 1,
      vsx: 0,
      dfp: 1,
      fwnmi: 1,
    });
    expect(parse("pseries,cap-cfpc=FIXED,cap-ibs=fixed-ccd").caps).toEqual({ cfpc: 2, ibs: 3 });
    expect(parse("pseries,cap-hpt-max-page-size=16M").caps).toEqual({ "hpt-max-page-size": 24 });
    expect(parse("pseries,cap-hpt-max-page-size=0x10000").caps).toEqual({
      "hpt-max-page-size": 16,
    });
    expect(parse("pseries,cap-htm=on,cap-htm=off").caps).toEqual({ htm: 0 }); // last wins
    expect(parse("cap-nested-hv=on").machine).toBe(PSERIES_LATEST);
    expect(parse("").machine).toBe(PSERIES_LATEST);
  });

  it("rejects unknown machines, caps, options and values, naming them", () => {
    const err = (t: string) => {
      const r = parseMachineOptions(t);
      if (r.ok) throw new Error(`accepted ${t}`);
      return r.error;
    };
    expect(err("pseries-2.12")).toMatchObject({ kind: "unknown-machine", value: "pseries-2.12" });
    expect(err("pseries-2.12").message).toContain("unknown machine type 'pseries-2.12'");
    expect(err("powernv9")).toMatchObject({ kind: "unknown-machine" });
    expect(err("pseries,cap-nested=on")).toMatchObject({ kind: "unknown-cap", key: "cap-nested" });
    expect(err("pseries,cap-nested=on").message).toContain("'cap-nested'");
    expect(err("pseries,cap-nested-hv=maybe")).toMatchObject({
      kind: "bad-cap-value",
      key: "cap-nested-hv",
      value: "maybe",
    });
    expect(err("pseries,cap-nested-hv=maybe").message).toContain("expects 'on' or 'off'");
    expect(err("pseries,cap-cfpc=partial").message).toBe(
      'Invalid capability mode "partial" for cap-cfpc (expected broken, workaround, fixed)',
    );
    expect(err("pseries,cap-cfpc").kind).toBe("bad-cap-value");
    expect(err("pseries,cap-hpt-max-page-size=48k").message).toBe(
      "cap-hpt-max-page-size must be a power of 2, got '48k'",
    );
    expect(err("pseries,cap-hpt-max-page-size=big").kind).toBe("bad-cap-value");
    expect(err("pseries,cap-hpt-max-page-size=0").kind).toBe("bad-cap-value");
    expect(err("pseries,ic-mode=apic")).toMatchObject({
      kind: "bad-option-value",
      key: "ic-mode",
      value: "apic",
    });
    expect(err("pseries,kernel-irqchip=maybe").message).toContain("on, off or split");
    expect(err("pseries,vsmt=0").kind).toBe("bad-option-value");
    expect(err("pseries,smp=4")).toMatchObject({ kind: "unknown-option", key: "smp" });
    expect(err(",cap-htm=on")).toMatchObject({ kind: "syntax" });
    expect(err("pseries,type=")).toMatchObject({ kind: "syntax" });
    expect(err("pseries-3.0,ic-mode=dual").message).toContain("legacy XICS");
  });

  it("parses sizes like qemu_strtosz", () => {
    expect(parseQemuSize("4096")).toBe(4096n);
    expect(parseQemuSize("64k")).toBe(65536n);
    expect(parseQemuSize("1G")).toBe(1n << 30n);
    expect(parseQemuSize("2e")).toBe(2n << 60n);
    expect(parseQemuSize("1.5M")).toBeUndefined();
  });

  const optionsArb = fc
    .record({
      machine: fc.constantFrom(...PSERIES_MACHINES),
      viaAlias: fc.boolean(),
      caps: fc.dictionary(
        fc.constantFrom(...SPAPR_CAPS.map((c) => c.name as SpaprCapName)),
        fc.nat(),
      ),
      icMode: fc.option(
        fc.constantFrom("xics", "xive", "dual") as fc.Arbitrary<"xics" | "xive" | "dual">,
        { nil: undefined },
      ),
      kernelIrqchip: fc.option(
        fc.constantFrom("on", "off", "split") as fc.Arbitrary<"on" | "off" | "split">,
        { nil: undefined },
      ),
      vsmt: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
      dumpdtb: fc.option(fc.stringMatching(/^[a-z,.]{1,8}$/), { nil: undefined }),
    })
    .map((r): MachineOptions => {
      const caps: Partial<Record<SpaprCapName, number>> = {};
      for (const [name, n] of Object.entries(r.caps) as [SpaprCapName, number][]) {
        const cap = spaprCap(name)!;
        caps[name] =
          cap.type === "bool"
            ? n % 2
            : cap.type === "string"
              ? n % cap.values!.length
              : 12 + (n % 23);
      }
      const machine = r.viaAlias ? PSERIES_LATEST : r.machine;
      const other = Object.fromEntries(
        Object.entries({
          icMode: machine.name === "pseries-3.0" ? undefined : r.icMode,
          kernelIrqchip: r.kernelIrqchip,
          vsmt: r.vsmt,
          dumpdtb: r.dumpdtb,
        }).filter(([, v]) => v !== undefined),
      );
      return { machine, viaAlias: r.viaAlias, caps, other };
    });

  it("round-trips: parse(format(o)) = o (fast-check)", () => {
    fc.assert(
      fc.property(optionsArb, (o) => {
        const text = formatMachineOptions(o);
        const back = parseMachineOptions(text);
        expect(back).toEqual({ ok: true, value: o });
        // ...and formatting is canonical.
        if (back.ok) expect(formatMachineOptions(back.value)).toBe(text);
      }),
    );
  });
});

describe("resolved caps", () => {
  it("marks explicit values and keeps the machine default beside them", () => {
    const r = resolved("pseries-9.0,cap-nested-hv=on,cap-fwnmi=on");
    const row = (n: string) => r.caps.find((c) => c.cap.name === n)!;
    expect(row("nested-hv")).toMatchObject({ value: 1, default: 0, source: "explicit" });
    expect(row("fwnmi")).toMatchObject({ value: 1, default: 1, source: "explicit" });
    expect(row("htm")).toMatchObject({ value: 0, default: 0, source: "default" });
    expect(r.icMode).toBe("dual");
    expect(resolved("pseries-4.0").icMode).toBe("xics");
    expect(resolved("pseries,ic-mode=xive").icMode).toBe("xive");
    expect(() => capValue(r, "nope" as SpaprCapName)).toThrow();
  });
});

describe("cap migration (QEMU's rule)", () => {
  it("sends only caps set on the command line that differ from the default", () => {
    expect(
      capsMigrationStream(resolved("pseries-9.0,cap-nested-hv=on,cap-fwnmi=on,cap-htm=off")),
    ).toEqual({ "nested-hv": 1 });
    expect(capsMigrationStream(resolved("pseries-4.0,cap-hpt-max-page-size=16M"))).toEqual({});
    expect(capsMigrationStream(resolved("pseries-4.1,cap-hpt-max-page-size=16M"))).toEqual({
      "hpt-max-page-size": 24,
    });
  });

  it("fails when the source had a higher level than the destination", () => {
    const rep = checkCapsMigration(
      resolved("pseries-9.0,cap-nested-hv=on"),
      resolved("pseries-9.0"),
    );
    expect(rep.verdict).toBe("error");
    expect(rep.issues).toEqual([
      {
        cap: "nested-hv",
        level: "error",
        source: 1,
        destination: 0,
        message: "cap-nested-hv higher level (1) in incoming stream than on destination (0)",
      },
    ]);
  });

  it("only warns when the destination offers more", () => {
    const rep = checkCapsMigration(
      resolved("pseries-9.0"),
      resolved("pseries-9.0,cap-rpt-invalidate=on"),
    );
    expect(rep.verdict).toBe("warning");
    expect(rep.issues[0]!.message).toBe(
      "cap-rpt-invalidate lower level (0) in incoming stream than on destination (1)",
    );
  });

  it("is ok for the same command line, and when both sides set the same cap", () => {
    const a = "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on";
    expect(checkCapsMigration(resolved(a), resolved(a))).toEqual({ verdict: "ok", issues: [] });
  });

  it("treats a default-valued cap as not sent (the source's default is the destination's)", () => {
    // Source turned fwnmi off explicitly; the destination's default is on → error.
    const rep = checkCapsMigration(resolved("pseries-9.0,cap-fwnmi=off"), resolved("pseries-9.0"));
    expect(rep.verdict).toBe("warning");
    // A stream value equal to the destination default cannot be told from "not sent".
    expect(
      checkCapsMigrationStream({ fwnmi: 1 }, resolved("pseries-9.0,cap-fwnmi=off")).verdict,
    ).toBe("error");
  });

  it("agrees with a direct statement of the rule (fast-check)", () => {
    const capNames = SPAPR_CAPS.filter((c) => c.type === "bool").map((c) => c.name);
    const side = fc.dictionary(fc.constantFrom(...capNames), fc.constantFrom("on", "off"));
    fc.assert(
      fc.property(side, side, (s, d) => {
        const text = (x: Record<string, string>) =>
          ["pseries-9.0", ...Object.entries(x).map(([k, v]) => `cap-${k}=${v}`)].join(",");
        const src = resolved(text(s));
        const dst = resolved(text(d));
        const rep = checkCapsMigration(src, dst);
        let worst: "ok" | "warning" | "error" = "ok";
        for (const name of capNames) {
          const def = dst.caps.find((c) => c.cap.name === name)!.default;
          const sv = s[name] === undefined ? def : s[name] === "on" ? 1 : 0;
          const dv = d[name] === undefined ? def : d[name] === "on" ? 1 : 0;
          if (sv > dv) worst = "error";
          else if (sv < dv && worst === "ok") worst = "warning";
        }
        expect(rep.verdict).toBe(worst);
      }),
    );
  });
});
