import type { PhysMem } from "../phys-mem";

/** Consumer-side port: where page-table pages come from. */
export interface TableAllocator {
  /** Returns the real address of `bytes` zeroed bytes aligned to `bytes` (a power of two >= 8). */
  allocTable(bytes: number): number;
}

/**
 * Hands out naturally aligned, zero-filled table memory from [base, limit) in order. Never
 * frees (unmapped pages leave their tables in place, as Linux does until it reclaims them).
 */
export class BumpAllocator implements TableAllocator {
  private next: number;

  constructor(
    private readonly mem: PhysMem,
    base: number,
    private readonly limit: number,
  ) {
    this.next = base;
  }

  allocTable(bytes: number): number {
    if (bytes < 8 || (bytes & (bytes - 1)) !== 0) {
      throw new Error(`table size ${bytes} must be a power of two of at least 8 bytes`);
    }
    const addr = Math.ceil(this.next / bytes) * bytes;
    if (addr + bytes > this.limit) {
      throw new Error(
        `page-table area exhausted: need ${bytes} bytes at 0x${addr.toString(16)}, limit 0x${this.limit.toString(16)}; give the allocator a larger range`,
      );
    }
    for (let a = addr; a < addr + bytes; a += 4) this.mem.write32(a, 0);
    this.next = addr + bytes;
    return addr;
  }

  /** First address not yet handed out. */
  get used(): number {
    return this.next;
  }
}
