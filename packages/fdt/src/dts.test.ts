import { describe, expect, it } from "vitest";
import { formatValue, guessValueForm, toDts } from "./dts";
import { DeviceTree } from "./tree";
import { bytes, cells, string, stringList, u64 } from "./values";

const b = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe("dtc's value heuristics (as observed from dtc 1.6.1)", () => {
  it.each<[string, Uint8Array, string]>([
    ["a one-char string", string("a"), '"a"'],
    ["a string list, printed with \\0 inside", stringList(["a", "b"]), '"a\\0b"'],
    ["escapes", b(7, 8, 9, 10, 11, 12, 13, 0), '"\\a\\b\\t\\n\\v\\f\\r"'],
    ["quote and backslash", string('q"\\'), '"q\\"\\\\"'],
    ["DEL is not printable", b(0x7f, 0), "[7f 00]"],
    ["a high byte", b(0x80, 0x41, 0), "[80 41 00]"],
    ["too many NULs for 4 bytes: cells", b(0x41, 0, 0, 0), "<0x41000000>"],
    ["half NULs is still a string", b(0x41, 0x42, 0, 0), '"AB\\0"'],
    ["ESC is not a string character", b(0x1b, 0x41, 0), "[1b 41 00]"],
    ["leading NUL, odd length", b(0, 0x41, 0), "[00 41 00]"],
    ["a single NUL", b(0), "[00]"],
    ["u64 as two cells", u64(0x1_2345_6789n), "<0x01 0x23456789>"],
    [
      "cells are at least two digits",
      cells([0, 0xf, 0x10, 0xffffffff]),
      "<0x00 0x0f 0x10 0xffffffff>",
    ],
    ["odd length bytes", bytes([1, 2, 3]), "[01 02 03]"],
  ])("%s", (_name, v, text) => expect(formatValue(v)).toBe(text));

  it("splits string lists on request, as dtc 1.7 does", () => {
    const split = { splitStringLists: true };
    expect(formatValue(stringList(["a", "", "b\tc"]), split)).toBe('"a", "", "b\\tc"');
    expect(formatValue(string("one"), split)).toBe('"one"');
    expect(formatValue(bytes([0x41, 0x42, 0, 0]), split)).toBe('"AB", ""');
    expect(formatValue(cells([1]), split)).toBe("<0x01>");
  });

  it("names the form it chose", () => {
    expect(guessValueForm(string("x"))).toBe("string");
    expect(guessValueForm(cells([1]))).toBe("cells");
    expect(guessValueForm(bytes([1]))).toBe("bytes");
  });
});

describe("toDts", () => {
  it("prints a tree as dtc does (golden text)", () => {
    const t = new DeviceTree().reserve(0x1000, 0x2000);
    t.root.setString("compatible", "qemu,pseries").setU32("#address-cells", 2);
    const cpus = t.root.addChild("cpus");
    cpus.addChild("cpu@0").setU32("reg", 0).setEmpty("64-bit").setString("name", "cpu");
    t.root.addChild("chosen");
    expect(toDts(t)).toBe(
      [
        "/dts-v1/;",
        "",
        "/memreserve/\t0x0000000000001000 0x0000000000002000;",
        "/ {",
        '\tcompatible = "qemu,pseries";',
        "\t#address-cells = <0x02>;",
        "",
        "\tcpus {",
        "",
        "\t\tcpu@0 {",
        "\t\t\treg = <0x00>;",
        "\t\t\t64-bit;",
        "\t\t};",
        "\t};",
        "",
        "\tchosen {",
        "\t};",
        "};",
        "",
      ].join("\n"),
    );
  });

  it("drops only a redundant first `name` property, unless asked to keep it", () => {
    const t = new DeviceTree();
    const n = t.root.addChild("vty@71000000");
    n.setString("name", "vty");
    const other = t.root.addChild("x");
    other.setString("name", "y");
    t.root.setString("name", "");
    const text = toDts(t);
    expect(text).not.toContain('name = "vty"');
    expect(text).not.toContain('name = ""');
    expect(text).toContain('name = "y"');
    expect(toDts(t, { keepNameProperties: true })).toContain('name = "vty"');
  });
});
