import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PseriesMachineImpl, STATUS_BAD_OPTIONS, STATUS_RUNAWAY, runPseries } from "./machine";
import type { PseriesOptions } from "./machine";

const guests = fileURLToPath(new URL("../../../guests/", import.meta.url));
const hello = `${guests}hello/hello.elf`;

function run(o: PseriesOptions) {
  let console = "";
  let errors = "";
  const r = runPseries(o, { console: (s) => (console += s), error: (s) => (errors += s) });
  return { ...r, console, errors };
}

describe("runPseries options", () => {
  it("names an unknown cap and refuses to start", () => {
    const r = run({ kernel: hello, machine: "pseries,cap-bogus=on" });
    expect(r.status).toBe(STATUS_BAD_OPTIONS);
    expect(r.errors).toMatch(/bogus/);
    expect(r.console).toBe("");
  });

  it("names an unknown machine version", () => {
    const r = run({ kernel: hello, machine: "pseries-1.0" });
    expect(r.status).toBe(STATUS_BAD_OPTIONS);
    expect(r.errors).toMatch(/pseries-1\.0/);
  });

  it("refuses a cap the host cannot honour, naming it", () => {
    const host = { cpu: "POWER9 DD2.2", rptInvalidate: false, nestedHv: false } as const;
    const a = run({ kernel: hello, machine: "pseries,cap-nested-hv=on", host });
    expect(a.status).toBe(STATUS_BAD_OPTIONS);
    expect(a.errors).toMatch(/cap-nested-hv=on: the host \(POWER9 DD2\.2\)/);
    const b = run({ kernel: hello, machine: "pseries,cap-rpt-invalidate=on", host });
    expect(b.errors).toMatch(/cap-rpt-invalidate=on/);
    const c = run({ kernel: hello, machine: "pseries,cap-htm=on" });
    expect(c.errors).toMatch(/cap-htm=on/);
  });

  it("accepts the caps a capable host honours and advertises them", () => {
    const r = run({ kernel: hello, machine: "pseries-9.0,cap-nested-hv=on,cap-rpt-invalidate=on" });
    expect(r.status).toBe(0);
  });

  it("explains bad -m, -smp, --max-insns, -kernel and -initrd values", () => {
    expect(run({ kernel: hello, memory: "100M" }).errors).toMatch(/-m 100M: RAM must be/);
    expect(run({ kernel: hello, smp: "lots" }).errors).toMatch(/-smp lots/);
    expect(run({ kernel: hello, smp: "4,threads=2" }).errors).toMatch(/one thread per core/);
    expect(run({ kernel: hello, smp: "2,maxcpus=4" }).errors).toMatch(/maxcpus must equal/);
    expect(run({ kernel: hello, smp: "2,dies=1" }).errors).toMatch(/unknown -smp option 'dies'/);
    expect(run({ kernel: hello, smp: "cpus=2,threads=1,maxcpus=2" }).console).toContain(
      "cpus: 2 cores, 2 threads",
    );
    expect(run({ kernel: hello, maxInsns: -1 }).errors).toMatch(/--max-insns -1/);
    expect(run({ kernel: "/nonexistent.elf" }).errors).toMatch(
      /-kernel \/nonexistent\.elf: cannot read/,
    );
    expect(run({ kernel: `${guests}bootrom/bootrom.bin` }).errors).toMatch(/not an ELF file/);
    expect(run({ initrd: hello }).errors).toMatch(/-initrd needs -kernel/);
  });
});

describe("runPseries boot and run", () => {
  it("boots hello with the built-in boot ROM or -bios bootrom.bin alike", () => {
    const a = run({ kernel: hello, smp: 2 });
    const b = run({ kernel: hello, smp: 2, bios: `${guests}bootrom/bootrom.bin` });
    expect(a.console).toContain("cpus: 2 cores, 2 threads");
    expect(b.console).toBe(a.console);
    expect(b.stats.instructions).toBe(a.stats.instructions);
  });

  it("reaches the first guest instruction well under a second", () => {
    const r = run({ kernel: hello });
    expect(r.stats.startupMs).toBeLessThan(500);
  });

  it("counts exits, hcalls by where they were handled, RTAS calls and MMU work", () => {
    const r = run({ kernel: `${guests}cede/cede.elf` });
    expect(r.status).toBe(0);
    expect(r.stats.hcallsInKernel).toEqual({ H_CEDE: 3 });
    expect(r.stats.hcallsInVmm.H_PUT_TERM_CHAR).toBeGreaterThan(0);
    expect(r.stats.hcallsInVmm.H_SET_MODE).toBe(1);
    expect(r.stats.rtasCalls).toEqual({ "power-off": 1 });
    expect(r.stats.exits["papr-hcall"]).toBeGreaterThan(0);
    expect(r.stats.pagesMapped).toBeGreaterThan(0);
    expect(r.stats.mmu.walks).toBeGreaterThan(0);
    expect(r.stats.hostBytesAllocated).toBeLessThan(4 * 2 ** 20);
  });

  it("stops a runaway guest with a clear message and a non-zero status", () => {
    const r = run({ kernel: `${guests}timer/timer.elf`, maxInsns: 100_000 });
    expect(r.status).toBe(STATUS_RUNAWAY);
    expect(r.reason).toBe("max-insns");
    expect(r.errors).toMatch(/ran 100000 instructions without powering off \(--max-insns 100000\)/);
  });

  it("is deterministic: two runs give the same output and counts", () => {
    const a = run({ kernel: `${guests}smp/smp.elf`, smp: 3 });
    const b = run({ kernel: `${guests}smp/smp.elf`, smp: 3 });
    expect(b.console).toBe(a.console);
    expect(b.stats.instructions).toBe(a.stats.instructions);
    expect(a.stats.rtasCalls["start-cpu"]).toBe(2);
  });
});

describe("console input and --stats text", () => {
  it("feeds console input to H_GET_TERM_CHAR and formats the statistics", async () => {
    const { formatPseriesStats } = await import("./machine");
    const r = run({ kernel: hello, input: "xyz" });
    const text = formatPseriesStats(r.stats);
    expect(text).toMatch(/^instructions {5}\d+\n/);
    expect(text).toMatch(/hcalls in VMM {4}H_PUT_TERM_CHAR=\d+ H_RTAS=1\n/);
    expect(text).toMatch(/RTAS calls {7}power-off=1\n/);
    expect(r.stats.mips).toBeGreaterThan(0);
  });
});

describe("--trace", () => {
  it("writes a Chrome trace-event timeline with one track per vCPU", () => {
    const files = new Map<string, Uint8Array>();
    const r = run({
      kernel: `${guests}smp/smp.elf`,
      smp: 3,
      trace: "t.json",
      writeFile: (p, d) => files.set(p, d),
    });
    expect(r.status).toBe(0);
    const json = JSON.parse(new TextDecoder().decode(files.get("t.json"))) as {
      traceEvents: { name: string; ph: string; tid: number; cat: string }[];
    };
    const ev = json.traceEvents;
    expect(new Set(ev.filter((e) => e.ph === "X").map((e) => e.tid))).toEqual(new Set([0, 1, 2]));
    expect(ev.filter((e) => e.name === "RTAS start-cpu")).toHaveLength(2);
    expect(ev.some((e) => e.cat === "hcall-vmm" && e.name === "H_PUT_TERM_CHAR")).toBe(true);
    expect(ev.some((e) => e.cat === "page-fault")).toBe(true);
    expect(ev.at(-1)!.name).toBe("stop: power-off");
  });
});

describe("RTAS system-reboot", () => {
  // A raw -bios image: at 0x100 (big-endian) build { system-reboot, 0 args, 1 ret } at 0x1000
  // and call KVMPPC_H_RTAS.
  const rom = new Uint8Array(0x200);
  const dv = new DataView(rom.buffer);
  [
    0x80c02000, // lwz r6,0x2000(0)   a boot counter in RAM
    0x38c60001, // addi r6,r6,1
    0x90c02000, // stw r6,0x2000(0)
    0x38801000, // li r4,0x1000
    0x38a02004, // li r5,0x2004 (system-reboot)
    0x90a40000, // stw r5,0(r4)
    0x38a00000, // li r5,0
    0x90a40004, // stw r5,4(r4)
    0x38a00001, // li r5,1
    0x90a40008, // stw r5,8(r4)
    0x38600000, // li r3,0
    0x6063f000, // ori r3,r3,0xf000 (KVMPPC_H_RTAS)
    0x44000022, // sc 1
    0x48000000, // b .
  ].forEach((w, i) => dv.setUint32(0x100 + 4 * i, w));
  const readFile = (p: string) => (p === "rom" ? rom : new Uint8Array(0));

  it("resets the machine and boots again, as QEMU does by default; RAM survives", () => {
    const m = new PseriesMachineImpl(
      { bios: "rom", readFile, maxInsns: 1000 },
      { console: () => {}, error: () => {} },
    );
    const r = m.run(performance.now());
    expect(r.stats.resets).toBeGreaterThan(30);
    expect(r.stats.rtasCalls["system-reboot"]).toBe(r.stats.resets);
    expect(r.stats.instructions).toBeGreaterThanOrEqual(1000);
    expect(r.status).toBe(STATUS_RUNAWAY);
    const counter = new DataView(m.vm.readGuest(0x2000, 4)!.buffer).getUint32(0);
    expect(counter).toBe(r.stats.resets + 1);
  });

  it("ends the run with status 0 under -no-reboot", () => {
    const r = run({ bios: "rom", readFile, noReboot: true });
    expect(r).toMatchObject({ status: 0, reason: "system-reboot" });
    expect(r.stats.resets).toBe(0);
  });
});

describe("CAS and the interrupt-controller mode", () => {
  it("refuses, as QEMU does, a guest asking for a mode the machine does not offer", () => {
    // radix asks for XICS: fine with dual (the default) and xics, fatal with ic-mode=xive.
    const radix = `${guests}radix/radix.elf`;
    expect(run({ kernel: radix, machine: "pseries,ic-mode=xics" }).status).toBe(0);
    const r = run({ kernel: radix, machine: "pseries,ic-mode=xive" });
    expect(r).toMatchObject({ status: 1, reason: "cas" });
    expect(r.errors).toMatch(/Guest requested unavailable interrupt mode \(XICS\)/);
  });
});
