/*
 * xics: the XICS interrupt controller (PAPR's ICP/ICS) on two vCPUs, as a pseries guest
 * drives it: CAS keeps XICS, the device tree names the presentation controller, IPIs go
 * through H_IPI and are taken with H_XIRR / H_XIRR_X and ended with H_EOI, H_CPPR masks a
 * priority, H_IPOLL looks without side effects, and the RTAS calls ibm,set-xive,
 * ibm,get-xive, ibm,int-off and ibm,int-on configure a device source (the vty's).
 *
 * Priorities stay at 5 and below: KVM's XICS-on-XIVE folds 6..0xfe into one XIVE priority,
 * which QEMU's emulated XICS does not, and both agree on 0..5 (Linux uses 4 and 5).
 * Only vCPU 0 prints; vCPU 1 takes commands from a mailbox and its handler records.
 */
#include "intc.h"
#include "mailbox.h"

#define IPI_PRIO 5
#define VTY_IRQ 0x1100
#define MAX_EVENTS 8

static struct cpu cpus_[2];
static char stacks[2][16384] __attribute__((aligned(16)));
static char exc_stacks[2][16384] __attribute__((aligned(16)));
static uint8_t cas_buf[65536] __attribute__((aligned(8)));

struct cpu_log {
	volatile int count;
	uint32_t xirr[MAX_EVENTS];
	volatile int use_xirr_x;
};
static struct cpu_log logs[2];

enum { CMD_CPPR = 1, CMD_IPI0, CMD_XIRR_X };
static volatile int cpu1_ready;

/* H_XIRR accepts the interrupt (CPPR becomes its priority); the IPI is cleared by resetting
   MFRR to 0xff, and H_EOI with the XIRR restores the previous CPPR, as Linux's icp-hv does. */
static void external(struct regs *regs, unsigned long vector)
{
	int me = my_vcpu_id();
	struct cpu_log *l = &logs[me];
	unsigned long o[8];
	hcall(l->use_xirr_x ? H_XIRR_X : H_XIRR, 0, 0, 0, 0, 0, 0, o);
	uint32_t xirr = (uint32_t)o[0];
	if ((xirr & 0xffffff) == XICS_IPI)
		hcall(H_IPI, (unsigned long)me, 0xff, 0, 0, 0, 0, 0);
	if (xirr & 0xffffff)
		hcall(H_EOI, xirr, 0, 0, 0, 0, 0, 0);
	l->xirr[l->count < MAX_EVENTS ? l->count : MAX_EVENTS - 1] = xirr;
	asm volatile("sync" : : : "memory");
	l->count++;
}

static void run_command(int c, int arg)
{
	switch (c) {
	case CMD_CPPR:
		hcall(H_CPPR, (unsigned long)arg, 0, 0, 0, 0, 0, 0);
		break;
	case CMD_IPI0:
		hcall(H_IPI, 0, (unsigned long)arg, 0, 0, 0, 0, 0);
		break;
	case CMD_XIRR_X:
		logs[1].use_xirr_x = 1;
		break;
	}
}

static void secondary(void *arg)
{
	cpu_init(&cpus_[1], 1, exc_stacks[1] + sizeof(exc_stacks[1]));
	hcall(H_CPPR, 0xff, 0, 0, 0, 0, 0, 0);
	irq_enable();
	__atomic_store_n(&cpu1_ready, 1, __ATOMIC_RELEASE);
	mbox_serve(run_command);
}

static void print_record(int cpu, int i)
{
	uint32_t x = logs[cpu].xirr[i];
	printf("cpu %d: interrupt %d: XIRR 0x%08x (CPPR before 0x%02x, XISR 0x%x%s)\n", cpu, i + 1,
	       x, x >> 24, x & 0xffffff, (x & 0xffffff) == XICS_IPI ? ": IPI" : "");
}

static void ipoll(int server)
{
	unsigned long o[8];
	long rc = hcall(H_IPOLL, (unsigned long)server, 0, 0, 0, 0, 0, o);
	printf("H_IPOLL(%d): rc=%ld XIRR 0x%08lx MFRR 0x%02lx\n", server, rc, o[0] & 0xffffffff,
	       o[1] & 0xff);
}

static void get_xive(unsigned irq)
{
	uint32_t r[3];
	int rc = rtas_call("ibm,get-xive", 1, 3, r, irq);
	if (rc)
		printf("ibm,get-xive(0x%x): %d\n", irq, rc);
	else
		printf("ibm,get-xive(0x%x): 0, server %u, priority 0x%x\n", irq, r[1], r[2]);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&cpus_[0], 0, exc_stacks[0] + sizeof(exc_stacks[0]));
	exceptions_init();
	set_exception_handler(0x500, external);

	long rc = cas_negotiate(1, 1, 0, cas_buf, sizeof(cas_buf));
	const void *tree = cas_buf + 4;
	int chosen = fdt_path_offset(tree, "/chosen");
	struct fdt_prop p;
	unsigned b23 = 0xff;
	if (!fdt_get_prop(tree, chosen, "ibm,architecture-vec-5", &p) && p.len > 23)
		b23 = ((const uint8_t *)p.data)[23];
	printf("CAS (radix, GTSE, XICS): rc=%ld, ibm,architecture-vec-5 byte 23: 0x%02x\n", rc, b23);
	if (rc)
		return 1;
	int ic = fdt_root_child(tree, "interrupt-controller");
	if (ic < 0 || fdt_get_prop(tree, ic, "compatible", &p))
		return 1;
	struct fdt_prop r;
	if (fdt_get_prop(tree, ic, "ibm,interrupt-server-ranges", &r) || r.len != 8)
		return 1;
	printf("%s: %s, ibm,interrupt-server-ranges <%u %u>\n", fdt_node_name(tree, ic),
	       (const char *)p.data, be32(r.data), be32((const uint8_t *)r.data + 4));
	printf("H_INT_GET_SOURCE_INFO with XICS: rc=%ld\n",
	       hcall(H_INT_GET_SOURCE_INFO, 0, 0, 0, 0, 0, 0, 0));

	/* The ICS side: the vty's source through RTAS. */
	get_xive(VTY_IRQ);
	printf("ibm,set-xive(0x%x, server 1, priority %d): %d\n", VTY_IRQ, IPI_PRIO,
	       rtas_call("ibm,set-xive", 3, 1, 0, VTY_IRQ, 1u, (uint32_t)IPI_PRIO));
	get_xive(VTY_IRQ);
	printf("ibm,int-off(0x%x): %d\n", VTY_IRQ, rtas_call("ibm,int-off", 1, 1, 0, VTY_IRQ));
	get_xive(VTY_IRQ);
	printf("ibm,int-on(0x%x): %d\n", VTY_IRQ, rtas_call("ibm,int-on", 1, 1, 0, VTY_IRQ));
	get_xive(VTY_IRQ);
	printf("ibm,set-xive(0x%x, server 9): %d\n", VTY_IRQ,
	       rtas_call("ibm,set-xive", 3, 1, 0, VTY_IRQ, 9u, (uint32_t)IPI_PRIO));
	printf("ibm,set-xive(0x%x, priority 0x100): %d\n", VTY_IRQ,
	       rtas_call("ibm,set-xive", 3, 1, 0, VTY_IRQ, 0u, 0x100u));
	printf("ibm,set-xive(0x42): %d\n", rtas_call("ibm,set-xive", 3, 1, 0, 0x42u, 0u, 5u));
	printf("ibm,get-xive with 2 arguments: %d\n",
	       rtas_call("ibm,get-xive", 2, 3, 0, VTY_IRQ, 0u));
	printf("ibm,int-on(0x3000): %d\n", rtas_call("ibm,int-on", 1, 1, 0, 0x3000u));
	printf("ibm,int-off(0x%x): %d\n", VTY_IRQ, rtas_call("ibm,int-off", 1, 1, 0, VTY_IRQ));

	/* The ICP side: CPPR 0xff takes every priority. */
	printf("H_CPPR(0xff): rc=%ld\n", hcall(H_CPPR, 0xff, 0, 0, 0, 0, 0, 0));
	irq_enable();
	if (cpu_start(1, secondary, 0, stacks[1] + sizeof(stacks[1])))
		return 1;
	while (!__atomic_load_n(&cpu1_ready, __ATOMIC_ACQUIRE))
		;
	printf("cpu 1: started, H_CPPR(0xff), interrupts on\n");
	printf("H_IPI(9, %d): rc=%ld\n", IPI_PRIO, hcall(H_IPI, 9, IPI_PRIO, 0, 0, 0, 0, 0));

	/* 1. An IPI to vCPU 1 and one back. */
	printf("H_IPI(1, %d): rc=%ld\n", IPI_PRIO, hcall(H_IPI, 1, IPI_PRIO, 0, 0, 0, 0, 0));
	wait_at_least(&logs[1].count, 1);
	print_record(1, 0);
	ipoll(1);
	mbox_post(CMD_IPI0, 4);
	wait_at_least(&logs[0].count, 1);
	printf("cpu 1: H_IPI(0, 4)\n");
	print_record(0, 0);

	/* 2. vCPU 1 masks priority 5 and above with H_CPPR(4): the IPI waits in MFRR. */
	mbox_post(CMD_CPPR, 4);
	printf("cpu 1: H_CPPR(4); H_IPI(1, %d): rc=%ld\n", IPI_PRIO,
	       hcall(H_IPI, 1, IPI_PRIO, 0, 0, 0, 0, 0));
	ipoll(1);
	printf("cpu 1: interrupts taken %d\n", logs[1].count);
	mbox_post(CMD_XIRR_X, 0);
	mbox_post(CMD_CPPR, 0xff);
	wait_at_least(&logs[1].count, 2);
	printf("cpu 1: H_CPPR(0xff), accepted with H_XIRR_X\n");
	print_record(1, 1);
	ipoll(1);

	/* -append ipis=N: N more IPIs to vCPU 1, to measure what one costs (hvsim --stats). */
	unsigned long n = bootarg_ulong(fdt, "ipis");
	if (n) {
		int base = logs[1].count;
		for (unsigned long i = 0; i < n; i++) {
			hcall(H_IPI, 1, IPI_PRIO, 0, 0, 0, 0, 0);
			wait_at_least(&logs[1].count, base + (int)i + 1);
		}
		printf("%lu more IPIs to cpu 1: taken %d\n", n, logs[1].count - base);
	}

	mbox_post(MBOX_DONE, 0);
	irq_disable();
	return 0;
}
