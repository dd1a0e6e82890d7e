import { fileURLToPath } from "node:url";
import {
  H_FUNCTION,
  H_GET_TERM_CHAR,
  H_P2,
  H_P3,
  H_PARAMETER,
  H_PUT_TERM_CHAR,
  H_RANDOM,
  H_REGISTER_PROC_TBL,
  H_SET_MODE,
  H_SET_SPRG0,
  H_UNSUPPORTED_FLAG,
  KVMPPC_H_CAS,
  KVMPPC_H_RTAS,
} from "@hvsim/hcall-abi";
import { describe, expect, it } from "vitest";
import { PseriesMachineImpl } from "./machine";
import { handlePaprHcall } from "./papr";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));

function machine(input = "", machineOpt = "pseries") {
  let console = "";
  let errors = "";
  const m = new PseriesMachineImpl(
    {
      machine: machineOpt,
      kernel: `${guests}hello/hello.elf`,
      smp: 2,
      input,
      logGuestErrors: true,
    },
    { console: (s) => (console += s), error: (s) => (errors += s) },
  );
  const v = m.vm.vcpu(0);
  const call = (nr: number, ...args: bigint[]) => {
    args.forEach((a, i) => v.setGpr(4 + i, a));
    const r = handlePaprHcall(m, v, nr);
    return { r, r3: BigInt.asIntN(64, v.getGpr(3)) };
  };
  const be32 = (gpa: number, ...ws: number[]) => {
    const b = new Uint8Array(4 * ws.length);
    ws.forEach((w, i) => new DataView(b.buffer).setUint32(4 * i, w >>> 0));
    m.vm.writeGuest(gpa, b);
  };
  const rd32 = (gpa: number) => new DataView(m.vm.readGuest(gpa, 4)!.buffer).getUint32(0);
  return { m, v, call, be32, rd32, out: () => ({ console, errors }) };
}

const VTY = 0x71000000n;

describe("VMM hcalls", () => {
  it("console output and input on the vty, refused on other terminals", () => {
    const t = machine("hello, world: more than sixteen bytes");
    expect(t.call(H_PUT_TERM_CHAR, VTY, 3n, 0x4869210000000000n, 0n).r3).toBe(0n);
    expect(t.out().console).toBe("Hi!");
    expect(t.call(H_PUT_TERM_CHAR, 1n, 1n, 0n, 0n).r3).toBe(BigInt(H_PARAMETER));
    expect(t.call(H_PUT_TERM_CHAR, VTY, 17n, 0n, 0n).r3).toBe(BigInt(H_PARAMETER));
    expect(t.call(H_GET_TERM_CHAR, VTY).r3).toBe(0n);
    expect(t.v.getGpr(4)).toBe(16n);
    expect(t.v.getGpr(5)).toBe(0x68656c6c6f2c2077n); // "hello, w"
    t.call(H_GET_TERM_CHAR, VTY);
    t.call(H_GET_TERM_CHAR, VTY);
    expect(t.v.getGpr(4)).toBe(5n); // "bytes"
    t.call(H_GET_TERM_CHAR, VTY);
    expect(t.v.getGpr(4)).toBe(0n);
    expect(t.call(H_GET_TERM_CHAR, 5n).r3).toBe(BigInt(H_PARAMETER));
  });

  it("H_SET_MODE(LE) sets LPCR[ILE] on every vCPU and checks its arguments", () => {
    const t = machine();
    expect(t.call(H_SET_MODE, 1n, 4n, 0n, 0n).r3).toBe(0n);
    for (const v of t.m.vm.vcpus) expect((v.getSpr(318) >> 25n) & 1n).toBe(1n);
    expect(t.call(H_SET_MODE, 0n, 4n, 0n, 0n).r3).toBe(0n);
    expect((t.v.getSpr(318) >> 25n) & 1n).toBe(0n);
    expect(t.call(H_SET_MODE, 2n, 4n, 0n, 0n).r3).toBe(BigInt(H_UNSUPPORTED_FLAG));
    expect(t.call(H_SET_MODE, 1n, 4n, 1n, 0n).r3).toBe(BigInt(H_P3));
    expect(t.call(H_SET_MODE, 0n, 9n, 0n, 0n).r3).toBe(BigInt(H_P2));
  });

  it("H_SET_MODE(ADDR_TRANS_MODE) sets LPCR[AIL]: 0, 2, and 3 when cap-ail-mode-3 allows it", () => {
    const t = machine();
    const ail = () => (t.v.getSpr(318) >> 23n) & 3n;
    expect(t.call(H_SET_MODE, 3n, 3n, 0n, 0n).r3).toBe(0n);
    expect(ail()).toBe(3n);
    expect((t.m.vm.vcpu(1).getSpr(318) >> 23n) & 3n).toBe(3n);
    expect(t.call(H_SET_MODE, 2n, 3n, 0n, 0n).r3).toBe(0n);
    expect(ail()).toBe(2n);
    expect(t.call(H_SET_MODE, 1n, 3n, 0n, 0n).r3).toBe(BigInt(H_UNSUPPORTED_FLAG));
    expect(t.call(H_SET_MODE, 0n, 3n, 1n, 0n).r3).toBe(BigInt(H_P3));
    expect(t.call(H_SET_MODE, 0n, 3n, 0n, 1n).r3).toBe(-57n);
    expect(t.call(H_SET_MODE, 0n, 3n, 0n, 0n).r3).toBe(0n);
    expect(ail()).toBe(0n);
    // KVM's own LPCR updates keep the VMM's AIL and ILE.
    t.call(H_SET_MODE, 3n, 3n, 0n, 0n);
    t.call(H_SET_MODE, 1n, 4n, 0n, 0n);
    t.m.vm.configureV3Mmu(0n, true);
    expect(ail()).toBe(3n);
    expect((t.v.getSpr(318) >> 25n) & 1n).toBe(1n);
    const off = machine("", "pseries,cap-ail-mode-3=off");
    expect(off.call(H_SET_MODE, 3n, 3n, 0n, 0n).r3).toBe(BigInt(H_UNSUPPORTED_FLAG));
    expect(off.call(H_SET_MODE, 2n, 3n, 0n, 0n).r3).toBe(0n);
  });

  it("H_SET_SPRG0, seeded H_RANDOM, and H_FUNCTION for the rest", () => {
    const t = machine();
    t.call(H_SET_SPRG0, 0x1234n);
    expect(t.v.getSpr(272)).toBe(0x1234n);
    t.call(H_RANDOM);
    const a = t.v.getGpr(4);
    const u = machine();
    u.call(H_RANDOM);
    expect(u.v.getGpr(4)).toBe(a);
    t.call(H_RANDOM);
    expect(t.v.getGpr(4)).not.toBe(a);
    expect(t.call(0x1fc).r3).toBe(BigInt(H_FUNCTION));
    expect(t.out().errors).toMatch(/unimplemented hcall 0x1fc/);
  });

  it("H_REGISTER_PROC_TBL validates like QEMU and configures the VM's process table", () => {
    const t = machine();
    expect(t.call(H_REGISTER_PROC_TBL, 0x20n, 0n, 0n, 0n).r3).toBe(BigInt(H_PARAMETER));
    expect(t.call(H_REGISTER_PROC_TBL, 0x1cn, 0x1001n, 0n, 0n).r3).toBe(BigInt(H_P2));
    expect(t.call(H_REGISTER_PROC_TBL, 0x1cn, 0x10000n, 1n, 0n).r3).toBe(-56n);
    expect(t.call(H_REGISTER_PROC_TBL, 0x1cn, 0x10000n, 0n, 25n).r3).toBe(-57n);
    expect(t.call(H_REGISTER_PROC_TBL, 0x18n, 0x10000n, 0n, 0n).r3).toBe(BigInt(H_PARAMETER));
    expect(t.call(H_REGISTER_PROC_TBL, 0x1dn, 0x10000n, 0n, 0n).r3).toBe(0n);
    expect((t.v.getSpr(318) >> 22n) & 1n).toBe(1n); // UPRT
    expect((t.v.getSpr(318) >> 10n) & 1n).toBe(1n); // GTSE
  });

  it("KVMPPC_H_CAS refuses a hash-only guest and writes the updated tree after a header", () => {
    const t = machine();
    // PVR list (one ISA 3.00 logical PVR), 5 vectors, OV5 of 26 bytes with byte 24 = radix.
    const vec = [0xffffffff, 0x0f000005, 0x00000000, 0x0f000005];
    const ov = new Uint8Array([4, 2, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 25, ...new Array(26).fill(0)]);
    const put = (ov5Radix: boolean) => {
      t.be32(0x10000, ...vec);
      const b = ov.slice();
      if (ov5Radix) b[12 + 23] = 0x40;
      t.m.vm.writeGuest(0x10010, b);
    };
    put(false);
    expect(t.call(KVMPPC_H_CAS, 0x10000n, 0x20000n, 0x10000n).r3).toBe(BigInt(H_PARAMETER));
    put(true);
    expect(t.call(KVMPPC_H_CAS, 0x10000n, 0x20000n, 0x10000n).r3).toBe(0n);
    expect(t.rd32(0x20000)).toBe(1);
    expect(t.rd32(0x20004)).toBe(0xd00dfeed);
  });
});

describe("RTAS", () => {
  const rtas = (
    t: ReturnType<typeof machine>,
    token: number,
    nargs: number,
    nret: number,
    ...args: number[]
  ) => {
    t.be32(0x30000, token, nargs, nret, ...args, ...new Array(nret).fill(0));
    const r = t.call(KVMPPC_H_RTAS, 0x30000n);
    const rets = [...Array(nret).keys()].map((i) => t.rd32(0x30000 + 12 + 4 * (nargs + i)) | 0);
    return { ...r, rets };
  };

  it("display-character, time of day (deterministic, settable), CPU start/stop", () => {
    const t = machine();
    expect(rtas(t, 0x2000, 1, 1, 0x41).rets).toEqual([0]);
    expect(t.out().console).toBe("A");
    expect(rtas(t, 0x2001, 0, 8).rets.slice(0, 7)).toEqual([0, 2000, 1, 1, 0, 0, 0]);
    expect(rtas(t, 0x2002, 7, 1, 2024, 5, 6, 7, 8, 9, 0).rets).toEqual([0]);
    expect(rtas(t, 0x2001, 0, 8).rets.slice(0, 7)).toEqual([0, 2024, 5, 6, 7, 8, 9]);
    expect(rtas(t, 0x2005, 1, 2, 1).rets).toEqual([0, 0]);
    expect(rtas(t, 0x2006, 3, 1, 1, 0x500, 7).rets).toEqual([0]);
    expect(rtas(t, 0x2005, 1, 2, 1).rets).toEqual([0, 2]);
    expect(t.m.vm.vcpu(1).pc).toBe(0x500n);
    expect(t.m.vm.vcpu(1).getGpr(3)).toBe(7n);
    expect(rtas(t, 0x2006, 3, 1, 1, 0x500, 7).rets).toEqual([-1]);
    expect(rtas(t, 0x2006, 3, 1, 9, 0x500, 7).rets).toEqual([-3]);
    expect(rtas(t, 0x2005, 1, 2, 9).rets[0]).toBe(-3);
    rtas(t, 0x2007, 0, 1);
    expect(t.v.mpState).toBe("stopped");
  });

  it("power-off ends the machine with status 0; unknown tokens are refused", () => {
    const t = machine();
    expect(rtas(t, 0x2003, 2, 1, 0, 0).r).toEqual({
      kind: "poweroff",
      status: 0,
      reason: "power-off",
    });
    expect(rtas(t, 0x2003, 1, 1, 0).rets).toEqual([-3]);
    expect(rtas(t, 0x2004, 0, 1).r.kind).toBe("reset");
    expect(rtas(t, 0x2004, 1, 1, 0).rets).toEqual([-3]);
    expect(rtas(t, 0x2021, 0, 1).rets).toEqual([-3]);
    expect(t.out().errors).toMatch(/RTAS ibm,get-config-addr-info2 is not implemented/);
  });
});
