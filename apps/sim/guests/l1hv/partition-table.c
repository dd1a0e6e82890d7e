/*
 * L1's partition table, registered with L0 through H_SET_PARTITION_TABLE: one 16-byte
 * big-endian entry per L2 LPID, dw0 = HR | RTS | root of the L2's partition-scoped tree | RPDS,
 * dw1 = the L2's process table. L0 reads an entry when it enters that LPID (QEMU TCG on every
 * walk, KVM into a cache that a partition-scoped flush refreshes).
 *
 * Also L1's own (empty) process table: l1hv runs with relocation off, but a radix guest
 * registers one with H_REGISTER_PROC_TBL as Linux does, which is what makes a KVM L0's VM
 * radix (nested HV needs a radix L1).
 */
#include "l1hv.h"

#define PATB_PATS 4			/* 2^(4+12) = 64 KiB: 4096 entries, the most L0 accepts */
#define PATB_BYTES (1UL << (PATB_PATS + 12))

static uint64_t *patb;

long partition_table_init(void)
{
	patb = (uint64_t *)pt_alloc(PATB_BYTES); /* aligned to its size, as the ISA requires */
	long rc = hcall(KVMPPC_H_SET_PARTITION_TABLE, (unsigned long)patb | PATB_PATS, 0, 0, 0, 0,
			0, 0);
	printf("H_SET_PARTITION_TABLE (64 KiB, 4096 entries): rc=%ld\n", rc);
	return rc;
}

void partition_table_set(uint32_t lpid, uint64_t dw0, uint64_t dw1)
{
	/* Clear dw0 first and set it last, so L0 never sees a half-written valid entry. */
	st_be64(&patb[2 * lpid], 0);
	asm volatile("eieio" : : : "memory");
	st_be64(&patb[2 * lpid + 1], dw1);
	asm volatile("eieio" : : : "memory");
	st_be64(&patb[2 * lpid], dw0);
	asm volatile("ptesync" : : : "memory");
}

#define PRTB_BYTES 4096			/* 256 process-table entries */
#define PGD_BITS 13

long process_table_register(void)
{
	uint64_t *prtb = (uint64_t *)pt_alloc(PRTB_BYTES);
	uint64_t pgd = pt_alloc(8UL << PGD_BITS); /* empty: nothing is mapped for relocation on */
	st_be64(&prtb[0], radix_rts(52) | pgd | PGD_BITS);
	asm volatile("ptesync" : : : "memory");
	long rc = hcall(H_REGISTER_PROC_TBL, PROC_TBL_NEW | PROC_TBL_RADIX | PROC_TBL_GTSE,
			(unsigned long)prtb, 0, 0, 0, 0, 0);
	printf("H_REGISTER_PROC_TBL (radix, GTSE): rc=%ld\n", rc);
	return rc;
}
