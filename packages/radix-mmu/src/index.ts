// @hvsim/radix-mmu — public API. (POWER9 radix MMU: process- and partition-scoped translation, the two-dimensional nested walk, TLB and page-walk cache tagged by LPID/PID, tlbie/tlbiel invalidation, and radix tree builders.)
// Filled by its issue; see README.md.
export {};
