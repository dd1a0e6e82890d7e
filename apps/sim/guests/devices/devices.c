/*
 * devices: interrupts from the machine's own devices, taken as a pseries guest takes them:
 * the vty's console input (QEMU's spapr-vty pulses its interrupt when input arrives in an
 * empty buffer) and the EPOW event source (QEMU's system_powerdown queues an RTAS event and
 * pulses its interrupt; the guest fetches the event with RTAS check-exception).
 *
 * XICS by default (RTAS ibm,set-xive, H_XIRR, H_EOI); with `-append xive`, XIVE exploitation
 * (H_INT_SET_SOURCE_CONFIG, ACK_OS_REG, the event queue, ESB EOI). The program waits for the
 * host: it prints a prompt, then the console input, then the power-down request must come.
 */
#include "intc.h"
#include "iomap.h"

#define VTY_IRQ 0x1100
#define EPOW_IRQ 0x1000
#define XICS_PRIO 5
#define XIVE_PRIO 6
#define QSHIFT 16
#define QENTRIES (1 << (QSHIFT - 2))
#define EVENT_MASK_EPOW 0x40000000u

static struct cpu boot_cpu;
static char exc_stack[16384] __attribute__((aligned(16)));
static uint8_t cas_buf[65536] __attribute__((aligned(8)));
static uint32_t queue[QENTRIES] __attribute__((aligned(1 << QSHIFT)));
static unsigned qidx, qtoggle;
static int use_xive;
static unsigned long tima_os, esb_mgmt_vty, esb_mgmt_epow, esb_trig_vty, esb_trig_epow;

static volatile int vty_irqs, epow_irqs, other_irqs;
static char line[64];
static volatile int line_len, line_done;
static uint8_t event[256] __attribute__((aligned(8)));
static volatile int event_rc = 99, event_again_rc = 99;

/* The vty's input: everything there is, '\0' after '\r' dropped (QEMU inserts one there,
   bug-for-bug with PowerVM). */
static void drain_vty(void)
{
	for (;;) {
		unsigned long o[8];
		if (hcall(H_GET_TERM_CHAR, VTY_TERMNO, 0, 0, 0, 0, 0, o) || o[0] == 0)
			return;
		for (unsigned long i = 0; i < o[0] && i < 16; i++) {
			char c = (char)(o[1 + i / 8] >> (56 - 8 * (i % 8)));
			if (c == '\r' || c == '\n')
				line_done = 1;
			else if (c && line_len < (int)sizeof(line) - 1)
				line[line_len++] = c;
		}
	}
}

static void fetch_event(void)
{
	/* check-exception(vector offset, additional info, event mask, critical, buffer, length) */
	event_rc = rtas_call("check-exception", 6, 1, 0, 0x500u, 0u, EVENT_MASK_EPOW, 0u,
			     (uint32_t)(unsigned long)event, (uint32_t)sizeof(event));
	static uint8_t spare[256];
	event_again_rc = rtas_call("check-exception", 6, 1, 0, 0x500u, 0u, EVENT_MASK_EPOW, 0u,
				   (uint32_t)(unsigned long)spare, (uint32_t)sizeof(spare));
}

static void device_interrupt(unsigned irq)
{
	if (irq == VTY_IRQ) {
		vty_irqs++;
		drain_vty();
	} else if (irq == EPOW_IRQ) {
		epow_irqs++;
		fetch_event();
	} else {
		other_irqs++;
	}
}

/* XICS: accept with H_XIRR, handle, end with H_EOI. */
static void xics_external(void)
{
	unsigned long o[8];
	hcall(H_XIRR, 0, 0, 0, 0, 0, 0, o);
	uint32_t xirr = (uint32_t)o[0];
	if (xirr & 0xffffff) {
		device_interrupt(xirr & 0xffffff);
		hcall(H_EOI, xirr, 0, 0, 0, 0, 0, 0);
	}
}

/* XIVE: acknowledge at the TIMA, read the queue, EOI each source at its ESB, CPPR back. */
static void xive_external(void)
{
	in_be16(tima_os + TM_SPC_ACK_OS_REG);
	for (;;) {
		uint32_t e = be32(&queue[qidx]);
		if ((e >> 31) == qtoggle)
			break;
		if (++qidx == QENTRIES) {
			qidx = 0;
			qtoggle ^= 1;
		}
		unsigned irq = e & 0x7fffffff;
		device_interrupt(irq);
		unsigned long mgmt = irq == VTY_IRQ ? esb_mgmt_vty : esb_mgmt_epow;
		if (in_be64(mgmt + XIVE_ESB_SET_PQ_00) & 1)
			out_be64(irq == VTY_IRQ ? esb_trig_vty : esb_trig_epow, 0);
	}
	out_8(tima_os + TM_QW1_OS + TM_CPPR, 0xff);
}

static void external(struct regs *regs, unsigned long vector)
{
	if (use_xive)
		xive_external();
	else
		xics_external();
}

/* Idle until `*flag` is set by the interrupt handler (H_CEDE enables MSR[EE] while it waits). */
static void wait_for(volatile int *flag)
{
	irq_disable();
	while (!*flag) {
		hcall(H_CEDE, 0, 0, 0, 0, 0, 0, 0);
		irq_disable();
	}
}

static int setup_xics(void)
{
	printf("H_CPPR(0xff): rc=%ld\n", hcall(H_CPPR, 0xff, 0, 0, 0, 0, 0, 0));
	printf("ibm,set-xive(vty 0x%x, server 0, priority %d): %d\n", VTY_IRQ, XICS_PRIO,
	       rtas_call("ibm,set-xive", 3, 1, 0, VTY_IRQ, 0u, (uint32_t)XICS_PRIO));
	printf("ibm,set-xive(EPOW 0x%x, server 0, priority %d): %d\n", EPOW_IRQ, XICS_PRIO,
	       rtas_call("ibm,set-xive", 3, 1, 0, EPOW_IRQ, 0u, (uint32_t)XICS_PRIO));
	return 0;
}

static int source(unsigned long lisn, unsigned long *mgmt, unsigned long *trig)
{
	unsigned long o[8];
	long rc = hcall(H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, 0, o);
	*mgmt = o[1];
	*trig = o[2];
	long rc2 = hcall(H_INT_SET_SOURCE_CONFIG, XIVE_SRC_SET_EISN, lisn, 0, XIVE_PRIO, lisn, 0, 0);
	printf("LISN 0x%lx: H_INT_GET_SOURCE_INFO rc=%ld flags 0x%lx, H_INT_SET_SOURCE_CONFIG(server 0, "
	       "priority %d, EISN 0x%lx) rc=%ld\n", lisn, rc, o[0], XIVE_PRIO, lisn, rc2);
	return rc || rc2;
}

static int setup_xive(const void *tree)
{
	int ic = fdt_root_child(tree, "interrupt-controller");
	struct fdt_prop p;
	if (ic < 0 || fdt_get_prop(tree, ic, "reg", &p) || p.len != 32)
		return 1;
	tima_os = be64((const uint8_t *)p.data + 16);
	if (source(VTY_IRQ, &esb_mgmt_vty, &esb_trig_vty) ||
	    source(EPOW_IRQ, &esb_mgmt_epow, &esb_trig_epow))
		return 1;
	unsigned long io[] = { esb_trig_vty, esb_trig_epow, tima_os };
	long rc = iomap_enable(512UL << 20, io, 3);
	printf("H_REGISTER_PROC_TBL: rc=%ld; relocation on, ESB and TIMA pages mapped\n", rc);
	if (rc)
		return 1;
	rc = hcall(H_INT_SET_QUEUE_CONFIG, XIVE_EQ_ALWAYS_NOTIFY, 0, XIVE_PRIO,
		   (unsigned long)queue, QSHIFT, 0, 0);
	printf("H_INT_SET_QUEUE_CONFIG(server 0, priority %d, 64 KiB): rc=%ld\n", XIVE_PRIO, rc);
	printf("unmask (SET_PQ_00): vty PQ was %lu, EPOW PQ was %lu\n",
	       (unsigned long)in_be64(esb_mgmt_vty + XIVE_ESB_SET_PQ_00),
	       (unsigned long)in_be64(esb_mgmt_epow + XIVE_ESB_SET_PQ_00));
	out_8(tima_os + TM_QW1_OS + TM_CPPR, 0xff);
	return rc != 0;
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&boot_cpu, (int)fdt_boot_cpuid(fdt), exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x500, external);

	struct fdt_prop args;
	int chosen = fdt_path_offset(fdt, "/chosen");
	use_xive = !fdt_get_prop(fdt, chosen, "bootargs", &args) && args.len >= 4 &&
		   strncmp(args.data, "xive", 4) == 0;
	long rc = cas_negotiate(1, 1, use_xive, cas_buf, sizeof(cas_buf));
	printf("CAS (radix, %s): rc=%ld\n", use_xive ? "XIVE exploitation" : "XICS", rc);
	if (rc || (use_xive ? setup_xive(cas_buf + 4) : setup_xics()))
		return 1;

	printf("vty: waiting for a line of input\n");
	wait_for(&line_done);
	line[line_len] = 0;
	printf("vty: interrupt taken: %s; read \"%s\"\n", vty_irqs > 0 ? "yes" : "no", line);

	printf("epow: waiting for the host's power-down request\n");
	wait_for(&epow_irqs);
	const uint8_t *e = event;
	uint32_t summary = be32(e), ext = be32(e + 4);
	printf("epow: interrupt taken; check-exception: %d, log version %u, severity 0x%x, type 0x%02x "
	       "(EPOW), %u bytes after the header\n", event_rc, summary >> 24, (summary >> 21) & 7,
	       summary & 0xff, ext);
	/* The version 6 extended log: a 16-byte header, then sections (id, length, ...). */
	for (uint32_t off = 8 + 16; off + 8 <= 8 + ext && off + 8 <= sizeof(event);) {
		uint32_t id = (uint32_t)e[off] << 8 | e[off + 1];
		uint32_t len = (uint32_t)e[off + 2] << 8 | e[off + 3];
		if (id == 0x4550) /* "EP" */
			printf("epow: section EP: action %u (3: system shutdown), modifier %u (1: normal)\n",
			       e[off + 8], e[off + 9]);
		if (len < 8)
			break;
		off += len;
	}
	printf("epow: check-exception again: %d (no more events)\n", event_again_rc);
	printf("other interrupts: %d\n", other_irqs);
	return 0;
}
