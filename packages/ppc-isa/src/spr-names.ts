// Extended mnemonics for mfspr/mtspr (`mflr r3`, `mtsrr0 r3`, `mfsprg r3,2`).
//
// This is the set GNU objdump 2.40 prints with `-M power9` (established by disassembling every
// SPR number for both directions). Some names are read-only or write-only in binutils (e.g.
// `mftb` exists but `mttb` does not, `mttbl` exists but `mftbl` does not), which is why the two
// directions are listed separately. The SPRs hvsim implements are in `spr.ts`.

/** A name for one SPR, or for a run of `count` consecutive SPRs selected by an operand N. */
export interface SprName {
  readonly spr: number;
  readonly name: string;
  /** When set, `name` takes a number N (0..count-1) meaning SPR `spr + N` (e.g. mfsprg r3,2). */
  readonly count?: number;
  /** Stride between consecutive N (the BAT registers alternate upper/lower: stride 2). */
  readonly stride?: number;
}

const both = (spr: number, name: string): [SprName, SprName] => [
  { spr, name },
  { spr, name },
];

const common: [SprName, SprName][] = [
  both(1, "xer"),
  both(3, "udscr"),
  both(8, "lr"),
  both(9, "ctr"),
  both(13, "uamr"),
  both(17, "dscr"),
  both(18, "dsisr"),
  both(19, "dar"),
  both(22, "dec"),
  both(25, "sdr1"),
  both(26, "srr0"),
  both(27, "srr1"),
  both(28, "cfar"),
  both(29, "amr"),
  both(157, "uamor"),
  both(256, "vrsave"),
  both(280, "asr"),
  both(282, "ear"),
  both(336, "hmer"),
  both(337, "hmeer"),
  both(349, "amor"),
  both(769, "ummcr2"),
  both(770, "ummcra"),
  both(771, "upmc1"),
  both(772, "upmc2"),
  both(773, "upmc3"),
  both(774, "upmc4"),
  both(775, "upmc5"),
  both(776, "upmc6"),
  both(779, "ummcr0"),
  both(800, "bescrs"),
  both(801, "bescrsu"),
  both(802, "bescrr"),
  both(803, "bescrru"),
  both(804, "ebbhr"),
  both(805, "ebbrr"),
  both(806, "bescr"),
  both(815, "tar"),
  both(848, "ic"),
  both(849, "vtb"),
  both(896, "ppr"),
  both(898, "ppr32"),
];

/** Names usable with mfspr (`mf` + name). */
export const MFSPR_NAMES: readonly SprName[] = [
  ...common.map((p) => p[0]),
  { spr: 4, name: "rtcu" },
  { spr: 5, name: "rtcl" },
  { spr: 136, name: "ctrl" },
  { spr: 268, name: "tb" },
  { spr: 269, name: "tbu" },
  { spr: 287, name: "pvr" },
  { spr: 780, name: "usiar" },
  { spr: 781, name: "usdar" },
  { spr: 782, name: "ummcr1" },
  { spr: 272, name: "sprg", count: 4 },
  { spr: 528, name: "ibatu", count: 4, stride: 2 },
  { spr: 529, name: "ibatl", count: 4, stride: 2 },
  { spr: 536, name: "dbatu", count: 4, stride: 2 },
  { spr: 537, name: "dbatl", count: 4, stride: 2 },
];

/** Names usable with mtspr (`mt` + name). */
export const MTSPR_NAMES: readonly SprName[] = [
  ...common.map((p) => p[1]),
  { spr: 20, name: "rtcu" },
  { spr: 21, name: "rtcl" },
  { spr: 128, name: "tfhar" },
  { spr: 129, name: "tfiar" },
  { spr: 130, name: "texasr" },
  { spr: 131, name: "texasru" },
  { spr: 152, name: "ctrl" },
  { spr: 284, name: "tbl" },
  { spr: 285, name: "tbu" },
  { spr: 786, name: "mmcra" },
  { spr: 787, name: "pmc1" },
  { spr: 788, name: "pmc2" },
  { spr: 789, name: "pmc3" },
  { spr: 790, name: "pmc4" },
  { spr: 791, name: "pmc5" },
  { spr: 792, name: "pmc6" },
  { spr: 795, name: "mmcr0" },
  { spr: 798, name: "mmcr1" },
  { spr: 272, name: "sprg", count: 4 },
  { spr: 528, name: "ibatu", count: 4, stride: 2 },
  { spr: 529, name: "ibatl", count: 4, stride: 2 },
  { spr: 536, name: "dbatu", count: 4, stride: 2 },
  { spr: 537, name: "dbatl", count: 4, stride: 2 },
];
