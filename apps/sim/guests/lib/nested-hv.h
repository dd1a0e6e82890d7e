/*
 * The KVM-HV nested API v1 as an L1 hypervisor sees it (Linux arch/powerpc/include/asm/hvcall.h,
 * Documentation/arch/powerpc/kvm-nested.rst; hvsim's reference nested-hv.md §1-2).
 * Header only: the structs are exchanged with L0 in L1's own byte order (little-endian here).
 */
#ifndef HVSIM_GUEST_NESTED_HV_H
#define HVSIM_GUEST_NESTED_HV_H

#include <stdint.h> /* (hvsim.h may be included only once: include it before this) */

/* Return codes beyond H_SUCCESS. */
#define H_FUNCTION (-2)
#define H_PARAMETER (-4)
#define H_NOT_AVAILABLE (-69)
#define H_P2 (-55)
#define H_P3 (-56)
#define H_P4 (-57)

#define H_RPT_INVALIDATE 0x448
#define KVMPPC_H_SET_PARTITION_TABLE 0xf800
#define KVMPPC_H_ENTER_NESTED 0xf804
#define KVMPPC_H_TLB_INVALIDATE 0xf808
#define KVMPPC_H_COPY_TOFROM_GUEST 0xf80c

/* PTCR / H_SET_PARTITION_TABLE operand: table base | PATS, size = 2^(PATS+12) bytes. */
#define PTCR_PATS_MASK 0x1fUL

/* Partition-table entry dw0 (Power ISA v3.0B §6.7.6.1): HR = radix host (bit 0). */
#define PATE0_HR (1UL << 63)
/* dw1: GR = the guest uses radix (bit 0), PRTB = process table base, PRTS = log2(size) - 12. */
#define PATE1_GR (1UL << 63)

/* H_ENTER_NESTED: struct hv_guest_state, version 2 (248 bytes), then pt_regs (352 bytes). */
#define HV_GUEST_STATE_VERSION 2
struct hv_guest_state {
	uint64_t version;	/* 0 */
	uint32_t lpid;		/* 8: L1's LPID for the L2 (its partition-table index) */
	uint32_t vcpu_token;	/* 12 */
	uint64_t lpcr;		/* 16 */
	uint64_t pcr;		/* 24 */
	uint64_t amor;		/* 32 */
	uint64_t dpdes;		/* 40 */
	uint64_t hfscr;		/* 48 */
	int64_t tb_offset;	/* 56 */
	uint64_t dawr0;		/* 64 */
	uint64_t dawrx0;	/* 72 */
	uint64_t ciabr;		/* 80 */
	uint64_t hdec_expiry;	/* 88: in L1's timebase; L0 returns 0x980 once it passes */
	uint64_t purr, spurr, ic, vtb; /* 96..127 */
	uint64_t hdar;		/* 128 */
	uint64_t hdsisr;	/* 136 */
	uint64_t heir;		/* 144 */
	uint64_t asdr;		/* 152 */
	uint64_t srr0, srr1;	/* 160, 168 */
	uint64_t sprg[4];	/* 176..207 */
	uint64_t pidr;		/* 208 */
	uint64_t cfar;		/* 216 */
	uint64_t ppr;		/* 224: version 1 ends here (232 bytes) */
	uint64_t dawr1;		/* 232 */
	uint64_t dawrx1;	/* 240: version 2 ends here (248 bytes) */
};
_Static_assert(sizeof(struct hv_guest_state) == 248, "hv_guest_state v2 is 248 bytes");

struct pt_regs {
	uint64_t gpr[32];	/* 0 */
	uint64_t nip;		/* 256 */
	uint64_t msr;		/* 264 */
	uint64_t orig_gpr3;	/* 272 */
	uint64_t ctr;		/* 280 */
	uint64_t link;		/* 288 */
	uint64_t xer;		/* 296 */
	uint64_t ccr;		/* 304 */
	uint64_t softe;		/* 312 */
	uint64_t trap;		/* 320 */
	uint64_t dar;		/* 328 */
	uint64_t dsisr;		/* 336 */
	uint64_t result;	/* 344 */
};
_Static_assert(sizeof(struct pt_regs) == 352, "pt_regs is 352 bytes");

/* H_TLB_INVALIDATE r4: the fields of the tlbie instruction image L1 would have executed. */
#define TLBIE_P1_ENC(ric, prs, r) \
	((((unsigned long)(ric) & 3) << 18) | (((unsigned long)(prs) & 1) << 17) | \
	 (((unsigned long)(r) & 1) << 16))
/* tlbie RB: IS (bits 52:53) and AP (bits 56:58), IBM numbering. */
#define TLBIE_RB_IS(is) ((unsigned long)(is) << 10)
#define TLBIE_RB_AP(ap) ((unsigned long)(ap) << 5)
#define RADIX_AP_4K 0
#define RADIX_AP_64K 5
#define RADIX_AP_2M 1
#define RADIX_AP_1G 2

/* H_RPT_INVALIDATE operands. */
#define H_RPTI_TARGET_CMMU 0x01UL
#define H_RPTI_TYPE_NESTED 0x0001UL
#define H_RPTI_TYPE_TLB 0x0002UL
#define H_RPTI_TYPE_PWC 0x0004UL
#define H_RPTI_TYPE_PAT 0x0008UL
#define H_RPTI_TYPE_NESTED_ALL (H_RPTI_TYPE_TLB | H_RPTI_TYPE_PWC | H_RPTI_TYPE_PAT)
#define H_RPTI_PAGE_4K 0x01UL
#define H_RPTI_PAGE_64K 0x02UL
#define H_RPTI_PAGE_ALL (~0UL)

/* LPCR and MSR bits an L1 sets for its L2 (LSB-0 shifts of the ISA's IBM bit numbers). */
#define LPCR_ILE (1UL << 25)	/* bit 38 */
#define MSR_SF (1UL << 63)
#define MSR_ME (1UL << 12)

/* HFSCR facility bits (bit 63-n): FP, VECVSX, DSCR, TAR. */
#define HFSCR_FP (1UL << 0)
#define HFSCR_VECVSX (1UL << 1)
#define HFSCR_DSCR (1UL << 2)
#define HFSCR_TAR (1UL << 8)

/* HDSISR bits (DSISR layout). */
#define DSISR_NOHPTE 0x40000000UL
#define DSISR_ISSTORE 0x02000000UL

#endif
