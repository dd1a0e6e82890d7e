/* cede: H_CEDE idles the vCPU until an interrupt (here the decrementer) wakes it. */
#include "hvsim.h"

static struct cpu boot_cpu;
static char exc_stack[16384] __attribute__((aligned(16)));
static volatile int ticks;

static void decrementer(struct regs *regs, unsigned long vector)
{
	ticks++;
	mtdec(0x7fffffff);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&boot_cpu, (int)fdt_boot_cpuid(fdt), exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x900, decrementer);

	int cpus = fdt_path_offset(fdt, "/cpus");
	uint32_t freq = fdt_prop_u32(fdt, fdt_next_child(fdt, cpus, -1), "timebase-frequency", 0);

	for (int i = 1; i <= 3; i++) {
		int before = ticks;
		uint64_t tb0 = mftb();
		/* H_CEDE is called with MSR[EE]=0; the hypervisor enables EE for the cede and the
		   pending decrementer interrupt is delivered before H_CEDE returns. */
		mtdec(freq / 1000 * (uint32_t)i);
		long rc = hcall(H_CEDE, 0, 0, 0, 0, 0, 0, 0);
		irq_disable();
		uint64_t slept = mftb() - tb0;
		printf("cede %d: rc=%ld, woken by the decrementer: %s, slept >= %d ms: %s\n", i, rc,
		       ticks == before + 1 ? "yes" : "no", i,
		       slept >= (uint64_t)(freq / 1000) * (uint64_t)i ? "yes" : "no");
	}
	return 0;
}
