import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFdt } from "./build";
import { toDts } from "./dts";
import { DtsError, parseDts, parseDtsOrThrow } from "./dts-parser";
import { arbitraryTree, survivesDtsText } from "./testing/arbitrary-tree";
import { DeviceTree } from "./tree";

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString("hex");

describe("parseDts", () => {
  it("reads every value form, comments and reservations", () => {
    const t = parseDtsOrThrow(`/dts-v1/;
      /memreserve/ 0x1000 4096; // a comment
      /* a block
         comment */
      / {
        s = "a\\tb\\x41\\101\\0\\\\\\"\\'\\q";
        list = "a", "b";
        c = <1 0x10 010 0xffffffffULL 'a' '\\n'>;
        b8 = /bits/ 8 <1 0xff>;
        b16 = /bits/ 16 <0x1234>;
        b64 = /bits/ 64 <0x123456789>;
        bytes = [00 0102 ab];
        mixed = "x", <2>, [03];
        empty;
        multi = "one
two";
        node@1 { reg = <1>; };
      };
    `);
    expect(t.reservations).toEqual([{ address: 0x1000n, size: 4096n }]);
    expect(t.bootCpuidPhys).toBeUndefined();
    const r = t.root;
    expect(hex(r.get("s"))).toBe(Buffer.from("a\tbAA\0\\\"'q\0", "latin1").toString("hex"));
    expect(r.getStringList("list")).toEqual(["a", "b"]);
    expect(r.getCells("c")).toEqual([1, 0x10, 8, 0xffffffff, 0x61, 0x0a]);
    expect(hex(r.get("b8"))).toBe("01ff");
    expect(hex(r.get("b16"))).toBe("1234");
    expect(hex(r.get("b64"))).toBe("0000000123456789");
    expect(hex(r.get("bytes"))).toBe("000102ab");
    expect(hex(r.get("mixed"))).toBe("78000000000203");
    expect(r.get("empty")?.length).toBe(0);
    expect(r.getString("multi")).toBe("one\ntwo");
    expect(t.node("/node@1")?.getU32("reg")).toBe(1);
  });

  it("keeps UTF-8 text and reads octal escapes as dtc does (\\0 then digits is one escape)", () => {
    const t = parseDtsOrThrow('/dts-v1/; / { u = "é😀"; o = "\\0012\\777"; };');
    expect(t.root.getString("u")).toBe("é😀");
    expect(hex(t.root.get("o"))).toBe("0132ff00");
  });

  it("merges repeated root blocks as dtc does", () => {
    const t = parseDtsOrThrow(`/dts-v1/;
      / { a = <1>; b = <2>; n { x = <1>; }; };
      / { a = <3>; c = <4>; n { y = <2>; }; m { }; };`);
    expect(t.root.properties.map((p) => `${p.name}=${hex(p.value)}`)).toEqual([
      "a=00000003",
      "b=00000002",
      "c=00000004",
    ]);
    expect(t.root.children.map((c) => c.name)).toEqual(["n", "m"]);
    expect(t.node("/n")?.properties.map((p) => p.name)).toEqual(["x", "y"]);
  });

  it.each<[string, string, RegExp]>([
    ["no header", "/ { };", /expected \/dts-v1\/; first at line 1, column 1/],
    ["no root", "/dts-v1/;", /no root node/],
    ["a label", "/dts-v1/; / { l: n { }; };", /labels are not supported at line 1, column 15/],
    ["a reference", "/dts-v1/; / { p = <&l>; };", /phandle references/],
    ["a path reference", "/dts-v1/; / { p = &l; };", /references are not supported/],
    ["an expression", "/dts-v1/; / { p = <(1 + 2)>; };", /expressions/],
    ["/include/", '/dts-v1/; /include/ "x.dtsi"', /\/include\/ is not supported/],
    ["/delete-node/", "/dts-v1/; / { /delete-node/ n; };", /\/delete-node\/ is not supported/],
    ["a directive after the root", "/dts-v1/; / { }; /plugin/;", /\/plugin\/ is not supported/],
    ["a cell too big", "/dts-v1/; / { p = <0x100000000>; };", /does not fit in 32 bits/],
    ["a byte too big", "/dts-v1/; / { p = /bits/ 8 <256>; };", /does not fit in 8 bits/],
    ["a bad width", "/dts-v1/; / { p = /bits/ 12 <1>; };", /must be 8, 16, 32 or 64/],
    ["> 64 bits", "/dts-v1/; / { p = /bits/ 64 <0x10000000000000000>; };", /64 bits/],
    ["a bad octal", "/dts-v1/; / { p = <08>; };", /bad octal number 08/],
    ["an odd byte string", "/dts-v1/; / { p = [012]; };", /two hex digits/],
    ["an open byte string", "/dts-v1/; / { p = [01", /unterminated '\['/],
    ["an open cell list", "/dts-v1/; / { p = <1", /unterminated '<'/],
    ["an open string", '/dts-v1/; / { p = "abc', /unterminated string at line 1, column 19/],
    ["an open comment", "/dts-v1/; /* ", /unterminated comment/],
    ["an open node", "/dts-v1/; / { n {", /unterminated node "n"/],
    ["a missing semicolon", "/dts-v1/; / { p = <1> };", /expected ';' after the value of "p"/],
    ["a missing '}' semicolon", "/dts-v1/; / { }", /expected ';' after '}'/],
    ["a bad value", "/dts-v1/; / { p = x; };", /expected a value/],
    ["a bad cell", "/dts-v1/; / { p = <x>; };", /expected a number/],
    ["a bad name", "/dts-v1/; / { = <1>; };", /expected a property or node name/],
    ["an empty char", "/dts-v1/; / { p = <''>; };", /empty character literal/],
    ["a long char", "/dts-v1/; / { p = <'ab'>; };", /holds one character/],
    ["a bad \\x", '/dts-v1/; / { p = "\\xg"; };', /\\x needs hex digits/],
    ["an escape at the end", '/dts-v1/; / { p = "\\', /unterminated escape/],
    ["a duplicate property", "/dts-v1/; / { p; p; };", /duplicate property "p"/],
    ["a duplicate node", "/dts-v1/; / { n { }; n { }; };", /duplicate node "n"/],
    ["a property after a subnode", "/dts-v1/; / { n { }; p; };", /"p" after a subnode/],
    ["'@' in a property name", "/dts-v1/; / { p@1; };", /'@' in property name/],
    ["a size-0 reservation", "/dts-v1/; /memreserve/ 1 0; / { };", /size 0/],
    ["a memreserve without ';'", "/dts-v1/; /memreserve/ 1 2 / { };", /expected ';'/],
  ])("refuses %s with line and column", (_name, text, message) => {
    const r = parseDts(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(DtsError);
      expect(r.error.message).toMatch(message);
      expect(r.error.line).toBeGreaterThan(0);
    }
  });

  it("refuses nesting deeper than 256 levels instead of overflowing the stack", () => {
    const deep = (n: number): string => `/dts-v1/; / { ${"n { ".repeat(n)}${"}; ".repeat(n)}};`;
    expect(parseDts(deep(255)).ok).toBe(true);
    const r = parseDts(deep(100_000));
    expect(r.ok ? "" : r.error.message).toMatch(/nested deeper than 256 levels/);
  });

  it("counts lines and columns", () => {
    const r = parseDts('/dts-v1/;\n/ {\n\tp = <1>;\n\tq = "x\n');
    expect(r.ok ? undefined : [r.error.line, r.error.column]).toEqual([4, 6]);
  });

  it("parseDts(toDts(t)) equals t, in both string-list styles (property)", () => {
    fc.assert(
      fc.property(arbitraryTree(), fc.boolean(), (t, split) => {
        fc.pre(survivesDtsText(t));
        const back = parseDtsOrThrow(toDts(t, { splitStringLists: split }));
        const expected = t;
        expected.bootCpuidPhys = undefined;
        expect(back).toEqual(expected);
        expect(buildFdt(back)).toEqual(buildFdt(t));
      }),
      { numRuns: 150 },
    );
  });

  it("fuzz: mangled source ends in a tree or a DtsError", () => {
    const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(arbitraryTree(), fc.array(edit, { minLength: 1, maxLength: 5 }), (t, edits) => {
        let text = toDts(t);
        for (const [at, del, ins] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ins + text.slice(i + del);
        }
        const r = parseDts(text);
        if (!r.ok) expect(r.error).toBeInstanceOf(DtsError);
      }),
      { numRuns: 500 },
    );
  });

  it("an empty tree", () => {
    expect(parseDtsOrThrow("/dts-v1/;\n\n/ {\n};\n")).toEqual(new DeviceTree());
  });
});
