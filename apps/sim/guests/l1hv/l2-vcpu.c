/*
 * An L2 vCPU as l1hv keeps it: its whole state lives in L1 memory (hv_guest_state v2 and
 * pt_regs) between H_ENTER_NESTED calls, because L0 keeps none (nested API v1). Here: the
 * boot state, entering it, and stopping it for good.
 */
#include "l1hv.h"

#define L2_HFSCR (HFSCR_FP | HFSCR_VECVSX | HFSCR_DSCR | HFSCR_TAR)

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

void l2_stop(struct l2 *g, const char *why)
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

long l2_enter(struct l2 *g, uint64_t slice_end)
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
