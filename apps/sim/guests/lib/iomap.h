/*
 * Relocation on with every address mapped to itself: a radix tree for PID 0 (52-bit EA, Linux's
 * 13/9/9 levels with 2 MiB leaves) that maps RAM and some I/O windows (cache-inhibited, as
 * Linux's ioremap does). Code and data keep their addresses when relocation goes on.
 *
 * Why: Linux reaches the XIVE's ESB pages and TIMA (far above RAM) through ioremap(), with
 * relocation on and cache-inhibited mappings; these programs do the same, so the accesses go
 * through the guest's radix tree as well. They also need 64-bit mode: QEMU 7.2 enters the boot
 * ROM with MSR[SF]=0, where an effective address is cut to 32 bits.
 * Header-only so that programs that do not use it keep their layout.
 */
#ifndef HVSIM_GUEST_IOMAP_H
#define HVSIM_GUEST_IOMAP_H

#include "radix.h"

#define IOMAP_PGD_BITS 13
#define IOMAP_PUD_BITS 9
#define IOMAP_PMD_BITS 9
#define IOMAP_TABLES 4 /* PUDs and PMDs each */
/* Radix PTE attribute (ATT, bits 58:59): non-idempotent I/O. */
#define RPTE_ATT_IO 0x20UL
#ifndef MSR_SF
#define MSR_SF (1UL << 63)
#endif

static uint64_t iomap_pgd[1 << IOMAP_PGD_BITS] __attribute__((aligned(1 << (IOMAP_PGD_BITS + 3))));
static uint64_t iomap_pud[IOMAP_TABLES][1 << IOMAP_PUD_BITS]
	__attribute__((aligned(1 << (IOMAP_PUD_BITS + 3))));
static uint64_t iomap_pmd[IOMAP_TABLES][1 << IOMAP_PMD_BITS]
	__attribute__((aligned(1 << (IOMAP_PMD_BITS + 3))));
static uint64_t iomap_prtb[512] __attribute__((aligned(4096)));
static int iomap_puds, iomap_pmds;

/* The next-level table an entry points to, allocated from the pool when the entry is empty. */
static inline uint64_t *iomap_next(uint64_t *entry, uint64_t (*pool)[512], int *used, int bits)
{
	uint64_t e = ld_be64(entry);
	if (e)
		return (uint64_t *)(e & RPDE_NLB_MASK);
	uint64_t *t = pool[(*used)++];
	st_be64(entry, RPTE_V | ((unsigned long)t & RPDE_NLB_MASK) | (unsigned long)bits);
	return t;
}

/* Map the 2 MiB around `ea` to itself: RAM (executable) or I/O. */
static inline void iomap_2m(unsigned long ea, int io)
{
	uint64_t *pud = iomap_next(&iomap_pgd[(ea >> 39) & ((1 << IOMAP_PGD_BITS) - 1)], iomap_pud,
				   &iomap_puds, IOMAP_PUD_BITS);
	uint64_t *pmd = iomap_next(&pud[(ea >> 30) & ((1 << IOMAP_PUD_BITS) - 1)], iomap_pmd,
				   &iomap_pmds, IOMAP_PMD_BITS);
	st_be64(&pmd[(ea >> 21) & ((1 << IOMAP_PMD_BITS) - 1)],
		RPTE_V | RPTE_L | ((ea & ~0x1fffffUL) & RPTE_RPN_MASK) | RPTE_R | RPTE_C | RPTE_PRIV |
			RPTE_READ | RPTE_WRITE | (io ? RPTE_ATT_IO : RPTE_EXEC));
}

/* 64-bit mode (QEMU enters the boot ROM with MSR[SF]=0) with relocation on: every vCPU. */
static inline void iomap_relocation_on(void)
{
	asm volatile("mtmsrd %0" : : "r"(mfmsr() | MSR_SF | MSR_IR | MSR_DR) : "memory");
	asm volatile("isync" : : : "memory");
}

/* Map `ram_bytes` of RAM and the 2 MiB around each of `io[0..n)`, register the process table
   (after CAS chose radix) and turn relocation on. Returns H_REGISTER_PROC_TBL's status. */
static inline long iomap_enable(unsigned long ram_bytes, const unsigned long *io, int n)
{
	for (unsigned long a = 0; a < ram_bytes; a += 1UL << 21)
		iomap_2m(a, 0);
	for (int i = 0; i < n; i++)
		iomap_2m(io[i], 1);
	st_be64(&iomap_prtb[0], radix_rts(52) | (unsigned long)iomap_pgd | IOMAP_PGD_BITS);
	st_be64(&iomap_prtb[1], 0);
	asm volatile("ptesync" : : : "memory");
	long rc = hcall(H_REGISTER_PROC_TBL, PROC_TBL_NEW | PROC_TBL_RADIX | PROC_TBL_GTSE,
			(unsigned long)iomap_prtb, 0, 0, 0, 0, 0);
	if (rc == 0)
		iomap_relocation_on();
	return rc;
}

#endif
