/*
 * The pseries interrupt controllers as a guest drives them: hcall numbers and flags (PAPR,
 * Linux hvcall.h), and big-endian MMIO accessors for the XIVE ESB pages and TIMA.
 */
#ifndef HVSIM_GUEST_INTC_H
#define HVSIM_GUEST_INTC_H

#include "radix.h"

/* XICS (PAPR): the ICP through hcalls. */
#define H_EOI 0x64
#define H_CPPR 0x68
#define H_IPI 0x6c
#define H_IPOLL 0x70
#define H_XIRR 0x74
#define H_XIRR_X 0x2fc
#define XICS_IPI 2

/* XIVE exploitation mode (PAPR+, QEMU spapr.h). */
#define H_INT_GET_SOURCE_INFO 0x3a8
#define H_INT_SET_SOURCE_CONFIG 0x3ac
#define H_INT_GET_SOURCE_CONFIG 0x3b0
#define H_INT_GET_QUEUE_INFO 0x3b4
#define H_INT_SET_QUEUE_CONFIG 0x3b8
#define H_INT_GET_QUEUE_CONFIG 0x3bc
#define H_INT_SET_OS_REPORTING_LINE 0x3c0
#define H_INT_ESB 0x3c8
#define H_INT_SYNC 0x3cc
#define H_INT_RESET 0x3d0

/* Flags are IBM-numbered bits of a doubleword: bit 63 is the least significant. */
#define PPC_BIT(b) (1UL << (63 - (b)))
#define XIVE_SRC_H_INT_ESB PPC_BIT(60)
#define XIVE_SRC_LSI PPC_BIT(61)
#define XIVE_SRC_TRIGGER PPC_BIT(62)
#define XIVE_SRC_STORE_EOI PPC_BIT(63)
#define XIVE_SRC_SET_EISN PPC_BIT(62)
#define XIVE_SRC_MASK PPC_BIT(63)
#define XIVE_EQ_ALWAYS_NOTIFY PPC_BIT(63)

/* ESB management page offsets: loads return the previous PQ (or the EOI outcome). */
#define XIVE_ESB_LOAD_EOI 0x000
#define XIVE_ESB_GET 0x800
#define XIVE_ESB_SET_PQ_00 0xc00
#define XIVE_ESB_SET_PQ_01 0xd00
#define XIVE_ESB_SET_PQ_10 0xe00
#define XIVE_ESB_SET_PQ_11 0xf00

/* TIMA, OS page: the OS ring (QW1) registers and the acknowledge special load. */
#define TM_QW1_OS 0x10
#define TM_NSR 0
#define TM_CPPR 1
#define TM_IPB 2
#define TM_PIPR 7
#define TM_SPC_ACK_OS_REG 0x810
#define TM_QW1_NSR_EO 0x80

/* Common H_* return codes. */
#define H_FUNCTION (-2)
#define H_HARDWARE (-1)
#define H_PARAMETER (-4)
#define H_P2 (-55)
#define H_P3 (-56)
#define H_P4 (-57)

/* Cache-inhibited accessors: the XIVE is big-endian, this program little-endian. */
static inline uint64_t in_be64(unsigned long a)
{
	uint64_t v;
	asm volatile("sync; ldbrx %0,0,%1; twi 0,%0,0; isync" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void out_be64(unsigned long a, uint64_t v)
{
	asm volatile("sync; stdbrx %0,0,%1" : : "r"(v), "r"(a) : "memory");
}
static inline uint16_t in_be16(unsigned long a)
{
	unsigned long v;
	asm volatile("sync; lhbrx %0,0,%1; twi 0,%0,0; isync" : "=r"(v) : "r"(a) : "memory");
	return (uint16_t)v;
}
static inline uint8_t in_8(unsigned long a)
{
	unsigned long v;
	asm volatile("sync; lbz %0,0(%1); twi 0,%0,0; isync" : "=r"(v) : "r"(a) : "memory");
	return (uint8_t)v;
}
static inline void out_8(unsigned long a, uint8_t v)
{
	asm volatile("sync; stb %0,0(%1)" : : "r"((unsigned long)v), "r"(a) : "memory");
}

/* The root node's child whose name starts with `prefix`, or -1. */
static inline int fdt_root_child(const void *fdt, const char *prefix)
{
	int root = fdt_path_offset(fdt, "/");
	for (int c = -1; (c = fdt_next_child(fdt, root, c)) >= 0;)
		if (strncmp(fdt_node_name(fdt, c), prefix, strlen(prefix)) == 0)
			return c;
	return -1;
}

/* `key=N` (decimal) in /chosen bootargs (-append), or 0. */
static inline unsigned long bootarg_ulong(const void *fdt, const char *key)
{
	struct fdt_prop p;
	if (fdt_get_prop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", &p))
		return 0;
	const char *s = p.data, *end = s + p.len;
	size_t k = strlen(key);
	for (; s + k < end && *s; s++) {
		if ((s == p.data || s[-1] == ' ') && strncmp(s, key, k) == 0 && s[k] == '=') {
			unsigned long v = 0;
			for (s += k + 1; s < end && *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (unsigned long)(*s - '0');
			return v;
		}
	}
	return 0;
}

#endif
