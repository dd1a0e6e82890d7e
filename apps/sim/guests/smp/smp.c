/* smp: start every vCPU through RTAS start-cpu, one at a time; each says hello. */
#include "hvsim.h"

#define MAX_CPUS 16

static struct cpu cpus_[MAX_CPUS];
static char stacks[MAX_CPUS][16384] __attribute__((aligned(16)));
static char exc_stacks[MAX_CPUS][8192] __attribute__((aligned(16)));
static volatile int arrived[MAX_CPUS];

static void secondary(void *arg)
{
	int id = (int)(unsigned long)arg;
	cpu_init(&cpus_[id], id, exc_stacks[id] + sizeof(exc_stacks[id]));
	printf("cpu %d: hello (msr LE=%lu)\n", id, mfmsr() & MSR_LE);
	__atomic_store_n(&arrived[id], 1, __ATOMIC_RELEASE);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	int boot = (int)fdt_boot_cpuid(fdt);
	cpu_init(&cpus_[boot], boot, exc_stacks[boot] + sizeof(exc_stacks[boot]));
	exceptions_init();
	printf("cpu %d: boot vCPU\n", boot);

	int node = fdt_path_offset(fdt, "/cpus"), started = 0;
	for (int c = -1; (c = fdt_next_child(fdt, node, c)) >= 0;) {
		int id = (int)fdt_prop_u32(fdt, c, "reg", 0xffffffff);
		if (id == boot || id < 0 || id >= MAX_CPUS)
			continue;
		uint32_t state[1];
		rtas_call("query-cpu-stopped-state", 1, 2, state, (uint32_t)id);
		printf("cpu %d: stopped state %u before start\n", id, state[0]);
		int rc = cpu_start(id, secondary, (void *)(unsigned long)id,
				   stacks[id] + sizeof(stacks[id]));
		if (rc) {
			printf("cpu %d: start-cpu failed (%d)\n", id, rc);
			return 1;
		}
		while (!__atomic_load_n(&arrived[id], __ATOMIC_ACQUIRE))
			;
		started++;
	}
	printf("%d secondary vCPUs started\n", started);
	return 0;
}
