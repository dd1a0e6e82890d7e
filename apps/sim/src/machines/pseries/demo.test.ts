import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runGuestDemo } from "./demo";

it("the demo boots every guest program and each matches its QEMU golden", () => {
  let text = "";
  const r = runGuestDemo(
    fileURLToPath(new URL("../../../guests/", import.meta.url)),
    (s) => (text += s),
  );
  expect(r.map((x) => [x.name, x.matchesQemu, x.result.status])).toEqual([
    ["hello", true, 0],
    ["timer", true, 0],
    ["cede", true, 0],
    ["radix", true, 0],
    ["smp", true, 0],
    ["echo", true, 0],
    ["stop", true, 0],
    ["xive", true, 0],
    ["xics", true, 0],
    ["devices", true, 0],
    ["devices-xive", true, 0],
  ]);
  expect(text).toMatch(/=== hello \(-smp 2\)/);
  expect(text).toMatch(
    /--- cede: status 0 \(power-off\), \d+ instructions, .* hcalls in kernel H_CEDE=3, .*same output as QEMU: yes/,
  );
});
