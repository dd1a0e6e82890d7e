// Sparse byte store standing for memory the hypervisor owns (not guest RAM). KVM's XICS-on-XIVE
// device allocates its event queues in host kernel memory; this is that memory. It implements
// the GuestMemory port so the same END enqueue code serves both kinds of queue.
import type { GuestMemory } from "./ports";

const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;

export interface KernelMemoryState {
  readonly version: 1;
  /** Non-zero chunks: base address and hex bytes. */
  readonly chunks: readonly { readonly base: number; readonly hex: string }[];
}

export class KernelMemory implements GuestMemory {
  private readonly chunks = new Map<number, Uint8Array>();

  private chunk(addr: number, create: boolean): Uint8Array | undefined {
    const key = Math.floor(addr / CHUNK);
    let c = this.chunks.get(key);
    if (!c && create) {
      c = new Uint8Array(CHUNK);
      this.chunks.set(key, c);
    }
    return c;
  }

  load32(addr: number): number {
    if (addr % 4 !== 0) throw new Error(`kernel-memory: misaligned load32 at ${addr}`);
    const c = this.chunk(addr, false);
    if (!c) return 0;
    const o = addr % CHUNK;
    return ((c[o]! << 24) | (c[o + 1]! << 16) | (c[o + 2]! << 8) | c[o + 3]!) >>> 0;
  }

  store32(addr: number, value: number): void {
    if (addr % 4 !== 0) throw new Error(`kernel-memory: misaligned store32 at ${addr}`);
    const c = this.chunk(addr, true)!;
    const o = addr % CHUNK;
    c[o] = value >>> 24;
    c[o + 1] = (value >>> 16) & 0xff;
    c[o + 2] = (value >>> 8) & 0xff;
    c[o + 3] = value & 0xff;
  }

  isRam(): boolean {
    return true;
  }

  save(): KernelMemoryState {
    const chunks: { base: number; hex: string }[] = [];
    for (const [key, bytes] of [...this.chunks].sort((a, b) => a[0] - b[0])) {
      if (bytes.every((b) => b === 0)) continue;
      chunks.push({ base: key * CHUNK, hex: Buffer.from(bytes).toString("hex") });
    }
    return { version: 1, chunks };
  }

  restore(state: KernelMemoryState): void {
    if (state.version !== 1)
      throw new Error(`kernel-memory: unknown state version ${String(state.version)}`);
    this.chunks.clear();
    for (const { base, hex } of state.chunks) {
      this.chunks.set(Math.floor(base / CHUNK), new Uint8Array(Buffer.from(hex, "hex")));
    }
  }
}
