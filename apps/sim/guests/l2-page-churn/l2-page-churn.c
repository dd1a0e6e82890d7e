/*
 * l2-page-churn: asks L1 (guests/l1hv) with L1HV_H_REMAP_PAGE (lib/l1hv-abi.h) to back one of
 * its pages with a fresh L1 page holding new contents, and checks that it sees them.
 *
 * Each round first writes and reads the page, so the L0 holds a translation for it (a TLB
 * entry tagged with the L2's shadow LPID, a shadow PTE), then asks for the remap. L1 must
 * invalidate that translation (H_RPT_INVALIDATE or H_TLB_INVALIDATE): if it does not, or
 * invalidates the wrong LPID or page, an L0 that keeps translations across
 * L1<->L2 switches still maps the old page, whose contents L1 leaves untouched, and the
 * round reports stale doublewords. (QEMU's TCG L0 flushes its whole TLB on every switch and
 * reads L1's tree on every walk, so it cannot catch a missing invalidation; hvsim can.)
 * The neighbouring pages must keep their contents.
 */
#include "hvsim.h"
#include "l1hv-abi.h"

#define WORDS (L1HV_PAGE_SIZE / 8)
#define ROUNDS 8

static uint64_t pages[3][WORDS] __attribute__((aligned(L1HV_PAGE_SIZE)));

static uint64_t old_value(int round, uint64_t i)
{
	return 0x4f4c440000000000UL | (uint64_t)round << 32 | i; /* "OLD" */
}

static uint64_t neighbour_value(int which, uint64_t i)
{
	return 0x4e45494700000000UL | (uint64_t)which << 32 | i; /* "NEIG" */
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	volatile uint64_t *page = pages[1];
	int failed = 0;

	for (uint64_t i = 0; i < WORDS; i++) {
		pages[0][i] = neighbour_value(0, i);
		pages[2][i] = neighbour_value(2, i);
	}
	printf("churning page 0x%lx (64 KiB) for %d rounds\n", (unsigned long)page, ROUNDS);

	for (int round = 0; round < ROUNDS; round++) {
		uint64_t seed = 0x100 + (uint64_t)round, check = 0;
		for (uint64_t i = 0; i < WORDS; i++)
			page[i] = old_value(round, i);
		for (uint64_t i = 0; i < WORDS; i++)
			check += page[i] == old_value(round, i);

		long rc = hcall(L1HV_H_REMAP_PAGE, (unsigned long)page, seed, 0, 0, 0, 0, 0);

		uint64_t fresh = 0, stale = 0;
		for (uint64_t i = 0; i < WORDS; i++) {
			uint64_t v = page[i];
			fresh += v == l1hv_remap_pattern(seed, i);
			stale += v == old_value(round, i);
		}
		int ok = rc == 0 && check == WORDS && fresh == WORDS;
		printf("round %d: remap rc=%ld, new contents in %lu/%lu doublewords, stale %lu: %s\n",
		       round, rc, (unsigned long)fresh, (unsigned long)WORDS, (unsigned long)stale,
		       ok ? "ok" : "FAILED");
		failed += !ok;
	}

	uint64_t intact = 0;
	for (uint64_t i = 0; i < WORDS; i++)
		intact += (pages[0][i] == neighbour_value(0, i)) + (pages[2][i] == neighbour_value(2, i));
	printf("neighbouring pages intact: %s\n", intact == 2 * WORDS ? "yes" : "NO");
	failed += intact != 2 * WORDS;
	printf("page-churn: %s\n", failed ? "FAILED" : "every remap seen");
	return failed ? 1 : 0;
}
