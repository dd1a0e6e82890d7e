// Property tests against simple reference models: the dispatcher's clash rule, and PSCI's
// power state machine.
import { expect, test } from "vitest";
import fc from "fast-check";
import { SmcccDispatcher } from "./smccc-dispatcher";
import type { SmcccFunctionRange } from "./smccc-dispatcher";
import { returns } from "./smccc-call";
import { decodeFunctionId, fastCallId } from "./smccc-id";
import { PsciPowerModel, defaultMpidr } from "./psci-power";
import { createPsciService } from "./psci-service";
import { PSCI_VERSION_1_1, psciFunction } from "./psci-ids";

const rangeArb: fc.Arbitrary<SmcccFunctionRange> = fc
  .record({
    owner: fc.integer({ min: 0, max: 3 }),
    conventions: fc.subarray(["smc32", "smc64"] as const, { minLength: 1 }),
    first: fc.integer({ min: 0, max: 40 }),
    len: fc.integer({ min: 0, max: 10 }),
  })
  .map((r) => ({
    owner: r.owner,
    conventions: r.conventions,
    first: r.first,
    last: r.first + r.len,
  }));

test("property: registration succeeds exactly when no (owner, convention, number) is taken; routing finds the owner", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(rangeArb, { minLength: 1, maxLength: 3 }), { maxLength: 8 }),
      (services) => {
        const d = new SmcccDispatcher();
        const taken = new Map<string, number>(); // reference: "owner/conv/number" → service index
        services.forEach((ranges, i) => {
          const keys = ranges.flatMap((r) =>
            r.conventions.flatMap((c) =>
              Array.from(
                { length: r.last - r.first + 1 },
                (_, k) => `${r.owner}/${c}/${r.first + k}`,
              ),
            ),
          );
          const clash = keys.some((k) => taken.has(k));
          const register = () => d.register({ name: `s${i}`, ranges, handle: () => returns(i) });
          if (clash) {
            expect(register).toThrow(/SMCCC function range clash: "s\d+" .* overlaps "s\d+"/);
          } else {
            register();
            for (const k of keys) taken.set(k, i);
          }
        });
        for (let owner = 0; owner < 4; owner++) {
          for (const conv of ["smc32", "smc64"] as const) {
            for (let n = 0; n <= 50; n++) {
              const id = fastCallId(conv, owner, n);
              const want = taken.get(`${owner}/${conv}/${n}`);
              const o = d.dispatch({
                functionId: id,
                fields: decodeFunctionId(id),
                args: [],
                conduit: "smc",
                vcpu: 0,
              });
              const got = o.kind === "return" ? BigInt.asIntN(64, o.values[0] ?? 0n) : undefined;
              expect(got).toBe(want === undefined ? -1n : BigInt(want));
            }
          }
        }
      },
    ),
    { numRuns: 100 },
  );
});

type Op =
  | { kind: "on"; caller: number; target: number }
  | { kind: "off"; cpu: number }
  | { kind: "schedule" }
  | { kind: "affinity"; caller: number; target: number };

const opArb = (n: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ kind: fc.constant("on" as const), caller: fc.nat(n - 1), target: fc.nat(n) }),
    fc.record({ kind: fc.constant("off" as const), cpu: fc.nat(n - 1) }),
    fc.record({ kind: fc.constant("schedule" as const) }),
    fc.record({ kind: fc.constant("affinity" as const), caller: fc.nat(n - 1), target: fc.nat(n) }),
  );

test("property: CPU_ON / CPU_OFF / AFFINITY_INFO follow a reference state machine", () => {
  const N = 4;
  fc.assert(
    fc.property(fc.array(opArb(N), { maxLength: 40 }), (ops) => {
      const power = new PsciPowerModel(Array.from({ length: N }, (_, i) => defaultMpidr(i)));
      const svc = createPsciService({
        version: PSCI_VERSION_1_1,
        power,
        smcccVersionImplemented: true,
        systemSuspend: false,
      });
      const ref: ("on" | "off" | "pending")[] = ["on", "off", "off", "off"];
      const call = (fid: number, args: bigint[], vcpu: number) =>
        svc.handle({ functionId: fid, fields: decodeFunctionId(fid), args, conduit: "hvc", vcpu });
      const rc = (o: ReturnType<typeof call>) =>
        o.kind === "return" ? Number(BigInt.asIntN(64, o.values[0] ?? 0n)) : o.kind;
      for (const op of ops) {
        switch (op.kind) {
          case "on": {
            if (ref[op.caller] !== "on") break; // only a running vCPU executes instructions
            const got = rc(
              call(
                psciFunction("CPU_ON").id64 ?? 0,
                [BigInt(op.target), 0x40000000n, 0n],
                op.caller,
              ),
            );
            const want =
              op.target >= N
                ? -2
                : ref[op.target] === "on"
                  ? -4
                  : ref[op.target] === "pending"
                    ? -5
                    : 0;
            expect(got).toBe(want);
            if (want === 0) ref[op.target] = "pending";
            break;
          }
          case "off": {
            if (ref[op.cpu] !== "on") break;
            expect(rc(call(psciFunction("CPU_OFF").id32, [], op.cpu))).toBe("cpu-off");
            ref[op.cpu] = "off";
            break;
          }
          case "schedule":
            for (const i of power.pending()) power.completePending(i);
            ref.forEach((s, i) => (ref[i] = s === "pending" ? "on" : s));
            break;
          case "affinity": {
            if (ref[op.caller] !== "on") break;
            const got = rc(
              call(psciFunction("AFFINITY_INFO").id64 ?? 0, [BigInt(op.target), 0n], op.caller),
            );
            const want =
              op.target >= N
                ? 1
                : ref[op.target] === "on"
                  ? 0
                  : ref[op.target] === "pending"
                    ? 2
                    : 1;
            expect(got).toBe(want);
            break;
          }
        }
        expect(ref.map((s) => (s === "pending" ? "on-pending" : s))).toEqual(
          ref.map((_, i) => power.power(i)),
        );
      }
    }),
    { numRuns: 300 },
  );
});
