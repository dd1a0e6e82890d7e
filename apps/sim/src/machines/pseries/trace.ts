// `--trace FILE`: a timeline in Chrome trace-event JSON (opens in Perfetto / chrome://tracing).
// Time is simulated: the timebase (512 MHz) converted to microseconds; one track per vCPU.
import type { VmTraceEvent } from "@hvsim/kvm-hv-core";
import { TIMEBASE_FREQUENCY } from "./device-tree";

interface ChromeEvent {
  name: string;
  cat: string;
  ph: "X" | "i" | "M";
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: "t";
  args?: Record<string, string | number>;
}

const us = (tb: number): number => (tb * 1e6) / TIMEBASE_FREQUENCY;

export class ChromeTrace {
  private readonly events: ChromeEvent[] = [];
  private readonly threads = new Set<number>();

  private thread(vcpu: number): void {
    if (this.threads.has(vcpu)) return;
    this.threads.add(vcpu);
    this.events.push({
      name: "thread_name",
      cat: "__metadata",
      ph: "M",
      ts: 0,
      pid: 1,
      tid: vcpu,
      args: { name: `vCPU ${vcpu}` },
    });
  }

  /** An event from kvm-hv-core. */
  vm(e: VmTraceEvent): void {
    this.thread(e.vcpu);
    switch (e.kind) {
      case "slice":
        this.events.push({
          name: "guest",
          cat: "slice",
          ph: "X",
          ts: us(e.startTb),
          dur: us(e.endTb - e.startTb),
          pid: 1,
          tid: e.vcpu,
          args: { instructions: e.insns },
        });
        return;
      case "hcall":
        this.instant(e.vcpu, e.tb, e.name, `hcall-${e.where}`);
        return;
      case "page-fault":
        this.instant(e.vcpu, e.tb, e.vector === 0xe00 ? "HDSI" : "HISI", "page-fault", {
          gpa: `0x${e.gpa.toString(16)}`,
        });
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown trace event ${JSON.stringify(never)}`);
      }
    }
  }

  /** A point event of the VMM (RTAS call, CAS, power-off). */
  instant(
    vcpu: number,
    tb: number,
    name: string,
    cat: string,
    args?: Record<string, string | number>,
  ): void {
    this.thread(vcpu);
    this.events.push({
      name,
      cat,
      ph: "i",
      s: "t",
      ts: us(tb),
      pid: 1,
      tid: vcpu,
      ...(args ? { args } : {}),
    });
  }

  get length(): number {
    return this.events.length;
  }

  toJson(): string {
    return JSON.stringify({ traceEvents: this.events, displayTimeUnit: "ns" });
  }
}
