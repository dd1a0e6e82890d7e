/* Bump allocators over fixed regions of L1 real memory (l1hv.h). Nothing is ever freed. */
#include "l1hv.h"

static uint64_t pt_next = PT_POOL_BASE;
static uint64_t spare_next = SPARE_BASE;

/* Radix tables must be aligned to their size; zeroed because an empty entry is invalid. */
uint64_t pt_alloc(uint64_t size)
{
	uint64_t a = (pt_next + size - 1) & ~(size - 1);
	if (a + size > PT_POOL_END) {
		printf("l1hv: page-table pool exhausted\n");
		guest_exit(2);
	}
	pt_next = a + size;
	memset((void *)a, 0, size);
	return a;
}

uint64_t spare_page(void)
{
	if (spare_next + L2_PAGE_SIZE > SPARE_END) {
		printf("l1hv: spare page pool exhausted\n");
		guest_exit(2);
	}
	uint64_t a = spare_next;
	spare_next += L2_PAGE_SIZE;
	return a;
}
