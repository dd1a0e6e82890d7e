// The scenario library: each seed discussion as a runnable, self-checking sequence of hvsim
// commands (`hvsim scenario list|run`).
import { armDiscovery } from "./arm-discovery";
import { guestStop } from "./guest-stop";
import { migrationCaps } from "./migration-caps";
import { nestedLifecycle } from "./nested-lifecycle";
import { rptInvalidateFallback } from "./rpt-invalidate-fallback";
import { xiveNativeVsXics } from "./xive-native-vs-xics";
import type { Scenario } from "./scenario";

export const SCENARIOS: readonly Scenario[] = [
  rptInvalidateFallback,
  nestedLifecycle,
  xiveNativeVsXics,
  guestStop,
  armDiscovery,
  migrationCaps,
];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export { checkStep } from "./scenario";
export type { Scenario, ScenarioStep, StepExpectation, StepResult } from "./scenario";
