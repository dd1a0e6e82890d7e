// RTAS events (QEMU hw/ppc/spapr_events.c), for the EPOW event source: the host's power-down
// request (QEMU's `system_powerdown`) queues a version 6 error log of type EPOW and pulses the
// source's interrupt (0x1000); the guest fetches it with RTAS check-exception, which pulses
// again while events of a class it can read remain. `event-scan` finds nothing (QEMU's too).

import { RTAS_OUT_NO_ERRORS_FOUND, RTAS_OUT_PARAM_ERROR, RTAS_OUT_SUCCESS } from "@hvsim/hcall-abi";

/** check-exception's event mask bit for EPOW events (EVENT_CLASS_MASK(EPOW)). */
export const EVENT_MASK_EPOW = 0x40000000;

/** The RTAS error log summary word fields QEMU sets for an EPOW event. */
const RTAS_LOG_VERSION_6 = 0x06000000;
const RTAS_LOG_SEVERITY_EVENT = 0x00200000;
const RTAS_LOG_DISPOSITION_NOT_RECOVERED = 0x00100000;
const RTAS_LOG_OPTIONAL_PART_PRESENT = 0x00040000;
const RTAS_LOG_TYPE_EPOW = 0x40;

interface RtasEvent {
  readonly classMask: number;
  readonly summary: number;
  readonly extended: Uint8Array;
}

/** Four two-digit numbers as a BCD word (YYYYMMDD, HHMMSS00). */
const bcd4 = (a: number, b: number, c: number, d: number): number =>
  [a, b, c, d].reduce((w, n) => (w << 8) | ((Math.floor(n / 10) % 10) << 4) | (n % 10), 0) >>> 0;

/** The event log's state: queued events (plain data) and the next platform log id. */
export interface RtasEventsState {
  readonly version: 1;
  readonly events: readonly { classMask: number; summary: number; extended: number[] }[];
  readonly nextPlid: number;
}

/** What check-exception writes and returns. */
export interface CheckExceptionResult {
  readonly rets: readonly number[];
  readonly write?: { readonly gpa: number; readonly data: Uint8Array };
}

export class RtasEvents {
  private readonly queue: RtasEvent[] = [];
  private nextPlid = 0;

  constructor(
    /** Pulse the interrupt of the event source of `classMask`. */
    private readonly pulse: (classMask: number) => void,
  ) {}

  /**
   * spapr_powerdown_req: an EPOW log (Main-A, Main-B and EPOW sections) asking for a normal
   * system shutdown, stamped with `date` (the RTAS time of day).
   */
  powerdown(date: Date): void {
    const ext = new Uint8Array(16 + 48 + 24 + 20);
    const dv = new DataView(ext.buffer);
    // Version 6 header: valid, new log, big-endian; PowerPC format, platform event; "IBM\0".
    ext[0] = 0x80 | 0x04 | 0x02;
    ext[2] = 0x80 | 0x0e;
    dv.setUint32(12, 0x49424d00, false);
    // Main-A ("PH"): creation date (BCD YYYYMMDD) and time (BCD HHMMSS00), creator 'H'
    // (hypervisor), 3 sections, the platform log id.
    // A section starts with its id (two ASCII letters), its length and its version.
    const section = (at: number, id: string, length: number, version = 0): void => {
      dv.setUint16(at, (id.charCodeAt(0) << 8) | id.charCodeAt(1), false);
      dv.setUint16(at + 2, length, false);
      ext[at + 4] = version;
    };
    let o = 16;
    section(o, "PH", 48);
    const y = date.getUTCFullYear();
    const [mo, d] = [date.getUTCMonth() + 1, date.getUTCDate()];
    dv.setUint32(o + 8, bcd4(Math.floor(y / 100), y % 100, mo, d), false);
    dv.setUint32(
      o + 12,
      bcd4(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), 0),
      false,
    );
    ext[o + 24] = 0x48; // 'H'
    ext[o + 27] = 3;
    dv.setUint32(o + 40, this.nextPlid++, false);
    // Main-B ("UH"): subsystem external environment, informational, normal shutdown.
    o += 48;
    section(o, "UH", 24);
    ext[o + 8] = 0xa0;
    ext[o + 10] = 0x00;
    ext[o + 11] = 0xd0;
    // EPOW ("EP", version 2): system shutdown, normal, partition-specific.
    o += 24;
    section(o, "EP", 20, 2);
    ext[o + 8] = 3;
    ext[o + 9] = 1;
    ext[o + 10] = 1;
    this.queue.push({
      classMask: EVENT_MASK_EPOW,
      summary:
        RTAS_LOG_VERSION_6 |
        RTAS_LOG_SEVERITY_EVENT |
        RTAS_LOG_DISPOSITION_NOT_RECOVERED |
        RTAS_LOG_OPTIONAL_PART_PRESENT |
        RTAS_LOG_TYPE_EPOW,
      extended: ext,
    });
    this.pulse(EVENT_MASK_EPOW);
  }

  /**
   * check-exception(vector offset, additional info, event mask, critical, buffer, length
   * [, additional info high]): the oldest queued event of a class in the mask, truncated to the
   * buffer, then a pulse for each class that still has events.
   */
  checkException(args: readonly number[], nret: number): CheckExceptionResult {
    if (args.length < 6 || args.length > 7 || nret !== 1) return { rets: [RTAS_OUT_PARAM_ERROR] };
    const mask = args[2]!;
    const i = this.queue.findIndex((e) => (e.classMask & mask) !== 0);
    if (i < 0) return { rets: [RTAS_OUT_NO_ERRORS_FOUND] };
    const [e] = this.queue.splice(i, 1);
    const log = new Uint8Array(8 + e!.extended.length);
    const dv = new DataView(log.buffer);
    dv.setUint32(0, e!.summary >>> 0, false);
    dv.setUint32(4, e!.extended.length, false);
    log.set(e!.extended, 8);
    const len = Math.min(args[5]!, log.length);
    for (const c of new Set(this.queue.map((x) => x.classMask))) this.pulse(c);
    return { rets: [RTAS_OUT_SUCCESS], write: { gpa: args[4]!, data: log.subarray(0, len) } };
  }

  /** event-scan(event mask, critical, buffer, length): nothing to report. */
  eventScan(args: readonly number[], nret: number): readonly number[] {
    return args.length !== 4 || nret !== 1 ? [RTAS_OUT_PARAM_ERROR] : [RTAS_OUT_NO_ERRORS_FOUND];
  }

  /** Machine reset: queued events are dropped (QEMU's spapr_events reset). */
  reset(): void {
    this.queue.length = 0;
  }

  save(): RtasEventsState {
    return {
      version: 1,
      events: this.queue.map((e) => ({
        classMask: e.classMask,
        summary: e.summary,
        extended: [...e.extended],
      })),
      nextPlid: this.nextPlid,
    };
  }

  restore(s: RtasEventsState): void {
    if (s.version !== 1)
      throw new Error(`rtas-events: state version ${String(s.version)} is not supported (1)`);
    this.queue.splice(
      0,
      this.queue.length,
      ...s.events.map((e) => ({ ...e, extended: Uint8Array.from(e.extended) })),
    );
    this.nextPlid = s.nextPlid;
  }
}
