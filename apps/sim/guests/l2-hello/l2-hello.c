/*
 * l2-hello: runs as an L2 under guests/l1hv. Prints what its device tree (built by l1hv) says,
 * then executes an illegal instruction: the L2 cannot handle it (MSR[HV]=0, no vectors set
 * up), the Hypervisor Emulation Assistance interrupt goes to L0, which reflects it to L1 as
 * exit 0xe40; l1hv emulates the all-zero word by returning r3 = 1 (see l1hv/l2-exit.c).
 */
#include "hvsim.h"

int guest_main(const void *fdt)
{
	if (fdt_check(fdt)) {
		puts_("l2-hello: no device tree in r3\n");
		return 1;
	}
	rtas_init(fdt);

	int root = fdt_path_offset(fdt, "/");
	struct fdt_prop p;
	const char *model = "?";
	if (!fdt_get_prop(fdt, root, "model", &p))
		model = p.data;
	uint64_t mem = 0;
	int memnode = fdt_path_offset(fdt, "/memory");
	if (memnode >= 0 && !fdt_get_prop(fdt, memnode, "reg", &p) && p.len >= 16)
		mem = be64((const uint8_t *)p.data + 8);
	int cpus = fdt_path_offset(fdt, "/cpus"), ncpu = 0;
	for (int c = -1; cpus >= 0 && (c = fdt_next_child(fdt, cpus, c)) >= 0;)
		ncpu++;

	printf("Hello from an L2 guest!\n");
	printf("model: %s\n", model);
	printf("memory: %lu MiB, cpus: %d\n", (unsigned long)(mem >> 20), ncpu);
	unsigned long msr = mfmsr();
	printf("MSR[HV]=%lu MSR[PR]=%lu MSR[IR]=%lu MSR[DR]=%lu MSR[LE]=%lu\n", (msr >> 60) & 1,
	       (msr >> 14) & 1, (msr >> 5) & 1, (msr >> 4) & 1, msr & 1);

	unsigned long r3;
	asm volatile("li 3,0\n\t"
		     ".long 0\n\t" /* illegal: HEAI, emulated by L1 */
		     "mr %0,3"
		     : "=r"(r3)
		     :
		     : "r3", "memory");
	printf("illegal instruction emulated by L1: r3=%lu\n", r3);
	return r3 == 1 ? 0 : 1;
}
