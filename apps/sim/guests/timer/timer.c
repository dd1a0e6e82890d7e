/* timer: decrementer interrupts at a fixed period, counted by a 0x900 handler. */
#include "hvsim.h"

#define TICKS 5

static struct cpu boot_cpu;
static char exc_stack[16384] __attribute__((aligned(16)));
static volatile int ticks;
static uint32_t period;

static void decrementer(struct regs *regs, unsigned long vector)
{
	ticks++;
	/* DEC interrupts are level-triggered while DEC is negative: re-arm before returning. */
	mtdec(ticks < TICKS ? period : 0x7fffffff);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&boot_cpu, (int)fdt_boot_cpuid(fdt), exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x900, decrementer);

	int cpus = fdt_path_offset(fdt, "/cpus");
	int cpu0 = fdt_next_child(fdt, cpus, -1);
	uint32_t freq = fdt_prop_u32(fdt, cpu0, "timebase-frequency", 0);
	printf("timebase-frequency: %u Hz\n", freq);
	period = freq / 1000; /* 1 ms */

	uint64_t tb0 = mftb();
	mtdec(period);
	irq_enable();
	int seen = 0;
	while (seen < TICKS) {
		while (ticks == seen)
			;
		seen++;
		printf("tick %d\n", seen);
	}
	irq_disable();
	uint64_t elapsed = mftb() - tb0;
	printf("%d decrementer interrupts; timebase advanced at least %d periods: %s\n", TICKS,
	       TICKS, elapsed >= (uint64_t)period * TICKS ? "yes" : "no");
	return 0;
}
