/*
 * The L2 run loop: H_ENTER_NESTED(hv_guest_state, pt_regs) runs an L2 vCPU until something
 * L0 does not handle itself, and returns the interrupt vector of that exit in r3 with both
 * structs updated (or a negative H_* error, or 0 for "nothing to do, enter again").
 *
 *   0x980 HDEC  our time slice (hdec_expiry) ended: round-robin to the next live L2
 *   0xc00 hcall sc 1 from the L2 (l2-hcall.c): console, RTAS power-off, H_CEDE, H_SET_MODE,
 *               KVMPPC_H_CAS, H_REGISTER_PROC_TBL (l2-platform.c), L1HV_H_REMAP_PAGE
 *   0xe00 HDSI  / 0xe20 HISI: no translation in our tree for the L2 guest-physical address in
 *               ASDR: map the 64 KiB page on demand
 *   0xe40 HEAI  an instruction L2 cannot execute: emulated if known, else the L2 is stopped
 *   0x500 / 0xea0 external / hypervisor virtualization: nothing for us to deliver, enter again
 *   0           enter again
 */
#include "l1hv.h"

/* Timebase ticks per slice: 0.5 ms at the 512 MHz pseries timebase. */
#define HDEC_SLICE 0x40000UL

struct exit_count {
	long trap;
	const char *what;
	int deterministic; /* the same on every correct L0, given the same images */
	unsigned long n;
};

static struct exit_count exits[] = {
	{ 0xc00, "hypervisor call", 1, 0 },
	{ 0xe00, "HDSI", 1, 0 },
	{ 0xe20, "HISI", 1, 0 },
	{ 0xe40, "HEAI", 1, 0 },
	{ 0x980, "HDEC", 0, 0 },
	{ 0x500, "external", 0, 0 },
	{ 0xea0, "hypervisor virtualization", 0, 0 },
	{ 0, "re-enter (r3 = 0)", 0, 0 },
};
static unsigned long other_exits;

static void count_exit(long trap)
{
	for (unsigned i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		if (exits[i].trap == trap) {
			exits[i].n++;
			return;
		}
	other_exits++;
}

void l2_exit_summary(void)
{
	printf("L2 exits handled by L1, by trap:\n");
	for (unsigned i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		if (exits[i].deterministic)
			printf("  0x%03lx %s: %lu\n", exits[i].trap, exits[i].what, exits[i].n);
	printf("  other: %lu\n", other_exits);
	printf("  (HDEC, external and re-enter counts depend on timing and are not printed)\n");
	printf("invalidations: %lu page, %lu LPID, with %s\n", invalidations_page,
	       invalidations_lpid, invalidate_method());
}

static void l2_fault(struct l2 *g, long trap)
{
	/* ASDR: the L2 guest-physical address whose partition-scoped translation failed. */
	uint64_t gpa = g->hv.asdr & ~0xf000000000000fffUL;
	char why[96];
	if (gpa >> L2_PAGE_SHIFT == L1HV_MMIO_GPA >> L2_PAGE_SHIFT) {
		/* The L2's window on L1 MMIO: our own address, where the machine has no RAM. */
		l2_radix_map(g->pgd, L1HV_MMIO_GPA, L1HV_MMIO_GPA);
		return;
	}
	if (gpa >= g->mem_size) {
		snprintf(why, sizeof(why), "accessed 0x%lx, outside its memory (%s)",
			 (unsigned long)gpa, trap == 0xe00 ? "HDSI" : "HISI");
		l2_stop(g, why);
		return;
	}
	if (l2_radix_lookup(g->pgd, gpa) != ~0UL) {
		snprintf(why, sizeof(why), "faulted on mapped 0x%lx (trap 0x%lx, HDSISR 0x%lx)",
			 (unsigned long)gpa, (unsigned long)trap, (unsigned long)g->hv.hdsisr);
		l2_stop(g, why);
		return;
	}
	/* Map on demand. A new translation needs no invalidation: nothing can cache it yet. */
	gpa &= ~(L2_PAGE_SIZE - 1);
	l2_radix_map(g->pgd, gpa, g->mem_base + gpa);
}

/*
 * HEAI: QEMU 7.2 does not report HEIR to L1, so the instruction is fetched from the L2's
 * memory at NIP (real mode: the top EA bits are ignored). The one instruction l1hv emulates
 * is the all-zero word (illegal in every ISA version): it skips it and returns r3 = 1, which
 * l2-hello uses to show that an HEAI came back to L1.
 */
static void l2_heai(struct l2 *g)
{
	uint8_t b[4];
	uint64_t gpa = g->regs.nip & REAL_ADDR_MASK;
	char why[96];
	if (l2_read(g, gpa, b, 4)) {
		l2_stop(g, "took an HEAI at an address outside its memory");
		return;
	}
	uint32_t insn = (g->regs.msr & MSR_LE) ? (uint32_t)b[0] | b[1] << 8 | b[2] << 16 |
							  (uint32_t)b[3] << 24
					      : be32(b);
	if (insn == 0) {
		g->regs.gpr[3] = 1;
		g->regs.nip += 4;
		return;
	}
	snprintf(why, sizeof(why), "took an HEAI on instruction 0x%08x, which L1 does not emulate",
		 insn);
	l2_stop(g, why);
}

static int runnable(struct l2 *g)
{
	if (g->ceded && (int64_t)(mftb() - g->dec_expiry) >= 0)
		g->ceded = 0; /* its DEC has fired: L0 delivers it on entry (MSR[EE]=1) */
	return g->alive && !g->ceded;
}

void l2_run_all(struct l2 *l2s, int count)
{
	int cur = 0, picked = -1;
	uint64_t slice_end = 0;
	for (;;) {
		int live = 0, ready = -1;
		for (int k = 0; k < count; k++) {
			int i = (cur + k) % count;
			live += l2s[i].alive;
			if (ready < 0 && runnable(&l2s[i]))
				ready = i;
		}
		if (!live)
			break;
		if (ready < 0) {
			/* Every live L2 is in H_CEDE: idle until the earliest DEC expires. L1 has
			   no interrupt handlers of its own, so it waits on the timebase. */
			uint64_t wake = ~0UL;
			for (int i = 0; i < count; i++)
				if (l2s[i].alive && l2s[i].dec_expiry < wake)
					wake = l2s[i].dec_expiry;
			while ((int64_t)(mftb() - wake) < 0)
				;
			continue;
		}
		cur = ready;
		struct l2 *g = &l2s[cur];
		if (picked != cur) {
			picked = cur;
			slice_end = mftb() + HDEC_SLICE;
		}
		long trap = l2_enter(g, slice_end);
		count_exit(trap);
		char why[96];
		switch (trap) {
		case 0:
		case 0x500:
		case 0xea0:
			break;
		case 0x980:
			cur = (cur + 1) % count;
			picked = -1; /* a new slice, even if the rotation comes back to this L2 */
			break;
		case 0xc00:
			l2_hcall(g);
			break;
		case 0xe00:
		case 0xe20:
			l2_fault(g, trap);
			break;
		case 0xe40:
			l2_heai(g);
			break;
		default:
			if (trap < 0)
				snprintf(why, sizeof(why), "could not run: H_ENTER_NESTED rc=%ld", trap);
			else
				snprintf(why, sizeof(why), "stopped: unexpected exit 0x%lx at 0x%lx",
					 (unsigned long)trap, (unsigned long)g->regs.nip);
			l2_stop(g, why);
		}
		if (!g->alive)
			cur = (cur + 1) % count;
	}
}
