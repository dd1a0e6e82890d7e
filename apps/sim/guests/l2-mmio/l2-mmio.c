/*
 * l2-mmio: loads from L1HV_MMIO_GPA (lib/l1hv-abi.h), a page l1hv maps onto its own address
 * 0x40000000, where its machine has no RAM: the L2 reaches the L1's MMIO space. A KVM-HV L0
 * emulates such an access in its VMM, exactly as one by the L1 (H_ENTER_NESTED returns
 * H_TOO_HARD, seen as 0 by the L1); hvsim's pseries has no device there and stops the machine
 * as it does for the L1 ("neither RAM nor a device").
 */
#include "hvsim.h"
#include "l1hv-abi.h"

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	printf("l2-mmio: loading from 0x%lx, L1 address 0x%lx (not RAM)\n", L1HV_MMIO_GPA,
	       L1HV_MMIO_GPA);
	uint64_t v = *(volatile uint64_t *)L1HV_MMIO_GPA;
	printf("l2-mmio: read 0x%lx\n", (unsigned long)v);
	return 0;
}
