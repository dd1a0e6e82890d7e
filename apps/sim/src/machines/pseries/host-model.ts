// `--host MODEL[,prop=on|off...]`: the simulated host hvsim's pseries runs on. The host decides
// only whether a requested cap can be honoured (DESIGN §4) and how L0 implements what the guest
// sees (a DD2.2 host emulates a guest `stop`, a DD2.3 host lets it idle natively); nothing
// guest-visible is ever derived from it. QEMU has no such option: on real hardware the host is
// whatever machine QEMU runs on.
import { DEFAULT_HOST, type HostModel } from "@hvsim/kvm-hv-core";

/** The host models, by their `--host` names: a processor revision, and for `power9-l1` a host
 *  KVM that itself runs in a pseries partition. */
export const HOST_MODELS: Readonly<Record<string, Partial<HostModel>>> = {
  "power9-dd2.2": { cpu: "POWER9 DD2.2" },
  "power9-dd2.3": { cpu: "POWER9 DD2.3" },
  power9: { cpu: "POWER9 DD2.3" },
  // A KVM that is itself a nested L1: no XIVE native device for its guests.
  "power9-l1": { cpu: "POWER9 DD2.3", onPseries: true },
};

/** The host KVM's optional features, by their `--host` property names. */
const HOST_FEATURES = {
  "rpt-invalidate": "rptInvalidate",
  "nested-hv": "nestedHv",
  "in-partition": "onPseries",
} as const satisfies Record<string, keyof HostModel>;

/** The `--host` name of a model's processor. */
export function hostCpuName(cpu: HostModel["cpu"]): string {
  return cpu === "POWER9 DD2.2" ? "power9-dd2.2" : "power9-dd2.3";
}

/** `model` in the `--host` syntax, every property spelled out. */
export function formatHostModel(model: HostModel): string {
  const props = Object.entries(HOST_FEATURES).map(
    ([name, key]) => `${name}=${model[key] === true ? "on" : "off"}`,
  );
  return [hostCpuName(model.cpu), ...props].join(",");
}

/**
 * Parse `MODEL[,rpt-invalidate=on|off][,nested-hv=on|off][,in-partition=on|off]` (the model
 * may be left out:
 * `rpt-invalidate=off` alone is the default processor without it). Properties not given keep
 * the default host's value. Returns the model, or a message naming what was wrong.
 */
export function parseHostModel(text: string): HostModel | string {
  let model: HostModel = DEFAULT_HOST;
  const known = `known models: ${Object.keys(HOST_MODELS).join(", ")}; properties: ${Object.keys(HOST_FEATURES).join(", ")}`;
  for (const [i, item] of text.split(",").entries()) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      const named = HOST_MODELS[item.toLowerCase()];
      if (i !== 0 || named === undefined) {
        return `--host ${text}: unknown host model '${item}' (${known})`;
      }
      model = { ...model, ...named };
      continue;
    }
    const name = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const key = (HOST_FEATURES as Record<string, keyof HostModel>)[name];
    if (key === undefined) return `--host ${text}: unknown host property '${name}' (${known})`;
    if (value !== "on" && value !== "off") {
      return `--host ${text}: ${name} takes on or off, not '${value}'`;
    }
    model = { ...model, [key]: value === "on" };
  }
  return model;
}
