// A radix walk over a tree held in some guest's real memory (kvmppc_mmu_walk_radix_tree):
// L0 walks the partition-scoped tree an L1 keeps for its L2, reading the L1's memory only
// through the L1's memslots. Entries are big-endian (ISA v3.0B Book III 5.7.10).

/** Reads 8 bytes at a guest real address; undefined when no memslot backs them. */
export type ReadGuest64 = (gpa: number) => bigint | undefined;

export interface RadixLeaf {
  /** The PTE as stored. */
  pte: bigint;
  /** Guest real address of the page the leaf maps (RPN, aligned to the page). */
  pa: number;
  pageShift: number;
  read: boolean;
  write: boolean;
  exec: boolean;
  r: boolean;
  c: boolean;
}

export type RadixWalk =
  | { kind: "leaf"; leaf: RadixLeaf }
  /** No valid entry on the way (DSISR_NOHPTE). */
  | { kind: "no-entry" }
  /** A table could not be read (DSISR_PRTABLE_FAULT): `addr` is the address that failed. */
  | { kind: "bad-table"; addr: number }
  /** A malformed tree (RTS, NLS or leaf level the hardware does not support: DSISR_UNSUPP_MMU). */
  | { kind: "unsupported"; why: string };

const V = 1n << 63n;
const L = 1n << 62n;
const NLB_MASK = 0x0fffffffffffff00n;
const RPN_MASK = 0x01fffffffffff000n;
const PTE_R = 0x100n;
const PTE_C = 0x80n;
const EAA_READ = 0x4n;
const EAA_RW = 0x2n;
const EAA_EXEC = 0x1n;

/** RTS of a PATE or PRTE dw0: tree size = 2^(RTS+31). */
export function radixTreeBits(dw0: bigint): number {
  const rts = Number((((dw0 >> 61n) & 3n) << 3n) | ((dw0 >> 5n) & 7n));
  return rts + 31;
}

/** Walk the tree whose root is described by `dw0` (PATE dw0 / PRTE dw0) for address `addr`. */
export function walkRadix(read: ReadGuest64, dw0: bigint, addr: number): RadixWalk {
  const treeBits = radixTreeBits(dw0);
  if (treeBits !== 52) return { kind: "unsupported", why: `tree of 2^${treeBits} bytes` };
  if (addr < 0 || addr >= 2 ** 52) return { kind: "no-entry" };
  let base = Number(dw0 & NLB_MASK);
  let nls = Number(dw0 & 0x1fn);
  let shift = 52;
  const a = BigInt(addr);
  for (let level = 0; level < 4; level++) {
    if (nls < 5 || nls > 16 || nls > shift - 12) {
      return { kind: "unsupported", why: `level ${level} with ${nls} index bits` };
    }
    shift -= nls;
    const idx = Number((a >> BigInt(shift)) & ((1n << BigInt(nls)) - 1n));
    const ea = base + idx * 8;
    const e = read(ea);
    if (e === undefined) return { kind: "bad-table", addr: ea };
    if ((e & V) === 0n) return { kind: "no-entry" };
    if ((e & L) !== 0n) {
      const mask = 2 ** shift - 1;
      const pa = Number(e & RPN_MASK);
      return {
        kind: "leaf",
        leaf: {
          pte: e,
          pa: pa - (pa % (mask + 1)),
          pageShift: shift,
          read: (e & EAA_READ) !== 0n,
          write: (e & EAA_RW) !== 0n,
          exec: (e & EAA_EXEC) !== 0n,
          r: (e & PTE_R) !== 0n,
          c: (e & PTE_C) !== 0n,
        },
      };
    }
    base = Number(e & NLB_MASK);
    nls = Number(e & 0x1fn);
    if (shift <= 12) return { kind: "unsupported", why: "directory below the smallest page" };
  }
  return { kind: "unsupported", why: "more than four levels" };
}
