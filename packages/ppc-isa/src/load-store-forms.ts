// The plain loads and stores (Book I 3.3.2-3.3.4: no byte reversal, no reservation) as data:
// one table for the X-forms by extended opcode, and the D/DS-forms as their X-form twins (the
// same access with the EA from a displacement). Both of the CPU's executors decode them here.

/** Access flags beside the size (1, 2, 4, 8) in the low four bits. */
export const MEM_STORE = 0x10;
export const MEM_UPDATE = 0x20;
/** Sign-extending: lha, lhau, lhax, lhaux, lwa, lwax, lwaux. */
export const MEM_SIGNED = 0x40;

/** Opcode 31 by extended opcode: size | flags, 0 for every other instruction. */
export const X_MEM = new Uint8Array(1024);
for (const [xo, m] of [
  [87, 1], // lbzx
  [119, 1 | MEM_UPDATE], // lbzux
  [279, 2], // lhzx
  [311, 2 | MEM_UPDATE], // lhzux
  [343, 2 | MEM_SIGNED], // lhax
  [375, 2 | MEM_SIGNED | MEM_UPDATE], // lhaux
  [23, 4], // lwzx
  [55, 4 | MEM_UPDATE], // lwzux
  [341, 4 | MEM_SIGNED], // lwax
  [373, 4 | MEM_SIGNED | MEM_UPDATE], // lwaux
  [21, 8], // ldx
  [53, 8 | MEM_UPDATE], // ldux
  [215, 1 | MEM_STORE], // stbx
  [247, 1 | MEM_STORE | MEM_UPDATE], // stbux
  [407, 2 | MEM_STORE], // sthx
  [439, 2 | MEM_STORE | MEM_UPDATE], // sthux
  [151, 4 | MEM_STORE], // stwx
  [183, 4 | MEM_STORE | MEM_UPDATE], // stwux
  [149, 8 | MEM_STORE], // stdx
  [181, 8 | MEM_STORE | MEM_UPDATE], // stdux
] as const)
  X_MEM[xo] = m;

/**
 * The X-form twin of primary opcodes 32-45: lwz lwzu lbz lbzu stw stwu stb stbu lhz lhzu lha
 * lhau sth sthu; of 58 by the DS field's low two bits: ld ldu lwa (3 invalid); of 62: std stdu
 * (2 is stq, 3 invalid). -1: not a plain load or store.
 */
export const D_XO = [23, 55, 87, 119, 151, 183, 215, 247, 279, 311, 343, 375, 407, 439];
export const DS58_XO = [21, 53, 341, -1];
export const DS62_XO = [149, 181, -1, -1];

/** The same as size | flags (0 for -1), for the inline executor's one table lookup. */
const memOf = (xo: number): number => (xo < 0 ? 0 : X_MEM[xo]!);
export const D_MEM = D_XO.map(memOf);
export const DS58_MEM = DS58_XO.map(memOf);
export const DS62_MEM = DS62_XO.map(memOf);
