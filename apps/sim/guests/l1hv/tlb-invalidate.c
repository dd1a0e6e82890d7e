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

/*
 * For tests of the L0 only: bootargs "l1hv.invalidate=skip|wrong-lpid|wrong-page" makes the
 * page invalidation after a remap deliberately missing or aimed at the wrong LPID or page,
 * which an L0 that keeps L2 translations across switches must expose (l2-page-churn fails).
 */
enum breakage { CORRECT, SKIP, WRONG_LPID, WRONG_PAGE };
static enum breakage broken;
static const char *const breakage_names[] = { "", "skip", "wrong-lpid", "wrong-page" };

static enum breakage breakage_from(const void *fdt)
{
	unsigned len;
	const char *v = bootarg(fdt, "l1hv.invalidate", &len);
	for (int b = SKIP; b <= WRONG_PAGE; b++)
		if (bootarg_is(v, len, breakage_names[b]))
			return (enum breakage)b;
	return CORRECT;
}

void invalidate_init(const void *fdt, int have_rpt_invalidate)
{
	use_rpt = have_rpt_invalidate;
	broken = breakage_from(fdt);
	printf("partition-scoped invalidation: %s\n", invalidate_method());
	if (broken)
		printf("page invalidations deliberately broken: l1hv.invalidate=%s\n",
		       breakage_names[broken]);
}

const char *invalidate_method(void)
{
	return use_rpt ? "H_RPT_INVALIDATE" : "H_TLB_INVALIDATE (fallback)";
}

long invalidate_l2_page(struct l2 *g, uint64_t gpa)
{
	uint32_t lpid = g->lpid;
	gpa &= ~(L2_PAGE_SIZE - 1);
	invalidations_page++;
	if (broken == SKIP)
		return H_SUCCESS;
	if (broken == WRONG_LPID)
		lpid += 100;
	if (broken == WRONG_PAGE)
		gpa ^= L2_PAGE_SIZE;
	if (use_rpt)
		return hcall(H_RPT_INVALIDATE, lpid, H_RPTI_TARGET_CMMU,
			     H_RPTI_TYPE_NESTED | H_RPTI_TYPE_TLB, H_RPTI_PAGE_64K, gpa,
			     gpa + L2_PAGE_SIZE, 0);
	return hcall(KVMPPC_H_TLB_INVALIDATE, TLBIE_P1_ENC(0, 0, 1), lpid,
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
