// Which SPRs hvsim implements, and who may access them (isa-mmu.md §3.3).
//
// ISA rule for the privilege of an SPR number: bit 0x10 of the number (spr_0 of the encoded
// field) set = privileged; clear = problem state may access it. On top of that some SPRs are
// hypervisor-privileged: in guest state (MSR[HV]=0, PR=0) an access raises a Hypervisor
// Emulation Assistance interrupt (0xE40).

export type SprAccess =
  /** Any state. */
  | "user"
  /** MSR[PR]=0. */
  | "priv"
  /** MSR[HV]=1 and PR=0. */
  | "hv";

export interface SprInfo {
  readonly read: SprAccess | null;
  readonly write: SprAccess | null;
}

const U: SprAccess = "user";
const P: SprAccess = "priv";
const H: SprAccess = "hv";

const TABLE = new Map<number, SprInfo>();
const def = (n: number, read: SprAccess | null, write: SprAccess | null): void =>
  void TABLE.set(n, { read, write });

def(1, U, U); // XER
def(3, U, U); // DSCR (problem-state view; FSCR[DSCR])
def(8, U, U); // LR
def(9, U, U); // CTR
def(13, U, U); // AMR (problem-state view)
def(17, P, P); // DSCR
def(18, P, P); // DSISR
def(19, P, P); // DAR
def(22, P, P); // DEC
def(26, P, P); // SRR0
def(27, P, P); // SRR1
def(28, P, P); // CFAR
def(29, P, P); // AMR
def(48, P, P); // PIDR
def(61, P, P); // IAMR
def(136, U, null); // CTRL (read)
def(152, null, P); // CTRL (write)
def(153, P, P); // FSCR
def(157, P, P); // UAMOR
def(176, P, H); // DPDES (written by the hypervisor only)
def(180, P, P); // DAWR0
def(187, P, P); // CIABR
def(188, P, P); // DAWRX0
def(190, H, H); // HFSCR
def(256, U, U); // VRSAVE
def(259, U, null); // SPRG3 (problem-state read)
def(268, U, null); // TB
def(269, U, null); // TBU
def(272, P, P); // SPRG0
def(273, P, P); // SPRG1
def(274, P, P); // SPRG2
def(275, P, P); // SPRG3
def(284, null, H); // TBL
def(285, null, H); // TBU
def(286, null, H); // TBU40
def(287, P, null); // PVR
def(304, H, H); // HSPRG0
def(305, H, H); // HSPRG1
def(306, H, H); // HDSISR
def(307, H, H); // HDAR
def(308, P, H); // SPURR
def(309, P, H); // PURR
def(310, H, H); // HDEC
def(313, H, H); // HRMOR
def(314, H, H); // HSRR0
def(315, H, H); // HSRR1
def(318, H, H); // LPCR
def(319, H, H); // LPIDR
def(336, H, H); // HMER
def(337, H, H); // HMEER
def(338, H, H); // PCR
def(339, H, H); // HEIR
def(349, H, H); // AMOR
def(446, P, null); // TIR
def(464, H, H); // PTCR
def(795, P, P); // MMCR0
def(796, P, P); // SIAR
def(815, U, U); // TAR (FSCR[TAR] / HFSCR[TAR])
def(816, H, H); // ASDR
def(823, P, P); // PSSCR (privileged view)
def(855, H, H); // PSSCR
def(896, U, U); // PPR
def(898, U, U); // PPR32
def(1008, H, H); // HID0
def(1023, P, null); // PIR

/** The access rule of SPR `n`, or undefined when hvsim does not implement it. */
export function sprInfo(n: number): SprInfo | undefined {
  return TABLE.get(n);
}

/** Numbers of every implemented SPR (for state save/restore and tests). */
export const IMPLEMENTED_SPRS: readonly number[] = [...TABLE.keys()].sort((a, b) => a - b);
