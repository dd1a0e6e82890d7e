import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { captureIO } from "../io";
import { runCli } from "../program";

const fixtures = new URL("../../../../../packages/fdt/src/fixtures/", import.meta.url).pathname;
const pseries = join(fixtures, "pseries.dtb");
const powernv9 = join(fixtures, "powernv9.dtb");

async function dump(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIO();
  const status = await runCli(["fdt", "dump", ...args], io);
  return { status, out: io.stdout(), err: io.stderr() };
}

describe("hvsim fdt dump", () => {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-fdt-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints QEMU's pseries tree in source syntax", async () => {
    const r = await dump(pseries);
    expect(r.status).toBe(0);
    expect(r.err).toBe("");
    expect(r.out.startsWith("/dts-v1/;\n\n/ {\n")).toBe(true);
    expect(r.out).toContain('\tcompatible = "qemu,pseries";\n');
    expect(r.out).toContain("\t\tpower-off = <0x2003>;\n");
  });

  it("splits string lists on request", async () => {
    const r = await dump("--split-string-lists", powernv9);
    expect(r.status).toBe(0);
    expect(r.out).toContain('\tcompatible = "qemu,powernv9", "ibm,powernv";\n');
    expect((await dump(powernv9)).out).toContain('\tcompatible = "qemu,powernv9\\0ibm,powernv";\n');
  });

  it("says which file is missing, with a non-zero status", async () => {
    const r = await dump(join(dir, "nope.dtb"));
    expect(r.status).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      /^hvsim: cannot read .*nope\.dtb \(ENOENT\): give the path of a \.dtb file\n$/,
    );
  });

  it("says what is wrong with a corrupt file and at which offset", async () => {
    const elf = join(dir, "elf.dtb");
    writeFileSync(elf, Buffer.from("7f454c4602010100", "hex"));
    const bad = await dump(elf);
    expect(bad.status).toBe(1);
    expect(bad.err).toBe(
      `hvsim: ${elf}: not a valid device tree: bad magic 0x7f454c46 at offset 0x0 ` +
        "(expected 0xd00dfeed: not a flattened device tree)\n",
    );

    const cut = join(dir, "cut.dtb");
    writeFileSync(cut, readFileSync(pseries).subarray(0, 4000));
    const truncated = await dump(cut);
    expect(truncated.status).toBe(1);
    expect(truncated.err).toMatch(/totalsize 13962 at offset 0x4 .*only 4000 bytes/);
    expect(truncated.err.split("\n")).toHaveLength(2);
  });

  it("needs a file argument", async () => {
    const r = await dump();
    expect(r.status).not.toBe(0);
    expect(r.err).toContain("missing required argument 'file'");
  });

  it("is listed under `hvsim fdt --help`", async () => {
    const io = captureIO();
    expect(await runCli(["fdt", "--help"], io)).toBe(0);
    expect(io.stdout()).toContain("dump [options] <file>");
  });
});

describe("hvsim fdt compile", () => {
  const dir = mkdtempSync(join(tmpdir(), "hvsim-fdt-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles what dump prints back to a blob with the same tree", async () => {
    const dts = join(dir, "pseries.dts");
    writeFileSync(dts, (await dump(pseries)).out);
    const io = captureIO();
    expect(await runCli(["fdt", "compile", dts, "-o", join(dir, "out.dtb")], io)).toBe(0);
    expect(io.stderr()).toBe("");
    expect((await dump(join(dir, "out.dtb"))).out).toBe((await dump(pseries)).out);
  });

  it("reports a syntax error with its line and column", async () => {
    const dts = join(dir, "bad.dts");
    writeFileSync(dts, "/dts-v1/;\n/ {\n\tx = <&label>;\n};\n");
    const io = captureIO();
    expect(await runCli(["fdt", "compile", dts, "-o", join(dir, "x.dtb")], io)).toBe(1);
    expect(io.stderr()).toBe(
      `hvsim: ${dts}: phandle references are not supported at line 3, column 7\n`,
    );
  });

  it("reports unreadable input and unwritable output", async () => {
    const io = captureIO();
    expect(await runCli(["fdt", "compile", join(dir, "none.dts"), "-o", "x"], io)).toBe(1);
    expect(io.stderr()).toMatch(
      /cannot read .*none\.dts \(ENOENT\): give the path of a \.dts file/,
    );
    const ok = join(dir, "ok.dts");
    writeFileSync(ok, "/dts-v1/; / { };");
    const io2 = captureIO();
    expect(await runCli(["fdt", "compile", ok, "-o", join(dir, "no/such/dir.dtb")], io2)).toBe(1);
    expect(io2.stderr()).toMatch(/cannot write .*dir\.dtb \(ENOENT\)/);
  });
});

describeWithPeers(["dtc"], "hvsim fdt dump agrees with dtc", () => {
  it.each([pseries, powernv9])("prints what `dtc -I dtb -O dts` prints for %s", async (file) => {
    const dtc = runPeer("dtc", ["-q", "-I", "dtb", "-O", "dts", file]);
    expect(dtc.status).toBe(0);
    const r = await dump(file);
    expect(r.status).toBe(0);
    expect(r.out).toBe(dtc.stdout);
  });

  it("compiles source to the bytes dtc makes of it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hvsim-fdt-cli-"));
    try {
      const dts = join(dir, "in.dts");
      writeFileSync(dts, (await dump(powernv9)).out);
      expect(await runCli(["fdt", "compile", dts, "-o", join(dir, "ours.dtb")], captureIO())).toBe(
        0,
      );
      expect(
        runPeer("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", join(dir, "dtc.dtb"), dts]).status,
      ).toBe(0);
      expect(readFileSync(join(dir, "ours.dtb"))).toEqual(readFileSync(join(dir, "dtc.dtb")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
