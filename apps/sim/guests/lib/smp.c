/* vCPU start-up through RTAS and a spinlock. */
#include "hvsim.h"

spinlock_t console_lock;

void spin_lock(spinlock_t *l)
{
	int expected;
	do {
		expected = 0;
	} while (!__atomic_compare_exchange_n(&l->v, &expected, 1, 0, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
}

void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

uint32_t fdt_boot_cpuid(const void *fdt)
{
	return be32((const uint8_t *)fdt + 28); /* header field boot_cpuid_phys */
}

/* What _secondary_start (crt0.S) reads: stack top, then the C entry. */
struct start_block {
	uint64_t stack_top;
	uint64_t entry;
	void (*fn)(void *);
	void *arg;
};

static void secondary_entry(struct start_block *sb)
{
	sb->fn(sb->arg);
	rtas_call("stop-self", 0, 1, 0);
	for (;;)
		;
}

extern char _secondary_start[];

int cpu_start(int id, void (*fn)(void *), void *arg, void *stack_top)
{
	static struct start_block blocks[64];
	if (id < 0 || id >= 64)
		return -1;
	struct start_block *sb = &blocks[id];
	sb->stack_top = (unsigned long)stack_top;
	sb->entry = (unsigned long)secondary_entry;
	sb->fn = fn;
	sb->arg = arg;
	asm volatile("sync" : : : "memory");
	return rtas_call("start-cpu", 3, 1, 0, (uint32_t)id,
			 (uint32_t)(unsigned long)_secondary_start, (uint32_t)(unsigned long)sb);
}
