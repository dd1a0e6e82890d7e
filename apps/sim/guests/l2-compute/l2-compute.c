/*
 * l2-compute: CPU- and memory-bound work for an L2 under guests/l1hv, long enough to span many
 * HDEC time slices, so l1hv's round-robin preempts and resumes it. Prints only results
 * (deterministic on any correct L0): a xorshift checksum and a prime count from a sieve whose
 * 4 MiB array is mapped on demand, page by page, by L1.
 */
#include "hvsim.h"

#define SIEVE_N (1UL << 22)
static uint8_t composite[SIEVE_N];

int guest_main(const void *fdt)
{
	rtas_init(fdt);

	uint64_t x = 0x243f6a8885a308d3UL, sum = 0;
	for (int round = 0; round < 4; round++) {
		for (uint64_t i = 0; i < 1000000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sum += x * (i | 1);
		}
		printf("xorshift round %d: checksum 0x%016lx\n", round, (unsigned long)sum);
	}

	unsigned long primes = 0;
	for (uint64_t i = 2; i < SIEVE_N; i++) {
		if (composite[i])
			continue;
		primes++;
		for (uint64_t j = i * i; j < SIEVE_N; j += i)
			composite[j] = 1;
	}
	printf("primes below %lu: %lu\n", SIEVE_N, primes);
	return primes == 295947 ? 0 : 1;
}
