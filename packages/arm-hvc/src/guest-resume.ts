// Guest program "resume": what a guest does after it was migrated. It keeps using what it
// discovered before (kept in its own memory by the discovery guest) without probing again, and
// checks the services still answer the same: the frozen hypercall set guarantees they do.
import type { ArmGuestProgram } from "./arm-virt-machine";
import { smcccInvoke } from "./discovery-client";
import { DISCOVERY_SAVE_MAGIC, DISCOVERY_SAVE_OFFSET } from "./guest-discovery";
import { ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID } from "./vendor-hyp-service";
import { psciFunction } from "./psci-ids";
import { w32 } from "./smccc-return";
import type { Conduit } from "./smccc-call";

const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

export function resumeGuest(): ArmGuestProgram {
  return (env) => {
    const cpu = env.vcpu;
    const at = env.ram.base + DISCOVERY_SAVE_OFFSET;
    const magic = cpu.load64(at);
    if (magic.kind !== "value" || magic.value !== DISCOVERY_SAVE_MAGIC) {
      env.log("resume: no discovery results in memory; nothing to check");
      return;
    }
    const saved = [0, 1, 2, 3].map((i) => cpu.load32(at + 8n + BigInt(i * 4)));
    const c = cpu.load32(at + 24n);
    const conduit: Conduit | undefined = c === 1 ? "hvc" : c === 2 ? "smc" : undefined;
    if (conduit === undefined) {
      env.log("resume: no conduit was discovered before migration; making no calls");
      return;
    }
    if (saved.some((w) => w !== 0)) {
      const r = smcccInvoke(cpu, conduit, ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID);
      const now = [w32(r[0]), w32(r[1]), w32(r[2]), w32(r[3])];
      const same = now.every((w, i) => w === saved[i]);
      env.log(
        same
          ? `resume: hypervisor services unchanged after migration (${now.map(hex8).join(" ")})`
          : `resume: hypervisor services CHANGED after migration: ${saved.map(hex8).join(" ")} -> ${now.map(hex8).join(" ")}`,
      );
    }
    smcccInvoke(cpu, conduit, psciFunction("SYSTEM_OFF").id32);
  };
}
