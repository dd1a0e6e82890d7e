// A thread interrupt context (TCTX): the 64 bytes of presenter registers one hardware thread
// exposes through the TIMA, four rings of 16 bytes: QW0 USER, QW1 OS, QW2 HV_POOL, QW3 HV_PHYS.
//
//   byte 0 NSR   notification source (OS ring: EO 0x80 = an exception is signalled)
//   byte 1 CPPR  current processor priority (interrupts with priority >= CPPR are held back)
//   byte 2 IPB   interrupt pending buffer, priority p => bit 1 << (7 - p)
//   byte 3 LSMFB, 4 ACK_CNT, 5 INC, 6 AGE
//   byte 7 PIPR  pending interrupt priority = most favoured IPB priority, 0xFF if none
//   bytes 8-11 WORD2 (OS ring: VO bit 0 = context valid, OS CAM bits 8-31)
//
// Priorities 0..7, 0 most favoured; 0xFF masks everything.

export const TM_QW0_USER = 0x00;
export const TM_QW1_OS = 0x10;
export const TM_QW2_HV_POOL = 0x20;
export const TM_QW3_HV_PHYS = 0x30;

export const TM_NSR = 0x0;
export const TM_CPPR = 0x1;
export const TM_IPB = 0x2;
export const TM_LSMFB = 0x3;
export const TM_ACK_CNT = 0x4;
export const TM_INC = 0x5;
export const TM_AGE = 0x6;
export const TM_PIPR = 0x7;
export const TM_WORD2 = 0x8;

/** OS ring NSR: exception outstanding. */
export const TM_QW1_NSR_EO = 0x80;
/** OS ring WORD2: the OS context is valid (dispatched on this thread). */
export const TM_QW1W2_VO = 0x80000000;
/** OS ring WORD2: the OS CAM line (NVT block and index). */
export const TM_QW1W2_OS_CAM = 0x00ffffff;

/** XIVE_PRIORITY_MAX: the 8 priorities are 0..7. */
export const XIVE_PRIORITY_MAX = 7;

export const TCTX_BYTES = 64;

/** Priority to its IPB bit (0 for priorities > 7). */
export function priorityToIpb(priority: number): number {
  return priority > XIVE_PRIORITY_MAX ? 0 : 1 << (XIVE_PRIORITY_MAX - priority);
}

/** Most favoured priority in an IPB, 0xFF if empty. */
export function ipbToPipr(ipb: number): number {
  return ipb === 0 ? 0xff : Math.clz32((ipb & 0xff) << 24);
}

export interface TctxState {
  readonly version: 1;
  /** The 64 register bytes (QEMU's `xive-tctx` regs[64]). */
  readonly regs: readonly number[];
}

/**
 * The registers plus the OS ring's behaviour. The output line is the OS ring's exception line
 * (this model presents to the OS ring only; the HV rings' registers exist but never signal).
 */
export class ThreadContext {
  readonly regs = new Uint8Array(TCTX_BYTES);
  private line = false;

  constructor(
    readonly vcpu: number,
    private readonly setLine: (vcpu: number, level: boolean) => void,
  ) {
    this.reset();
  }

  /** Reset (xive_tctx_reset): all zero, then OS LSMFB/ACK_CNT/AGE = 0xFF and OS/PHYS PIPR = 0xFF. */
  reset(): void {
    this.regs.fill(0);
    this.regs[TM_QW1_OS + TM_LSMFB] = 0xff;
    this.regs[TM_QW1_OS + TM_ACK_CNT] = 0xff;
    this.regs[TM_QW1_OS + TM_AGE] = 0xff;
    this.regs[TM_QW1_OS + TM_PIPR] = 0xff;
    this.regs[TM_QW3_HV_PHYS + TM_PIPR] = 0xff;
    this.lower();
  }

  get outputLevel(): boolean {
    return this.line;
  }

  private raise(): void {
    if (!this.line) {
      this.line = true;
      this.setLine(this.vcpu, true);
    }
  }

  private lower(): void {
    if (this.line) {
      this.line = false;
      this.setLine(this.vcpu, false);
    }
  }

  /** Recompute NSR and the line from PIPR and CPPR (xive_tctx_notify, plus lowering). */
  private notifyOs(): void {
    const r = this.regs;
    if (r[TM_QW1_OS + TM_PIPR]! < r[TM_QW1_OS + TM_CPPR]!) {
      r[TM_QW1_OS + TM_NSR] = r[TM_QW1_OS + TM_NSR]! | TM_QW1_NSR_EO;
      this.raise();
    } else if (r[TM_QW1_OS + TM_NSR]! & TM_QW1_NSR_EO) {
      // Divergence from QEMU 7.2's xive_tctx_set_cppr, which only ever raises: a CPPR raised over
      // a signalled exception left it up. The exception condition is PIPR < CPPR, so masking it
      // withdraws the signal here. The IPB keeps the priority; nothing is lost.
      r[TM_QW1_OS + TM_NSR] = r[TM_QW1_OS + TM_NSR]! & ~TM_QW1_NSR_EO;
      this.lower();
    }
  }

  /** OR priorities into the OS IPB and re-evaluate (xive_tctx_ipb_update). */
  osIpbUpdate(ipb: number): void {
    const r = this.regs;
    r[TM_QW1_OS + TM_IPB] = r[TM_QW1_OS + TM_IPB]! | ipb;
    r[TM_QW1_OS + TM_PIPR] = ipbToPipr(r[TM_QW1_OS + TM_IPB]!);
    this.notifyOs();
  }

  /** Set the OS CPPR; values above 7 are stored as 0xFF (xive_tctx_set_cppr). */
  setOsCppr(cppr: number): void {
    this.regs[TM_QW1_OS + TM_CPPR] = cppr > XIVE_PRIORITY_MAX ? 0xff : cppr;
    this.notifyOs();
  }

  /**
   * ACK_OS_REG (TIMA 0x810, 16-bit load): return NSR << 8 | CPPR after accepting the pending
   * interrupt: if an exception is signalled, CPPR <- PIPR and that priority leaves the IPB.
   */
  ackOs(): number {
    const r = this.regs;
    const nsr = r[TM_QW1_OS + TM_NSR]!;
    this.lower();
    if (nsr & TM_QW1_NSR_EO) {
      const cppr = r[TM_QW1_OS + TM_PIPR]!;
      r[TM_QW1_OS + TM_CPPR] = cppr;
      r[TM_QW1_OS + TM_IPB] = r[TM_QW1_OS + TM_IPB]! & ~priorityToIpb(cppr);
      r[TM_QW1_OS + TM_PIPR] = ipbToPipr(r[TM_QW1_OS + TM_IPB]!);
      r[TM_QW1_OS + TM_NSR] = nsr & ~TM_QW1_NSR_EO;
    }
    return (nsr << 8) | r[TM_QW1_OS + TM_CPPR]!;
  }

  get osWord2(): number {
    const r = this.regs;
    const o = TM_QW1_OS + TM_WORD2;
    return ((r[o]! << 24) | (r[o + 1]! << 16) | (r[o + 2]! << 8) | r[o + 3]!) >>> 0;
  }

  setOsWord2(value: number): void {
    const o = TM_QW1_OS + TM_WORD2;
    this.regs[o] = value >>> 24;
    this.regs[o + 1] = (value >>> 16) & 0xff;
    this.regs[o + 2] = (value >>> 8) & 0xff;
    this.regs[o + 3] = value & 0xff;
  }

  /** The OS CAM line if the OS context is valid (VO), else undefined. */
  get osCam(): number | undefined {
    const w2 = this.osWord2;
    return w2 & TM_QW1W2_VO ? w2 & TM_QW1W2_OS_CAM : undefined;
  }

  /** PULL_OS_CTX: invalidate the OS CAM (VO = 0), lower the line, return the old WORD2. */
  pullOs(): number {
    const old = this.osWord2;
    this.setOsWord2((old & ~TM_QW1W2_VO) >>> 0);
    this.lower();
    return old;
  }

  /** Push an OS context: write WORD2; the caller merges the NVT backlog (see XiveRouter). */
  pushOs(word2: number, backlogIpb: number): void {
    this.setOsWord2(word2);
    if (word2 & TM_QW1W2_VO) this.osIpbUpdate(backlogIpb);
  }

  /**
   * Drop the output line without touching the registers: the controller is being deactivated
   * (QEMU's spapr_irq switching the active controller at CAS); `resync` raises it again.
   */
  releaseLine(): void {
    this.lower();
  }

  /** Re-derive the line from the registers (after a raw register write or a restore). */
  resync(): void {
    const r = this.regs;
    r[TM_QW1_OS + TM_PIPR] = ipbToPipr(r[TM_QW1_OS + TM_IPB]!);
    if (r[TM_QW1_OS + TM_NSR]! & TM_QW1_NSR_EO) this.raise();
    else this.lower();
    this.notifyOs();
    // Tell the sink even if the level did not change here: it may have missed it (see releaseLine).
    this.setLine(this.vcpu, this.line);
  }

  save(): TctxState {
    return { version: 1, regs: [...this.regs] };
  }

  restore(state: TctxState): void {
    if (state.version !== 1 || state.regs.length !== TCTX_BYTES) {
      throw new Error(`tctx: bad state for vCPU ${this.vcpu}`);
    }
    this.regs.set(state.regs);
    this.resync();
  }
}
