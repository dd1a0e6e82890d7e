/*
 * l2-hello: runs as an L2 under guests/l1hv. Prints what its device tree (built by l1hv) says,
 * then:
 *  - executes an illegal instruction: the Hypervisor Emulation Assistance interrupt goes to
 *    L0, which reflects it to L1 as exit 0xe40; l1hv emulates the all-zero word by returning
 *    r3 = 1 (see l1hv/l2-exit.c);
 *  - takes a decrementer interrupt in L2 itself: vectors copied to L2 real 0, little-endian
 *    interrupts through H_SET_MODE (emulated by L1 as LPCR[ILE] in hv_guest_state), and the
 *    L2's DEC, which L1 saves and restores around each H_ENTER_NESTED.
 */
#include "hvsim.h"

static struct cpu boot_cpu;
static char exc_stack[8192] __attribute__((aligned(16)));
static volatile unsigned long dec_count, dec_le;

static void on_dec(struct regs *regs, unsigned long vector)
{
	dec_count++;
	dec_le = mfmsr() & MSR_LE;
	mtdec(0x7fffffff); /* the interrupt stays pending while DEC is negative */
}

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

	cpu_init(&boot_cpu, 0, exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x900, on_dec);
	mtdec(0x10000);
	irq_enable();
	while (!dec_count)
		;
	irq_disable();
	printf("decrementer interrupt in L2: taken %lu time(s), handler little-endian: %s\n",
	       dec_count, dec_le ? "yes" : "no");
	return r3 == 1 && dec_count == 1 && dec_le ? 0 : 1;
}
