// Instruction operands: where each lives in the 32-bit word and how it prints.
//
// Field positions use the ISA's big-endian bit numbering in the comments (bit 0 = MSB of the
// word); the code works with LSB shifts (`shift = 31 - last bit`).

/** How an operand is shown by the disassembler and parsed by the assembler. */
export type OperandKind =
  | "gpr" // r0..r31
  | "gpr0" // RA|0: prints "0" when the field is zero
  | "int" // a plain decimal integer (signed or unsigned per the extractor)
  | "crf" // cr0..cr7
  | "crbit" // lt / 4*cr1+eq
  | "disp" // a displacement printed as d(RA): the next operand goes in the parentheses
  | "rel" // branch target relative to the instruction address
  | "abs"; // absolute branch target

export interface Operand {
  readonly name: string;
  readonly kind: OperandKind;
  /** Value of the operand in `w` (already sign-extended / scaled). */
  extract(w: number): number;
  /** `w` with the operand set to `v` (the inverse of extract; used by the assembler). */
  insert(w: number, v: number): number;
  /** Optional operands may be omitted when they (and every later optional one) have their default. */
  readonly optional?: boolean;
  /** Default of an optional operand (0 unless stated). */
  readonly dflt?: number;
  /** Encoding constraint beyond the mask (e.g. RA != 0 for update forms). */
  valid?(w: number): boolean;
  /** Bits of the word this operand occupies (for random generation and masks). */
  readonly bits: number;
  /** Assembler range: inclusive [min, max] of accepted values, and required alignment. */
  readonly min: number;
  readonly max: number;
  readonly align?: number;
}

const field = (w: number, shift: number, width: number): number =>
  (w >>> shift) & ((1 << width) - 1);
const setField = (w: number, shift: number, width: number, v: number): number => {
  const m = ((1 << width) - 1) << shift;
  return ((w & ~m) | ((v << shift) & m)) >>> 0;
};
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);

export interface SimpleSpec {
  name: string;
  kind: OperandKind;
  shift: number;
  width: number;
  signed?: boolean;
  optional?: boolean;
  dflt?: number;
  valid?: (w: number) => boolean;
}

export function simple(s: SimpleSpec): Operand {
  const { shift, width } = s;
  const signed = s.signed === true;
  return {
    name: s.name,
    kind: s.kind,
    extract: signed ? (w) => sext(field(w, shift, width), width) : (w) => field(w, shift, width),
    insert: (w, v) => setField(w, shift, width, v),
    optional: s.optional,
    dflt: s.dflt,
    valid: s.valid,
    bits: (((1 << width) - 1) << shift) >>> 0,
    min: signed ? -(1 << (width - 1)) : 0,
    max: signed ? (1 << (width - 1)) - 1 : width === 32 ? 0xffffffff : (1 << width) - 1,
  };
}

const rt = (w: number): number => field(w, 21, 5);
const ra = (w: number): number => field(w, 16, 5);

// --- registers -------------------------------------------------------------------------------
export const RT = simple({ name: "RT", kind: "gpr", shift: 21, width: 5 });
export const RS = simple({ name: "RS", kind: "gpr", shift: 21, width: 5 });
export const RA = simple({ name: "RA", kind: "gpr", shift: 16, width: 5 });
export const RB = simple({ name: "RB", kind: "gpr", shift: 11, width: 5 });
/** Fourth register of VA-form (maddld RT,RA,RB,RC), bits 21:25. */
export const RC = simple({ name: "RC", kind: "gpr", shift: 6, width: 5 });
/** RA|0: a zero field means the value 0, not r0. */
export const RA0 = simple({ name: "RA0", kind: "gpr0", shift: 16, width: 5 });
/** RA of a load with update: must be neither 0 nor RT (else the form is invalid). */
export const RAL = simple({
  name: "RAL",
  kind: "gpr",
  shift: 16,
  width: 5,
  valid: (w) => ra(w) !== 0 && ra(w) !== rt(w),
});
/** RA of a store with update: must not be 0. */
export const RAS = simple({
  name: "RAS",
  kind: "gpr",
  shift: 16,
  width: 5,
  valid: (w) => ra(w) !== 0,
});
/** RA|0 that must not equal RT (lq, lswi, lswx: objdump rejects RA = RT, even RA = RT = 0). */
export const RAQ = simple({
  name: "RAQ",
  kind: "gpr0",
  shift: 16,
  width: 5,
  valid: (w) => ra(w) !== rt(w),
});
/** RB of lswx: must not equal RT. */
export const RBX = simple({
  name: "RB",
  kind: "gpr",
  shift: 11,
  width: 5,
  valid: (w) => field(w, 11, 5) !== rt(w),
});
/** Even register of a quadword pair (lq/stq/lqarx/stqcx.). */
export const RTQ = simple({
  name: "RTQ",
  kind: "gpr",
  shift: 21,
  width: 5,
  valid: (w) => (rt(w) & 1) === 0,
});
export const RSQ = simple({
  name: "RSQ",
  kind: "gpr",
  shift: 21,
  width: 5,
  valid: (w) => (rt(w) & 1) === 0,
});
/** tlbie/tlbiel RS: optional, shown as r0 only when a later operand is shown. */
export const RS_OPT = simple({ name: "RS", kind: "gpr", shift: 21, width: 5, optional: true });

// --- immediates ------------------------------------------------------------------------------
export const SI = simple({ name: "SI", kind: "int", shift: 0, width: 16, signed: true });
export const UI = simple({ name: "UI", kind: "int", shift: 0, width: 16 });
export const D = simple({ name: "D", kind: "disp", shift: 0, width: 16, signed: true });
/** DS-form displacement: bits 16:29, scaled by 4. */
export const DS: Operand = {
  name: "DS",
  kind: "disp",
  extract: (w) => sext(w & 0xfffc, 16),
  insert: (w, v) => ((w & ~0xfffc) | (v & 0xfffc)) >>> 0,
  bits: 0xfffc,
  min: -0x8000,
  max: 0x7ffc,
  align: 4,
};
/** DQ-form displacement: bits 16:27, scaled by 16. */
export const DQ: Operand = {
  name: "DQ",
  kind: "disp",
  extract: (w) => sext(w & 0xfff0, 16),
  insert: (w, v) => ((w & ~0xfff0) | (v & 0xfff0)) >>> 0,
  bits: 0xfff0,
  min: -0x8000,
  max: 0x7ff0,
  align: 16,
};
/** NB of lswi/stswi (bits 16:20): a byte count 1..32, with 32 encoded as 0. */
export const NB: Operand = {
  name: "NB",
  kind: "int",
  extract: (w) => field(w, 11, 5) || 32,
  insert: (w, v) => setField(w, 11, 5, v & 31),
  bits: 31 << 11,
  min: 0,
  max: 32,
};
/** addpcis D: d0 (bits 16:25) || d1 (bits 11:15) || d2 (bit 31), a signed 16-bit value. */
export const DXD: Operand = {
  name: "D",
  kind: "int",
  extract: (w) => sext((field(w, 6, 10) << 6) | (field(w, 16, 5) << 1) | (w & 1), 16),
  insert: (w, v) => {
    let r = setField(w, 6, 10, (v >> 6) & 0x3ff);
    r = setField(r, 16, 5, (v >> 1) & 31);
    return setField(r, 0, 1, v & 1);
  },
  bits: (0x3ff << 6) | (31 << 16) | 1,
  min: -0x8000,
  max: 0x7fff,
};
export const TO = simple({ name: "TO", kind: "int", shift: 21, width: 5 });
export const SH = simple({ name: "SH", kind: "int", shift: 11, width: 5 });
export const MB = simple({ name: "MB", kind: "int", shift: 6, width: 5 });
export const ME = simple({ name: "ME", kind: "int", shift: 1, width: 5 });
/** 6-bit shift of MD/XS forms: sh0:4 in bits 16:20, sh5 in bit 30. */
export const SH6: Operand = {
  name: "SH",
  kind: "int",
  extract: (w) => field(w, 11, 5) | (field(w, 1, 1) << 5),
  insert: (w, v) => setField(setField(w, 11, 5, v & 31), 1, 1, (v >> 5) & 1),
  bits: (31 << 11) | 2,
  min: 0,
  max: 63,
};
/** 6-bit mask begin/end of MD/MDS forms: mb5 in bit 26 is the high bit, bits 21:25 the low. */
export const MB6: Operand = {
  name: "MB",
  kind: "int",
  extract: (w) => field(w, 6, 5) | (field(w, 5, 1) << 5),
  insert: (w, v) => setField(setField(w, 6, 5, v & 31), 5, 1, (v >> 5) & 1),
  bits: (31 << 6) | 0x20,
  min: 0,
  max: 63,
};
export const ME6: Operand = { ...MB6, name: "ME" };

// --- condition register ----------------------------------------------------------------------
export const BF = simple({ name: "BF", kind: "crf", shift: 23, width: 3 });
/** Optional BF of the compares (cr0 omitted). */
export const OBF = simple({ name: "BF", kind: "crf", shift: 23, width: 3, optional: true });
export const BFA = simple({ name: "BFA", kind: "crf", shift: 18, width: 3 });
export const BT = simple({ name: "BT", kind: "crbit", shift: 21, width: 5 });
export const BA = simple({ name: "BA", kind: "crbit", shift: 16, width: 5 });
export const BB = simple({ name: "BB", kind: "crbit", shift: 11, width: 5 });
/** isel's BC (bits 21:25). */
export const BC = simple({ name: "BC", kind: "crbit", shift: 6, width: 5 });
export const L10 = simple({ name: "L", kind: "int", shift: 21, width: 1 });
export const FXM = simple({ name: "FXM", kind: "int", shift: 12, width: 8 });
/** mtocrf/mfocrf FXM: exactly one bit must be set. */
export const FXM1 = simple({
  name: "FXM",
  kind: "int",
  shift: 12,
  width: 8,
  valid: (w) => {
    const v = field(w, 12, 8);
    return v !== 0 && (v & (v - 1)) === 0;
  },
});

// --- branches --------------------------------------------------------------------------------
export const BO = simple({ name: "BO", kind: "int", shift: 21, width: 5 });
export const BI = simple({ name: "BI", kind: "crbit", shift: 16, width: 5 });
/** The CR field of BI, for the extended conditional branches (cond bits fixed by the mask). */
export const CR = simple({ name: "CR", kind: "crf", shift: 18, width: 3, optional: true });
export const BH = simple({ name: "BH", kind: "int", shift: 11, width: 2, optional: true });
export const BD: Operand = {
  name: "BD",
  kind: "rel",
  extract: (w) => sext(w & 0xfffc, 16),
  insert: (w, v) => ((w & ~0xfffc) | (v & 0xfffc)) >>> 0,
  bits: 0xfffc,
  min: -0x8000,
  max: 0x7ffc,
  align: 4,
};
export const BDA: Operand = { ...BD, name: "BDA", kind: "abs" };
export const LI: Operand = {
  name: "LI",
  kind: "rel",
  extract: (w) => sext(w & 0x3fffffc, 26),
  insert: (w, v) => ((w & ~0x3fffffc) | (v & 0x3fffffc)) >>> 0,
  bits: 0x3fffffc,
  min: -0x2000000,
  max: 0x1fffffc,
  align: 4,
};
export const LIA: Operand = { ...LI, name: "LIA", kind: "abs" };

// --- system ----------------------------------------------------------------------------------
/** SPR number: the two 5-bit halves of bits 11:20 are swapped in the encoding. */
export const SPR: Operand = {
  name: "SPR",
  kind: "int",
  extract: (w) => field(w, 16, 5) | (field(w, 11, 5) << 5),
  insert: (w, v) => setField(setField(w, 16, 5, v & 31), 11, 5, (v >> 5) & 31),
  bits: 0x3ff << 11,
  min: 0,
  max: 1023,
};
export const LEV = simple({ name: "LEV", kind: "int", shift: 5, width: 7, optional: true });
export const LEV_REQ = simple({ name: "LEV", kind: "int", shift: 5, width: 7 });
/** mtmsr/mtmsrd L (bit 15). */
export const LMSR = simple({ name: "L", kind: "int", shift: 16, width: 1, optional: true });
export const RIC = simple({ name: "RIC", kind: "int", shift: 18, width: 2, optional: true });
export const PRS = simple({ name: "PRS", kind: "int", shift: 17, width: 1, optional: true });
export const RBIT = simple({ name: "R", kind: "int", shift: 16, width: 1, optional: true });
export const EH = simple({ name: "EH", kind: "int", shift: 0, width: 1, optional: true });
export const IH = simple({ name: "IH", kind: "int", shift: 21, width: 3, optional: true });
export const DARN_L = simple({ name: "L", kind: "int", shift: 16, width: 2 });
export const TH = simple({ name: "TH", kind: "int", shift: 21, width: 5 });
export const TH_CT = simple({ name: "TH", kind: "int", shift: 21, width: 5, optional: true });
export const TH_DS = simple({
  name: "TH",
  kind: "int",
  shift: 21,
  width: 5,
  optional: true,
  dflt: 8,
});
/** icbt CT: the ISA gives it bits 7:10, binutils decodes all of bits 6:10. */
export const CT = simple({ name: "CT", kind: "int", shift: 21, width: 5, optional: true });
/** dcbf L (bits 8:10). */
export const DCBF_L = simple({ name: "L", kind: "int", shift: 21, width: 3 });

/**
 * An operand whose value is computed from several fields (extended mnemonics such as
 * `slwi ra,rs,n` = `rlwinm ra,rs,n,0,31-n`). The mnemonic's `check` guarantees the relation.
 */
export function derived(
  name: string,
  extract: (w: number) => number,
  insert: (w: number, v: number) => number,
  min: number,
  max: number,
): Operand {
  return { name, kind: "int", extract, insert, bits: 0, min, max };
}

export { field, setField, sext };
