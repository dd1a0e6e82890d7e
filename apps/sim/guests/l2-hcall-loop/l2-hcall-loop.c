/*
 * l2-hcall-loop: the nested-exit benchmark (`pnpm bench`, `-append l1hv.bench=N`). Makes
 * L1HV_H_BENCH hypercalls (lib/l1hv-abi.h) until L1 answers "stop": each one is an exit that
 * L0 reflects to L1 (0xc00), L1 answers and enters the L2 again with H_ENTER_NESTED -- a
 * full L2 -> L0 -> L1 -> L0 -> L2 round trip.
 */
#include "hvsim.h"
#include "l1hv-abi.h"

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	unsigned long n = 0;
	while (hcall(L1HV_H_BENCH, n, 0, 0, 0, 0, 0, 0) == 0)
		n++;
	printf("l2-hcall-loop: %lu hypervisor calls answered by L1\n", n);
	return 0;
}
