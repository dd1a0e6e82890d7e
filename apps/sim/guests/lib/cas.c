/*
 * ibm,client-architecture-support through KVMPPC_H_CAS: r4 = the CAS vector (a PVR list,
 * then the option vectors), r5/r6 = a buffer where the platform writes the updated device
 * tree (after a 4-byte update header).
 *
 * Option-vector bits are numbered as LoPAPR does: "byte N, bit b" means the N-th content
 * byte of the vector (counting from 1) and bit b counted from the most significant (0x80).
 */
#include "radix.h"

static uint8_t cas_vec[64] __attribute__((aligned(8)));

#define OV5_LEN 26

long cas_negotiate(int radix, int gtse, int xive, void *buf, unsigned long bufsize)
{
	uint8_t *p = cas_vec;
	memset(cas_vec, 0, sizeof(cas_vec));
	/* PVR list: any POWER9 (mask 0xffff0000, PVR 0x004e....), ISA 3.00 logical PVR, end. */
	put_be32(p, 0xffff0000); put_be32(p + 4, 0x004e0000); p += 8;
	put_be32(p, 0xffffffff); put_be32(p + 4, 0x0f000005); p += 8;
	put_be32(p, 0x00000000); put_be32(p + 4, 0x0f000005); p += 8; /* ~mask & pvr != 0 */
	*p++ = 5 - 1;			/* five option vectors follow */
	*p++ = 3 - 1;			/* OV1: 3 bytes */
	*p++ = 0; *p++ = 0; *p++ = 0x80;	/* byte 3 bit 0: ISA 3.00 */
	*p++ = 1 - 1; *p++ = 0;		/* OV2 */
	*p++ = 1 - 1; *p++ = 0;		/* OV3 */
	*p++ = 1 - 1; *p++ = 0;		/* OV4 */
	*p++ = OV5_LEN - 1;		/* OV5 */
	uint8_t *ov5 = p;
	p += OV5_LEN;
	if (xive)
		ov5[23 - 1] |= 0x40;	/* byte 23 bit 1: XIVE exploitation */
	if (radix)
		ov5[24 - 1] |= 0x40;	/* byte 24 bit 1: radix MMU (ISA 3.00) */
	if (gtse)
		ov5[26 - 1] |= 0x40;	/* byte 26 bit 1: radix GTSE */
	return hcall(KVMPPC_H_CAS, (unsigned long)cas_vec, (unsigned long)buf, bufsize, 0, 0, 0, 0);
}
