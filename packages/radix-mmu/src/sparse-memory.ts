import type { PhysMem } from "./phys-mem";

const CHUNK_SHIFT = 16;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
const CHUNK_WORDS = CHUNK_SIZE >>> 2;

/**
 * Sparse physical memory for tests, benchmarks and small machines: 64 KiB chunks allocated on
 * first write, zero on read. Words are stored big-endian as PhysMem requires. Unaligned word
 * access is a simulator bug here (radix entries are 8-byte aligned), so it throws.
 */
export class SparseMemory implements PhysMem {
  private readonly chunks = new Map<number, Uint32Array>();
  /** Number of 32-bit reads served, for tests that count memory traffic. */
  reads = 0;
  /** Number of 32-bit writes served. */
  writes = 0;

  read32(addr: number): number {
    this.reads++;
    const chunk = this.chunks.get(Math.floor(addr / CHUNK_SIZE));
    if (chunk === undefined) {
      checkAligned(addr);
      return 0;
    }
    checkAligned(addr);
    return chunk[(addr % CHUNK_SIZE) >>> 2]!;
  }

  write32(addr: number, value: number): void {
    this.writes++;
    checkAligned(addr);
    const key = Math.floor(addr / CHUNK_SIZE);
    let chunk = this.chunks.get(key);
    if (chunk === undefined) {
      chunk = new Uint32Array(CHUNK_WORDS);
      this.chunks.set(key, chunk);
    }
    chunk[(addr % CHUNK_SIZE) >>> 2] = value >>> 0;
  }

  /** Bytes actually backed (allocated chunks x 64 KiB). */
  get residentBytes(): number {
    return this.chunks.size * CHUNK_SIZE;
  }
}

function checkAligned(addr: number): void {
  if (addr % 4 !== 0 || addr < 0 || addr >= 2 ** 52) {
    throw new Error(
      `SparseMemory: word access at 0x${addr.toString(16)} is not a 4-byte-aligned real address below 2^52`,
    );
  }
}
