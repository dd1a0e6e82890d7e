/*
 * xive: XIVE native exploitation on two vCPUs, as a pseries guest drives it (Linux's
 * arch/powerpc/sysdev/xive/spapr.c does the same steps): CAS chooses XIVE, the device tree
 * names the TIMA, H_INT_GET_SOURCE_INFO gives each source's ESB pages, one event queue per
 * vCPU at the priority the platform leaves to the OS, the IPI sources routed to the vCPUs,
 * IPIs sent by stores to the trigger pages, taken through ACK_OS_REG in the TIMA, read from
 * the queue, EOIed by ESB loads (LOAD_EOI, SET_PQ_00 plus a trigger store when Q was set),
 * and the CPPR changed through the TIMA to mask and unmask a priority.
 *
 * The ESB pages and the TIMA are reached with relocation on and every address mapped to
 * itself (lib/iomap.h), as Linux reaches them through ioremap().
 *
 * Only vCPU 0 prints; vCPU 1 takes commands from a mailbox and its interrupt handler records
 * what it saw, so the output does not depend on how the two vCPUs interleave.
 */
#include "intc.h"
#include "mailbox.h"
#include "iomap.h"

#define PRIO 6 /* the most favoured priority after <7 0xf8> is reserved (Linux's choice) */
#define QSHIFT 16
#define QENTRIES (1 << (QSHIFT - 2))
#define EISN_BASE 0x100 /* EISN = 0x100 + LISN: what the queues carry */
#define MAX_EVENTS 8

static struct cpu cpus_[2];
static char stacks[2][16384] __attribute__((aligned(16)));
static char exc_stacks[2][16384] __attribute__((aligned(16)));
static uint32_t queues[2][QENTRIES] __attribute__((aligned(1 << QSHIFT)));
static uint8_t cas_buf[65536] __attribute__((aligned(8)));

static unsigned long tima_os;
static unsigned long esb_mgmt[2], esb_trigger[2];

/* What one vCPU's external-interrupt handler saw, interrupt by interrupt. */
struct irq_record {
	uint16_t ack;       /* ACK_OS_REG: NSR << 8 | CPPR */
	uint32_t eisn;      /* the queue entry read, 0 if none */
	uint32_t gen;       /* its generation bit */
	uint64_t eoi;       /* the ESB load's result */
};
struct cpu_log {
	volatile int count;
	struct irq_record r[MAX_EVENTS];
	unsigned qidx, toggle;
	volatile int eoi_by_set_pq; /* EOI with SET_PQ_00 (+ trigger if Q) instead of LOAD_EOI */
};
static struct cpu_log logs[2];

enum { CMD_CPPR = 1, CMD_IPI0, CMD_READ_OS, CMD_EOI_SET_PQ };
static volatile uint32_t os_word0;
static volatile int cpu1_ready;

static void set_cppr(uint8_t cppr)
{
	out_8(tima_os + TM_QW1_OS + TM_CPPR, cppr);
}

static void external(struct regs *regs, unsigned long vector)
{
	int me = my_vcpu_id();
	struct cpu_log *l = &logs[me];
	struct irq_record *r = &l->r[l->count < MAX_EVENTS ? l->count : MAX_EVENTS - 1];
	r->ack = in_be16(tima_os + TM_SPC_ACK_OS_REG);
	r->eisn = 0;
	/* One event per interrupt: entries are valid while their generation bit differs from
	   the consumer's toggle, which starts at 0 (the XIVE starts writing with generation 1). */
	uint32_t e = be32(&queues[me][l->qidx]);
	if ((e >> 31) != l->toggle) {
		r->eisn = e & 0x7fffffff;
		r->gen = e >> 31;
		if (++l->qidx == QENTRIES) {
			l->qidx = 0;
			l->toggle ^= 1;
		}
		int lisn = (int)(r->eisn - EISN_BASE);
		if (l->eoi_by_set_pq) {
			/* Linux's EOI for a source without StoreEOI: PQ back to 00, and if Q was set
			   (a trigger came in meanwhile) trigger it again by a store. */
			r->eoi = in_be64(esb_mgmt[lisn] + XIVE_ESB_SET_PQ_00);
			if (r->eoi & 1)
				out_be64(esb_trigger[lisn], 0);
		} else {
			r->eoi = in_be64(esb_mgmt[lisn] + XIVE_ESB_LOAD_EOI);
		}
	}
	set_cppr(0xff);
	asm volatile("sync" : : : "memory");
	l->count++;
}

static void run_command(int c, int arg)
{
	switch (c) {
	case CMD_CPPR:
		set_cppr((uint8_t)arg);
		break;
	case CMD_IPI0:
		out_be64(esb_trigger[0], 0);
		break;
	case CMD_READ_OS:
		os_word0 = (uint32_t)(in_be64(tima_os + TM_QW1_OS) >> 32);
		break;
	case CMD_EOI_SET_PQ:
		logs[1].eoi_by_set_pq = 1;
		break;
	}
}

static void secondary(void *arg)
{
	cpu_init(&cpus_[1], 1, exc_stacks[1] + sizeof(exc_stacks[1]));
	iomap_relocation_on();
	set_cppr(0xff);
	irq_enable();
	__atomic_store_n(&cpu1_ready, 1, __ATOMIC_RELEASE);
	mbox_serve(run_command);
}

static void print_record(int cpu, int i)
{
	const struct irq_record *r = &logs[cpu].r[i];
	printf("cpu %d: interrupt %d: ACK_OS_REG=0x%04x (NSR 0x%02x, CPPR %u), ", cpu, i + 1, r->ack,
	       r->ack >> 8, r->ack & 0xff);
	if (r->eisn)
		printf("queue: EISN 0x%x generation %u, EOI load returned %lu\n", r->eisn, r->gen,
		       (unsigned long)r->eoi);
	else
		printf("queue empty\n");
}

static void source_info(unsigned long lisn)
{
	unsigned long o[8];
	long rc = hcall(H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, 0, o);
	if (rc) {
		printf("H_INT_GET_SOURCE_INFO(0x%lx): rc=%ld\n", lisn, rc);
		return;
	}
	printf("H_INT_GET_SOURCE_INFO(0x%lx): flags 0x%lx, EOI page 0x%lx, trigger page 0x%lx, "
	       "page shift %lu\n", lisn, o[0], o[1], o[2], o[3]);
	if (lisn < 2) {
		esb_mgmt[lisn] = o[1];
		esb_trigger[lisn] = o[2];
	}
}

static void print_cells(const void *fdt, int node, const char *name)
{
	struct fdt_prop p;
	if (fdt_get_prop(fdt, node, name, &p)) {
		printf("  %s: missing\n", name);
		return;
	}
	printf("  %s:", name);
	for (uint32_t i = 0; i + 4 <= p.len; i += 4)
		printf(" 0x%x", be32((const uint8_t *)p.data + i));
	printf("\n");
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&cpus_[0], 0, exc_stacks[0] + sizeof(exc_stacks[0]));
	exceptions_init();
	set_exception_handler(0x500, external);

	/* Before CAS chose XIVE exploitation, the H_INT_* hcalls do not exist. */
	printf("before CAS: H_INT_GET_SOURCE_INFO rc=%ld\n",
	       hcall(H_INT_GET_SOURCE_INFO, 0, 0, 0, 0, 0, 0, 0));

	long rc = cas_negotiate(1, 1, 1, cas_buf, sizeof(cas_buf));
	const void *tree = cas_buf + 4;
	int chosen = fdt_path_offset(tree, "/chosen");
	struct fdt_prop ov5;
	unsigned b23 = 0;
	if (!fdt_get_prop(tree, chosen, "ibm,architecture-vec-5", &ov5) && ov5.len > 23)
		b23 = ((const uint8_t *)ov5.data)[23];
	printf("CAS (radix, GTSE, XIVE exploitation): rc=%ld, ibm,architecture-vec-5 byte 23: "
	       "0x%02x\n", rc, b23);
	if (rc || b23 != 0x40)
		return 1;

	/* The XIVE node of the tree CAS returned: reg = the TIMA's USER page, then its OS page. */
	int ic = fdt_root_child(tree, "interrupt-controller");
	struct fdt_prop p;
	if (ic < 0 || fdt_get_prop(tree, ic, "compatible", &p) || fdt_get_prop(tree, ic, "reg", &p) ||
	    p.len != 32)
		return 1;
	tima_os = be64((const uint8_t *)p.data + 16);
	fdt_get_prop(tree, ic, "compatible", &p);
	printf("%s: %s, TIMA OS page at 0x%lx\n", fdt_node_name(tree, ic), (const char *)p.data,
	       tima_os);
	print_cells(tree, ic, "ibm,xive-lisn-ranges");
	print_cells(tree, ic, "ibm,xive-eq-sizes");
	print_cells(tree, fdt_path_offset(tree, "/"), "ibm,plat-res-int-priorities");

	source_info(0);
	source_info(1);
	/* Identity mappings: the first 512 MiB of RAM, the ESB pages of LISNs 0 and 1, the TIMA. */
	unsigned long io[] = { esb_trigger[0], tima_os };
	rc = iomap_enable(512UL << 20, io, 2);
	printf("H_REGISTER_PROC_TBL: rc=%ld; relocation on, ESB and TIMA pages mapped\n", rc);
	if (rc)
		return 1;
	source_info(0x1100); /* the vty */
	source_info(0x2000); /* beyond the IRQ space */

	/* One 64 KiB queue per vCPU at PRIO, notifying on every event (what KVM requires). */
	for (int s = 0; s < 2; s++) {
		rc = hcall(H_INT_SET_QUEUE_CONFIG, XIVE_EQ_ALWAYS_NOTIFY, (unsigned long)s, PRIO,
			   (unsigned long)queues[s], QSHIFT, 0, 0);
		printf("H_INT_SET_QUEUE_CONFIG(server %d, priority %d, 64 KiB): rc=%ld\n", s, PRIO,
		       rc);
	}
	printf("H_INT_SET_QUEUE_CONFIG(priority 7, reserved): rc=%ld\n",
	       hcall(H_INT_SET_QUEUE_CONFIG, XIVE_EQ_ALWAYS_NOTIFY, 0, 7,
		     (unsigned long)queues[0], QSHIFT, 0, 0));
	printf("H_INT_SET_QUEUE_CONFIG(misaligned page): rc=%ld\n",
	       hcall(H_INT_SET_QUEUE_CONFIG, XIVE_EQ_ALWAYS_NOTIFY, 0, PRIO,
		     (unsigned long)queues[0] + 0x1000, QSHIFT, 0, 0));
	unsigned long o[8];
	rc = hcall(H_INT_GET_QUEUE_CONFIG, 0, 1, PRIO, 0, 0, 0, o);
	printf("H_INT_GET_QUEUE_CONFIG(server 1): rc=%ld flags 0x%lx, page is ours: %s, shift %lu\n",
	       rc, o[0], o[1] == (unsigned long)queues[1] ? "yes" : "no", o[2]);

	/* IPI LISN n -> vCPU n at PRIO, EISN 0x100 + n; then unmask (PQ 01 -> 00). */
	for (int n = 0; n < 2; n++) {
		rc = hcall(H_INT_SET_SOURCE_CONFIG, XIVE_SRC_SET_EISN, (unsigned long)n,
			   (unsigned long)n, PRIO, EISN_BASE + (unsigned long)n, 0, 0);
		printf("H_INT_SET_SOURCE_CONFIG(LISN %d -> server %d, priority %d, EISN 0x%x): rc=%ld\n",
		       n, n, PRIO, EISN_BASE + n, rc);
	}
	rc = hcall(H_INT_GET_SOURCE_CONFIG, 0, 1, 0, 0, 0, 0, o);
	printf("H_INT_GET_SOURCE_CONFIG(LISN 1): rc=%ld server %lu, priority %lu, EISN 0x%lx\n", rc,
	       o[0], o[1], o[2]);
	printf("H_INT_SET_SOURCE_CONFIG(LISN 1, priority 7): rc=%ld\n",
	       hcall(H_INT_SET_SOURCE_CONFIG, 0, 1, 1, 7, 0, 0, 0));
	printf("H_INT_SET_SOURCE_CONFIG(LISN 1, server 9): rc=%ld\n",
	       hcall(H_INT_SET_SOURCE_CONFIG, 0, 1, 9, PRIO, 0, 0, 0));
	for (int n = 0; n < 2; n++)
		printf("LISN %d: SET_PQ_00 load returned PQ %lu, ESB GET now %lu\n", n,
		       (unsigned long)in_be64(esb_mgmt[n] + XIVE_ESB_SET_PQ_00),
		       (unsigned long)in_be64(esb_mgmt[n] + XIVE_ESB_GET));

	set_cppr(0xff);
	irq_enable();
	if (cpu_start(1, secondary, 0, stacks[1] + sizeof(stacks[1])))
		return 1;
	while (!__atomic_load_n(&cpu1_ready, __ATOMIC_ACQUIRE))
		;
	printf("cpu 1: started, CPPR 0xff through the TIMA, interrupts on\n");

	/* 1. An IPI to vCPU 1: a store to LISN 1's trigger page. */
	out_be64(esb_trigger[1], 0);
	wait_at_least(&logs[1].count, 1);
	printf("cpu 0 -> cpu 1: store to LISN 1's trigger page\n");
	print_record(1, 0);

	/* 2. And back. */
	mbox_post(CMD_IPI0, 0);
	wait_at_least(&logs[0].count, 1);
	printf("cpu 1 -> cpu 0: store to LISN 0's trigger page\n");
	print_record(0, 0);

	/* 3. vCPU 1 raises its CPPR over PRIO: two triggers coalesce in the source's PQ. */
	mbox_post(CMD_CPPR, PRIO - 1);
	out_be64(esb_trigger[1], 0);
	out_be64(esb_trigger[1], 0);
	mbox_post(CMD_READ_OS, 0);
	printf("cpu 1: CPPR %d masks priority %d; two triggers: LISN 1 PQ %lu, interrupts taken %d, "
	       "QW1 NSR 0x%02x CPPR 0x%02x IPB 0x%02x\n", PRIO - 1, PRIO,
	       (unsigned long)in_be64(esb_mgmt[1] + XIVE_ESB_GET), logs[1].count,
	       os_word0 >> 24, (os_word0 >> 16) & 0xff, (os_word0 >> 8) & 0xff);

	/* 4. CPPR back to 0xff: the queued event is presented; the EOI by SET_PQ_00 finds Q set
	   and triggers again by a store, which queues one more event. */
	mbox_post(CMD_EOI_SET_PQ, 0);
	mbox_post(CMD_CPPR, 0xff);
	wait_at_least(&logs[1].count, 3);
	printf("cpu 1: CPPR 0xff, EOI by SET_PQ_00 (+ trigger store when Q was set)\n");
	print_record(1, 1);
	print_record(1, 2);
	printf("LISN 1: PQ %lu\n", (unsigned long)in_be64(esb_mgmt[1] + XIVE_ESB_GET));

	/* -append ipis=N: N more IPIs to vCPU 1, to measure what one costs (hvsim --stats). */
	unsigned long n = bootarg_ulong(fdt, "ipis");
	if (n) {
		int base = logs[1].count;
		for (unsigned long i = 0; i < n; i++) {
			out_be64(esb_trigger[1], 0);
			wait_at_least(&logs[1].count, base + (int)i + 1);
		}
		printf("%lu more IPIs to cpu 1: taken %d\n", n, logs[1].count - base);
	}

	/* 5. The hcall view of the ESB (for sources flagged H_INT_ESB; any source answers).
	   QEMU 7.2's emulated XIVE returns the doubleword in the ESB's big-endian byte order
	   when the host is little-endian; the value is the PQ either way. */
	uint64_t pq = in_be64(esb_mgmt[1] + XIVE_ESB_SET_PQ_11);
	rc = hcall(H_INT_ESB, 0, 1, XIVE_ESB_GET, 0, 0, 0, o);
	printf("LISN 1: SET_PQ_11 load returned PQ %lu; H_INT_ESB(GET): rc=%ld PQ %lu\n",
	       (unsigned long)pq, rc, o[0] == __builtin_bswap64(3) ? 3UL : o[0]);
	rc = hcall(H_INT_ESB, 1UL, 1, XIVE_ESB_SET_PQ_00, 0, 0, 0, o);
	printf("H_INT_ESB(LISN 1, store SET_PQ_00): rc=%ld, ESB GET now %lu\n", rc,
	       (unsigned long)in_be64(esb_mgmt[1] + XIVE_ESB_GET));
	printf("H_INT_SYNC(LISN 1): rc=%ld\n", hcall(H_INT_SYNC, 0, 1, 0, 0, 0, 0, 0));
	mbox_post(MBOX_DONE, 0);
	irq_disable();
	printf("H_INT_RESET: rc=%ld\n", hcall(H_INT_RESET, 0, 0, 0, 0, 0, 0, 0));
	printf("LISN 1 after reset: PQ %lu\n", (unsigned long)in_be64(esb_mgmt[1] + XIVE_ESB_GET));
	return 0;
}
