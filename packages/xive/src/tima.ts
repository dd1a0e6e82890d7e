// The Thread Interrupt Management Area: four 64K pages, each a view of the accessing thread's
// interrupt context with decreasing privilege: page 0 HW, 1 HV, 2 OS, 3 USER. The same address
// reaches a different context depending on which vCPU accesses it.
//
// Below offset 0x800 the pages expose the raw ring registers (4- and 8-byte accesses, filtered by
// what each view may read or write) plus two byte-wide special cases; from 0x800 up, loads and
// stores are operations with side effects:
//
//   page  offset  access        op
//   OS    0x011   store 1       set OS CPPR (QW1 + CPPR)
//   HV    0x018   store 4       push OS context (QW1 WORD2; VO set => merge the NVT backlog)
//   OS    0x810   load 2        ACK_OS_REG: NSR << 8 | CPPR, accepting the pending interrupt
//   OS    0x812   store 1       SET_OS_PENDING: IPB |= bit(prio)
//   HV    0x818   load 4 / 8    PULL_OS_CTX: clear VO, return the old WORD2
//
// An op declared for a page is also available from the more privileged pages. Operations on the
// HV rings (ACK_HV_REG, pool/phys push and pull) are not modelled: nothing in a pseries machine
// runs a hypervisor on them; they are logged as guest errors.
import type { AccessSize, GuestErrorLog, MmioDevice } from "./ports";
import type { XiveRouter } from "./router";
import { priorityToIpb, TM_CPPR, TM_QW0_USER, TM_QW1_OS, TM_WORD2 } from "./tctx";
import { TM_SHIFT } from "./spapr-layout";

export const XIVE_TM_HW_PAGE = 0;
export const XIVE_TM_HV_PAGE = 1;
export const XIVE_TM_OS_PAGE = 2;
export const XIVE_TM_USER_PAGE = 3;

export const TM_SPC_ACK_OS_REG = 0x810;
export const TM_SPC_SET_OS_PENDING = 0x812;
export const TM_SPC_PULL_OS_CTX = 0x818;
/** Offsets at and above this have side effects. */
export const TM_SPECIAL_OP = 0x800;
/** The bits of a page offset the TIMA decodes (TM_ADDRESS_MASK). */
export const TM_ADDRESS_MASK = 0xc3f;

const R = 2; // readable
const W = 1; // writable
const RW = R | W;
// Per view, per register byte of the four rings: may this view read (2) / write (1) it.
// prettier-ignore
const VIEWS: readonly (readonly number[])[] = [
  [ // HW
    RW,0,0,0, 0,0,0,0, RW,RW,RW,RW, 0,0,0,0,          // QW0 USER
    RW,RW,RW,RW, RW,RW,0,R, RW,RW,RW,RW, 0,0,0,RW,    // QW1 OS
    0,0,RW,RW, 0,RW,RW,0, RW,RW,RW,RW, 0,0,0,0,       // QW2 POOL
    RW,RW,RW,RW, 0,RW,0,R, RW,0,0,RW, RW,RW,RW,0,     // QW3 PHYS
  ],
  [ // HV
    RW,0,0,0, 0,0,0,0, RW,RW,RW,RW, 0,0,0,0,
    RW,RW,RW,RW, RW,RW,0,R, RW,RW,RW,RW, 0,0,0,RW,
    0,0,RW,RW, 0,RW,RW,0, 0,RW,RW,RW, 0,0,0,0,
    RW,RW,RW,RW, 0,RW,0,R, RW,0,0,RW, 0,0,0,0,
  ],
  [ // OS: its own ring (CPPR writable, the rest read-only, WORD2 hidden) and the user ring
    RW,0,0,0, 0,0,0,0, RW,RW,RW,RW, 0,0,0,0,
    R,RW,R,R, R,R,0,R, 0,0,0,0, 0,0,0,0,
    0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
    0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
  ],
  [ // USER
    RW,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
    0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
    0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
    0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0,
  ],
];

type TimaOp =
  | { readonly kind: "set-os-cppr" }
  | { readonly kind: "push-os-ctx" }
  | { readonly kind: "ack-os-reg" }
  | { readonly kind: "set-os-pending" }
  | { readonly kind: "pull-os-ctx" };

interface OpEntry {
  readonly page: number;
  readonly offset: number;
  readonly sizes: readonly AccessSize[];
  readonly write: boolean;
  readonly op: TimaOp;
}

const OPS: readonly OpEntry[] = [
  {
    page: XIVE_TM_OS_PAGE,
    offset: TM_QW1_OS + TM_CPPR,
    sizes: [1],
    write: true,
    op: { kind: "set-os-cppr" },
  },
  {
    page: XIVE_TM_HV_PAGE,
    offset: TM_QW1_OS + TM_WORD2,
    sizes: [4],
    write: true,
    op: { kind: "push-os-ctx" },
  },
  {
    page: XIVE_TM_OS_PAGE,
    offset: TM_SPC_ACK_OS_REG,
    sizes: [2],
    write: false,
    op: { kind: "ack-os-reg" },
  },
  {
    page: XIVE_TM_OS_PAGE,
    offset: TM_SPC_SET_OS_PENDING,
    sizes: [1],
    write: true,
    op: { kind: "set-os-pending" },
  },
  {
    page: XIVE_TM_HV_PAGE,
    offset: TM_SPC_PULL_OS_CTX,
    sizes: [4, 8],
    write: false,
    op: { kind: "pull-os-ctx" },
  },
];

function findOp(
  page: number,
  offset: number,
  size: AccessSize,
  write: boolean,
): TimaOp | undefined {
  const at = offset & TM_ADDRESS_MASK;
  return OPS.find(
    (e) => page <= e.page && e.offset === at && e.sizes.includes(size) && e.write === write,
  )?.op;
}

/** What an invalid TIMA load returns (all ones, as QEMU). */
const INVALID = (size: AccessSize): bigint => (1n << BigInt(size * 8)) - 1n;

/**
 * The TIMA as one MMIO region of four 64K pages. apps/sim maps it whole at SPAPR_XIVE_TM_BASE, or
 * maps single pages (the device tree only publishes USER and OS) by adding the page offset.
 */
export class TimaDevice implements MmioDevice {
  readonly size = 4 << TM_SHIFT;
  readonly accessSizes: readonly AccessSize[] = [1, 2, 4, 8];

  constructor(
    private readonly router: XiveRouter,
    private readonly log: GuestErrorLog,
  ) {}

  private context(cpu: number) {
    const t = this.router.tctx[cpu];
    if (!t) throw new Error(`tima: access from unknown vCPU ${cpu}`);
    return t;
  }

  read(offset: number, size: AccessSize, cpu: number): bigint {
    const page = offset >>> TM_SHIFT;
    const t = this.context(cpu);
    const op = findOp(page, offset, size, false);
    if (op) {
      switch (op.kind) {
        case "ack-os-reg":
          return BigInt(t.ackOs());
        case "pull-os-ctx":
          return BigInt(t.pullOs());
        case "set-os-cppr":
        case "push-os-ctx":
        case "set-os-pending":
          throw new Error(`tima: store op ${op.kind} found for a load`);
      }
    }
    if (offset & TM_SPECIAL_OP || !this.rawOk(offset, size)) {
      this.log.guestError(
        `XIVE: invalid TIMA load of ${size} at 0x${offset.toString(16)} (vCPU ${cpu})`,
      );
      return INVALID(size);
    }
    const reg = offset & 0x3f;
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const readable = (VIEWS[page]![reg + i]! & R) !== 0;
      v = (v << 8n) | BigInt(readable ? t.regs[reg + i]! : 0);
    }
    return v;
  }

  write(offset: number, size: AccessSize, value: bigint, cpu: number): void {
    const page = offset >>> TM_SHIFT;
    const t = this.context(cpu);
    const op = findOp(page, offset, size, true);
    if (op) {
      switch (op.kind) {
        case "set-os-cppr":
          t.setOsCppr(Number(value & 0xffn));
          return;
        case "set-os-pending":
          t.osIpbUpdate(priorityToIpb(Number(value & 0xffn)));
          return;
        case "push-os-ctx": {
          const word2 = Number(value & 0xffffffffn);
          const own = (word2 & 0x00ffffff) === this.router.camOf(cpu);
          if (own && word2 & 0x80000000) this.router.pushOsContext(cpu);
          else t.pushOs(word2, 0);
          return;
        }
        case "ack-os-reg":
        case "pull-os-ctx":
          throw new Error(`tima: load op ${op.kind} found for a store`);
      }
    }
    if (offset & TM_SPECIAL_OP || !this.rawOk(offset, size)) {
      this.log.guestError(
        `XIVE: invalid TIMA store of ${size} at 0x${offset.toString(16)} (vCPU ${cpu})`,
      );
      return;
    }
    const reg = offset & 0x3f;
    for (let i = 0; i < size; i++) {
      if (VIEWS[page]![reg + i]! & W) {
        t.regs[reg + i] = Number((value >> BigInt(8 * (size - 1 - i))) & 0xffn);
      }
    }
    t.resync();
  }

  /** Raw register accesses: 4 or 8 bytes, aligned, not on the user ring. */
  private rawOk(offset: number, size: AccessSize): boolean {
    return (size === 4 || size === 8) && offset % size === 0 && (offset & 0x30) !== TM_QW0_USER;
  }
}

/**
 * One page (ring view) of the TIMA as its own 64K region, for machines that map the pages
 * separately (the sPAPR device tree publishes the USER and OS pages only).
 */
export class TimaPageView implements MmioDevice {
  readonly size = 1 << TM_SHIFT;
  readonly accessSizes: readonly AccessSize[] = [1, 2, 4, 8];

  constructor(
    private readonly tima: TimaDevice,
    readonly page: number,
  ) {
    if (!(page >= XIVE_TM_HW_PAGE && page <= XIVE_TM_USER_PAGE))
      throw new Error(`tima: no page ${page}`);
  }

  read(offset: number, size: AccessSize, cpu: number): bigint {
    return this.tima.read((this.page << TM_SHIFT) + offset, size, cpu);
  }

  write(offset: number, size: AccessSize, value: bigint, cpu: number): void {
    this.tima.write((this.page << TM_SHIFT) + offset, size, value, cpu);
  }
}
