import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HCALLS,
  H_CAS,
  H_ENTER_NESTED,
  H_GUEST_DELETE,
  H_INT_RESET,
  H_RPT_INVALIDATE,
  H_SET_PARTITION_TABLE,
  KVMPPC_HCALL_MAX,
  MAX_HCALL_OPCODE,
  hcallByName,
  hcallByOpcode,
  hcallName,
  hcallTableOf,
} from "./index";
import { LINUX_HVCALL_H, QEMU_ONLY_NAMES } from "./hcall-numbers.test-data";

describe("hcall numbers", () => {
  it("knows the numbers of the reference tables", () => {
    // nested-hv.md §1.1, §4.3; xive-arm.md §2.
    const expected: Record<string, number> = {
      H_REMOVE: 0x04,
      H_GET_TERM_CHAR: 0x54,
      H_PUT_TERM_CHAR: 0x58,
      H_EOI: 0x64,
      H_XIRR: 0x74,
      H_CEDE: 0xe0,
      H_BULK_REMOVE: 0x124,
      H_XIRR_X: 0x2fc,
      H_RANDOM: 0x300,
      H_SET_MODE: 0x31c,
      H_REGISTER_PROC_TBL: 0x37c,
      H_INT_GET_SOURCE_INFO: 0x3a8,
      H_INT_RESET: 0x3d0,
      H_RPT_INVALIDATE: 0x448,
      H_WATCHDOG: 0x45c,
      H_GUEST_GET_CAPABILITIES: 0x460,
      H_GUEST_COPY_MEMORY: 0x484,
      H_GUEST_DELETE: 0x488,
      H_RTAS: 0xf000,
      KVMPPC_H_CAS: 0xf002,
      KVMPPC_H_VOF_CLIENT: 0xf005,
      H_SET_PARTITION_TABLE: 0xf800,
      H_ENTER_NESTED: 0xf804,
      H_TLB_INVALIDATE: 0xf808,
      H_COPY_TOFROM_GUEST: 0xf80c,
      SVM_H_TPM_COMM: 0xef10,
      H_SVM_INIT_ABORT: 0xef14,
      H_GET_PERF_COUNTER_INFO: 0xf080,
    };
    for (const [name, op] of Object.entries(expected)) {
      expect(hcallByName(name)?.opcode, name).toBe(op);
    }
    expect(H_RPT_INVALIDATE).toBe(0x448);
    expect(H_ENTER_NESTED).toBe(0xf804);
    expect(H_INT_RESET).toBe(0x3d0);
    expect(MAX_HCALL_OPCODE).toBe(H_GUEST_DELETE);
    expect(KVMPPC_HCALL_MAX).toBe(0xf80c);
  });

  it("looks up by opcode and by name (aliases, any case) consistently", () => {
    for (const h of HCALLS) {
      expect(hcallByOpcode(h.opcode)).toBe(h);
      expect(hcallByName(h.name)).toBe(h);
      expect(hcallByName(h.name.toLowerCase())).toBe(h);
      for (const a of h.aliases) expect(hcallByName(a)).toBe(h);
    }
    expect(hcallByName("KVMPPC_H_ENTER_NESTED")?.name).toBe("H_ENTER_NESTED");
    expect(hcallByName("H_DISABLE_AND_GET")?.opcode).toBe(0x1b0);
    expect(hcallByName("H_NO_SUCH")).toBeUndefined();
    expect(hcallByOpcode(0x448)?.name).toBe("H_RPT_INVALIDATE");
    expect(hcallName(H_CAS)).toBe("H_CAS");
    expect(hcallName(0x3)).toBe("0x3");
  });

  it("has standard opcodes that are multiples of 4 and sorted, unique entries", () => {
    let prev = -1;
    for (const h of HCALLS) {
      expect(h.opcode).toBeGreaterThan(prev);
      prev = h.opcode;
      if (h.range === "papr") expect(h.opcode % 4).toBe(0);
      expect(h.args === undefined || h.args.length <= 9).toBe(true);
      expect(h.results === undefined || h.results.length <= 9).toBe(true);
    }
  });

  it("has every hcall of Linux hvcall.h and every QEMU-only name, with the same number", () => {
    for (const [name, op] of [...LINUX_HVCALL_H, ...QEMU_ONLY_NAMES]) {
      expect(hcallByName(name)?.opcode, name).toBe(op);
    }
    const known = new Set([...LINUX_HVCALL_H, ...QEMU_ONLY_NAMES].map(([, op]) => op));
    // ...and nothing the headers do not define.
    for (const h of HCALLS) expect(known.has(h.opcode), h.name).toBe(true);
  });

  it("records arguments of the nested and invalidation calls", () => {
    expect(hcallByOpcode(H_ENTER_NESTED)?.args).toEqual(["hv_guest_state", "pt_regs"]);
    expect(hcallByOpcode(H_ENTER_NESTED)?.r3).toMatch(/trap vector/);
    expect(hcallByOpcode(H_RPT_INVALIDATE)?.args).toEqual([
      "id",
      "target",
      "type",
      "pg_sizes",
      "start",
      "end",
    ]);
    expect(hcallByOpcode(H_SET_PARTITION_TABLE)?.args).toEqual(["ptcr"]);
    expect(hcallByName("H_TLB_INVALIDATE")?.args).toEqual(["instr", "rs_lpid", "rb"]);
    expect(hcallByName("H_INT_GET_SOURCE_INFO")?.results).toEqual([
      "src_flags",
      "eoi_page",
      "trigger_page",
      "esb_shift",
    ]);
  });

  it("classifies opcodes the way QEMU's dispatcher does", () => {
    expect(hcallTableOf(0x448)).toBe("papr");
    expect(hcallTableOf(0x449)).toBe("none");
    expect(hcallTableOf(MAX_HCALL_OPCODE + 4)).toBe("none");
    expect(hcallTableOf(0xf002)).toBe("kvmppc");
    expect(hcallTableOf(0xf80c)).toBe("kvmppc");
    expect(hcallTableOf(0xf810)).toBe("none");
    expect(hcallTableOf(0xef10)).toBe("svm");
    expect(hcallTableOf(0xef14)).toBe("none");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (op) => {
        const t = hcallTableOf(op);
        const h = hcallByOpcode(op);
        // Every hcall QEMU defines is reachable through its dispatcher.
        if (h !== undefined && h.definedBy !== "linux") expect(t).not.toBe("none");
      }),
    );
  });
});
