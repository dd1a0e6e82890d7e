/*
 * Exit 0xc00: an L2's hypercall (sc 1), reflected by L0 with the L2's registers in pt_regs
 * (r3 = number, r4.. = arguments; nip already past the sc). l1hv answers it in r3 (and r4..).
 */
#include "l1hv.h"

static long l2_rtas(struct l2 *g, uint64_t args)
{
	uint8_t hdr[12];
	if (l2_read(g, args, hdr, sizeof(hdr)))
		return H_PARAMETER;
	uint32_t token = be32(hdr), nargs = be32(hdr + 4), nret = be32(hdr + 8);
	if (token != L2_RTAS_POWER_OFF)
		return H_PARAMETER; /* as QEMU answers an unknown token */
	if (nret >= 1) {
		uint8_t ok[4] = { 0, 0, 0, 0 };
		l2_write(g, args + 12 + 4 * (uint64_t)nargs, ok, 4);
	}
	l2_stop(g, "powered off");
	return H_SUCCESS;
}

static long l2_remap(struct l2 *g, uint64_t gpa, uint64_t seed)
{
	if ((gpa & (L2_PAGE_SIZE - 1)) || gpa >= g->mem_size)
		return H_PARAMETER;
	uint64_t page = spare_page();
	volatile uint64_t *p = (volatile uint64_t *)page;
	for (uint64_t i = 0; i < L2_PAGE_SIZE / 8; i++)
		p[i] = l1hv_remap_pattern(seed, i);
	/* Break before make: remove the old translation everywhere, then install the new one. */
	l2_radix_unmap(g->pgd, gpa);
	long rc = invalidate_l2_page(g, gpa);
	l2_radix_map(g->pgd, gpa, page);
	g->remaps++;
	if (rc) {
		l2_console_note(g, "[L1] invalidating L2.%d page 0x%lx: rc=%ld", g->n,
				(unsigned long)gpa, rc);
		return H_PARAMETER;
	}
	return H_SUCCESS;
}

unsigned long bench_hcalls, bench_answered;

void l2_hcall(struct l2 *g)
{
	uint64_t *r = g->regs.gpr;
	long ret = H_FUNCTION;
	switch (r[3]) {
	case H_PUT_TERM_CHAR: {
		char buf[16];
		unsigned len = r[5] > 16 ? 16 : (unsigned)r[5];
		for (unsigned i = 0; i < len; i++)
			buf[i] = (char)(r[6 + i / 8] >> (56 - 8 * (i % 8)));
		l2_console_put(g, buf, len);
		ret = H_SUCCESS;
		break;
	}
	case H_CEDE:
		/* Idle until an interrupt: the only source an L2 has here is its DEC. PAPR: the
		   vCPU is woken with MSR[EE]=1, so the interrupt is taken right after the sc. */
		g->regs.msr |= MSR_EE;
		g->ceded = 1;
		ret = H_SUCCESS;
		break;
	case H_GET_TERM_CHAR:
		r[4] = r[5] = r[6] = 0; /* nothing to read */
		ret = H_SUCCESS;
		break;
	case H_SET_MODE:
		/* Only the interrupt endianness (resource 4): LPCR[ILE] is ours to set for L2. */
		if (r[5] == 4 && r[4] <= 1) {
			g->hv.lpcr = r[4] ? g->hv.lpcr | LPCR_ILE : g->hv.lpcr & ~LPCR_ILE;
			ret = H_SUCCESS;
		}
		break;
	case KVMPPC_H_RTAS:
		ret = l2_rtas(g, r[4] & REAL_ADDR_MASK);
		break;
	case KVMPPC_H_CAS:
		ret = l2_h_cas(g);
		break;
	case H_REGISTER_PROC_TBL:
		ret = l2_h_register_proc_tbl(g, r[4], r[5], r[6], r[7]);
		break;
	case L1HV_H_REMAP_PAGE:
		ret = l2_remap(g, r[4], r[5]);
		break;
	case L1HV_H_BENCH:
		ret = ++bench_answered > bench_hcalls;
		break;
	}
	r[3] = (uint64_t)ret;
}
