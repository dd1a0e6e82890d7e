// The hcalls the VMM ("QEMU") handles when KVM exits with papr-hcall: console, RTAS, CAS,
// process-table registration, H_SET_MODE(LE), H_SET_SPRG0, H_RANDOM and friends.
import {
  H_FUNCTION,
  H_GET_TERM_CHAR,
  H_P2,
  H_P3,
  H_P4,
  H_PARAMETER,
  H_PUT_TERM_CHAR,
  H_RANDOM,
  H_REGISTER_PROC_TBL,
  H_SET_MODE,
  H_SET_SPRG0,
  H_SUCCESS,
  H_UNSUPPORTED_FLAG,
  KVMPPC_H_CAS,
  KVMPPC_H_RTAS,
} from "@hvsim/hcall-abi";
import type { Vcpu } from "@hvsim/kvm-hv-core";

export type PaprResult =
  /** r3 (and maybe r4..) set: resume the vCPU. */
  | { kind: "resume" }
  /** The machine ends (RTAS power-off, system-reboot under -no-reboot semantics). */
  | { kind: "poweroff"; status: number; reason: string }
  /** RTAS system-reboot: the machine resets and boots again. */
  | { kind: "reset" };

/** What the hcall handlers need from the machine. */
export interface PaprMachine {
  console(text: string): void;
  rtas(v: Vcpu, argsGpa: number): PaprResult;
  /** The H_* status, or a fatal outcome (QEMU exits when CAS asks for an unavailable mode). */
  cas(v: Vcpu, vecGpa: number, bufGpa: number, bufSize: number): number | PaprResult;
  registerProcessTable(flags: bigint, procTbl: bigint, pageSize: bigint, tableSize: bigint): number;
  setInterruptLittleEndian(le: boolean): void;
  /** LPCR[AIL] on every vCPU; false when the machine's caps do not allow that mode. */
  setAddressTranslationMode(ail: 0 | 2 | 3): boolean;
  random(): bigint;
  /** The interrupt controller's hcalls that reach the VMM (XICS emulated here, H_INT_*): the
   *  status, or undefined when `nr` is not one of them. */
  intcHcall(v: Vcpu, nr: number): number | undefined;
  /** Up to `max` bytes of console input, or an empty array. */
  consoleInput(max: number): Uint8Array;
  guestError(message: string): void;
}

const VTY_TERMNO = 0x71000000n;
const SPRG0 = 272;
const H_SET_MODE_RESOURCE_ADDR_TRANS_MODE = 3n;
const H_SET_MODE_RESOURCE_LE = 4n;

export function handlePaprHcall(m: PaprMachine, v: Vcpu, nr: number): PaprResult {
  const ret = (r: number): PaprResult => {
    v.setGpr(3, BigInt(r));
    return { kind: "resume" };
  };
  switch (nr) {
    case H_PUT_TERM_CHAR: {
      if (v.getGpr(4) !== VTY_TERMNO) return ret(H_PARAMETER);
      const len = Number(v.getGpr(5));
      if (len > 16) return ret(H_PARAMETER);
      const w = [v.getGpr(6), v.getGpr(7)];
      let s = "";
      for (let i = 0; i < len; i++) {
        s += String.fromCharCode(Number((w[i >> 3]! >> BigInt(56 - 8 * (i & 7))) & 0xffn));
      }
      m.console(s);
      return ret(H_SUCCESS);
    }
    case H_GET_TERM_CHAR:
      if (v.getGpr(4) !== VTY_TERMNO) return ret(H_PARAMETER);
      {
        // r4 = count, r5/r6 = up to 16 bytes, first byte most significant.
        const b = m.consoleInput(16);
        const w = [0n, 0n];
        for (let i = 0; i < b.length; i++) {
          w[i >> 3] = w[i >> 3]! | (BigInt(b[i]!) << BigInt(56 - 8 * (i & 7)));
        }
        v.setGpr(4, BigInt(b.length));
        v.setGpr(5, w[0]!);
        v.setGpr(6, w[1]!);
      }
      return ret(H_SUCCESS);
    case KVMPPC_H_RTAS: {
      const r = m.rtas(v, Number(v.getGpr(4) & 0xfffffffffffffn));
      if (r.kind !== "poweroff") v.setGpr(3, BigInt(H_SUCCESS));
      return r;
    }
    case KVMPPC_H_CAS: {
      const r = m.cas(
        v,
        Number(v.getGpr(4) & 0xfffffffffffffn),
        Number(v.getGpr(5) & 0xfffffffffffffn),
        Number(v.getGpr(6) & 0xffffffffn),
      );
      return typeof r === "number" ? ret(r) : r;
    }
    case H_REGISTER_PROC_TBL:
      return ret(m.registerProcessTable(v.getGpr(4), v.getGpr(5), v.getGpr(6), v.getGpr(7)));
    case H_SET_MODE: {
      const mflags = v.getGpr(4);
      const resource = v.getGpr(5);
      if (resource === H_SET_MODE_RESOURCE_ADDR_TRANS_MODE) {
        if (v.getGpr(6) !== 0n) return ret(H_P3);
        if (v.getGpr(7) !== 0n) return ret(H_P4);
        // AIL=1 is reserved on POWER8..10.
        if (mflags !== 0n && mflags !== 2n && mflags !== 3n) return ret(H_UNSUPPORTED_FLAG);
        return ret(
          m.setAddressTranslationMode(Number(mflags) as 0 | 2 | 3) ? H_SUCCESS : H_UNSUPPORTED_FLAG,
        );
      }
      if (resource !== H_SET_MODE_RESOURCE_LE) return ret(H_P2);
      if (v.getGpr(6) !== 0n || v.getGpr(7) !== 0n) return ret(H_P3);
      if (mflags > 1n) return ret(H_UNSUPPORTED_FLAG);
      m.setInterruptLittleEndian(mflags === 1n);
      return ret(H_SUCCESS);
    }
    case H_SET_SPRG0:
      v.setSpr(SPRG0, v.getGpr(4));
      return ret(H_SUCCESS);
    case H_RANDOM:
      v.setGpr(4, m.random());
      return ret(H_SUCCESS);
    default: {
      const r = m.intcHcall(v, nr);
      if (r !== undefined) return ret(r);
      m.guestError(`unimplemented hcall 0x${nr.toString(16)}`);
      return ret(H_FUNCTION);
    }
  }
}
