/*
 * The L2 run loop: H_ENTER_NESTED(hv_guest_state, pt_regs) runs an L2 vCPU until something
 * L0 does not handle itself, and returns the interrupt vector of that exit in r3 with both
 * structs updated (or a negative H_* error, or 0 for "nothing to do, enter again").
 *
 *   0x980 HDEC  our time slice (hdec_expiry) ended: round-robin to the next live L2
 *   0xc00 hcall sc 1 from the L2: console, RTAS power-off, H_CEDE, H_SET_MODE, KVMPPC_H_CAS,
 *               H_REGISTER_PROC_TBL (l2-platform.c), L1HV_H_REMAP_PAGE
 *   0xe00 HDSI  / 0xe20 HISI: no translation in our tree for the L2 guest-physical address in
 *               ASDR: map the 64 KiB page on demand
 *   0xe40 HEAI  an instruction L2 cannot execute: emulated if known, else the L2 is stopped
 *   0x500 / 0xea0 external / hypervisor virtualization: nothing for us to deliver, enter again
 *   0           enter again
 */
#include "l1hv.h"

/* Timebase ticks per slice: 0.5 ms at the 512 MHz pseries timebase. */
#define HDEC_SLICE 0x40000UL
#define L2_HFSCR (HFSCR_FP | HFSCR_VECVSX | HFSCR_DSCR | HFSCR_TAR)

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

void l2_start_state(struct l2 *g, uint64_t entry, uint64_t fdt_gpa)
{
	memset(&g->hv, 0, sizeof(g->hv));
	memset(&g->regs, 0, sizeof(g->regs));
	g->hv.version = HV_GUEST_STATE_VERSION;
	g->hv.lpid = g->lpid;
	g->hv.vcpu_token = 0;	/* each L2 has one vCPU */
	g->hv.lpcr = 0;		/* L2 decides nothing L0 lets L1 choose (DPFD, ILE, AIL, LD, MER) */
	g->hv.amor = ~0UL;
	g->hv.hfscr = L2_HFSCR;
	/* The pseries boot protocol: big-endian, 64-bit, r3 = device tree, r5 = 0. */
	g->regs.nip = entry;
	g->regs.msr = MSR_SF | MSR_ME;
	g->regs.gpr[3] = fdt_gpa;
	g->dec_expiry = mftb() + 0x7fffffffUL;
	g->alive = 1;
	g->exit_status = -1;
}

static void l2_stop(struct l2 *g, const char *why)
{
	g->alive = 0;
	l2_console_note(g, "[L1] L2.%d (%s) %s", g->n, g->name, why);
	if (g->remaps)
		l2_console_note(g, "[L1] L2.%d: %u page remaps", g->n, g->remaps);
	/* Tear down: clear the partition-table entry, then flush everything L0 holds for it. */
	partition_table_set(g->lpid, 0, 0);
	long rc = invalidate_l2_lpid(g);
	if (rc)
		l2_console_note(g, "[L1] flushing LPID %u: rc=%ld", g->lpid, rc);
	l2_console_done(g);
}

static long l2_rtas(struct l2 *g, uint64_t args)
{
	uint8_t hdr[12];
	if (l2_read(g, args, hdr, sizeof(hdr)))
		return H_PARAMETER;
	uint32_t token = be32(hdr), nargs = be32(hdr + 4), nret = be32(hdr + 8);
	if (token != L2_RTAS_POWER_OFF)
		return H_PARAMETER; /* as QEMU answers an unknown token */
	if (nret >= 1) {
		uint8_t ok[4] = { 0, 0, 0, 0 };
		l2_write(g, args + 12 + 4 * (uint64_t)nargs, ok, 4);
	}
	l2_stop(g, "powered off");
	return H_SUCCESS;
}

static long l2_remap(struct l2 *g, uint64_t gpa, uint64_t seed)
{
	if ((gpa & (L2_PAGE_SIZE - 1)) || gpa >= g->mem_size)
		return H_PARAMETER;
	uint64_t page = spare_page();
	volatile uint64_t *p = (volatile uint64_t *)page;
	for (uint64_t i = 0; i < L2_PAGE_SIZE / 8; i++)
		p[i] = l1hv_remap_pattern(seed, i);
	/* Break before make: remove the old translation everywhere, then install the new one. */
	l2_radix_unmap(g->pgd, gpa);
	long rc = invalidate_l2_page(g, gpa);
	l2_radix_map(g->pgd, gpa, page);
	g->remaps++;
	if (rc) {
		l2_console_note(g, "[L1] invalidating L2.%d page 0x%lx: rc=%ld", g->n,
				(unsigned long)gpa, rc);
		return H_PARAMETER;
	}
	return H_SUCCESS;
}

static void l2_hcall(struct l2 *g)
{
	uint64_t *r = g->regs.gpr;
	long ret = H_FUNCTION;
	switch (r[3]) {
	case H_PUT_TERM_CHAR: {
		char buf[16];
		unsigned len = r[5] > 16 ? 16 : (unsigned)r[5];
		for (unsigned i = 0; i < len; i++)
			buf[i] = (char)(r[6 + i / 8] >> (56 - 8 * (i % 8)));
		l2_console_put(g, buf, len);
		ret = H_SUCCESS;
		break;
	}
	case H_CEDE:
		/* Idle until an interrupt: the only source an L2 has here is its DEC. PAPR: the
		   vCPU is woken with MSR[EE]=1, so the interrupt is taken right after the sc. */
		g->regs.msr |= MSR_EE;
		g->ceded = 1;
		ret = H_SUCCESS;
		break;
	case H_GET_TERM_CHAR:
		r[4] = r[5] = r[6] = 0; /* nothing to read */
		ret = H_SUCCESS;
		break;
	case H_SET_MODE:
		/* Only the interrupt endianness (resource 4): LPCR[ILE] is ours to set for L2. */
		if (r[5] == 4 && r[4] <= 1) {
			g->hv.lpcr = r[4] ? g->hv.lpcr | LPCR_ILE : g->hv.lpcr & ~LPCR_ILE;
			ret = H_SUCCESS;
		}
		break;
	case KVMPPC_H_RTAS:
		ret = l2_rtas(g, r[4] & REAL_ADDR_MASK);
		break;
	case KVMPPC_H_CAS:
		ret = l2_h_cas(g);
		break;
	case H_REGISTER_PROC_TBL:
		ret = l2_h_register_proc_tbl(g, r[4], r[5], r[6], r[7]);
		break;
	case L1HV_H_REMAP_PAGE:
		ret = l2_remap(g, r[4], r[5]);
		break;
	}
	r[3] = (uint64_t)ret;
}

static void l2_fault(struct l2 *g, long trap)
{
	/* ASDR: the L2 guest-physical address whose partition-scoped translation failed. */
	uint64_t gpa = g->hv.asdr & ~0xf000000000000fffUL;
	char why[96];
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

/*
 * hv_guest_state has no field for the L2's DEC, DAR or DSISR: L0 runs the L2 with the values
 * the L1 vCPU holds in those registers at H_ENTER_NESTED and leaves the L2's there on exit.
 * So L1 keeps them per L2 (the DEC as an expiry time) and loads/saves them around the call,
 * as Linux does (book3s_hv.c, kvmhv_vcpu_entry_p9_nested). The L2s run with LPCR[LD]=0: a
 * 32-bit DEC.
 */
static inline void mtdec_signed(int64_t v)
{
	asm volatile("mtdec %0" : : "r"(v));
}
static inline int64_t mfdec_signed(void)
{
	int64_t v;
	asm volatile("mfdec %0" : "=r"(v));
	return v;
}

static long l2_enter(struct l2 *g, uint64_t slice_end)
{
	uint64_t now = mftb();
	int64_t dec = (int64_t)(g->dec_expiry - now);
	if (dec > 0x7fffffff)
		dec = 0x7fffffff;
	if (dec < -1)
		dec = -1;
	g->hv.hdec_expiry = slice_end;
	mtdec_signed(dec);
	asm volatile("mtdar %0; mtdsisr %1" : : "r"(g->dar), "r"(g->dsisr));
	long trap = hcall(KVMPPC_H_ENTER_NESTED, (unsigned long)&g->hv, (unsigned long)&g->regs, 0,
			  0, 0, 0, 0);
	/* Sign-extend from the L2's 32-bit DEC; L1's own DEC is not used (MSR[EE]=0). */
	g->dec_expiry = mftb() + (int64_t)(int32_t)mfdec_signed();
	asm volatile("mfdar %0; mfdsisr %1" : "=r"(g->dar), "=r"(g->dsisr));
	mtdec_signed(0x7fffffff);
	return trap;
}

/*
 * Round-robin: each L2 gets HDEC_SLICE timebase ticks, counted from when it was picked; exits
 * handled in between (hcalls, faults) re-enter it with the same hdec_expiry, so a busy L2
 * cannot keep the CPU by making exits. An expired slice makes L0 return 0x980 at once.
 */
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
