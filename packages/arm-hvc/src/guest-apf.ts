// Guest program "apf": two tasks on one vCPU. Task A reads a page the host has swapped out;
// task B computes. With the async-PF service the guest parks A when the host says "page not
// present", runs B meanwhile, and resumes A when the page-ready interrupt brings A's token.
// Without it, the vCPU stalls on A's access and B waits. Uses only the conduit, the firmware
// tables and guest memory.
import type { ArmGuestEnv, ArmGuestProgram } from "./arm-virt-machine";
import { discoverPlatform, smcccInvoke } from "./discovery-client";
import { summarise } from "./guest-discovery";
import {
  APF_RECORD_OFFSETS,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
  KVM_APF_FLAG_ENABLE,
  KVM_APF_REASON_NONE,
  KVM_APF_REASON_PAGE_NOT_PRESENT,
  KVM_APF_RECORD_SIZE,
} from "./apf-abi";
import { psciFunction } from "./psci-ids";
import { SMCCC_RET_SUCCESS, w32, w32Signed } from "./smccc-return";
import { versionString } from "./arch-service";

/** Offsets from the start of RAM that the apf guest uses. */
export const APF_GUEST_RECORD_OFFSET = 0x2000n;
export const APF_GUEST_DATA_OFFSET = 0x200000n;
/** The value the scenario places in the data page before swapping it out. */
export const APF_GUEST_DATA_VALUE = 0xc0ffeen;
export const APF_GUEST_SLICES = 30;
export const APF_GUEST_SLICE_TICKS = 1000;

type TaskState = { kind: "ready" } | { kind: "blocked"; token: number } | { kind: "done" };

interface Task {
  readonly name: string;
  state: TaskState;
  /** Runs until it yields, blocks or finishes. */
  step(): TaskState;
}

export function apfGuest(): ArmGuestProgram {
  return (env: ArmGuestEnv) => {
    const cpu = env.vcpu;
    const report = discoverPlatform(env.firmware, cpu, env.log);
    env.log(summarise(report));
    const conduit = report.smcccConduit;
    const record = env.ram.base + APF_GUEST_RECORD_OFFSET;
    const data = env.ram.base + APF_GUEST_DATA_OFFSET;

    let apfOn = false;
    if (report.services.apf && conduit !== "none") {
      const f = smcccInvoke(cpu, conduit, ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID);
      const version = w32Signed(f[0]);
      const size = w32(f[1]);
      const intid = w32(f[2]);
      if (version >= 0 && version >>> 16 === 1 && size === KVM_APF_RECORD_SIZE) {
        const rc = w32Signed(
          smcccInvoke(
            cpu,
            conduit,
            ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
            record,
            BigInt(KVM_APF_FLAG_ENABLE),
          )[0],
        );
        if (rc === SMCCC_RET_SUCCESS) {
          apfOn = true;
          env.log(
            `kvm-apf: v${versionString(version)} enabled: record at 0x${record.toString(16)}, page-ready INTID ${intid}`,
          );
        } else {
          env.log(`kvm-apf: APF_REGISTER failed (${rc}); page faults will stall`);
        }
      } else {
        env.log(`kvm-apf: unsupported ABI (version ${version}, record size ${size}); not used`);
      }
    } else {
      env.log("kvm-apf: not offered by the hypervisor; page faults stall the vCPU");
    }

    let value: bigint | undefined;
    let waitStart = 0n;
    let waited = 0n;
    let slicesWhileWaiting = 0;
    let slices = 0;
    const tasks: Task[] = [
      {
        name: "A",
        state: { kind: "ready" },
        step() {
          const t0 = cpu.now();
          const r = cpu.load64(data);
          if (r.kind === "page-not-present") {
            const reason = cpu.load32(record + BigInt(APF_RECORD_OFFSETS.reason));
            const token = cpu.load32(record + BigInt(APF_RECORD_OFFSETS.notPresentToken));
            if (reason !== KVM_APF_REASON_PAGE_NOT_PRESENT) {
              throw new Error(
                `apf guest: notification without PAGE_NOT_PRESENT in the record (reason ${reason})`,
              );
            }
            // Consume the notification so the host may send the next one.
            cpu.store32(record + BigInt(APF_RECORD_OFFSETS.reason), KVM_APF_REASON_NONE);
            env.log(
              `task A: page 0x${data.toString(16)} not present (token ${token}); switching task`,
            );
            waitStart = t0;
            return { kind: "blocked", token };
          }
          if (waitStart !== 0n) waited = cpu.now() - waitStart;
          else waited = cpu.now() - t0;
          value = r.value;
          env.log(`task A: read 0x${r.value.toString(16)} after waiting ${waited} ticks`);
          return { kind: "done" };
        },
      },
      {
        name: "B",
        state: { kind: "ready" },
        step() {
          cpu.compute(APF_GUEST_SLICE_TICKS);
          slices++;
          if (tasks[0]?.state.kind === "blocked") slicesWhileWaiting++;
          return slices >= APF_GUEST_SLICES ? { kind: "done" } : { kind: "ready" };
        },
      },
    ];

    cpu.setIrqHandler((intid) => {
      const token = cpu.load32(record + BigInt(APF_RECORD_OFFSETS.readyToken));
      cpu.store32(record + BigInt(APF_RECORD_OFFSETS.readyToken), 0);
      if (conduit !== "none")
        smcccInvoke(cpu, conduit, ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID);
      const t = tasks.find((k) => k.state.kind === "blocked" && k.state.token === token);
      env.log(`irq ${intid}: page ready (token ${token})${t ? `: task ${t.name} runnable` : ""}`);
      if (t !== undefined) t.state = { kind: "ready" };
    });

    const start = cpu.now();
    let next = 0;
    while (tasks.some((t) => t.state.kind !== "done")) {
      let picked: Task | undefined;
      for (let i = 0; i < tasks.length; i++) {
        const t = tasks[(next + i) % tasks.length];
        if (t !== undefined && t.state.kind === "ready") {
          picked = t;
          next = (next + i + 1) % tasks.length;
          break;
        }
      }
      if (picked === undefined) {
        cpu.wfi();
        continue;
      }
      picked.state = picked.step();
    }
    const total = cpu.now() - start;
    env.log(
      `apf: ${apfOn ? "async" : "synchronous"} page fault; task B ran ${slicesWhileWaiting} of ${APF_GUEST_SLICES} slices while A waited; both tasks done in ${total} ticks`,
    );
    if (value === undefined) env.log("apf: task A never read its data");
    if (report.psci.kind === "standard") {
      smcccInvoke(cpu, report.psci.conduit, psciFunction("SYSTEM_OFF").id32);
    }
  };
}
