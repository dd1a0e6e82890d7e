/*
 * Partition-scoped invalidations L1 owes L0 after changing an L2's tree or partition-table
 * entry. An L1 cannot execute tlbie for its L2s (it is not the hypervisor), so it asks L0:
 *  - H_RPT_INVALIDATE (type NESTED) when /rtas ibm,hypertas-functions lists
 *    "hcall-rpt-invalidate" (QEMU: cap-rpt-invalidate=on, which QEMU 7.2 refuses under TCG);
 *  - otherwise H_TLB_INVALIDATE, which takes the tlbie L1 would have issued: r4 = the
 *    instruction's RIC/PRS/R fields, r5 = RS (the L2's LPID), r6 = RB (IS, AP, EPN).
 * A page after a PTE change: RIC=0, IS=0, AP=64 KiB, EPN = the guest-physical page.
 * A whole LPID after its partition-table entry changed: RIC=2 (TLB, page-walk cache and
 * cached table entries), IS=2 (match LPID).
 * Linux as an L1 does the same (book3s_64_mmu_radix.c kvmppc_radix_tlbie_page,
 * book3s_hv_nested.c kvmhv_flush_lpid).
 */
#include "l1hv.h"

static int use_rpt;
unsigned long invalidations_page, invalidations_lpid;

void invalidate_init(int have_rpt_invalidate)
{
	use_rpt = have_rpt_invalidate;
	printf("partition-scoped invalidation: %s\n", invalidate_method());
}

const char *invalidate_method(void)
{
	return use_rpt ? "H_RPT_INVALIDATE" : "H_TLB_INVALIDATE (fallback)";
}

long invalidate_l2_page(struct l2 *g, uint64_t gpa)
{
	gpa &= ~(L2_PAGE_SIZE - 1);
	invalidations_page++;
	if (use_rpt)
		return hcall(H_RPT_INVALIDATE, g->lpid, H_RPTI_TARGET_CMMU,
			     H_RPTI_TYPE_NESTED | H_RPTI_TYPE_TLB, H_RPTI_PAGE_64K, gpa,
			     gpa + L2_PAGE_SIZE, 0);
	return hcall(KVMPPC_H_TLB_INVALIDATE, TLBIE_P1_ENC(0, 0, 1), g->lpid,
		     gpa | TLBIE_RB_IS(0) | TLBIE_RB_AP(RADIX_AP_64K), 0, 0, 0, 0);
}

long invalidate_l2_lpid(struct l2 *g)
{
	invalidations_lpid++;
	if (use_rpt)
		return hcall(H_RPT_INVALIDATE, g->lpid, H_RPTI_TARGET_CMMU,
			     H_RPTI_TYPE_NESTED | H_RPTI_TYPE_NESTED_ALL, H_RPTI_PAGE_ALL, 0, ~0UL,
			     0);
	return hcall(KVMPPC_H_TLB_INVALIDATE, TLBIE_P1_ENC(2, 0, 1), g->lpid, TLBIE_RB_IS(2), 0,
		     0, 0, 0);
}
