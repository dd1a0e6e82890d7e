import { describe, expect, test } from "vitest";
import { AsyncPageFaults } from "./apf-service";
import { GuestMemory } from "./guest-memory";
import {
  APF_RECORD_OFFSETS,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID as FEATURES,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID as ACK,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID as REGISTER,
  decodeApfRecord,
} from "./apf-abi";
import { decodeFunctionId } from "./smccc-id";

const REC = 0x40001000n;

function setup(vcpus = 2) {
  const memory = new GuestMemory(0x40000000n, 0x100000);
  let now = 0n;
  const ppis: [number, number][] = [];
  const pagedIn: bigint[] = [];
  const apf = new AsyncPageFaults(
    { vcpus, readyIntid: 20, swapInTicks: 100n },
    {
      memory,
      now: () => now,
      raisePpi: (v, i) => ppis.push([v, i]),
      pageIn: (p) => pagedIn.push(p),
    },
  );
  const svc = apf.service();
  const call = (fid: number, args: bigint[] = [], vcpu = 0) => {
    const o = svc.handle({
      functionId: fid,
      fields: decodeFunctionId(fid),
      args,
      conduit: "hvc",
      vcpu,
    });
    if (o.kind !== "return") throw new Error("expected a return");
    return o.values.map((v) => BigInt.asIntN(64, v));
  };
  const record = (at = REC) => decodeApfRecord(memory.read(at, 64));
  return {
    apf,
    call,
    memory,
    record,
    ppis,
    pagedIn,
    advance: (t: bigint) => {
      now += t;
      apf.poll();
    },
  };
}

describe("async page fault service (host side)", () => {
  test("APF_FEATURES: version 1.0, 64-byte record, the PPI, the flags", () => {
    expect(setup().call(FEATURES)).toEqual([0x10000n, 64n, 20n, 1n]);
  });

  test("APF_REGISTER validates flags, alignment and RAM, and refuses a second registration", () => {
    const { call, record, apf } = setup();
    expect(call(REGISTER, [REC, 3n])[0]).toBe(-3n);
    expect(call(REGISTER, [REC + 8n, 1n])[0]).toBe(-3n);
    expect(call(REGISTER, [0x50000000n, 1n])[0]).toBe(-3n);
    expect(apf.enabled(0)).toBe(false);
    expect(call(REGISTER, [REC, 1n])[0]).toBe(0n);
    expect(apf.enabled(0)).toBe(true);
    expect(record()).toEqual({
      version: 0x10000,
      flags: 1,
      reason: 0,
      notPresentToken: 0,
      readyToken: 0,
    });
    expect(call(REGISTER, [REC + 64n, 1n])[0]).toBe(-3n);
    // Disable, then a new record is fine.
    expect(call(REGISTER, [0n, 0n])[0]).toBe(0n);
    expect(apf.enabled(0)).toBe(false);
    expect(call(REGISTER, [REC + 64n, 1n])[0]).toBe(0n);
  });

  test("no registration: the vCPU stalls", () => {
    expect(setup().apf.onMissingPage(0, 0x40200n)).toEqual({ kind: "stall" });
  });

  test("not present → token in the record; ready → ready_token + PPI; ACK → next", () => {
    const { apf, call, record, memory, ppis, pagedIn, advance } = setup();
    call(REGISTER, [REC, 1n]);
    expect(apf.onMissingPage(0, 0x40200n)).toEqual({ kind: "async", token: 1 });
    expect(record()).toMatchObject({ reason: 1, notPresentToken: 1 });
    // Until the guest consumes it, a second fault cannot be notified.
    expect(apf.onMissingPage(0, 0x40201n)).toEqual({ kind: "stall" });
    memory.writeU32(REC + BigInt(APF_RECORD_OFFSETS.reason), 0);
    // The same page already on its way in: wait for it.
    expect(apf.onMissingPage(0, 0x40200n)).toEqual({ kind: "stall" });
    expect(apf.onMissingPage(0, 0x40202n)).toEqual({ kind: "async", token: 2 });
    expect(apf.nextEventAt()).toBe(100n);
    advance(99n);
    expect(ppis).toEqual([]);
    advance(1n);
    expect(pagedIn).toEqual([0x40200n, 0x40202n]);
    expect(ppis).toEqual([[0, 20]]);
    expect(record().readyToken).toBe(1);
    // ACK before clearing ready_token is refused.
    expect(call(ACK)[0]).toBe(-3n);
    memory.writeU32(REC + BigInt(APF_RECORD_OFFSETS.readyToken), 0);
    expect(call(ACK)[0]).toBe(0n);
    expect(record().readyToken).toBe(2);
    expect(ppis).toEqual([
      [0, 20],
      [0, 20],
    ]);
    memory.writeU32(REC + BigInt(APF_RECORD_OFFSETS.readyToken), 0);
    expect(call(ACK)[0]).toBe(0n);
    // Nothing awaiting: ACK is refused.
    expect(call(ACK)[0]).toBe(-3n);
    expect(apf.nextEventAt()).toBeUndefined();
  });

  test("ACK without registration is refused; unknown ids NOT_SUPPORTED", () => {
    const { call } = setup();
    expect(call(ACK)[0]).toBe(-3n);
    expect(call(0x86000053)[0]).toBe(-1n);
  });

  test("disabling drops notifications but pages still arrive", () => {
    const { apf, call, ppis, pagedIn, advance } = setup();
    call(REGISTER, [REC, 1n]);
    apf.onMissingPage(0, 0x40200n);
    call(REGISTER, [0n, 0n]);
    advance(200n);
    expect(pagedIn).toEqual([0x40200n]);
    expect(ppis).toEqual([]);
  });

  test("migration: an outstanding token becomes ready at once on the destination", () => {
    const src = setup();
    src.call(REGISTER, [REC, 1n]);
    src.apf.onMissingPage(0, 0x40200n);
    const state = src.apf.save();
    expect(state.swapIns).toEqual([{ vcpu: 0, token: 1, page: String(0x40200n), doneAt: "100" }]);
    const dst = setup();
    dst.memory.loadFrom(src.memory.save());
    dst.apf.restoreFrom(state);
    expect(dst.pagedIn).toEqual([0x40200n]);
    dst.advance(0n);
    expect(dst.ppis).toEqual([[0, 20]]);
    expect(dst.record().readyToken).toBe(1);
    expect(dst.apf.save().vcpus[0]?.nextToken).toBe(2);
    expect(() => dst.apf.restoreFrom({ ...state, version: 2 as 1 })).toThrow(/version 2/);
  });

  test("tokens skip 0 when they wrap", () => {
    const { apf, call, memory } = setup();
    call(REGISTER, [REC, 1n]);
    const s = apf.save();
    apf.restoreFrom({ ...s, vcpus: s.vcpus.map((v) => ({ ...v, nextToken: 0xffffffff })) });
    expect(apf.onMissingPage(0, 1n)).toEqual({ kind: "async", token: 0xffffffff });
    memory.writeU32(REC + 8n, 0);
    expect(apf.onMissingPage(0, 2n)).toEqual({ kind: "async", token: 1 });
  });

  test("a vCPU that does not exist is a broken invariant", () => {
    expect(() => setup(1).apf.enabled(3)).toThrow(/no vCPU 3/);
  });
});
