// The README's worked example, kept true by running it.
import { expect, test } from "vitest";
import { ArmVirtMachine, discoverPlatform, runArmScenario } from "./index";

test("README example", () => {
  const machine = new ArmVirtMachine({ host: "kvm", apf: true });
  const result = machine.run((env) => {
    const found = discoverPlatform(env.firmware, env.vcpu, env.log);
    env.log(`hypervisor=${found.hypervisor.kind} apf=${found.services.apf}`);
  });
  expect(result.lines).toContain("hypervisor=kvm apf=true");

  const { lines, exitStatus } = runArmScenario({ host: "none", psci: false, guest: "blind-probe" });
  expect(exitStatus).toBe(1);
  expect(lines.at(-1)).toMatch(/HVC #0 is UNDEFINED here/);
});
