// The per-vCPU interrupt state KVM exposes through KVM_GET/SET_ONE_REG, as byte-exact codecs,
// so a migration stream or a debugger can speak KVM's format (arch/powerpc/include/uapi/asm/kvm.h,
// Documentation/virt/kvm/devices/xive.rst).

/** KVM_REG_PPC | KVM_REG_SIZE_U64 | 0x8c: the XICS ICP state. */
export const KVM_REG_PPC_ICP_STATE = 0x1030_0000_0000_008cn;
/** KVM_REG_PPC | KVM_REG_SIZE_U128 | 0x8d: the XIVE VP state (TIMA OS ring words 0-1). */
export const KVM_REG_PPC_VP_STATE = 0x1040_0000_0000_008dn;

export const KVM_REG_PPC_ICP_CPPR_SHIFT = 56n;
export const KVM_REG_PPC_ICP_XISR_SHIFT = 32n;
export const KVM_REG_PPC_ICP_XISR_MASK = 0xffffffn;
export const KVM_REG_PPC_ICP_MFRR_SHIFT = 24n;
export const KVM_REG_PPC_ICP_PPRI_SHIFT = 16n;

export interface IcpRegister {
  readonly cppr: number;
  readonly xisr: number;
  readonly mfrr: number;
  /** Priority of the pending XISR (0xFF: none). */
  readonly ppri: number;
}

export function encodeIcpState(s: IcpRegister): bigint {
  return (
    (BigInt(s.cppr & 0xff) << KVM_REG_PPC_ICP_CPPR_SHIFT) |
    ((BigInt(s.xisr) & KVM_REG_PPC_ICP_XISR_MASK) << KVM_REG_PPC_ICP_XISR_SHIFT) |
    (BigInt(s.mfrr & 0xff) << KVM_REG_PPC_ICP_MFRR_SHIFT) |
    (BigInt(s.ppri & 0xff) << KVM_REG_PPC_ICP_PPRI_SHIFT)
  );
}

export function decodeIcpState(v: bigint): IcpRegister {
  return {
    cppr: Number((v >> KVM_REG_PPC_ICP_CPPR_SHIFT) & 0xffn),
    xisr: Number((v >> KVM_REG_PPC_ICP_XISR_SHIFT) & KVM_REG_PPC_ICP_XISR_MASK),
    mfrr: Number((v >> KVM_REG_PPC_ICP_MFRR_SHIFT) & 0xffn),
    ppri: Number((v >> KVM_REG_PPC_ICP_PPRI_SHIFT) & 0xffn),
  };
}

/**
 * VP_STATE's first 64 bits: the OS ring's NSR, CPPR, IPB, LSMFB, ACK_CNT, INC, AGE, PIPR as one
 * big-endian doubleword, with the NVT's backlog IPB merged into the IPB byte (what KVM captures,
 * since that backlog is otherwise lost with the NVT). The second 64 bits are unused (zero).
 */
export function encodeVpState(osRing: ArrayLike<number>, backlogIpb: number): bigint {
  let w01 = 0n;
  for (let i = 0; i < 8; i++) w01 = (w01 << 8n) | BigInt(osRing[i]! & 0xff);
  return (w01 | (BigInt(backlogIpb & 0xff) << 40n)) << 64n;
}

/** The eight OS ring bytes carried by a VP_STATE value. */
export function decodeVpState(v: bigint): number[] {
  const w01 = (v >> 64n) & 0xffff_ffff_ffff_ffffn;
  return Array.from({ length: 8 }, (_, i) => Number((w01 >> BigInt(8 * (7 - i))) & 0xffn));
}
