// The simulated host's physical memory: sparse, in fixed-size chunks allocated on first write
// (or when a CPU maps a page of it through its RAM-window fast path); a never-written chunk
// reads as zero. It serves both the MMU (big-endian 32-bit words, radix-mmu's PhysMem) and,
// through a memslot-checked view, the vCPUs (ppc-isa's PhysicalBus).

/** log2 of the chunk size: 64 KiB, the page size KVM maps guests with here. */
export const HOST_CHUNK_SHIFT = 16;
export const HOST_CHUNK_SIZE = 1 << HOST_CHUNK_SHIFT;

/** One allocated chunk, as plain data (save/restore). */
export interface HostChunkState {
  base: number;
  data: Uint8Array;
}

export interface HostMemoryState {
  version: 1;
  size: number;
  chunks: HostChunkState[];
}

interface Chunk {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

export class HostMemory {
  private readonly chunks = new Map<number, Chunk>();

  /** `size`: bytes of host physical address space (accesses at or above it are errors). */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size > 2 ** 52 || size % HOST_CHUNK_SIZE !== 0) {
      throw new Error(
        `host memory size 0x${size.toString(16)} must be a positive multiple of 64 KiB below 2^52`,
      );
    }
  }

  /** Bytes actually backed (allocated chunks). */
  get allocatedBytes(): number {
    return this.chunks.size * HOST_CHUNK_SIZE;
  }

  private check(addr: number, len: number): void {
    if (!(addr >= 0 && addr + len <= this.size)) {
      throw new Error(
        `host memory access at 0x${addr.toString(16)} (+${len}) is outside host memory (0x${this.size.toString(16)} bytes)`,
      );
    }
  }

  private chunkOf(addr: number, allocate: boolean): Chunk | undefined {
    const key = Math.floor(addr / HOST_CHUNK_SIZE);
    let c = this.chunks.get(key);
    if (c === undefined && allocate) {
      const bytes = new Uint8Array(HOST_CHUNK_SIZE);
      c = { bytes, view: new DataView(bytes.buffer) };
      this.chunks.set(key, c);
    }
    return c;
  }

  /** The chunk holding `addr`, allocated if needed (a CPU is about to access it directly). */
  window(addr: number): { bytes: Uint8Array; view: DataView; base: number } {
    this.check(addr, 1);
    const c = this.chunkOf(addr, true)!;
    return { bytes: c.bytes, view: c.view, base: addr - (addr % HOST_CHUNK_SIZE) };
  }

  /** Big-endian 32-bit load (PhysMem). */
  read32(addr: number): number {
    this.check(addr, 4);
    const c = this.chunkOf(addr, false);
    return c === undefined ? 0 : c.view.getUint32(addr % HOST_CHUNK_SIZE, false);
  }

  /** Big-endian 32-bit store (PhysMem). */
  write32(addr: number, value: number): void {
    this.check(addr, 4);
    this.chunkOf(addr, true)!.view.setUint32(addr % HOST_CHUNK_SIZE, value >>> 0, false);
  }

  read(addr: number, len: number): Uint8Array {
    this.check(addr, len);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a % HOST_CHUNK_SIZE;
      const n = Math.min(len - done, HOST_CHUNK_SIZE - off);
      const c = this.chunkOf(a, false);
      if (c !== undefined) out.set(c.bytes.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  write(addr: number, data: Uint8Array): void {
    this.check(addr, data.length);
    let done = 0;
    while (done < data.length) {
      const a = addr + done;
      const off = a % HOST_CHUNK_SIZE;
      const n = Math.min(data.length - done, HOST_CHUNK_SIZE - off);
      this.chunkOf(a, true)!.bytes.set(data.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Drop the chunks wholly inside [addr, addr+len) (they read as zero again). */
  discard(addr: number, len: number): void {
    for (let a = addr; a + HOST_CHUNK_SIZE <= addr + len; a += HOST_CHUNK_SIZE) {
      if (a % HOST_CHUNK_SIZE === 0) this.chunks.delete(a / HOST_CHUNK_SIZE);
    }
  }

  /** Allocated chunks inside [addr, addr+len), in address order. */
  chunksIn(addr: number, len: number): HostChunkState[] {
    const out: HostChunkState[] = [];
    const keys = [...this.chunks.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const base = k * HOST_CHUNK_SIZE;
      if (base >= addr && base + HOST_CHUNK_SIZE <= addr + len) {
        out.push({ base, data: this.chunks.get(k)!.bytes.slice() });
      }
    }
    return out;
  }

  save(): HostMemoryState {
    return { version: 1, size: this.size, chunks: this.chunksIn(0, this.size) };
  }

  restore(s: HostMemoryState): void {
    if (s.version !== 1 || s.size !== this.size) {
      throw new Error(
        `host memory state version ${s.version} / size 0x${s.size.toString(16)} does not match this host (version 1, 0x${this.size.toString(16)})`,
      );
    }
    this.chunks.clear();
    for (const c of s.chunks) this.write(c.base, c.data);
  }
}
