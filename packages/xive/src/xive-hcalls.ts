// The sPAPR XIVE exploitation hcalls (PAPR ACR "XIVE Exploitation"), with QEMU's
// hw/intc/spapr_xive.c as the reference for argument checks and their order. Every one returns
// H_FUNCTION unless CAS selected XIVE exploitation (the controller is `active`).
import {
  EAS_W0_END_BLOCK,
  EAS_W0_END_INDEX,
  EAS_W0_VALID,
  EAS_W1_END_DATA,
  EAS_W1_MASKED,
} from "./eas";
import {
  END_W0_BACKLOG,
  END_W0_ENQUEUE,
  END_W0_ESCALATE_CTL,
  END_W0_QSIZE,
  END_W0_UCOND_NOTIFY,
  END_W0_UNCOND_ESCALATE,
  END_W0_VALID,
  END_W1_GENERATION,
  END_W1_PAGE_OFF,
  END_W2_EQ_ADDR_HI,
  END_W4_ESC_END_INDEX,
  END_W4_ESC_END_BLOCK,
  END_W5_ESC_END_DATA,
  END_W6_NVT_BLOCK,
  END_W6_NVT_INDEX,
  END_W7_F0_PRIORITY,
  endQueueAddress,
} from "./end";
import {
  arg,
  ret,
  U64_MINUS_1,
  type HcallArgs,
  type HcallEntry,
  type HcallResult,
  type HcallTable,
} from "./hcall-table";
import {
  H_FUNCTION,
  H_HARDWARE,
  H_INT_ESB,
  H_INT_GET_OS_REPORTING_LINE,
  H_INT_GET_QUEUE_CONFIG,
  H_INT_GET_QUEUE_INFO,
  H_INT_GET_SOURCE_CONFIG,
  H_INT_GET_SOURCE_INFO,
  H_INT_RESET,
  H_INT_SET_OS_REPORTING_LINE,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  H_INT_SYNC,
  H_P2,
  H_P3,
  H_P4,
  H_P5,
  H_PARAMETER,
  H_SUCCESS,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_END_DEBUG,
  SPAPR_XIVE_ESB_STORE,
  SPAPR_XIVE_SRC_H_INT_ESB,
  SPAPR_XIVE_SRC_LSI,
  SPAPR_XIVE_SRC_MASK,
  SPAPR_XIVE_SRC_SET_EISN,
  SPAPR_XIVE_SRC_STORE_EOI,
  SPAPR_XIVE_SRC_TRIGGER,
} from "./papr-constants";
import { getField32, setField32 } from "./ppc-bit";
import { XIVE_ESCALATION_BLOCK } from "./router";
import {
  endIndexOf,
  priorityIsReserved,
  SPAPR_XIVE_BLOCK_ID,
  SPAPR_XIVE_NVT_BASE,
  SPAPR_XIVE_QSIZES,
  SPAPR_XIVE_HV_PRIO,
} from "./spapr-layout";
import type { SpaprXive } from "./spapr-xive";

/** The subset of SpaprXive the hcalls use. */
type Xive = Pick<
  SpaprXive,
  | "active"
  | "nrVcpus"
  | "nrIrqs"
  | "router"
  | "source"
  | "vcBase"
  | "placement"
  | "guestMemory"
  | "log"
  | "esb"
>;

export function xiveHcalls(x: Xive): HcallTable {
  const entries: [number, HcallEntry][] = [
    [
      H_INT_GET_SOURCE_INFO,
      { name: "H_INT_GET_SOURCE_INFO", handler: (_v, a) => gated(x, () => getSourceInfo(x, a)) },
    ],
    [
      H_INT_SET_SOURCE_CONFIG,
      {
        name: "H_INT_SET_SOURCE_CONFIG",
        handler: (_v, a) => gated(x, () => setSourceConfig(x, a)),
      },
    ],
    [
      H_INT_GET_SOURCE_CONFIG,
      {
        name: "H_INT_GET_SOURCE_CONFIG",
        handler: (_v, a) => gated(x, () => getSourceConfig(x, a)),
      },
    ],
    [
      H_INT_GET_QUEUE_INFO,
      { name: "H_INT_GET_QUEUE_INFO", handler: (_v, a) => gated(x, () => getQueueInfo(x, a)) },
    ],
    [
      H_INT_SET_QUEUE_CONFIG,
      { name: "H_INT_SET_QUEUE_CONFIG", handler: (_v, a) => gated(x, () => setQueueConfig(x, a)) },
    ],
    [
      H_INT_GET_QUEUE_CONFIG,
      { name: "H_INT_GET_QUEUE_CONFIG", handler: (_v, a) => gated(x, () => getQueueConfig(x, a)) },
    ],
    // Reporting lines (ACK to a cache line) are not implemented by QEMU either: H_FUNCTION.
    [
      H_INT_SET_OS_REPORTING_LINE,
      { name: "H_INT_SET_OS_REPORTING_LINE", handler: () => ret(H_FUNCTION) },
    ],
    [
      H_INT_GET_OS_REPORTING_LINE,
      { name: "H_INT_GET_OS_REPORTING_LINE", handler: () => ret(H_FUNCTION) },
    ],
    [H_INT_ESB, { name: "H_INT_ESB", handler: (_v, a) => gated(x, () => intEsb(x, a)) }],
    [H_INT_SYNC, { name: "H_INT_SYNC", handler: (_v, a) => gated(x, () => intSync(x, a)) }],
    [H_INT_RESET, { name: "H_INT_RESET", handler: (_v, a) => gated(x, () => intReset(x, a)) }],
  ];
  return new Map(entries);
}

function gated(x: Xive, body: () => HcallResult): HcallResult {
  return x.active ? body() : ret(H_FUNCTION);
}

/** A LISN argument that names a claimed source, else undefined (=> H_P2). */
function lisnOf(x: Xive, a: bigint): number | undefined {
  if (a >= BigInt(x.nrIrqs)) return undefined;
  const lisn = Number(a);
  return x.router.easValid(lisn) ? lisn : undefined;
}

/** A target (server number) argument naming a vCPU, else undefined. */
function targetOf(x: Xive, a: bigint): number | undefined {
  return a < BigInt(x.nrVcpus) ? Number(a) : undefined;
}

/** A priority argument that fits in a byte, else undefined (and thus reserved). */
function priorityOf(a: bigint): number {
  return a > 0xffn ? 0x100 : Number(a);
}

function getSourceInfo(x: Xive, a: HcallArgs): HcallResult {
  if (arg(a, 0) !== 0n) return ret(H_PARAMETER);
  const lisn = lisnOf(x, arg(a, 1));
  if (lisn === undefined) return ret(H_P2);
  const src = x.source;
  let flags = 0n;
  if (!src.twoPage) flags |= SPAPR_XIVE_SRC_TRIGGER;
  if (src.storeEoi) flags |= SPAPR_XIVE_SRC_STORE_EOI;
  // LSIs must go through H_INT_ESB, so the hypervisor can re-trigger a still-asserted line.
  if (src.isLsi(lisn)) flags |= SPAPR_XIVE_SRC_H_INT_ESB | SPAPR_XIVE_SRC_LSI;
  const viaHcall = (flags & SPAPR_XIVE_SRC_H_INT_ESB) !== 0n;
  const eoiPage = viaHcall ? U64_MINUS_1 : BigInt(x.vcBase + src.mgmtPageOffset(lisn));
  const trigPage =
    src.twoPage && !viaHcall ? BigInt(x.vcBase + src.triggerPageOffset(lisn)) : U64_MINUS_1;
  const shift = BigInt(src.twoPage ? src.esbShift - 1 : src.esbShift);
  return ret(H_SUCCESS, flags, eoiPage, trigPage, shift);
}

function setSourceConfig(x: Xive, a: HcallArgs): HcallResult {
  const flags = arg(a, 0);
  if (flags & ~(SPAPR_XIVE_SRC_SET_EISN | SPAPR_XIVE_SRC_MASK)) return ret(H_PARAMETER);
  const lisn = lisnOf(x, arg(a, 1));
  if (lisn === undefined) return ret(H_P2);
  const priority = priorityOf(arg(a, 3));
  if (priority === 0xff) {
    // Priority 0xFF resets the EAS: valid, masked, no target, EISN 0.
    x.router.setEas(lisn, EAS_W0_VALID, EAS_W1_MASKED);
    return ret(H_SUCCESS);
  }
  const old = x.router.getEas(lisn);
  let w1 = flags & SPAPR_XIVE_SRC_MASK ? old.w1 | EAS_W1_MASKED : old.w1 & ~EAS_W1_MASKED;
  if (priorityIsReserved(priority)) return ret(H_P4);
  const target = targetOf(x, arg(a, 2));
  if (target === undefined) return ret(H_P3);
  let w0 = setField32(EAS_W0_END_BLOCK, old.w0, SPAPR_XIVE_BLOCK_ID);
  w0 = setField32(EAS_W0_END_INDEX, w0, endIndexOf(target, priority));
  if (flags & SPAPR_XIVE_SRC_SET_EISN)
    w1 = setField32(EAS_W1_END_DATA, w1, Number(arg(a, 4) & 0x7fffffffn));
  // The EAS is updated at once: no event is routed to the old END after this returns.
  x.router.setEas(lisn, w0, w1);
  return ret(H_SUCCESS);
}

function getSourceConfig(x: Xive, a: HcallArgs): HcallResult {
  if (arg(a, 0) !== 0n) return ret(H_PARAMETER);
  const lisn = lisnOf(x, arg(a, 1));
  if (lisn === undefined) return ret(H_P2);
  // EISN: PAPR's text says it defaults to the LISN, but QEMU's EAS reset (VALID|MASKED) leaves
  // 0 until H_INT_SET_SOURCE_CONFIG sets it; hvsim returns what QEMU returns.
  const { w0, w1 } = x.router.getEas(lisn);
  const endIndex = getField32(EAS_W0_END_INDEX, w0);
  // QEMU reads target and priority back from the END's w6/w7, which are only set once the queue
  // is configured; the sPAPR END index encodes both (server << 3 | prio), so read them from it.
  const target = endIndex >>> 3;
  const priority = w1 & EAS_W1_MASKED ? 0xff : endIndex & 7;
  return ret(H_SUCCESS, BigInt(target), BigInt(priority), BigInt(getField32(EAS_W1_END_DATA, w1)));
}

function getQueueInfo(x: Xive, a: HcallArgs): HcallResult {
  if (arg(a, 0) !== 0n) return ret(H_PARAMETER);
  const priority = priorityOf(arg(a, 2));
  if (priorityIsReserved(priority)) return ret(H_P3);
  const target = targetOf(x, arg(a, 1));
  if (target === undefined) return ret(H_P2);
  const endIndex = endIndexOf(target, priority);
  // The END ESB pages follow the source ESB pages; QEMU keeps that region disabled, so the
  // address is informative only (it is not mapped here either).
  const endEsbBase = x.vcBase + x.source.esbLength;
  const page = BigInt(endEsbBase) + (1n << BigInt(x.source.esbShift + 1)) * BigInt(endIndex);
  const w0 = x.router.endWord(endIndex, 0);
  const size = w0 & END_W0_ENQUEUE ? getField32(END_W0_QSIZE, w0) + 12 : 0;
  return ret(H_SUCCESS, page, BigInt(size));
}

function setQueueConfig(x: Xive, a: HcallArgs): HcallResult {
  const flags = arg(a, 0);
  if (flags & ~SPAPR_XIVE_END_ALWAYS_NOTIFY) return ret(H_PARAMETER);
  const priority = priorityOf(arg(a, 2));
  if (priorityIsReserved(priority)) return ret(H_P3);
  const target = targetOf(x, arg(a, 1));
  if (target === undefined) return ret(H_P2);
  const endIndex = endIndexOf(target, priority);
  const qpageArg = arg(a, 3);
  const qsizeArg = arg(a, 4);
  if (qsizeArg === 0n) {
    // Reset the queue and disable enqueuing.
    x.router.resetEnd(endIndex);
    return ret(H_SUCCESS);
  }
  if (!SPAPR_XIVE_QSIZES.includes(Number(qsizeArg))) return ret(H_P5);
  const qsize = Number(qsizeArg);
  if (qpageArg >= 1n << 60n || qpageArg % (1n << BigInt(qsize)) !== 0n) {
    x.log.guestError(
      `XIVE: EQ @0x${qpageArg.toString(16)} is not naturally aligned with 2^${qsize}`,
    );
    return ret(H_P4);
  }
  const qpage = Number(qpageArg);
  if (!x.guestMemory.isRam(qpage, 2 ** qsize)) {
    x.log.guestError(`XIVE: EQ @0x${qpageArg.toString(16)} of 2^${qsize} bytes is not guest RAM`);
    return ret(H_P4);
  }
  // KVM's XIVE native device takes 64K queues with ALWAYS_NOTIFY only (END ESB coalescing is not
  // supported); QEMU reports its refusal as H_HARDWARE.
  if (x.placement === "kernel" && (qsize !== 16 || !(flags & SPAPR_XIVE_END_ALWAYS_NOTIFY))) {
    x.log.guestError(`XIVE: KVM refuses EQ of 2^${qsize} with flags 0x${flags.toString(16)}`);
    return ret(H_HARDWARE);
  }
  const r = x.router;
  let w0 = END_W0_VALID | END_W0_ENQUEUE;
  w0 = setField32(END_W0_QSIZE, w0, qsize - 12);
  if (flags & SPAPR_XIVE_END_ALWAYS_NOTIFY) w0 |= END_W0_UCOND_NOTIFY;
  // Hypervisor decoration, invisible to the guest (H_INT_GET_QUEUE_CONFIG reports `n` only), as
  // KVM configures its VP queues: an event for a vCPU that is not dispatched is kept in the NVT
  // backlog and escalates, unconditionally, to the vCPU's single escalation END (priority 7),
  // whose own PQ does the coalescing.
  w0 |= END_W0_BACKLOG | END_W0_ESCALATE_CTL | END_W0_UNCOND_ESCALATE;
  r.setEndWord(endIndex, 0, w0 >>> 0);
  // Generation starts at 1 and the page offset at 0; ESn and ESe PQ 00.
  r.setEndWord(endIndex, 1, setField32(END_W1_PAGE_OFF, END_W1_GENERATION, 0));
  r.setEndWord(endIndex, 2, Math.floor(qpage / 2 ** 32) & END_W2_EQ_ADDR_HI);
  r.setEndWord(endIndex, 3, qpage >>> 0);
  r.setEndWord(
    endIndex,
    4,
    setField32(
      END_W4_ESC_END_INDEX,
      setField32(END_W4_ESC_END_BLOCK, 0, XIVE_ESCALATION_BLOCK),
      target,
    ),
  );
  r.setEndWord(endIndex, 5, setField32(END_W5_ESC_END_DATA, 0, SPAPR_XIVE_HV_PRIO));
  r.setEndWord(
    endIndex,
    6,
    setField32(
      END_W6_NVT_INDEX,
      setField32(END_W6_NVT_BLOCK, 0, SPAPR_XIVE_BLOCK_ID),
      SPAPR_XIVE_NVT_BASE + target,
    ),
  );
  r.setEndWord(endIndex, 7, setField32(END_W7_F0_PRIORITY, 0, priority));
  return ret(H_SUCCESS);
}

function getQueueConfig(x: Xive, a: HcallArgs): HcallResult {
  const flags = arg(a, 0);
  if (flags & ~SPAPR_XIVE_END_DEBUG) return ret(H_PARAMETER);
  const priority = priorityOf(arg(a, 2));
  if (priorityIsReserved(priority)) return ret(H_P3);
  const target = targetOf(x, arg(a, 1));
  if (target === undefined) return ret(H_P2);
  const endIndex = endIndexOf(target, priority);
  const w0 = x.router.endWord(endIndex, 0);
  const w1 = x.router.endWord(endIndex, 1);
  let outFlags = w0 & END_W0_UCOND_NOTIFY ? SPAPR_XIVE_END_ALWAYS_NOTIFY : 0n;
  let qpage = 0n;
  let qsize = 0n;
  if (w0 & END_W0_ENQUEUE) {
    qpage = BigInt(endQueueAddress(x.router.endWord(endIndex, 2), x.router.endWord(endIndex, 3)));
    qsize = BigInt(getField32(END_W0_QSIZE, w0) + 12);
  }
  let qindex = 0n;
  if (flags & SPAPR_XIVE_END_DEBUG) {
    outFlags |= BigInt(getField32(END_W1_GENERATION, w1)) << 62n;
    qindex = BigInt(getField32(END_W1_PAGE_OFF, w1));
  }
  return ret(H_SUCCESS, outFlags, qpage, qsize, qindex);
}

function intEsb(x: Xive, a: HcallArgs): HcallResult {
  const flags = arg(a, 0);
  if (flags & ~SPAPR_XIVE_ESB_STORE) return ret(H_PARAMETER);
  const lisn = lisnOf(x, arg(a, 1));
  if (lisn === undefined) return ret(H_P2);
  const offset = arg(a, 2);
  if (offset > 1n << BigInt(x.source.esbShift)) return ret(H_P3);
  // The offset is relative to the management page, as an MMIO access there would be.
  const at = x.source.mgmtPageOffset(lisn) + Number(offset);
  if (at + 8 > x.source.esbLength) return ret(H_HARDWARE);
  if (flags & SPAPR_XIVE_ESB_STORE) {
    x.esb.write(at);
    return ret(H_SUCCESS, U64_MINUS_1);
  }
  return ret(H_SUCCESS, x.esb.read(at));
}

function intSync(x: Xive, a: HcallArgs): HcallResult {
  if (arg(a, 0) !== 0n) return ret(H_PARAMETER);
  if (lisnOf(x, arg(a, 1)) === undefined) return ret(H_P2);
  // Events are routed synchronously in this model: nothing is ever in flight.
  return ret(H_SUCCESS);
}

function intReset(x: Xive, a: HcallArgs): HcallResult {
  if (arg(a, 0) !== 0n) return ret(H_PARAMETER);
  x.router.resetRouting();
  return ret(H_SUCCESS);
}
