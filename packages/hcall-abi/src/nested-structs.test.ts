import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithPeers, runPeer } from "@hvsim/internal-peers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  H_PARAMETER,
  HV_GUEST_STATE_FIELDS,
  PT_REGS_SIZE,
  decodeHvGuestState,
  decodePtRegs,
  describeDecodeError,
  emptyHvGuestState,
  emptyPtRegs,
  encodeHvGuestState,
  encodePtRegs,
  hvGuestStateErrorStatus,
  hvGuestStateSize,
  type Endian,
  type HvGuestState,
  type PtRegs,
} from "./index";

const GOLDEN = join(__dirname, "__golden__");

// Fixture values: an 8-byte field at offset o holds the bytes o, o+1, …, o+7 (big-endian
// reading), a 4-byte field the bytes o..o+3; so a field at the wrong offset shows at once.
// tb_offset is negative to exercise the one signed field.
function seq(o: number, n: number): bigint {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt((o + i) & 0xff);
  return v;
}

function fixtureState(version: 1 | 2): HvGuestState {
  const s = emptyHvGuestState(version);
  const rec = s as unknown as Record<string, unknown>;
  for (const f of HV_GUEST_STATE_FIELDS) {
    if (f.name === "version" || f.sinceVersion > version) continue;
    if (f.count > 1) {
      rec[f.name] = Array.from({ length: f.count }, (_, i) => seq(f.offset + i * 8, 8));
    } else {
      rec[f.name] = f.size === 4 ? Number(seq(f.offset, 4)) : seq(f.offset, 8);
    }
  }
  s.tb_offset = -0x0102030405060708n;
  return s;
}

function fixturePtRegs(): PtRegs {
  const r = emptyPtRegs();
  r.gpr = Array.from({ length: 32 }, (_, i) => seq(i * 8, 8));
  const rest = [
    "nip",
    "msr",
    "orig_gpr3",
    "ctr",
    "link",
    "xer",
    "ccr",
    "softe",
    "trap",
    "dar",
    "dsisr",
    "result",
  ] as const;
  rest.forEach((k, i) => (r[k] = seq(256 + i * 8, 8)));
  return r;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const golden = (name: string): string => readFileSync(join(GOLDEN, name), "utf8").trim();

describe("hv_guest_state sizes", () => {
  it("is 232 bytes in version 1 and 248 in version 2, nothing else", () => {
    expect(hvGuestStateSize(1)).toBe(232);
    expect(hvGuestStateSize(2n)).toBe(248);
    expect(hvGuestStateSize(0)).toBeUndefined();
    expect(hvGuestStateSize(3)).toBeUndefined();
    expect(PT_REGS_SIZE).toBe(352);
  });

  it("has the offsets of the header (spot checks)", () => {
    const at = (n: string): number => HV_GUEST_STATE_FIELDS.find((f) => f.name === n)!.offset;
    expect([at("lpid"), at("vcpu_token"), at("tb_offset"), at("hdec_expiry")]).toEqual([
      8, 12, 56, 88,
    ]);
    expect([at("sprg"), at("pidr"), at("ppr"), at("dawr1"), at("dawrx1")]).toEqual([
      176, 208, 224, 232, 240,
    ]);
  });
});

describe("golden bytes (made by powerpc64le-linux-gnu-gcc from a C transcription of the header)", () => {
  for (const endian of ["big", "little"] as const) {
    const e = endian === "big" ? "be" : "le";
    it(`hv_guest_state v2 ${endian}-endian`, () => {
      expect(hex(encodeHvGuestState(fixtureState(2), endian))).toBe(
        golden(`hv-guest-state-v2.${e}.hex`),
      );
    });
    it(`hv_guest_state v1 ${endian}-endian`, () => {
      expect(hex(encodeHvGuestState(fixtureState(1), endian))).toBe(
        golden(`hv-guest-state-v1.${e}.hex`),
      );
    });
    it(`pt_regs ${endian}-endian`, () => {
      expect(hex(encodePtRegs(fixturePtRegs(), endian))).toBe(golden(`pt-regs.${e}.hex`));
    });
    it(`decodes the golden bytes back (${endian})`, () => {
      const v2 = decodeHvGuestState(
        Buffer.from(golden(`hv-guest-state-v2.${e}.hex`), "hex"),
        endian,
      );
      expect(v2).toEqual({ ok: true, value: fixtureState(2) });
      const v1 = decodeHvGuestState(
        Buffer.from(golden(`hv-guest-state-v1.${e}.hex`), "hex"),
        endian,
      );
      expect(v1).toEqual({ ok: true, value: fixtureState(1) });
      const pr = decodePtRegs(Buffer.from(golden(`pt-regs.${e}.hex`), "hex"), endian);
      expect(pr).toEqual({ ok: true, value: fixturePtRegs() });
    });
  }
});

describe("decode errors are values", () => {
  const v2be = encodeHvGuestState(fixtureState(2), "big");

  it("short buffer before the version", () => {
    const r = decodeHvGuestState(v2be.subarray(0, 7), "big");
    expect(r).toEqual({
      ok: false,
      error: { kind: "short-buffer", struct: "hv_guest_state", need: 8, have: 7 },
    });
  });

  it("short buffer for the version's size", () => {
    const r = decodeHvGuestState(v2be.subarray(0, 240), "big");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toEqual({
        kind: "short-buffer",
        struct: "hv_guest_state",
        need: 248,
        have: 240,
      });
      expect(describeDecodeError(r.error)).toBe("hv_guest_state: need 248 bytes, have 240");
      expect(hvGuestStateErrorStatus(r.error)).toBe(H_PARAMETER);
    }
    // A v1 struct only needs 232 bytes.
    const v1 = encodeHvGuestState(fixtureState(1), "big");
    expect(decodeHvGuestState(v1, "big").ok).toBe(true);
  });

  it("version 0 and version 3 are bad versions (Linux: H_PARAMETER)", () => {
    for (const v of [0n, 3n, 0xffffffffffffffffn]) {
      const b = new Uint8Array(v2be);
      new DataView(b.buffer).setBigUint64(0, v, false);
      const r = decodeHvGuestState(b, "big");
      expect(r).toEqual({
        ok: false,
        error: { kind: "bad-version", struct: "hv_guest_state", version: v, supported: [1, 2] },
      });
      if (!r.ok) {
        expect(hvGuestStateErrorStatus(r.error)).toBe(H_PARAMETER);
        expect(describeDecodeError(r.error)).toContain(`version ${v} not supported`);
      }
    }
  });

  it("a big-endian struct read as little-endian has a bad version", () => {
    const r = decodeHvGuestState(v2be, "little");
    expect(r.ok).toBe(false);
  });

  it("short pt_regs", () => {
    expect(decodePtRegs(new Uint8Array(351), "little")).toEqual({
      ok: false,
      error: { kind: "short-buffer", struct: "pt_regs", need: 352, have: 351 },
    });
  });

  it("encoding an unsupported version or a malformed record is a caller bug and throws", () => {
    const s = fixtureState(2);
    expect(() => encodeHvGuestState({ ...s, version: 3n }, "big")).toThrow(RangeError);
    expect(() => encodeHvGuestState({ ...s, lpid: 1.5 }, "big")).toThrow(TypeError);
    expect(() => encodeHvGuestState({ ...s, pcr: 1 as unknown as bigint }, "big")).toThrow(
      TypeError,
    );
    expect(() =>
      encodeHvGuestState({ ...s, sprg: [1n] as unknown as HvGuestState["sprg"] }, "big"),
    ).toThrow(TypeError);
  });
});

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const s64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const endianArb = fc.constantFrom<Endian>("big", "little");

const stateArb = fc
  .record({
    version: fc.constantFrom(1, 2),
    lpid: u32,
    vcpu_token: u32,
    tb_offset: s64,
    sprg: fc.tuple(u64, u64, u64, u64),
    rest: fc.array(u64, { minLength: 24, maxLength: 24 }),
  })
  .map(({ version, lpid, vcpu_token, tb_offset, sprg, rest }) => {
    const s = emptyHvGuestState(version as 1 | 2);
    const rec = s as unknown as Record<string, unknown>;
    let i = 0;
    for (const f of HV_GUEST_STATE_FIELDS) {
      if (["version", "lpid", "vcpu_token", "tb_offset", "sprg"].includes(f.name)) continue;
      const v = rest[i++]!;
      // Fields a version lacks stay 0: they do not survive a round trip by design.
      rec[f.name] = f.sinceVersion <= version ? v : 0n;
    }
    return { ...s, lpid, vcpu_token, tb_offset, sprg };
  });

describe("round trips (fast-check)", () => {
  it("decode(encode(s)) = s for hv_guest_state v1/v2 in both byte orders", () => {
    fc.assert(
      fc.property(stateArb, endianArb, (s, endian) => {
        const bytes = encodeHvGuestState(s, endian);
        expect(bytes.length).toBe(hvGuestStateSize(s.version));
        expect(decodeHvGuestState(bytes, endian)).toEqual({ ok: true, value: s });
      }),
    );
  });

  it("the two byte orders are field-wise byte reversals of each other", () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const be = encodeHvGuestState(s, "big");
        const le = encodeHvGuestState(s, "little");
        for (const f of HV_GUEST_STATE_FIELDS) {
          for (let k = 0; k < f.count; k++) {
            const o = f.offset + k * f.size;
            if (o >= be.length) continue;
            expect([...le.subarray(o, o + f.size)].reverse()).toEqual([
              ...be.subarray(o, o + f.size),
            ]);
          }
        }
      }),
    );
  });

  it("decode(encode(r)) = r for pt_regs in both byte orders", () => {
    fc.assert(
      fc.property(fc.array(u64, { minLength: 44, maxLength: 44 }), endianArb, (vals, endian) => {
        const r = emptyPtRegs();
        r.gpr = vals.slice(0, 32);
        const rest = [
          "nip",
          "msr",
          "orig_gpr3",
          "ctr",
          "link",
          "xer",
          "ccr",
          "softe",
          "trap",
          "dar",
          "dsisr",
          "result",
        ] as const;
        rest.forEach((k, i) => (r[k] = vals[32 + i]!));
        expect(decodePtRegs(encodePtRegs(r, endian), endian)).toEqual({ ok: true, value: r });
      }),
    );
  });

  it("any byte string of the right size decodes as pt_regs and re-encodes identically", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 352, maxLength: 352 }), endianArb, (bytes, endian) => {
        const r = decodePtRegs(bytes, endian);
        expect(r.ok).toBe(true);
        if (r.ok) expect(encodePtRegs(r.value, endian)).toEqual(bytes);
      }),
    );
  });
});

// The C side of the golden test: the struct as the kernel header declares it, written out
// here by hand, so the compiler (not hvsim's table) decides the offsets.
const C_STRUCTS = `
typedef unsigned long long u64; typedef unsigned int u32; typedef long long s64;
struct hv_guest_state {
  u64 version; u32 lpid; u32 vcpu_token; u64 lpcr; u64 pcr; u64 amor; u64 dpdes; u64 hfscr;
  s64 tb_offset; u64 dawr0; u64 dawrx0; u64 ciabr; u64 hdec_expiry; u64 purr; u64 spurr;
  u64 ic; u64 vtb; u64 hdar; u64 hdsisr; u64 heir; u64 asdr; u64 srr0; u64 srr1;
  u64 sprg[4]; u64 pidr; u64 cfar; u64 ppr;
  u64 dawr1; u64 dawrx1;
};
struct pt_regs {
  u64 gpr[32]; u64 nip; u64 msr; u64 orig_gpr3; u64 ctr; u64 link; u64 xer; u64 ccr;
  u64 softe; u64 trap; u64 dar; u64 dsisr; u64 result;
};
`;

function cInit(rec: Record<string, unknown>): string {
  const lit = (v: unknown): string =>
    typeof v === "bigint"
      ? `${v < 0n ? "-" : ""}0x${(v < 0n ? -v : v).toString(16)}LL`
      : `${String(v)}U`;
  return Object.entries(rec)
    .map(([k, v]) => `.${k} = ${Array.isArray(v) ? `{ ${v.map(lit).join(", ")} }` : lit(v)}`)
    .join(",\n  ");
}

function gccBytes(dir: string, name: string, decl: string, endian: Endian): Uint8Array {
  const src = join(dir, `${name}-${endian}.c`);
  const obj = join(dir, `${name}-${endian}.o`);
  const bin = join(dir, `${name}-${endian}.bin`);
  writeFileSync(src, `${C_STRUCTS}\n${decl}\n`);
  const flags = endian === "big" ? ["-mbig-endian"] : ["-mlittle-endian"];
  const cc = runPeer("powerpc64le-linux-gnu-gcc", [
    "-ffreestanding",
    "-c",
    "-O0",
    ...flags,
    src,
    "-o",
    obj,
  ]);
  expect(cc.stderr).toBe("");
  expect(cc.status).toBe(0);
  const oc = runPeer("powerpc64le-linux-gnu-objcopy", [
    "-O",
    "binary",
    "--only-section=.data",
    obj,
    bin,
  ]);
  expect(oc.status).toBe(0);
  return new Uint8Array(readFileSync(bin));
}

describeWithPeers(
  ["powerpc64le-linux-gnu-gcc", "powerpc64le-linux-gnu-objcopy"],
  "codecs agree with the C compiler's layout",
  () => {
    // HVSIM_ACCEPT_GOLDEN=1 rewrites the golden files from the compiler's output.
    const accept = process.env.HVSIM_ACCEPT_GOLDEN === "1";
    for (const endian of ["big", "little"] as const) {
      const e = endian === "big" ? "be" : "le";
      it(`hv_guest_state v1/v2 and pt_regs, ${endian}-endian`, () => {
        const dir = mkdtempSync(join(tmpdir(), "hvsim-abi-"));
        const st = fixtureState(2);
        const v2 = gccBytes(
          dir,
          "hvgs",
          `struct hv_guest_state g = {\n  ${cInit({ ...st })}\n};`,
          endian,
        );
        const st1 = fixtureState(1);
        const v1 = gccBytes(
          dir,
          "hvgs1",
          `struct hv_guest_state g = {\n  ${cInit({ ...st1 })}\n};`,
          endian,
        );
        const pr = gccBytes(
          dir,
          "ptregs",
          `struct pt_regs r = {\n  ${cInit({ ...fixturePtRegs() })}\n};`,
          endian,
        );
        expect(v2.length).toBe(248);
        expect(pr.length).toBe(352);
        const v1Bytes = v1.subarray(0, 232); // the v1 struct is the v2 struct cut after ppr
        if (accept) {
          writeFileSync(join(GOLDEN, `hv-guest-state-v2.${e}.hex`), `${hex(v2)}\n`);
          writeFileSync(join(GOLDEN, `hv-guest-state-v1.${e}.hex`), `${hex(v1Bytes)}\n`);
          writeFileSync(join(GOLDEN, `pt-regs.${e}.hex`), `${hex(pr)}\n`);
        }
        expect(hex(encodeHvGuestState(st, endian))).toBe(hex(v2));
        expect(hex(encodeHvGuestState(st1, endian))).toBe(hex(v1Bytes));
        expect(hex(encodePtRegs(fixturePtRegs(), endian))).toBe(hex(pr));
        expect(golden(`hv-guest-state-v2.${e}.hex`)).toBe(hex(v2));
      });
    }
  },
);
