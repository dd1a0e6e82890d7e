import { DEFAULT_HOST } from "@hvsim/kvm-hv-core";
import { describe, expect, it } from "vitest";
import { formatHostModel, parseHostModel } from "./host-model";

describe("--host", () => {
  it("names a processor and the host KVM's features; unnamed ones keep the default", () => {
    expect(parseHostModel("power9-dd2.2")).toEqual({ ...DEFAULT_HOST, cpu: "POWER9 DD2.2" });
    expect(parseHostModel("POWER9-DD2.3,rpt-invalidate=off")).toEqual({
      cpu: "POWER9 DD2.3",
      rptInvalidate: false,
      nestedHv: true,
    });
    expect(parseHostModel("nested-hv=off")).toEqual({ ...DEFAULT_HOST, nestedHv: false });
    expect(formatHostModel(DEFAULT_HOST)).toBe(
      "power9-dd2.3,rpt-invalidate=on,nested-hv=on,in-partition=off",
    );
    const m = parseHostModel("power9-dd2.2,nested-hv=off");
    expect(typeof m !== "string" && formatHostModel(m)).toBe(
      "power9-dd2.2,rpt-invalidate=on,nested-hv=off,in-partition=off",
    );
    // A host KVM that is itself a nested L1 (no XIVE native device), by name or property.
    expect(parseHostModel("power9-l1")).toEqual({ ...DEFAULT_HOST, onPseries: true });
    expect(parseHostModel("power9,in-partition=on")).toEqual(parseHostModel("power9-l1"));
  });

  it("says what was wrong", () => {
    expect(parseHostModel("power8")).toBe(
      "--host power8: unknown host model 'power8' (known models: power9-dd2.2, power9-dd2.3, power9, power9-l1; properties: rpt-invalidate, nested-hv, in-partition)",
    );
    expect(parseHostModel("rpt-invalidate=off,power9-dd2.2")).toMatch(/unknown host model/);
    expect(parseHostModel("power9-dd2.2,htm=on")).toMatch(/unknown host property 'htm'/);
    expect(parseHostModel("nested-hv=yes")).toBe(
      "--host nested-hv=yes: nested-hv takes on or off, not 'yes'",
    );
  });
});
