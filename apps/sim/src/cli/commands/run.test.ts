import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { parseFdtOrThrow, toDts } from "@hvsim/fdt";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { captureIO } from "../io";
import { runCli } from "../program";
import { MACHINE_FAMILIES } from "./run";

async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  return runWithStdin(undefined, ...args);
}

/** `hvsim run ARGS` with standard input redirected from `stdin` (undefined: a terminal). */
async function runWithStdin(
  stdin: string | undefined,
  ...args: string[]
): Promise<{ status: number; out: string; err: string }> {
  const io = captureIO(stdin);
  const status = await runCli(["run", ...args], io);
  return { status, out: io.stdout(), err: io.stderr() };
}

const dir = mkdtempSync(join(tmpdir(), "hvsim-run-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hvsim run -M arm64-virt", () => {
  it("runs the async-PF guest on a KVM host with apf=on", async () => {
    const r = await run("-M", "arm64-virt,host=kvm,apf=on", "--guest", "apf");
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("hvsim: arm64-virt host=kvm,apf=on --guest apf");
    expect(lines[1]).toBe("psci: probing for conduit method from DT.");
    expect(lines).toContain(
      "apf: async page fault; task B ran 19 of 30 slices while A waited; both tasks done in 30008 ticks",
    );
    expect(r.out.endsWith("hvsim: system event shutdown\n")).toBe(true);
  });

  it("discovery on Xen finds Xen from /hypervisor; --machine is -M", async () => {
    const r = await run("--machine", "arm64-virt,host=xen", "--guest", "discovery");
    expect(r.status).toBe(0);
    expect(r.out).toContain("hypervisor=xen");
  });

  it("exit status 1 when the guest is killed (blind HVC with no EL2)", async () => {
    const r = await run("-M", "arm64-virt,host=none,psci=off", "--guest", "blind-probe");
    expect(r.status).toBe(1);
    expect(r.out).toContain("hvsim: guest killed on vCPU 0: HVC #0 is UNDEFINED here");
  });

  it("exit status 3 when migration is refused, 0 when accepted", async () => {
    const refused = await run(
      ...["-M", "arm64-virt,host=kvm,apf=on,kernel=kvm-apf", "--guest", "discovery"],
      ...["--migrate-to", "kvm-mainline"],
    );
    expect(refused.status).toBe(3);
    expect(refused.out).toMatch(
      /hvsim: migration refused: host "kvm-mainline" does not implement "async page fault/,
    );
    const accepted = await run(
      ...["-M", "arm64-virt,host=kvm,kernel=kvm-apf", "--guest", "discovery"],
      ...["--migrate-to", "kvm-mainline"],
    );
    expect(accepted.status).toBe(0);
    expect(accepted.out).toContain('hvsim: migration accepted by host "kvm-mainline"');
  });

  it("--dumpdtb writes the DTB the guest gets, and runs nothing", async () => {
    const file = join(dir, "kvm.dtb");
    const r = await run("-M", "arm64-virt,host=kvm,vcpus=1", "--dumpdtb", file);
    expect(r).toEqual({ status: 0, out: "", err: "" });
    const tree = parseFdtOrThrow(new Uint8Array(readFileSync(file))).tree;
    expect(tree.root.getString("compatible")).toBe("linux,dummy-virt");
    expect(tree.node("/psci")?.getString("method")).toBe("hvc");
    expect(tree.node("/cpus")?.children.map((c) => c.name)).toEqual(["cpu@0"]);

    const dumped = await runCli(["fdt", "dump", file], captureIO());
    expect(dumped).toBe(0);
  });

  it.each([
    [
      ["-M", "arm64-virt,host=kvm,bogus=1", "--guest", "apf"],
      'unknown arm64-virt property "bogus"',
    ],
    [["-M", "arm64-virt,host=vmware", "--guest", "apf"], "host=vmware: use kvm, xen or none"],
    [["-M", "arm64-virt,apf", "--guest", "apf"], 'machine property "apf" needs a value'],
    [["-M", "arm64-virt,host=xen,apf=on", "--guest", "apf"], "apf=on needs host=kvm"],
    [["-M", "arm64-virt", "--guest", "nope"], "--guest nope is not an arm64-virt guest program"],
    [["-M", "arm64-virt"], "arm64-virt needs a guest program: add --guest"],
    [
      ["-M", "arm64-virt", "--guest", "apf", "--migrate-to", "nowhere"],
      'unknown KVM host "nowhere"',
    ],
    [["-M", "arm64-virt,tables=acpi", "--dumpdtb", "x.dtb"], "no DTB to dump"],
    [["-M", "arm64-virt", "--dumpdtb", join(dir, "no/such/dir.dtb")], "cannot write"],
    [["--guest", "apf"], "run: give a machine with -M"],
    [["-M", "x86", "--guest", "apf"], 'unknown machine type "x86": use arm64-virt or pseries'],
    [["-M", "arm64-virt", "--gust", "apf"], "run: unknown option '--gust' (Did you mean --guest?)"],
    [["-M", "arm64-virt", "--guest"], "run: option '--guest <name>' argument missing"],
    [["-M", "arm64-virt", "extra"], "run: too many arguments"],
  ])("%j is a one-line usage error (status 2) naming the problem", async (args, message) => {
    const r = await run(...args);
    expect(r.status).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(message);
    expect(r.err.startsWith("hvsim: ")).toBe(true);
    expect(r.err.split("\n")).toHaveLength(2); // one line and its newline
  });
});

describe("hvsim run: machine families", () => {
  it("-M pseries without a kernel or bios says what it needs", async () => {
    const r = await run("-M", "pseries");
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^hvsim: pseries needs something to boot: -kernel FILE.elf/);
  });

  it("-M help lists the families", async () => {
    const r = await run("-M", "help");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^Supported machines are:\narm64-virt {2}ABI-level arm64/);
    expect(r.out).toContain("\npseries     POWER9 pseries (QEMU's spapr)");
    expect(MACHINE_FAMILIES.map((f) => f.name)).toEqual(["arm64-virt", "pseries"]);
  });

  it("--help documents the exit statuses", async () => {
    const r = await run("--help");
    expect(r.status).toBe(0);
    expect(r.out).toContain("-M, --machine <machine>");
    expect(r.out).toContain("3 migration refused");
    expect(r.out).toContain("0 after RTAS power-off");
  });
});

const guests = join(import.meta.dirname, "../../../guests");

describe("hvsim run -M pseries (QEMU's option spelling)", () => {
  it("boots hello with -smp 2 and prints exactly QEMU's console output", async () => {
    const hello = join(guests, "hello/hello.elf");
    const r = await run("-M", "pseries", "-m", "512M", "-smp", "2", "-kernel", hello);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toBe(readFileSync(join(guests, "hello/hello.expected"), "utf8"));
  });

  it("--stats reports instructions, exits and where hcalls were handled", async () => {
    const r = await run("-M", "pseries", "-kernel", join(guests, "hello/hello.elf"), "--stats");
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/hvsim stats \(power-off\)\ninstructions +\d+/);
    expect(r.err).toMatch(/hcalls in VMM +H_PUT_TERM_CHAR=\d+ H_RTAS=1/);
  });

  it("an unknown cap names it and the machine does not start", async () => {
    const r = await run(
      "-M",
      "pseries,cap-nestd-hv=on",
      "-kernel",
      join(guests, "hello/hello.elf"),
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toContain("cap-nestd-hv");
  });

  it("a redirected standard input is the guest's console input (H_GET_TERM_CHAR)", async () => {
    const echo = join(guests, "echo/echo.elf");
    const r = await runWithStdin("abc\nquit\n", "-M", "pseries", "-kernel", echo, "--stats");
    expect(r.status).toBe(0);
    expect(r.out).toContain("echo 1 (3 bytes): abc\necho 2 (4 bytes): quit\n");
    expect(r.err).toMatch(/hcalls in VMM +H_GET_TERM_CHAR=1 /);
    // A terminal gives no input: the guest waits, sees none and ends.
    const tty = await runWithStdin(undefined, "-M", "pseries", "-kernel", echo);
    expect(tty.out).toContain("echo: 0 lines, 0 bytes of text\n");
  });

  it("--console-input FILE wins over standard input; an unreadable file is a usage error", async () => {
    const echo = join(guests, "echo/echo.elf");
    const file = join(dir, "keys.txt");
    writeFileSync(file, "from a file\n");
    const r = await runWithStdin(
      "from stdin\n",
      "-M",
      "pseries",
      "-kernel",
      echo,
      "--console-input",
      file,
    );
    expect(r.out).toContain("echo 1 (11 bytes): from a file\n");
    expect(r.out).not.toContain("from stdin");
    const bad = await run("-M", "pseries", "-kernel", echo, "--console-input", join(dir, "none"));
    expect(bad.status).toBe(2);
    expect(bad.err).toBe(`hvsim: --console-input ${join(dir, "none")}: cannot read it (ENOENT)\n`);
  });

  it("--host picks the simulated host: it decides which caps can be honoured, nothing else", async () => {
    const hello = join(guests, "hello/hello.elf");
    const ok = await run(
      ...["-M", "pseries", "-smp", "2", "-kernel", hello, "--host", "power9-dd2.2,nested-hv=off"],
    );
    expect(ok.status).toBe(0);
    expect(ok.out).toBe(readFileSync(join(guests, "hello/hello.expected"), "utf8"));
    const refused = await run(
      ...["-M", "pseries,cap-nested-hv=on", "-kernel", hello, "--host", "nested-hv=off"],
    );
    expect(refused.status).toBe(1);
    expect(refused.err).toContain(
      "cap-nested-hv=on: the host (POWER9 DD2.3) KVM cannot run nested hypervisors",
    );
    const bad = await run("-M", "pseries", "-kernel", hello, "--host", "power10");
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^hvsim: --host power10: unknown host model 'power10'/);
  });

  it("--host picks the simulated host (a nested L1's KVM has no XIVE native device)", async () => {
    const xive = join(guests, "xive/xive.elf");
    const l1 = await run("-M", "pseries,ic-mode=xive", "-kernel", xive, "--host", "power9-l1");
    expect(l1.status).toBe(1);
    expect(l1.err).toMatch(/XIVE native mode not available/);
    const bad = await run("-M", "pseries", "-kernel", xive, "--host", "power7");
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(
      /--host power7: unknown host model 'power7' \(known models: power9-dd2.2, power9-dd2.3, power9, power9-l1;/,
    );
    const s = await run("-M", "pseries,ic-mode=xive", "-smp", "2", "-kernel", xive, "--stats");
    expect(s.err).toMatch(
      /interrupts +4 accepted, xive in kernel\n +VMM exits +interrupt path: mmio=0 hcall=0/,
    );
  });

  it("a runaway guest stops at --max-insns with a message and status 3", async () => {
    const timer = join(guests, "timer/timer.elf");
    const r = await run("-M", "pseries", "-kernel", timer, "--max-insns", "100000");
    expect(r.status).toBe(3);
    expect(r.err).toMatch(/max-insns/);
  });

  it("hvsim dumpdtb writes the boot tree: QEMU's root compatible and the vty", async () => {
    const file = join(dir, "pseries.dtb");
    const io = captureIO();
    expect(await runCli(["dumpdtb", "-M", "pseries-9.0", "-smp", "2", file], io)).toBe(0);
    const dts = toDts(parseFdtOrThrow(readFileSync(file)).tree);
    expect(dts).toContain('compatible = "qemu,pseries";');
    expect(dts).toContain("vty@71000000");
    expect(dts).toContain("PowerPC,POWER9@1");
  });
});

describeWithPeers(["dtc"], "hvsim run --dumpdtb and dtc", () => {
  it.each(["host=kvm", "host=xen", "host=none,psci-version=1.0", "host=kvm,psci-version=0.1"])(
    "dtc decompiles the arm64-virt,%s DTB to what hvsim fdt dump prints",
    async (props) => {
      const file = join(dir, `${props.replace(/[=,]/g, "_")}.dtb`);
      expect((await run("-M", `arm64-virt,${props}`, "--dumpdtb", file)).status).toBe(0);
      const dtc = runPeer("dtc", ["-I", "dtb", "-O", "dts", file]);
      expect(dtc.status, dtc.stderr).toBe(0);
      const io = captureIO();
      expect(await runCli(["fdt", "dump", file], io)).toBe(0);
      expect(io.stdout()).toBe(dtc.stdout);
      expect(io.stdout()).toBe(toDts(parseFdtOrThrow(new Uint8Array(readFileSync(file))).tree));
    },
  );
});
