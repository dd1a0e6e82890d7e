import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_ENTER_NESTED,
  H_GET_TERM_CHAR,
  H_PARAMETER,
  H_SUCCESS,
  gprToStatus,
  hcallArgGpr,
  hcallByOpcode,
  hcallRegisterUses,
  hcallResultGpr,
  namedHcallArgs,
  readHcall,
  statusHalves,
  statusToGpr,
  writeHcallResult,
  type HcallGprs,
} from "./index";

function regs(init: Record<number, bigint> = {}): HcallGprs & { r: bigint[] } {
  const r = new Array<bigint>(32).fill(0n);
  for (const [k, v] of Object.entries(init)) r[Number(k)] = v;
  return { r, readGpr: (n) => r[n]!, writeGpr: (n, v) => void (r[n] = v) };
}

describe("register convention", () => {
  it("maps arguments to r4..r12 and results to r4..r12", () => {
    expect(hcallArgGpr(0)).toBe(4);
    expect(hcallArgGpr(8)).toBe(12);
    expect(() => hcallArgGpr(9)).toThrow(RangeError);
    expect(() => hcallArgGpr(-1)).toThrow(RangeError);
    expect(hcallResultGpr(7)).toBe(11);
    expect(() => hcallResultGpr(9)).toThrow(RangeError);
  });

  it("reads the opcode from r3 and nine arguments from r4..r12", () => {
    const g = regs({ 3: 0xf804n, 4: 0x1000n, 5: 0x2000n, 12: 9n, 13: 99n });
    const req = readHcall(g);
    expect(req.opcode).toBe(H_ENTER_NESTED);
    expect(req.args).toEqual([0x1000n, 0x2000n, 0n, 0n, 0n, 0n, 0n, 0n, 9n]);
    expect(namedHcallArgs(req)).toEqual([
      { name: "hv_guest_state", value: 0x1000n },
      { name: "pt_regs", value: 0x2000n },
    ]);
    expect(readHcall(regs({ 3: 1n << 40n })).opcode).toBe(-1);
    expect(namedHcallArgs({ opcode: 0x15c, args: [] })).toBeUndefined();
  });

  it("writes a sign-extended status to r3 and outputs from r4", () => {
    const g = regs({ 7: 77n });
    writeHcallResult(g, H_PARAMETER, [1n, -1n]);
    expect(g.r[3]).toBe(0xfffffffffffffffcn);
    expect(g.r[4]).toBe(1n);
    expect(g.r[5]).toBe(0xffffffffffffffffn);
    expect(g.r[7]).toBe(77n);
    writeHcallResult(g, H_SUCCESS);
    expect(g.r[3]).toBe(0n);
    expect(() => writeHcallResult(g, 0, new Array<bigint>(10).fill(0n))).toThrow(RangeError);
  });

  it("status <-> r3 is a round trip, and the halves agree with the 64-bit value", () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (s) => {
        const r3 = statusToGpr(s);
        expect(gprToStatus(r3)).toBe(s);
        const { hi, lo } = statusHalves(s);
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(r3);
      }),
    );
  });

  it("lists the registers of an hcall by name", () => {
    const uses = hcallRegisterUses(hcallByOpcode(H_GET_TERM_CHAR)!);
    expect(uses.inputs.map((u) => [u.gpr, u.name])).toEqual([
      [3, "H_GET_TERM_CHAR (0x54)"],
      [4, "termno"],
    ]);
    expect(uses.outputs.map((u) => [u.gpr, u.name])).toEqual([
      [3, "status (H_*)"],
      [4, "len"],
      [5, "char0_7"],
      [6, "char8_15"],
    ]);
    const nested = hcallRegisterUses(hcallByOpcode(H_ENTER_NESTED)!);
    expect(nested.outputs[0]!.name).toMatch(/trap vector/);
  });
});
