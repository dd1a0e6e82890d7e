/*
 * An L2's partition-scoped radix tree, built by L1 in its own memory: L2 guest-physical
 * addresses -> L1 real addresses. 52-bit tree with Linux's 64 KiB-page geometry: PGD 13 bits
 * (EA bits 39:51 of the address), PUD 9, PMD 9, PTE 5, 64 KiB leaves. Entries are big-endian.
 * Partition-scoped PTEs carry no privilege bit; R and C are preset so that no L0 has to take
 * a fault just to set them.
 */
#include "l1hv.h"

#define PGD_BITS 13
#define PUD_BITS 9
#define PMD_BITS 9
#define PTE_BITS 5

static const unsigned level_bits[4] = { PGD_BITS, PUD_BITS, PMD_BITS, PTE_BITS };
static const unsigned level_shift[4] = { 39, 30, 21, 16 };

uint64_t l2_radix_new(void)
{
	return pt_alloc(8UL << PGD_BITS);
}

uint64_t l2_radix_pate0(uint64_t pgd)
{
	return PATE0_HR | radix_rts(52) | pgd | PGD_BITS;
}

/* Address of the leaf entry for gpa, creating the directories on the way if create. */
static volatile uint64_t *leaf(uint64_t pgd, uint64_t gpa, int create)
{
	uint64_t table = pgd;
	for (int l = 0;; l++) {
		volatile uint64_t *e =
			(volatile uint64_t *)table + ((gpa >> level_shift[l]) & ((1UL << level_bits[l]) - 1));
		if (l == 3)
			return e;
		uint64_t v = ld_be64(e);
		if (!(v & RPTE_V)) {
			if (!create)
				return 0;
			uint64_t next = pt_alloc(8UL << level_bits[l + 1]);
			/* The new directory is zeroed before it becomes reachable. */
			asm volatile("eieio" : : : "memory");
			v = RPTE_V | (next & RPDE_NLB_MASK) | level_bits[l + 1];
			st_be64(e, v);
		}
		table = v & RPDE_NLB_MASK;
	}
}

void l2_radix_map(uint64_t pgd, uint64_t gpa, uint64_t ra)
{
	volatile uint64_t *e = leaf(pgd, gpa, 1);
	st_be64(e, RPTE_V | RPTE_L | (ra & RPTE_RPN_MASK & ~(L2_PAGE_SIZE - 1)) | RPTE_R | RPTE_C |
			   RPTE_READ | RPTE_WRITE | RPTE_EXEC);
	asm volatile("ptesync" : : : "memory");
}

uint64_t l2_radix_lookup(uint64_t pgd, uint64_t gpa)
{
	volatile uint64_t *e = leaf(pgd, gpa, 0);
	if (!e)
		return ~0UL;
	uint64_t v = ld_be64(e);
	if (!(v & RPTE_V))
		return ~0UL;
	return (v & RPTE_RPN_MASK & ~(L2_PAGE_SIZE - 1)) | (gpa & (L2_PAGE_SIZE - 1));
}

void l2_radix_unmap(uint64_t pgd, uint64_t gpa)
{
	volatile uint64_t *e = leaf(pgd, gpa, 0);
	if (e)
		st_be64(e, 0);
	asm volatile("ptesync" : : : "memory");
}
