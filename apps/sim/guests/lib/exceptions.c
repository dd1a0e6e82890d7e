/* Interrupt vectors for guest programs: see exceptions.S for the entry path. */
#include "hvsim.h"

extern char exc_stub_start[], exc_stub_end[];
extern char exc_common[];

static exc_handler_t handlers[0x1000 / 0x20];

/* Vectors a pseries guest (MSR[HV]=0) can take. */
static const unsigned short vectors[] = {
	0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700, 0x800, 0x900, 0xa00,
	0xc00, 0xd00, 0xf00, 0xf20, 0xf40, 0xf60,
};

static void sync_icache(void *p, unsigned long len)
{
	for (unsigned long a = (unsigned long)p & ~127UL; a < (unsigned long)p + len; a += 128)
		asm volatile("dcbst 0,%0" : : "r"(a) : "memory");
	asm volatile("sync" : : : "memory");
	for (unsigned long a = (unsigned long)p & ~127UL; a < (unsigned long)p + len; a += 128)
		asm volatile("icbi 0,%0" : : "r"(a) : "memory");
	asm volatile("sync; isync" : : : "memory");
}

void exceptions_init(void)
{
	unsigned long len = (unsigned long)(exc_stub_end - exc_stub_start);
	for (unsigned i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		/* Real address == effective address here: relocation is off when vectors are taken. */
		char *v = (char *)(unsigned long)vectors[i];
		memcpy(v, exc_stub_start, len);
		sync_icache(v, len);
	}
	/* Take interrupts little-endian, like us: H_SET_MODE(mflags=1 (LE), resource 4). */
	hcall(H_SET_MODE, 1, 4, 0, 0, 0, 0, 0);
}

void cpu_init(struct cpu *cpu, int id, void *exc_stack_top)
{
	unsigned long toc;
	asm volatile("mr %0,2" : "=r"(toc));
	cpu->exc_common = (unsigned long)exc_common;
	cpu->exc_stack_top = (unsigned long)exc_stack_top;
	cpu->toc = toc;
	cpu->id = id;
	asm volatile("mtsprg 0,%0" : : "r"(cpu));
}

void set_exception_handler(unsigned long vector, exc_handler_t fn)
{
	handlers[vector / 0x20] = fn;
}

void exception_dispatch(struct regs *regs, unsigned long vector)
{
	exc_handler_t fn = vector < 0x1000 ? handlers[vector / 0x20] : 0;
	if (fn) {
		fn(regs, vector);
		return;
	}
	printf("unhandled interrupt 0x%lx at 0x%lx (srr1 0x%lx dar 0x%lx dsisr 0x%lx)\n", vector,
	       (unsigned long)regs->srr0, (unsigned long)regs->srr1, (unsigned long)regs->dar,
	       (unsigned long)regs->dsisr);
	guest_exit(99);
}
