import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeIcpState,
  decodeVpState,
  encodeIcpState,
  encodeVpState,
  KVM_REG_PPC_ICP_STATE,
  KVM_REG_PPC_VP_STATE,
} from "./kvm-one-reg";

describe("KVM ONE_REG interrupt state codecs", () => {
  it("register ids", () => {
    expect(KVM_REG_PPC_ICP_STATE).toBe(0x103000000000008cn);
    expect(KVM_REG_PPC_VP_STATE).toBe(0x104000000000008dn);
  });

  it("ICP_STATE golden value and round trip", () => {
    expect(encodeIcpState({ cppr: 0xff, xisr: 0x1100, mfrr: 0x05, ppri: 0xff })).toBe(
      0xff00110005ff0000n,
    );
    fc.assert(
      fc.property(
        fc.nat(0xff),
        fc.nat(0xffffff),
        fc.nat(0xff),
        fc.nat(0xff),
        (cppr, xisr, mfrr, ppri) => {
          expect(decodeIcpState(encodeIcpState({ cppr, xisr, mfrr, ppri }))).toEqual({
            cppr,
            xisr,
            mfrr,
            ppri,
          });
        },
      ),
    );
  });

  it("VP_STATE carries the OS ring doubleword with the NVT backlog merged into IPB", () => {
    const ring = [0x80, 0x06, 0x02, 0xff, 0xff, 0x00, 0xff, 0x06];
    const v = encodeVpState(ring, 0x40);
    expect(v).toBe(0x800642ffff00ff06n << 64n);
    expect(decodeVpState(v)).toEqual([0x80, 0x06, 0x42, 0xff, 0xff, 0x00, 0xff, 0x06]);
  });
});
