import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  ARM_SMCCC_HV_PV_TIME_FEATURES,
  ARM_SMCCC_HV_PV_TIME_ST,
  StolenTime,
  createPvTimeService,
  decodeStolenTimeRecord,
  encodeStolenTimeRecord,
} from "./pv-time";
import { GuestMemory } from "./guest-memory";
import { decodeFunctionId } from "./smccc-id";

const NS = 0xffffffffffffffffn;

describe("PV stolen time", () => {
  test("record golden bytes (little-endian, 64 bytes)", () => {
    const b = encodeStolenTimeRecord({
      revision: 0,
      attributes: 0,
      stolenTimeNs: 0x0102030405060708n,
    });
    expect(b.length).toBe(64);
    expect(Buffer.from(b.subarray(0, 16)).toString("hex")).toBe("00000000000000000807060504030201");
    expect(b.subarray(16).every((x) => x === 0)).toBe(true);
  });

  test("property: record codec round-trips", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: NS }), fc.nat(), (ns, rev) => {
        const r = { revision: rev, attributes: 0, stolenTimeNs: ns };
        expect(decodeStolenTimeRecord(encodeStolenTimeRecord(r))).toEqual(r);
      }),
    );
    expect(() => decodeStolenTimeRecord(new Uint8Array(8))).toThrow(/64 bytes/);
  });

  test("the VMM's IPA must be aligned, inside RAM and set once", () => {
    const st = new StolenTime(2, new GuestMemory(0x1000n, 0x2000));
    expect(st.setIpa(0, 0x1004n)).toMatch(/not 64-byte aligned/);
    expect(st.setIpa(0, 0x4000n)).toMatch(/outside guest RAM/);
    expect(st.setIpa(0, 0x1040n)).toBeUndefined();
    expect(st.setIpa(0, 0x1080n)).toMatch(/already has/);
  });

  test("PV_TIME_FEATURES / PV_TIME_ST per vCPU", () => {
    const mem = new GuestMemory(0x1000n, 0x2000);
    const st = new StolenTime(2, mem);
    st.setIpa(0, 0x1040n);
    const svc = createPvTimeService(st);
    const call = (fid: number, args: bigint[], vcpu: number) => {
      const o = svc.handle({
        functionId: fid,
        fields: decodeFunctionId(fid),
        args,
        conduit: "hvc",
        vcpu,
      });
      return o.kind === "return" ? o.values[0] : undefined;
    };
    expect(call(ARM_SMCCC_HV_PV_TIME_FEATURES, [BigInt(ARM_SMCCC_HV_PV_TIME_ST)], 0)).toBe(0n);
    expect(call(ARM_SMCCC_HV_PV_TIME_FEATURES, [BigInt(ARM_SMCCC_HV_PV_TIME_FEATURES)], 0)).toBe(
      0n,
    );
    expect(call(ARM_SMCCC_HV_PV_TIME_FEATURES, [0x86000000n], 0)).toBe(NS);
    // vCPU 1 has no record: neither feature nor IPA.
    expect(call(ARM_SMCCC_HV_PV_TIME_FEATURES, [BigInt(ARM_SMCCC_HV_PV_TIME_ST)], 1)).toBe(NS);
    expect(call(ARM_SMCCC_HV_PV_TIME_ST, [], 1)).toBe(NS);
    st.addStolen(0, 500n);
    expect(call(ARM_SMCCC_HV_PV_TIME_ST, [], 0)).toBe(0x1040n);
    expect(decodeStolenTimeRecord(mem.read(0x1040n, 64)).stolenTimeNs).toBe(500n);
    expect(call(0xc5000022, [], 0)).toBe(NS);
    expect(svc.ranges).toEqual([{ owner: 5, conventions: ["smc64"], first: 0x20, last: 0x21 }]);
  });

  test("save/restore", () => {
    const mem = new GuestMemory(0n, 0x1000);
    const a = new StolenTime(2, mem);
    a.setIpa(1, 0x40n);
    a.addStolen(1, 7n);
    const b = new StolenTime(2, mem);
    b.restoreFrom(a.save());
    expect(b.save()).toEqual(a.save());
    b.publish(0); // no record: nothing written
    b.publish(1);
    expect(mem.readU64(0x48n)).toBe(7n);
  });
});
