// The memory port the MMU walks and the builders write: big-endian 32-bit words at real
// addresses. Radix tables are big-endian in memory whatever MSR[LE] says, so the port is too.
// Host memory in kvm-hv-core, a guest-real view (GPA -> HPA) and SparseMemory all fit it.

export interface PhysMem {
  /** Big-endian 32-bit load from real address `addr` (4-byte aligned, < 2^52). */
  read32(addr: number): number;
  /** Big-endian 32-bit store to real address `addr` (4-byte aligned, < 2^52). */
  write32(addr: number, value: number): void;
}

/** Reads the big-endian doubleword at `addr` as [hi, lo]. Not for hot paths. */
export function read64(mem: PhysMem, addr: number): [number, number] {
  return [mem.read32(addr) >>> 0, mem.read32(addr + 4) >>> 0];
}

/** Writes the big-endian doubleword hi:lo at `addr`. */
export function write64(mem: PhysMem, addr: number, hi: number, lo: number): void {
  mem.write32(addr, hi >>> 0);
  mem.write32(addr + 4, lo >>> 0);
}

/** Reads a doubleword as a bigint (API edges and tests). */
export function read64n(mem: PhysMem, addr: number): bigint {
  const [hi, lo] = read64(mem, addr);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes a bigint doubleword (API edges and tests). */
export function write64n(mem: PhysMem, addr: number, value: bigint): void {
  write64(mem, addr, Number((value >> 32n) & 0xffffffffn), Number(value & 0xffffffffn));
}

/**
 * The part of a CPU-side physical bus this package can use (structurally, ppc-isa's
 * `PhysicalBus`): sized big- or little-endian loads and stores that report whether anything
 * answered.
 */
export interface SizedBus {
  load(ra: number, size: 4, littleEndian: boolean, out: Uint32Array): boolean;
  store(ra: number, size: 4, littleEndian: boolean, hi: number, lo: number): boolean;
}

/**
 * A PhysMem over a sized bus (how kvm-hv-core can hand its host memory to the MMU). Table
 * reads are big-endian. A walk that reaches an address nothing answers at reads zero (an
 * invalid entry, so the access faults with NOPTE) and a write there is dropped; hardware would
 * raise a machine check, which hvsim does not model for table walks.
 */
export function physMemOverBus(bus: SizedBus): PhysMem {
  const out = new Uint32Array(2);
  return {
    read32(addr: number): number {
      return bus.load(addr, 4, false, out) ? out[1]! : 0;
    },
    write32(addr: number, value: number): void {
      bus.store(addr, 4, false, 0, value >>> 0);
    },
  };
}
