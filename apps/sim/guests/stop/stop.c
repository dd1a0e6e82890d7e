/* stop: the guest executes `stop` with interrupts enabled and the decrementer wakes it.
 *
 * On hvsim (as on KVM) a guest `stop` idles the vCPU whatever the host: on a POWER9 DD2.3 host
 * it idles natively, on DD2.2 the hypervisor has set PSSCR[ESL|EC] so the `stop` traps to it
 * (Hypervisor Facility Unavailable, cause 9) and L0 emulates the wake-up. The guest cannot
 * tell the two apart. QEMU's TCG treats `stop` as hypervisor-only and raises a privileged
 * program interrupt in a guest: the handler below recognises that, skips the instruction and
 * falls back to H_CEDE, as a guest OS that cannot use `stop` would. Only the last line, which
 * says which of the two happened, differs between QEMU and hvsim. */
#include "hvsim.h"

#define STOP_INSN 0x4c0002e4u
#define SRR1_PROGRAM_PRIV (1UL << (63 - 45))

static struct cpu boot_cpu;
static char exc_stack[16384] __attribute__((aligned(16)));
static volatile int ticks;
static volatile int refused;

static void decrementer(struct regs *regs, unsigned long vector)
{
	ticks++;
	mtdec(0x7fffffff);
}

static void program_check(struct regs *regs, unsigned long vector)
{
	if ((regs->srr1 & SRR1_PROGRAM_PRIV) && *(const uint32_t *)regs->srr0 == STOP_INSN) {
		refused++;
		regs->srr0 += 4;
		return;
	}
	printf("unexpected program interrupt at %lx, SRR1 %lx\n", (unsigned long)regs->srr0,
	       (unsigned long)regs->srr1);
	guest_exit(1);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&boot_cpu, (int)fdt_boot_cpuid(fdt), exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x900, decrementer);
	set_exception_handler(0x700, program_check);

	int cpus = fdt_path_offset(fdt, "/cpus");
	uint32_t freq = fdt_prop_u32(fdt, fdt_next_child(fdt, cpus, -1), "timebase-frequency", 0);

	for (int i = 1; i <= 3; i++) {
		int before = ticks;
		int refused_before = refused;
		uint64_t tb0 = mftb();
		mtdec(freq / 1000 * (uint32_t)i);
		irq_enable();
		asm volatile(".long 0x4c0002e4" ::: "memory");
		if (refused != refused_before) {
			/* H_CEDE is called with MSR[EE]=0, as in the cede program. */
			irq_disable();
			hcall(H_CEDE, 0, 0, 0, 0, 0, 0, 0);
		}
		irq_disable();
		uint64_t slept = mftb() - tb0;
		printf("stop %d: woken by the decrementer: %s, slept >= %d ms: %s\n", i,
		       ticks == before + 1 ? "yes" : "no", i,
		       slept >= (uint64_t)(freq / 1000) * (uint64_t)i ? "yes" : "no");
	}
	if (refused)
		printf("stop: refused %d times with a privileged program interrupt; H_CEDE used instead\n",
		       refused);
	else
		printf("stop: idled in the guest, no program interrupt\n");
	return 0;
}
