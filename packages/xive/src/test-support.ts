// Test fixtures shared by the unit tests (not exported from the package).
import { KernelMemory } from "./kernel-memory";
import type { GuestErrorLog, GuestMemory, InterruptSink } from "./ports";

/** Guest RAM of `size` bytes from address 0. */
export class TestRam implements GuestMemory {
  private readonly mem = new KernelMemory();
  constructor(readonly size: number) {}
  load32(a: number): number {
    return this.mem.load32(a);
  }
  store32(a: number, v: number): void {
    if (!this.isRam(a, 4)) throw new Error(`TestRam: store outside RAM at ${a}`);
    this.mem.store32(a, v);
  }
  isRam(a: number, len: number): boolean {
    return a >= 0 && a + len <= this.size;
  }
}

/** Records each vCPU's external-interrupt line. */
export class TestLines implements InterruptSink {
  readonly level = new Map<number, boolean>();
  edges = 0;
  setExternal(vcpu: number, level: boolean): void {
    if (this.level.get(vcpu) !== level) this.edges++;
    this.level.set(vcpu, level);
  }
  up(vcpu: number): boolean {
    return this.level.get(vcpu) === true;
  }
}

export class TestLog implements GuestErrorLog {
  readonly messages: string[] = [];
  guestError(m: string): void {
    this.messages.push(m);
  }
}
