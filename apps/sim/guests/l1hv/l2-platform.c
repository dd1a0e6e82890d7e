/*
 * The pseries platform hcalls l1hv emulates for an L2 so that a program written for a QEMU
 * pseries L1 (guests/radix) runs unchanged as an L2:
 *  - KVMPPC_H_CAS: accepted as is. L2s are radix-only (as under a Linux L1: nested guests
 *    cannot use the hash MMU) and use no interrupt controller, so there is nothing to choose
 *    and no device-tree update to write back.
 *  - H_REGISTER_PROC_TBL (radix only): becomes dw1 of the L2's partition-table entry,
 *    GR | process-table base | size, exactly the value QEMU computes for its own guest; then
 *    the LPID is flushed (RIC=2) so that L0 re-reads the entry (a Linux L1 does the same in
 *    kvmhv_set_ptbl_entry).
 * Addresses in RTAS and hcall arguments are real addresses; like QEMU (ppc64_phys_to_real)
 * l1hv ignores their top 4 bits, so a caller running at 0xc000... may pass its own pointers.
 */
#include "l1hv.h"

#define PROC_TBL_MODIFY 0x10
#define PROC_TBL_REGISTER 0x08
#define PROC_TBL_FLAGS 0x1f

long l2_h_cas(struct l2 *g)
{
	return H_SUCCESS;
}

long l2_h_register_proc_tbl(struct l2 *g, uint64_t flags, uint64_t proc_tbl, uint64_t page_size,
			    uint64_t table_size)
{
	uint64_t dw1 = 0;
	if ((flags & ~PROC_TBL_FLAGS) || !(flags & PROC_TBL_MODIFY))
		return H_PARAMETER;
	if (flags & PROC_TBL_REGISTER) {
		if (!(flags & PROC_TBL_RADIX))
			return H_PARAMETER; /* no hash MMU for nested guests */
		if ((proc_tbl & 0xfff) || (proc_tbl >> 60))
			return H_P2;
		if (page_size)
			return H_P3;
		if (table_size > 24)
			return H_P4;
		dw1 = PATE1_GR | proc_tbl | table_size;
	}
	partition_table_set(g->lpid, l2_radix_pate0(g->pgd), dw1);
	long rc = invalidate_l2_lpid(g);
	return rc ? H_PARAMETER : H_SUCCESS;
}
