import { describe, expect, it } from "vitest";
import { captureIO } from "../io";
import { runCli } from "../program";

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(["abi", ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe("hvsim abi hcall", () => {
  it("shows H_ENTER_NESTED for 0xf804 with its argument registers", async () => {
    const r = await run("hcall", "0xf804");
    expect(r.code).toBe(0);
    expect(r.out).toContain("H_ENTER_NESTED  0xf804");
    expect(r.out).toMatch(/r4 += hv_guest_state/);
    expect(r.out).toMatch(/r5 += pt_regs/);
    expect(r.out).toMatch(/r3 += trap vector/);
    expect(r.out).toContain(
      "in kernel when KVM_CAP_PPC_NESTED_HV is enabled, else H_FUNCTION; not gated by KVM's hcall-enable bitmap",
    );
    expect((await run("hcall", "H_RTAS")).out).toContain("KVM_PPC_RTAS_DEFINE_TOKEN");
    expect((await run("hcall", "H_CAS")).out).toContain("KVM-HV: exits to the VMM; not gated");
  });

  it("shows 0x448 and the six arguments for H_RPT_INVALIDATE (any case)", async () => {
    const r = await run("hcall", "h_rpt_invalidate");
    expect(r.code).toBe(0);
    expect(r.out).toContain("H_RPT_INVALIDATE  0x448");
    for (const [reg, name] of [
      ["r4", "id"],
      ["r5", "target"],
      ["r6", "type"],
      ["r7", "pg_sizes"],
      ["r8", "start"],
      ["r9", "end"],
    ]) {
      expect(r.out).toMatch(new RegExp(`${reg} += ${name}\\n`));
    }
    expect(r.out).toContain("off until KVM_CAP_PPC_ENABLE_HCALL");
  });

  it("accepts decimal opcodes and QEMU's alias names, and shows outputs", async () => {
    expect((await run("hcall", "84")).out).toContain("H_GET_TERM_CHAR  0x54");
    const cas = await run("hcall", "KVMPPC_H_CAS");
    expect(cas.out).toContain("H_CAS  0xf002  (alias KVMPPC_H_CAS)");
    const term = await run("hcall", "H_GET_TERM_CHAR");
    expect(term.out).toMatch(
      /out:\n +r3 += status \(H_\*\)\n +r4 += len\n +r5 += char0_7\n +r6 += char8_15/,
    );
    expect((await run("hcall", "H_CEDE")).out).toContain("enabled by default");
    expect((await run("hcall", "H_GET_TERM_CHAR")).out).toContain("exits to the VMM");
    expect((await run("hcall", "H_QUERY_HCA")).out).toContain("arguments not recorded");
  });

  it("lists every hcall without an argument", async () => {
    const r = await run("hcall");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0xf804 +H_ENTER_NESTED +hv_guest_state, pt_regs/);
    expect(r.out).toMatch(/0x448 +H_RPT_INVALIDATE +id, target/);
    expect(r.out).toMatch(/\d+ hcalls\n$/);
  });

  it("fails with a clear message for an unknown hcall", async () => {
    for (const arg of ["H_NOPE", "0x449", "0x10000"]) {
      const r = await run("hcall", arg);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unknown hcall '${arg}'`);
    }
  });
});

describe("hvsim abi rc", () => {
  it("shows a code by name, by negative value, and by 64-bit r3 value", async () => {
    const byName = await run("rc", "H_PARAMETER");
    expect(byName.out).toContain("H_PARAMETER  -4  (r3 = 0xfffffffffffffffc)");
    expect((await run("rc", "-4")).out).toContain("H_PARAMETER  -4");
    expect((await run("rc", "0xfffffffffffffffc")).out).toContain("H_PARAMETER  -4");
    expect((await run("rc", "9902")).out).toContain("kind: long busy");
    expect((await run("rc", "H_RESCINDEND")).out).toContain("H_RESCINDED");
    expect((await run("rc", "0")).out).toContain("kind: success");
    expect((await run("rc", "H_PENDING")).out).toContain("kind: partial/busy");
    expect((await run("rc", "-87")).out).toContain("H_GUEST_VCPU_STATE_NOT_HV_OWNED");
  });

  it("lists all codes, and rejects an unknown one", async () => {
    const all = await run("rc");
    expect(all.out).toMatch(/ -4 {2}H_PARAMETER/);
    expect(all.out).toMatch(/9900 {2}H_LONG_BUSY_ORDER_1_MSEC/);
    const bad = await run("rc", "-26");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown return code '-26'");
    expect((await run("rc", "H_NOPE")).code).toBe(2);
    expect((await run("rc", "0x100000000000000000")).code).toBe(2);
  });
});

describe("hvsim abi caps", () => {
  it("prints the resolved cap table with value, default and source", async () => {
    const r = await run("caps", "pseries-9.0,cap-nested-hv=on");
    expect(r.code).toBe(0);
    expect(r.out).toContain("pseries-9.0 (cpu power9, ic-mode dual)");
    expect(r.out).toMatch(/cap +value +default +source/);
    expect(r.out).toMatch(/cap-nested-hv +on +off +explicit \(differs: migrated\)/);
    expect(r.out).toMatch(/cap-rpt-invalidate +off +off +default/);
    expect(r.out).toMatch(/cap-hpt-max-page-size +64K +64K +default/);
    expect(r.out).toMatch(/cap-cfpc +workaround +workaround +default/);
    expect(r.out).not.toContain("hcall-rpt-invalidate");
  });

  it("defaults to pseries and honours --cpu and older machine defaults", async () => {
    expect((await run("caps")).out).toContain("pseries-10.0");
    const old = await run("caps", "pseries-3.1", "--cpu", "power8");
    expect(old.out).toMatch(/cap-large-decr +off +off +default/);
    expect(old.out).toMatch(/cap-cfpc +broken/);
    expect(old.out).toContain("ic-mode xics");
    const rpt = await run("caps", "pseries,cap-rpt-invalidate=on");
    expect(rpt.out).toContain("hcall-rpt-invalidate");
    const bad = await run("caps", "pseries", "--cpu", "z80");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown --cpu 'z80'");
  });

  it("exits non-zero naming an unknown cap, value or machine", async () => {
    const cap = await run("caps", "pseries-9.0,cap-nested=on");
    expect(cap.code).toBe(2);
    expect(cap.err).toContain("unknown spapr capability 'cap-nested'");
    expect(cap.out).toBe("");
    const val = await run("caps", "pseries-9.0,cap-nested-hv=maybe");
    expect(val.code).toBe(2);
    expect(val.err).toContain("Parameter 'cap-nested-hv' expects 'on' or 'off', got 'maybe'");
    const mach = await run("caps", "pseries-2.12");
    expect(mach.code).toBe(2);
    expect(mach.err).toContain("unknown machine type 'pseries-2.12'");
    expect(mach.err).toContain("pseries-10.0");
  });

  it("checks migration with --migrate-to", async () => {
    const bad = await run("caps", "pseries-9.0,cap-nested-hv=on", "--migrate-to", "pseries-9.0");
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("migration to pseries-9.0: error");
    expect(bad.out).toContain(
      "cap-nested-hv higher level (1) in incoming stream than on destination (0)",
    );
    const warn = await run("caps", "pseries-9.0", "--migrate-to", "pseries-9.0,cap-nested-hv=on");
    expect(warn.code).toBe(0);
    expect(warn.out).toContain("migration to pseries-9.0: warning");
    const ok = await run("caps", "pseries-9.0", "--migrate-to", "pseries-9.0");
    expect(ok.out).toContain("migration to pseries-9.0: ok");
  });
});
