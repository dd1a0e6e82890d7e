/*
 * The private interface between hvsim's L1 hypervisor (guests/l1hv) and its L2 programs.
 *
 * L1HV_H_REMAP_PAGE (sc 1 from an L2, reflected to L1 by any nested-HV L0 as exit 0xc00):
 *   r3 = 0xf100, r4 = L2 guest-physical address of a 64 KiB page (64 KiB aligned, inside the
 *   L2's memory), r5 = seed.
 *   L1 takes a fresh 64 KiB page of its own memory, fills doubleword i of it with
 *   l1hv_remap_pattern(seed, i), points the L2's partition-scoped PTE for that page at it,
 *   invalidates the L2's translation of the page (H_RPT_INVALIDATE or H_TLB_INVALIDATE) and
 *   returns r3 = H_SUCCESS. The page that backed the address before keeps its contents, so a
 *   stale translation keeps showing the old data. r3 = H_PARAMETER for a bad address.
 *   0xf100 lies in the platform-specific hcall range (0xf000-0xfffc) and is used neither by
 *   KVM nor by QEMU.
 *
 * L1HV_H_BENCH (0xf104, from an L2): r4 = how many the L2 made before. L1 answers r3 = 0
 *   ("again") as many times as `-append l1hv.bench=N` says, then r3 = 1 ("stop"). Each call
 *   is one reflected exit and one H_ENTER_NESTED: the unit of the nested-exit benchmark.
 *
 * L1HV_MMIO_GPA: L2 guest-physical page that l1hv maps onto its own address 0x40000000,
 *   where the machine has no RAM (l1hv asks for -m 512M): the L2's window on L1 MMIO.
 */
#ifndef HVSIM_GUEST_L1HV_ABI_H
#define HVSIM_GUEST_L1HV_ABI_H

#include <stdint.h>

#define L1HV_H_REMAP_PAGE 0xf100
#define L1HV_H_BENCH 0xf104
#define L1HV_PAGE_SIZE 0x10000UL
#define L1HV_MMIO_GPA 0x40000000UL

static inline uint64_t l1hv_remap_pattern(uint64_t seed, uint64_t i)
{
	return (seed << 32) ^ (i * 0x9e3779b97f4a7c15UL) ^ 0x4c31485652454d50UL; /* "L1HVREMP" */
}

#endif
