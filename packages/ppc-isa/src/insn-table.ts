// The instruction set as data: one table drives the decoder, the disassembler, the assembler
// and the generated tests (DESIGN §6.8).
//
// Each row is a spelling: a mnemonic, the fixed bits (`mask`/`match`), its operands in printed
// order, flags, and for extended mnemonics the base instruction they spell. Within a primary
// opcode the rows are ordered as GNU objdump chooses among them: extended mnemonics first, in
// priority order, then the base form. A word matches a row when `(w & mask) === match`, the
// row's `check` (relations between fields, e.g. `slwi`'s ME = 31 - SH) holds and every operand
// is valid (e.g. RA != RT in a load with update).
//
// Coverage: `isa-mmu.md` §3.7 (the microwatt-sized subset plus the ISA 3.0 scalar additions).
import {
  BA,
  BB,
  BC,
  BD,
  BDA,
  BF,
  BFA,
  BH,
  BI,
  BO,
  BT,
  CR,
  CT,
  D,
  DARN_L,
  DCBF_L,
  DQ,
  DS,
  DXD,
  EH,
  FXM,
  FXM1,
  IH,
  L10,
  LEV,
  LEV_REQ,
  LI,
  LIA,
  LMSR,
  MB,
  MB6,
  NB,
  ME,
  ME6,
  OBF,
  PRS,
  RA,
  RA0,
  RAL,
  RAQ,
  RAS,
  RB,
  RBIT,
  RBX,
  RC,
  RIC,
  RS,
  RS_OPT,
  RSQ,
  RT,
  RTQ,
  SH,
  SH6,
  SI,
  SPR,
  TH,
  TH_CT,
  TH_DS,
  TO,
  UI,
  derived,
  field,
  setField,
  simple,
  type Operand,
} from "./operands";
import { MFSPR_NAMES, MTSPR_NAMES, type SprName } from "./spr-names";

/** Privileged: program interrupt (privileged cause) in problem state. */
export const F_PRIV = 1;
/** Hypervisor-privileged: needs MSR[HV]=1 (or is trapped to the hypervisor) in guest state. */
export const F_HV = 2;
/** Exists only in 64-bit implementations. */
export const F_64 = 4;
/** Big-endian only (the string instructions): an alignment interrupt when MSR[LE]=1, and GNU as
 *  refuses it when assembling for a little-endian target. */
export const F_BE_ONLY = 8;

export interface InsnDef {
  readonly mnemonic: string;
  /** The architectural instruction this row spells (its own mnemonic for a base row). */
  readonly base: string;
  readonly mask: number;
  readonly match: number;
  readonly operands: readonly Operand[];
  readonly flags: number;
  /** True for extended mnemonics (aliases of a base row). */
  readonly alias: boolean;
  readonly check?: (w: number) => boolean;
  /** For the assembler: complete fields an extended mnemonic implies (mr: RB = RS). */
  readonly fill?: (w: number) => number;
  /** For the assembler: a rule GNU as enforces on a word objdump still decodes (an error
   *  message, or undefined when the word is accepted). */
  readonly asmCheck?: (w: number) => string | undefined;
}

const u32 = (v: number): number => v >>> 0;
const P = (op: number): number => u32(op << 26);

function operandBits(ops: readonly Operand[]): number {
  let b = 0;
  for (const o of ops) b |= o.bits;
  return u32(b);
}

/** A base row: every bit not covered by an operand is fixed (reserved bits must be zero). */
function base(
  mnemonic: string,
  match: number,
  operands: readonly Operand[],
  flags = 0,
  check?: (w: number) => boolean,
): InsnDef {
  return {
    mnemonic,
    base: mnemonic.replace(/\.$/, ""),
    mask: u32(~operandBits(operands)),
    match: u32(match),
    operands,
    flags,
    alias: false,
    check,
  };
}

/** An extended mnemonic of `b`: `fixed` operand values, printed `operands`, extra `check`. */
function alias(
  mnemonic: string,
  b: InsnDef,
  fixed: readonly (readonly [Operand, number])[],
  operands: readonly Operand[],
  check?: (w: number) => boolean,
): InsnDef {
  let mask = b.mask;
  let match = b.match;
  for (const [op, v] of fixed) {
    mask |= op.bits;
    match = op.insert(match, v);
  }
  return {
    mnemonic,
    base: b.base,
    mask: u32(mask),
    match: u32(match),
    operands,
    flags: b.flags,
    alias: true,
    check,
  };
}

function withRc(d: InsnDef): InsnDef {
  return { ...d, mnemonic: d.mnemonic + ".", match: u32(d.match | 1), mask: u32(d.mask | 1) };
}

function withOe(d: InsnDef): InsnDef {
  const mn = d.mnemonic.endsWith(".") ? d.mnemonic.slice(0, -1) + "o." : d.mnemonic + "o";
  return { ...d, mnemonic: mn, match: u32(d.match | 0x400), mask: u32(d.mask | 0x400) };
}

const TABLE: InsnDef[] = [];
/** Base rows that never print themselves (their aliases cover every valid word) but still
 *  define the encoding space, for the generated tests. */
const TEMPLATES_ONLY: InsnDef[] = [];
const emit = (...defs: InsnDef[]): void => void TABLE.push(...defs);
/** Emit the plain and the Rc=1 (record) forms. */
const emitRc = (d: InsnDef): void => emit(d, withRc(d));

const X = (op: number, xo: number): number => u32(P(op) | (xo << 1));
const XO = (xo: number): number => u32(P(31) | (xo << 1));
const MD = (xo: number): number => u32(P(30) | (xo << 2));
const MDS = (xo: number): number => u32(P(30) | (xo << 1));
const XS = (xo: number): number => u32(P(31) | (xo << 2));

const fRT = (w: number): number => field(w, 21, 5);
const fRA = (w: number): number => field(w, 16, 5);
const fRB = (w: number): number => field(w, 11, 5);
const fSH = (w: number): number => field(w, 11, 5);
const fMB = (w: number): number => field(w, 6, 5);
const fME = (w: number): number => field(w, 1, 5);

// ---------------------------------------------------------------------------------------------
// Branches.
// ---------------------------------------------------------------------------------------------

/** The valid BO values of ISA 2.x+ (with the "at" hint bits); others are invalid forms. */
export function validBO(bo: number): boolean {
  switch (bo & 0x14) {
    case 0x00:
      return (bo & 1) === 0; // 0000z 0001z 0100z 0101z
    case 0x04:
      return (bo & 3) !== 1; // 001at 011at: at = 01 is reserved
    case 0x10:
      return (bo & 9) !== 1; // 1a00t 1a01t: at = 01 is reserved
    default:
      return bo === 0x14; // 1z1zz: branch always
  }
}

/** "-" / "+" hint suffix of a generic conditional branch (the "at" bits of 1a0zt). */
function genericHint(bo: number): string {
  if ((bo & 0x14) === 0x10 && (bo & 8) !== 0) return bo & 1 ? "+" : "-";
  return "";
}

const TRUE_CONDS = ["lt", "gt", "eq", "so"];
const FALSE_CONDS = ["ge", "le", "ne", "ns"];
const BO_FIELD = simple({ name: "BO", kind: "int", shift: 21, width: 5 });
const BI_COND = simple({ name: "BIcond", kind: "int", shift: 16, width: 2 });
const BI_FULL = simple({ name: "BIfull", kind: "int", shift: 16, width: 5 });
const AA_LK = simple({ name: "AALK", kind: "int", shift: 0, width: 2 });
const LK_BIT = simple({ name: "LK", kind: "int", shift: 0, width: 1 });

/**
 * Extended conditional-branch mnemonics for one branch flavour. `target` is "" for bc (then
 * AA/LK spell "l"/"a"/"la") or "lr"/"ctr"/"tar" for the XL forms (LK spells a trailing "l").
 * For bc, objdump ignores the low (t) bit of BO in the unhinted spellings; the XL forms match
 * BO exactly.
 */
function condBranches(b: InsnDef, kind: "" | "lr" | "ctr" | "tar", lk: number, aa: number) {
  const out: InsnDef[] = [];
  const suffix = kind === "" ? (lk ? "l" : "") + (aa ? "a" : "") : kind + (lk ? "l" : "");
  const tgt: Operand[] = kind === "" ? [aa ? BDA : BD] : [BH];
  const fixAaLk: [Operand, number] = kind === "" ? [AA_LK, aa * 2 + lk] : [LK_BIT, lk];
  const bform = kind === "";
  const boOnly = (bo: number, fn: string, ops: Operand[], extra: [Operand, number][] = []) => {
    if (bform && (bo & 1) === 0 && !fn.endsWith("-") && !fn.endsWith("+")) {
      // Unhinted bc spellings match BO and BO|1.
      const d = alias(fn, b, [fixAaLk, ...extra], ops);
      const m = u32(BO_FIELD.bits & ~(1 << 21));
      out.push({ ...d, mask: u32(d.mask | m), match: u32(d.match | (bo << 21)) });
    } else {
      out.push(alias(fn, b, [fixAaLk, [BO_FIELD, bo], ...extra], ops));
    }
  };
  // Decrement-and-test-condition forms (not for bcctr: CTR would be both target and counter).
  if (kind !== "ctr") {
    boOnly(0, `bdnzf${suffix}`, [BI, ...tgt]);
    boOnly(2, `bdzf${suffix}`, [BI, ...tgt]);
    boOnly(8, `bdnzt${suffix}`, [BI, ...tgt]);
    boOnly(10, `bdzt${suffix}`, [BI, ...tgt]);
  }
  for (let c = 0; c < 4; c++) {
    for (const [bo, hint] of [
      [4, ""],
      [6, "-"],
      [7, "+"],
    ] as const) {
      boOnly(bo, `b${FALSE_CONDS[c]}${suffix}${hint}`, [CR, ...tgt], [[BI_COND, c]]);
    }
    for (const [bo, hint] of [
      [12, ""],
      [14, "-"],
      [15, "+"],
    ] as const) {
      boOnly(bo, `b${TRUE_CONDS[c]}${suffix}${hint}`, [CR, ...tgt], [[BI_COND, c]]);
    }
  }
  if (kind !== "ctr") {
    for (const [bo, name] of [
      [16, "bdnz"],
      [24, "bdnz-"],
      [25, "bdnz+"],
      [18, "bdz"],
      [26, "bdz-"],
      [27, "bdz+"],
    ] as const) {
      const hint = name.endsWith("-") || name.endsWith("+") ? name.slice(-1) : "";
      const stem = hint ? name.slice(0, -1) : name;
      boOnly(bo, `${stem}${suffix}${hint}`, [...tgt], [[BI_FULL, 0]]);
    }
  }
  if (kind !== "") {
    // Branch always: blr / bctr / btar (BI must be 0).
    out.push(alias(`b${suffix}`, b, [fixAaLk, [BO_FIELD, 20], [BI_FULL, 0]], [...tgt]));
  }
  // Generic spellings, with the hint on the mnemonic (bc-, bclr+ ...).
  for (const hint of ["", "-", "+"]) {
    const name = kind === "" ? `bc${suffix}${hint}` : `bc${suffix}${hint}`;
    out.push(
      alias(name, b, [fixAaLk], kind === "" ? [BO, BI, ...tgt] : [BO, BI, BH], (w) => {
        const bo = field(w, 21, 5);
        return validBO(bo) && genericHint(bo) === hint;
      }),
    );
  }
  return out;
}

{
  // b / ba / bl / bla
  const bb = base("b", P(18), [LI, AA_LK]);
  TEMPLATES_ONLY.push(bb);
  emit(
    alias("b", bb, [[AA_LK, 0]], [LI]),
    alias("bl", bb, [[AA_LK, 1]], [LI]),
    alias("ba", bb, [[AA_LK, 2]], [LIA]),
    alias("bla", bb, [[AA_LK, 3]], [LIA]),
  );
  // bc: the extended spellings for every AA/LK; the base row (`bc BO,BI,BD` with AA/LK
  // encoded) stays out of disassembly since the aliases cover every valid word.
  const bc = base("bc", P(16), [BO, BI, BD, AA_LK]);
  TEMPLATES_ONLY.push(bc);
  for (const [lk, aa] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const) {
    emit(...condBranches(bc, "", lk, aa));
  }
  const bclr = base("bclr", X(19, 16), [BO, BI, BH, LK_BIT]);
  const bcctr = base("bcctr", X(19, 528), [BO, BI, BH, LK_BIT]);
  const bctar = base("bctar", X(19, 560), [BO, BI, BH, LK_BIT]);
  TEMPLATES_ONLY.push(bclr, bcctr, bctar);
  for (const lk of [0, 1]) {
    emit(...condBranches(bclr, "lr", lk, 0));
    emit(...condBranches(bcctr, "ctr", lk, 0));
    emit(...condBranches(bctar, "tar", lk, 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Condition register.
// ---------------------------------------------------------------------------------------------
const copyField =
  (from: number, to: number) =>
  (w: number): number =>
    setField(w, to, 5, field(w, from, 5));
{
  emit(base("mcrf", X(19, 0), [BF, BFA]));
  const ba = (w: number): number => field(w, 16, 5);
  const bb = (w: number): number => field(w, 11, 5);
  const bt = (w: number): number => field(w, 21, 5);
  const crxor = base("crxor", X(19, 193), [BT, BA, BB]);
  const creqv = base("creqv", X(19, 289), [BT, BA, BB]);
  const cror = base("cror", X(19, 449), [BT, BA, BB]);
  const crnor = base("crnor", X(19, 33), [BT, BA, BB]);
  emit(
    {
      ...alias("crclr", crxor, [], [BT], (w) => bt(w) === ba(w) && ba(w) === bb(w)),
      fill: (w) => copyField(21, 11)(copyField(21, 16)(w)),
    },
    crxor,
    {
      ...alias("crset", creqv, [], [BT], (w) => bt(w) === ba(w) && ba(w) === bb(w)),
      fill: (w) => copyField(21, 11)(copyField(21, 16)(w)),
    },
    creqv,
    { ...alias("crmove", cror, [], [BT, BA], (w) => ba(w) === bb(w)), fill: copyField(16, 11) },
    cror,
    { ...alias("crnot", crnor, [], [BT, BA], (w) => ba(w) === bb(w)), fill: copyField(16, 11) },
    crnor,
    base("crand", X(19, 257), [BT, BA, BB]),
    base("crandc", X(19, 129), [BT, BA, BB]),
    base("crnand", X(19, 225), [BT, BA, BB]),
    base("crorc", X(19, 417), [BT, BA, BB]),
  );
  // mfcr / mfocrf, mtcrf / mtocrf: bit 11 (0x00100000) selects the one-field form.
  emit(base("mfcr", XO(19), [RT]), base("mfocrf", u32(XO(19) | 0x00100000), [RT, FXM1]));
  const mtcrf = base("mtcrf", XO(144), [FXM, RS]);
  emit(
    alias("mtcr", mtcrf, [[FXM, 0xff]], [RS]),
    mtcrf,
    base("mtocrf", u32(XO(144) | 0x00100000), [FXM1, RS]),
  );
}

// ---------------------------------------------------------------------------------------------
// Immediate arithmetic, logic and compares.
// ---------------------------------------------------------------------------------------------
{
  const addi = base("addi", P(14), [RT, RA0, SI]);
  emit(alias("li", addi, [[RA0, 0]], [RT, SI]), addi);
  const addis = base("addis", P(15), [RT, RA0, SI]);
  emit(alias("lis", addis, [[RA0, 0]], [RT, SI]), addis);
  emit(base("addic", P(12), [RT, RA, SI]), base("addic.", P(13), [RT, RA, SI]));
  emit(base("subfic", P(8), [RT, RA, SI]), base("mulli", P(7), [RT, RA, SI]));
  const ori = base("ori", P(24), [RA, RS, UI]);
  emit(
    alias(
      "nop",
      ori,
      [
        [RA, 0],
        [RS, 0],
        [UI, 0],
      ],
      [],
    ),
    ori,
    base("oris", P(25), [RA, RS, UI]),
  );
  const xori = base("xori", P(26), [RA, RS, UI]);
  emit(
    alias(
      "xnop",
      xori,
      [
        [RA, 0],
        [RS, 0],
        [UI, 0],
      ],
      [],
    ),
    xori,
  );
  emit(base("xoris", P(27), [RA, RS, UI]));
  emit(base("andi.", P(28), [RA, RS, UI]), base("andis.", P(29), [RA, RS, UI]));
  const cmpi = base("cmpi", P(11), [BF, L10, RA, SI]);
  emit(
    alias("cmpwi", cmpi, [[L10, 0]], [OBF, RA, SI]),
    alias("cmpdi", cmpi, [[L10, 1]], [OBF, RA, SI]),
    cmpi,
  );
  const cmpli = base("cmpli", P(10), [BF, L10, RA, UI]);
  emit(
    alias("cmplwi", cmpli, [[L10, 0]], [OBF, RA, UI]),
    alias("cmpldi", cmpli, [[L10, 1]], [OBF, RA, UI]),
    cmpli,
  );
  const cmp = base("cmp", XO(0), [BF, L10, RA, RB]);
  emit(
    alias("cmpw", cmp, [[L10, 0]], [OBF, RA, RB]),
    alias("cmpd", cmp, [[L10, 1]], [OBF, RA, RB]),
    cmp,
  );
  const cmpl = base("cmpl", XO(32), [BF, L10, RA, RB]);
  emit(
    alias("cmplw", cmpl, [[L10, 0]], [OBF, RA, RB]),
    alias("cmpld", cmpl, [[L10, 1]], [OBF, RA, RB]),
    cmpl,
  );
  emit(
    base("cmprb", XO(192), [BF, L10, RA, RB]),
    base("cmpeqb", XO(224), [BF, RA, RB], F_64),
    base("setb", XO(128), [RT, BFA]),
    base("darn", XO(755), [RT, DARN_L], F_64),
  );
  const addpcis = base("addpcis", X(19, 2), [RT, DXD]);
  emit(alias("lnia", addpcis, [[DXD, 0]], [RT]), addpcis);
}

// Traps: TO names as objdump prints them.
const TO_NAMES: readonly (readonly [number, string])[] = [
  [16, "lt"],
  [20, "le"],
  [4, "eq"],
  [12, "ge"],
  [8, "gt"],
  [24, "ne"],
  [2, "llt"],
  [6, "lle"],
  [5, "lge"],
  [1, "lgt"],
  [31, "u"],
];
{
  const tw = base("tw", XO(4), [TO, RA, RB]);
  emit(
    alias(
      "trap",
      tw,
      [
        [TO, 31],
        [RA, 0],
        [RB, 0],
      ],
      [],
    ),
  );
  for (const [to, n] of TO_NAMES) emit(alias(`tw${n}`, tw, [[TO, to]], [RA, RB]));
  emit(tw);
  const td = base("td", XO(68), [TO, RA, RB], F_64);
  for (const [to, n] of TO_NAMES) emit(alias(`td${n}`, td, [[TO, to]], [RA, RB]));
  emit(td);
  const twi = base("twi", P(3), [TO, RA, SI]);
  for (const [to, n] of TO_NAMES) emit(alias(`tw${n}i`, twi, [[TO, to]], [RA, SI]));
  emit(twi);
  const tdi = base("tdi", P(2), [TO, RA, SI], F_64);
  for (const [to, n] of TO_NAMES) emit(alias(`td${n}i`, tdi, [[TO, to]], [RA, SI]));
  emit(tdi);
}

// ---------------------------------------------------------------------------------------------
// XO-form arithmetic (op 31), logical, shifts, counts.
// ---------------------------------------------------------------------------------------------
{
  const three: readonly (readonly [string, number, number])[] = [
    ["add", 266, 0],
    ["addc", 10, 0],
    ["adde", 138, 0],
    ["subf", 40, 0],
    ["subfc", 8, 0],
    ["subfe", 136, 0],
    ["mullw", 235, 0],
    ["mulld", 233, F_64],
    ["divw", 491, 0],
    ["divwu", 459, 0],
    ["divd", 489, F_64],
    ["divdu", 457, F_64],
  ];
  for (const [mn, xo, fl] of three) {
    const d = base(mn, XO(xo), [RT, RA, RB], fl);
    emit(d, withRc(d), withOe(d), withOe(withRc(d)));
  }
  const two: readonly (readonly [string, number])[] = [
    ["addze", 202],
    ["addme", 234],
    ["subfze", 200],
    ["subfme", 232],
    ["neg", 104],
  ];
  for (const [mn, xo] of two) {
    const d = base(mn, XO(xo), [RT, RA]);
    emit(d, withRc(d), withOe(d), withOe(withRc(d)));
  }
  const mulh: readonly (readonly [string, number, number])[] = [
    ["mulhw", 75, 0],
    ["mulhwu", 11, 0],
    ["mulhd", 73, F_64],
    ["mulhdu", 9, F_64],
  ];
  for (const [mn, xo, fl] of mulh) emitRc(base(mn, XO(xo), [RT, RA, RB], fl));
  for (const [mn, xo] of [
    ["modsw", 779],
    ["modsd", 777],
    ["moduw", 267],
    ["modud", 265],
  ] as const) {
    emit(base(mn, XO(xo), [RT, RA, RB], mn.endsWith("d") ? F_64 : 0));
  }
  for (const [mn, xo] of [
    ["maddhd", 48],
    ["maddhdu", 49],
    ["maddld", 51],
  ] as const) {
    emit(base(mn, u32(P(4) | xo), [RT, RA, RB, RC], F_64));
  }
  const same = (w: number): boolean => fRT(w) === fRB(w);
  const or = base("or", XO(444), [RA, RS, RB]);
  const rsToRb = (w: number): number => setField(w, 11, 5, field(w, 21, 5));
  // Priority and cache hints spelled as `or rX,rX,rX` (objdump -M power9 names them).
  for (const [mn, r] of [
    ["miso", 26],
    ["yield", 27],
    ["mdoio", 29],
    ["mdoom", 30],
  ] as const) {
    emit(
      alias(
        mn,
        or,
        [
          [RA, r],
          [RS, r],
          [RB, r],
        ],
        [],
      ),
    );
  }
  emit({ ...alias("mr", or, [], [RA, RS], same), fill: rsToRb }, or);
  emit({ ...alias("mr.", withRc(or), [], [RA, RS], same), fill: rsToRb }, withRc(or));
  const nor = base("nor", XO(124), [RA, RS, RB]);
  emit({ ...alias("not", nor, [], [RA, RS], same), fill: rsToRb }, nor);
  emit({ ...alias("not.", withRc(nor), [], [RA, RS], same), fill: rsToRb }, withRc(nor));
  const logical: readonly (readonly [string, number, number])[] = [
    ["and", 28, 0],
    ["andc", 60, 0],
    ["orc", 412, 0],
    ["xor", 316, 0],
    ["nand", 476, 0],
    ["eqv", 284, 0],
    ["slw", 24, 0],
    ["srw", 536, 0],
    ["sraw", 792, 0],
    ["sld", 27, F_64],
    ["srd", 539, F_64],
    ["srad", 794, F_64],
  ];
  for (const [mn, xo, fl] of logical) emitRc(base(mn, XO(xo), [RA, RS, RB], fl));
  const unary: readonly (readonly [string, number, number])[] = [
    ["extsb", 954, 0],
    ["extsh", 922, 0],
    ["extsw", 986, F_64],
    ["cntlzw", 26, 0],
    ["cntlzd", 58, F_64],
    ["cnttzw", 538, 0],
    ["cnttzd", 570, F_64],
  ];
  for (const [mn, xo, fl] of unary) emitRc(base(mn, XO(xo), [RA, RS], fl));
  emit(
    base("popcntb", XO(122), [RA, RS]),
    base("popcntw", XO(378), [RA, RS]),
    base("popcntd", XO(506), [RA, RS], F_64),
  );
  emitRc(base("srawi", XO(824), [RA, RS, SH]));
  emitRc(base("sradi", XS(413), [RA, RS, SH6], F_64));
  emitRc(base("extswsli", XS(445), [RA, RS, SH6], F_64));
  const isel = base("isel", u32(P(31) | (15 << 1)), [RT, RA0, RB, BC]);
  const bcField = simple({ name: "BC", kind: "int", shift: 6, width: 5 });
  emit(
    alias("isellt", isel, [[bcField, 0]], [RT, RA0, RB]),
    alias("iselgt", isel, [[bcField, 1]], [RT, RA0, RB]),
    alias("iseleq", isel, [[bcField, 2]], [RT, RA0, RB]),
    isel,
  );
}

// ---------------------------------------------------------------------------------------------
// Rotates.
// ---------------------------------------------------------------------------------------------
{
  const rlwinm = base("rlwinm", P(21), [RA, RS, SH, MB, ME]);
  const rlwinmRc = withRc(rlwinm);
  for (const r of [rlwinm, rlwinmRc]) {
    const dot = r === rlwinm ? "" : ".";
    emit(
      alias(
        `rotlwi${dot}`,
        r,
        [
          [MB, 0],
          [ME, 31],
        ],
        [RA, RS, SH],
      ),
      alias(
        `clrlwi${dot}`,
        r,
        [
          [SH, 0],
          [ME, 31],
        ],
        [RA, RS, MB],
      ),
      alias(
        `clrrwi${dot}`,
        r,
        [
          [SH, 0],
          [MB, 0],
        ],
        [
          RA,
          RS,
          derived(
            "N",
            (w) => 31 - fME(w),
            (w, v) => setField(w, 1, 5, 31 - v),
            0,
            31,
          ),
        ],
      ),
      alias(
        `slwi${dot}`,
        r,
        [[MB, 0]],
        [RA, RS, derived("N", fSH, (w, v) => setField(setField(w, 11, 5, v), 1, 5, 31 - v), 0, 31)],
        (w) => fME(w) === 31 - fSH(w),
      ),
      alias(
        `srwi${dot}`,
        r,
        [[ME, 31]],
        [
          RA,
          RS,
          derived("N", fMB, (w, v) => setField(setField(w, 6, 5, v), 11, 5, (32 - v) & 31), 1, 31),
        ],
        (w) => fMB(w) !== 0 && fSH(w) === 32 - fMB(w),
      ),
      r,
    );
  }
  emitRc(base("rlwimi", P(20), [RA, RS, SH, MB, ME]));
  const rlwnm = base("rlwnm", P(23), [RA, RS, RB, MB, ME]);
  emit(
    alias(
      "rotlw",
      rlwnm,
      [
        [MB, 0],
        [ME, 31],
      ],
      [RA, RS, RB],
    ),
    rlwnm,
  );
  emit(
    alias(
      "rotlw.",
      withRc(rlwnm),
      [
        [MB, 0],
        [ME, 31],
      ],
      [RA, RS, RB],
    ),
    withRc(rlwnm),
  );

  const sh6 = (w: number): number => SH6.extract(w);
  const mb6 = (w: number): number => MB6.extract(w);
  const rldicl = base("rldicl", MD(0), [RA, RS, SH6, MB6], F_64);
  for (const r of [rldicl, withRc(rldicl)]) {
    const dot = r === rldicl ? "" : ".";
    emit(
      alias(`rotldi${dot}`, r, [[MB6, 0]], [RA, RS, SH6]),
      alias(`clrldi${dot}`, r, [[SH6, 0]], [RA, RS, MB6]),
      alias(
        `srdi${dot}`,
        r,
        [],
        [RA, RS, derived("N", mb6, (w, v) => SH6.insert(MB6.insert(w, v), (64 - v) & 63), 1, 63)],
        (w) => mb6(w) !== 0 && sh6(w) === 64 - mb6(w),
      ),
      r,
    );
  }
  const rldicr = base("rldicr", MD(1), [RA, RS, SH6, ME6], F_64);
  for (const r of [rldicr, withRc(rldicr)]) {
    const dot = r === rldicr ? "" : ".";
    emit(
      alias(
        `clrrdi${dot}`,
        r,
        [[SH6, 0]],
        [
          RA,
          RS,
          derived(
            "N",
            (w) => 63 - mb6(w),
            (w, v) => MB6.insert(w, 63 - v),
            0,
            63,
          ),
        ],
      ),
      alias(
        `sldi${dot}`,
        r,
        [],
        [RA, RS, derived("N", sh6, (w, v) => MB6.insert(SH6.insert(w, v), 63 - v), 0, 63)],
        (w) => mb6(w) === 63 - sh6(w),
      ),
      r,
    );
  }
  emitRc(base("rldic", MD(2), [RA, RS, SH6, MB6], F_64));
  emitRc(base("rldimi", MD(3), [RA, RS, SH6, MB6], F_64));
  const rldcl = base("rldcl", MDS(8), [RA, RS, RB, MB6], F_64);
  emit(alias("rotld", rldcl, [[MB6, 0]], [RA, RS, RB]), rldcl);
  emit(alias("rotld.", withRc(rldcl), [[MB6, 0]], [RA, RS, RB]), withRc(rldcl));
  emitRc(base("rldcr", MDS(9), [RA, RS, RB, ME6], F_64));
}

// ---------------------------------------------------------------------------------------------
// Loads and stores.
// ---------------------------------------------------------------------------------------------
{
  const dform: readonly (readonly [string, number, Operand, Operand])[] = [
    ["lbz", 34, RT, RA0],
    ["lbzu", 35, RT, RAL],
    ["lhz", 40, RT, RA0],
    ["lhzu", 41, RT, RAL],
    ["lha", 42, RT, RA0],
    ["lhau", 43, RT, RAL],
    ["lwz", 32, RT, RA0],
    ["lwzu", 33, RT, RAL],
    ["stb", 38, RS, RA0],
    ["stbu", 39, RS, RAS],
    ["sth", 44, RS, RA0],
    ["sthu", 45, RS, RAS],
    ["stw", 36, RS, RA0],
    ["stwu", 37, RS, RAS],
  ];
  for (const [mn, op, r, a] of dform) emit(base(mn, P(op), [r, D, a]));
  emit(
    base("ld", P(58), [RT, DS, RA0], F_64),
    base("ldu", u32(P(58) | 1), [RT, DS, RAL], F_64),
    base("lwa", u32(P(58) | 2), [RT, DS, RA0], F_64),
    base("std", P(62), [RS, DS, RA0], F_64),
    base("stdu", u32(P(62) | 1), [RS, DS, RAS], F_64),
    base("stq", u32(P(62) | 2), [RSQ, DS, RA0], F_64),
    base("lq", P(56), [RTQ, DQ, RAQ], F_64),
  );
  // Move assist (string) instructions. objdump rejects only RA = RT (and RB = RT for lswx);
  // GNU as also refuses an lswi whose RA lies in the loaded range, RA = 0 included.
  emit(
    {
      ...base("lswi", XO(597), [RT, RAQ, NB], F_BE_ONLY),
      asmCheck: (w) => {
        const rt = fRT(w),
          ra = fRA(w);
        const n = Math.ceil((field(w, 11, 5) || 32) / 4);
        return rt + n > (rt > ra ? ra + 32 : ra) ? "address register in load range" : undefined;
      },
    },
    base("lswx", XO(533), [RT, RAQ, RBX], F_BE_ONLY),
    base("stswi", XO(725), [RS, RA0, NB], F_BE_ONLY),
    base("stswx", XO(661), [RS, RA0, RB], F_BE_ONLY),
  );
  const xform: readonly (readonly [string, number, Operand, Operand, number])[] = [
    ["lbzx", 87, RT, RA0, 0],
    ["lbzux", 119, RT, RAL, 0],
    ["lhzx", 279, RT, RA0, 0],
    ["lhzux", 311, RT, RAL, 0],
    ["lhax", 343, RT, RA0, 0],
    ["lhaux", 375, RT, RAL, 0],
    ["lwzx", 23, RT, RA0, 0],
    ["lwzux", 55, RT, RAL, 0],
    ["lwax", 341, RT, RA0, F_64],
    ["lwaux", 373, RT, RAL, F_64],
    ["ldx", 21, RT, RA0, F_64],
    ["ldux", 53, RT, RAL, F_64],
    ["stbx", 215, RS, RA0, 0],
    ["stbux", 247, RS, RAS, 0],
    ["sthx", 407, RS, RA0, 0],
    ["sthux", 439, RS, RAS, 0],
    ["stwx", 151, RS, RA0, 0],
    ["stwux", 183, RS, RAS, 0],
    ["stdx", 149, RS, RA0, F_64],
    ["stdux", 181, RS, RAS, F_64],
    ["lhbrx", 790, RT, RA0, 0],
    ["lwbrx", 534, RT, RA0, 0],
    ["ldbrx", 532, RT, RA0, F_64],
    ["sthbrx", 918, RS, RA0, 0],
    ["stwbrx", 662, RS, RA0, 0],
    ["stdbrx", 660, RS, RA0, F_64],
  ];
  for (const [mn, xo, r, a, fl] of xform) emit(base(mn, XO(xo), [r, a, RB], fl));
  // Load and reserve / store conditional.
  emit(
    base("lbarx", XO(52), [RT, RA0, RB, EH]),
    base("lharx", XO(116), [RT, RA0, RB, EH]),
    base("lwarx", XO(20), [RT, RA0, RB, EH]),
    base("ldarx", XO(84), [RT, RA0, RB, EH], F_64),
    // lqarx: RT (the even register of the pair) may be neither RA (even when 0) nor RB.
    base("lqarx", XO(276), [RTQ, RA0, RB, EH], F_64, (w) => fRT(w) !== fRA(w) && fRT(w) !== fRB(w)),
    base("stbcx.", u32(XO(694) | 1), [RS, RA0, RB]),
    base("sthcx.", u32(XO(726) | 1), [RS, RA0, RB]),
    base("stwcx.", u32(XO(150) | 1), [RS, RA0, RB]),
    base("stdcx.", u32(XO(214) | 1), [RS, RA0, RB], F_64),
    base("stqcx.", u32(XO(182) | 1), [RSQ, RA0, RB], F_64),
  );
}

// ---------------------------------------------------------------------------------------------
// Storage control, barriers, caches.
// ---------------------------------------------------------------------------------------------
{
  const SYNC_L = simple({ name: "L", kind: "int", shift: 21, width: 2, optional: true });
  const sync = base("sync", XO(598), [SYNC_L], 0, (w) => field(w, 21, 2) !== 3);
  emit(
    alias("hwsync", sync, [[SYNC_L, 0]], []),
    alias("lwsync", sync, [[SYNC_L, 1]], []),
    alias("ptesync", sync, [[SYNC_L, 2]], []),
    sync,
    base("eieio", XO(854), []),
    base("isync", X(19, 150), []),
    base("dcbz", XO(1014), [RA0, RB]),
    base("dcbst", XO(54), [RA0, RB]),
    base("icbi", XO(982), [RA0, RB]),
    base("icbt", XO(22), [CT, RA0, RB]),
  );
  // dcbf L: 0 dcbf, 1 dcbfl, 3 dcbflp; other values are invalid forms.
  const dcbf = base("dcbf", XO(86), [RA0, RB, DCBF_L], 0, (w) =>
    [0, 1, 3].includes(field(w, 21, 3)),
  );
  emit(
    alias("dcbf", dcbf, [[DCBF_L, 0]], [RA0, RB]),
    alias("dcbfl", dcbf, [[DCBF_L, 1]], [RA0, RB]),
    alias("dcbflp", dcbf, [[DCBF_L, 3]], [RA0, RB]),
    dcbf,
  );
  const th = (w: number): number => field(w, 21, 5);
  for (const [mn, xo] of [
    ["dcbt", 278],
    ["dcbtst", 246],
  ] as const) {
    const d = base(mn, XO(xo), [RA0, RB, TH]);
    emit(
      alias(`${mn}ct`, d, [], [RA0, RB, TH_CT], (w) => th(w) < 8),
      alias(`${mn}ds`, d, [], [RA0, RB, TH_DS], (w) => th(w) >= 8 && th(w) < 16),
      alias(`${mn}t`, d, [[TH, 16]], [RA0, RB]),
      d,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// SPRs, MSR, system.
// ---------------------------------------------------------------------------------------------
function sprAliases(b: InsnDef, names: readonly SprName[], prefix: "mf" | "mt"): InsnDef[] {
  const out: InsnDef[] = [];
  for (const n of names) {
    if (n.count === undefined) {
      out.push(alias(prefix + n.name, b, [[SPR, n.spr]], prefix === "mf" ? [RT] : [RS]));
      continue;
    }
    const stride = n.stride ?? 1;
    const first = n.spr;
    const count = n.count;
    const idx = (w: number): number => (SPR.extract(w) - first) / stride;
    const N = derived("N", idx, (w, v) => SPR.insert(w, first + v * stride), 0, count - 1);
    const inRange = (w: number): boolean => {
      const i = idx(w);
      return Number.isInteger(i) && i >= 0 && i < count;
    };
    out.push(alias(prefix + n.name, b, [], prefix === "mf" ? [RT, N] : [N, RS], inRange));
  }
  return out;
}
{
  const mfspr = base("mfspr", XO(339), [RT, SPR]);
  emit(...sprAliases(mfspr, MFSPR_NAMES, "mf"), mfspr);
  const mtspr = base("mtspr", XO(467), [SPR, RS]);
  emit(...sprAliases(mtspr, MTSPR_NAMES, "mt"), mtspr);
  emit(
    base("mfmsr", XO(83), [RT], F_PRIV),
    base("mtmsr", XO(146), [RS, LMSR], F_PRIV),
    base("mtmsrd", XO(178), [RS, LMSR], F_PRIV | F_64),
    base("sc", 0x44000002, [LEV]),
    base("scv", 0x44000001, [LEV_REQ], F_64),
    base("rfid", X(19, 18), [], F_PRIV | F_64),
    base("hrfid", X(19, 274), [], F_HV | F_64),
    base("rfscv", X(19, 82), [], F_PRIV | F_64),
    base("stop", X(19, 370), [], F_PRIV),
    base("attn", 0x00000200, [], F_HV),
    base("tlbie", XO(306), [RB, RS, RIC, PRS, RBIT], F_HV | F_64),
    base("tlbiel", XO(274), [RB, RS_OPT, RIC, PRS, RBIT], F_PRIV | F_64),
    base("tlbsync", XO(566), [], F_HV),
    base("slbia", XO(498), [IH], F_PRIV | F_64),
    base("msgsnd", XO(206), [RB], F_HV),
    base("msgclr", XO(238), [RB], F_HV),
    base("msgsndp", XO(142), [RB], F_PRIV),
    base("msgclrp", XO(174), [RB], F_PRIV),
    base("msgsync", XO(886), [], F_HV),
  );
}

/** The instruction table, in disassembly priority order. */
export const INSN_TABLE: readonly InsnDef[] = TABLE;

/** The base (non-alias) rows: one per architectural instruction spelling. */
export const BASE_INSNS: readonly InsnDef[] = [...TEMPLATES_ONLY, ...TABLE.filter((d) => !d.alias)];

export { fRA, fRB, fRT, fSH, fMB, fME };
