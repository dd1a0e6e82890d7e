/*
 * Radix page-table layouts (Power ISA v3.0B Book III §6.7.10; values as Linux's
 * book3s/64 radix headers name them). Entries are big-endian doublewords in memory.
 */
#ifndef HVSIM_GUEST_RADIX_H
#define HVSIM_GUEST_RADIX_H

#include "hvsim.h"

#define RPTE_V (1UL << 63)     /* valid */
#define RPTE_L (1UL << 62)     /* leaf */
#define RPTE_R 0x100UL         /* reference */
#define RPTE_C 0x080UL         /* change */
#define RPTE_PRIV 0x8UL        /* EAA[0]: privileged access only */
#define RPTE_READ 0x4UL        /* EAA[1] */
#define RPTE_WRITE 0x2UL       /* EAA[2] */
#define RPTE_EXEC 0x1UL        /* EAA[3] */
#define RPTE_RPN_MASK 0x01fffffffffff000UL /* bits 7:51 */
#define RPDE_NLB_MASK 0x0fffffffffffff00UL /* bits 4:55 */

/* Process-table entry dw0: RTS split into RTS1 (bits 1:2) and RTS2 (bits 56:58), RPDB, RPDS. */
static inline uint64_t radix_rts(unsigned bits)
{
	unsigned rts = bits - 31;
	return ((uint64_t)(rts >> 3) << 61) | ((uint64_t)(rts & 7) << 5);
}

/* H_REGISTER_PROC_TBL flags (PAPR). */
#define PROC_TBL_NEW 0x18  /* FLAG_MODIFY | FLAG_REGISTER */
#define PROC_TBL_RADIX 0x04
#define PROC_TBL_GTSE 0x01

/* Store a big-endian doubleword (tables are big-endian; we run little-endian). */
static inline void st_be64(volatile uint64_t *p, uint64_t v)
{
	*p = __builtin_bswap64(v);
}
static inline uint64_t ld_be64(const volatile uint64_t *p)
{
	return __builtin_bswap64(*p);
}

/* CAS: negotiate radix MMU (+GTSE) and an interrupt mode; QEMU writes the updated tree to
   buf. xive: 0 = XICS, 1 = XIVE exploitation. Returns the hcall status. */
long cas_negotiate(int radix, int gtse, int xive, void *buf, unsigned long bufsize);

#endif
