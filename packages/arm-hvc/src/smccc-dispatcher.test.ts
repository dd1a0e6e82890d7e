import { describe, expect, test } from "vitest";
import { SmcccDispatcher } from "./smccc-dispatcher";
import type { SmcccService } from "./smccc-dispatcher";
import type { SmcccCall } from "./smccc-call";
import { returns } from "./smccc-call";
import { decodeFunctionId } from "./smccc-id";

function call(functionId: number): SmcccCall {
  return { functionId, fields: decodeFunctionId(functionId), args: [], conduit: "hvc", vcpu: 0 };
}

function service(
  name: string,
  value: number,
  ranges: SmcccService["ranges"],
  legacyIds?: number[],
): SmcccService {
  return { name, ranges, ...(legacyIds ? { legacyIds } : {}), handle: () => returns(value) };
}

const x0 = (o: ReturnType<SmcccDispatcher["dispatch"]>) =>
  o.kind === "return" ? o.values[0] : undefined;

describe("SMCCC dispatcher", () => {
  test("routes by owner, convention and number", () => {
    const d = new SmcccDispatcher();
    d.register(service("A", 1, [{ owner: 4, conventions: ["smc32"], first: 0, last: 0x1f }]));
    d.register(service("B", 2, [{ owner: 4, conventions: ["smc64"], first: 0, last: 0x1f }]));
    d.register(
      service("C", 3, [{ owner: 6, conventions: ["smc32", "smc64"], first: 0x50, last: 0x52 }]),
    );
    expect(x0(d.dispatch(call(0x84000003)))).toBe(1n);
    expect(x0(d.dispatch(call(0xc4000003)))).toBe(2n);
    expect(x0(d.dispatch(call(0x86000051)))).toBe(3n);
    expect(x0(d.dispatch(call(0xc6000052)))).toBe(3n);
    // The SVE hint does not change which function is meant.
    expect(x0(d.dispatch(call(0xc4010003)))).toBe(2n);
    expect(d.services().map((s) => s.name)).toEqual(["A", "B", "C"]);
  });

  test("unknown, yielding and malformed ids answer NOT_SUPPORTED", () => {
    const d = new SmcccDispatcher();
    d.register(service("A", 1, [{ owner: 4, conventions: ["smc32"], first: 0, last: 0xffff }]));
    const minusOne = 0xffffffffffffffffn;
    expect(x0(d.dispatch(call(0x86000000)))).toBe(minusOne); // nobody owns OEN 6
    expect(x0(d.dispatch(call(0x04000000)))).toBe(minusOne); // yielding
    expect(x0(d.dispatch(call(0x84020000)))).toBe(minusOne); // reserved bit 17 set
    expect(d.lookup(0x84000000)?.name).toBe("A");
    expect(d.lookup(0x84020000)).toBeUndefined();
  });

  test("a gate that refuses a call makes it NOT_SUPPORTED", () => {
    const d = new SmcccDispatcher();
    d.register(service("A", 1, [{ owner: 4, conventions: ["smc32"], first: 0, last: 0 }]));
    expect(x0(d.dispatch(call(0x84000000), { allows: () => false }))).toBe(0xffffffffffffffffn);
    expect(x0(d.dispatch(call(0x84000000), { allows: () => true }))).toBe(1n);
  });

  test("legacy ids are matched exactly, bit 16 included", () => {
    const d = new SmcccDispatcher();
    d.register(service("PSCI 0.1", 7, [], [0x95c1ba5e]));
    expect(x0(d.dispatch(call(0x95c1ba5e)))).toBe(7n);
    expect(d.routingId(0x95c1ba5e)).toBe(0x95c1ba5e);
    expect(d.routingId(0x84010000)).toBe(0x84000000);
    expect(d.lookup(0x95c0ba5e)).toBeUndefined();
  });

  test("an overlapping range is refused, naming both services", () => {
    const d = new SmcccDispatcher();
    d.register(service("KVM vendor", 1, [{ owner: 6, conventions: ["smc32"], first: 0, last: 1 }]));
    expect(() =>
      d.register(
        service("intruder", 2, [{ owner: 6, conventions: ["smc32", "smc64"], first: 1, last: 5 }]),
      ),
    ).toThrow(
      'SMCCC function range clash: "intruder" (OEN 6 (Vendor Specific Hypervisor Service Calls) SMC32/SMC64 0x0001-0x0005) overlaps "KVM vendor" (OEN 6 (Vendor Specific Hypervisor Service Calls) SMC32 0x0000-0x0001)',
    );
    // Same numbers, other convention or other owner: no clash.
    d.register(service("smc64 only", 3, [{ owner: 6, conventions: ["smc64"], first: 0, last: 1 }]));
    d.register(
      service("other owner", 4, [{ owner: 5, conventions: ["smc32"], first: 0, last: 1 }]),
    );
  });

  test("a shared legacy id, a duplicate name or a bad range is refused", () => {
    const d = new SmcccDispatcher();
    d.register(service("one", 1, [], [0x95c1ba5e]));
    expect(() => d.register(service("two", 2, [], [0x95c1ba5e]))).toThrow(
      'SMCCC function id clash: "two" and "one" both claim 0x95C1BA5E',
    );
    expect(() => d.register(service("one", 2, []))).toThrow(/already registered/);
    expect(() =>
      d.register(service("bad", 1, [{ owner: 1, conventions: ["smc32"], first: 5, last: 4 }])),
    ).toThrow(/invalid function range 5..4/);
    expect(() =>
      d.register(
        service("bad2", 1, [{ owner: 1, conventions: ["smc32"], first: 0, last: 0x10000 }]),
      ),
    ).toThrow(/invalid function range/);
  });

  test("a single-number range is described as one number", () => {
    const d = new SmcccDispatcher();
    d.register(
      service("uid", 1, [{ owner: 6, conventions: ["smc32"], first: 0xff01, last: 0xff01 }]),
    );
    expect(() =>
      d.register(
        service("uid2", 1, [{ owner: 6, conventions: ["smc32"], first: 0xff00, last: 0xff03 }]),
      ),
    ).toThrow(/SMC32 0xFF01\)/);
  });
});
