/*
 * L1's view of an L2's guest-physical memory: through the L2's partition-scoped tree, so
 * that a remapped page is read where the L2 sees it. (An L1 on KVM could ask L0 with
 * H_COPY_TOFROM_GUEST, which QEMU's TCG L0 does not implement; walking its own tree is what
 * Linux falls back to.) A page the L2 has not touched yet is read at the backing it will be
 * mapped to, without mapping it, so that L2 faults stay driven by the L2 alone.
 */
#include "l1hv.h"

static uint64_t ra_of(struct l2 *g, uint64_t gpa)
{
	if (gpa >= g->mem_size)
		return ~0UL;
	uint64_t ra = l2_radix_lookup(g->pgd, gpa);
	return ra == ~0UL ? g->mem_base + gpa : ra;
}

int l2_read(struct l2 *g, uint64_t gpa, void *dst, unsigned len)
{
	uint8_t *d = dst;
	for (unsigned i = 0; i < len; i++) {
		uint64_t ra = ra_of(g, gpa + i);
		if (ra == ~0UL)
			return -1;
		d[i] = *(volatile uint8_t *)ra;
	}
	return 0;
}

int l2_write(struct l2 *g, uint64_t gpa, const void *src, unsigned len)
{
	const uint8_t *s = src;
	for (unsigned i = 0; i < len; i++) {
		uint64_t ra = ra_of(g, gpa + i);
		if (ra == ~0UL)
			return -1;
		*(volatile uint8_t *)ra = s[i];
	}
	return 0;
}
