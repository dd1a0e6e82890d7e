/*
 * The device tree l1hv gives each L2: the subset of QEMU's pseries tree that hvsim's guest
 * runtime reads (lib/fdt.c, lib/rtas.c, hello), version 17, one empty reservation entry.
 *
 *   / { model, compatible, #address-cells = 2, #size-cells = 2,
 *       chosen { bootargs = "" },
 *       cpus { cpu@0 { device_type = "cpu", reg = 0, ibm,ppc-interrupt-server#s = <0>,
 *                      timebase-frequency = L1's (L0 runs L2s on L1's timebase) } },
 *       memory@0 { device_type = "memory", reg = <0 0  size> },
 *       rtas { power-off = <token>, ibm,hypertas-functions = "hcall-term", "hcall-l1hv" } }
 *
 * RTAS calls (KVMPPC_H_RTAS) and the console (H_PUT_TERM_CHAR) are emulated by l1hv.
 */
#include "l1hv.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_END 9
#define HDR 40
#define RSV 16

static uint8_t strs[512];
static uint32_t strs_len;

struct w {
	uint8_t *p;
	uint32_t len, cap;
};

static void put(struct w *w, const void *d, uint32_t n)
{
	if (w->len + n <= w->cap)
		memcpy(w->p + w->len, d, n);
	w->len += n;
}
static void put32(struct w *w, uint32_t v)
{
	uint8_t b[4];
	put_be32(b, v);
	put(w, b, 4);
}
static void pad4(struct w *w)
{
	static const uint8_t z[4];
	put(w, z, (4 - (w->len & 3)) & 3);
}
static uint32_t str_off(const char *s)
{
	for (uint32_t o = 0; o < strs_len; o += (uint32_t)strlen((char *)strs + o) + 1)
		if (!strcmp((char *)strs + o, s))
			return o;
	uint32_t o = strs_len, n = (uint32_t)strlen(s) + 1;
	memcpy(strs + o, s, n);
	strs_len += n;
	return o;
}
static void begin(struct w *w, const char *name)
{
	put32(w, FDT_BEGIN_NODE);
	put(w, name, (uint32_t)strlen(name) + 1);
	pad4(w);
}
static void end(struct w *w)
{
	put32(w, FDT_END_NODE);
}
static void prop(struct w *w, const char *name, const void *v, uint32_t n)
{
	put32(w, FDT_PROP);
	put32(w, n);
	put32(w, str_off(name));
	put(w, v, n);
	pad4(w);
}
static void prop_str(struct w *w, const char *name, const char *s)
{
	prop(w, name, s, (uint32_t)strlen(s) + 1);
}
static void prop_u32(struct w *w, const char *name, uint32_t v)
{
	uint8_t b[4];
	put_be32(b, v);
	prop(w, name, b, 4);
}

uint32_t l2_fdt_build(void *dst, uint32_t space, uint64_t mem_size, uint32_t tb_freq)
{
	struct w w = { (uint8_t *)dst, HDR + RSV, space };
	strs_len = 0;
	memset(dst, 0, HDR + RSV);

	uint32_t struct_off = w.len;
	begin(&w, "");
	prop_str(&w, "model", "hvsim l1hv nested guest");
	prop_str(&w, "compatible", "hvsim,l1hv-l2");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);

	begin(&w, "chosen");
	prop_str(&w, "bootargs", "");
	end(&w);

	begin(&w, "cpus");
	prop_u32(&w, "#address-cells", 1);
	prop_u32(&w, "#size-cells", 0);
	begin(&w, "cpu@0");
	prop_str(&w, "device_type", "cpu");
	prop_u32(&w, "reg", 0);
	prop_u32(&w, "ibm,ppc-interrupt-server#s", 0);
	prop_u32(&w, "timebase-frequency", tb_freq);
	end(&w);
	end(&w);

	begin(&w, "memory@0");
	prop_str(&w, "device_type", "memory");
	uint8_t reg[16];
	put_be32(reg, 0);
	put_be32(reg + 4, 0);
	put_be32(reg + 8, (uint32_t)(mem_size >> 32));
	put_be32(reg + 12, (uint32_t)mem_size);
	prop(&w, "reg", reg, 16);
	end(&w);

	begin(&w, "rtas");
	prop_u32(&w, "power-off", L2_RTAS_POWER_OFF);
	static const char hypertas[] = "hcall-term\0hcall-l1hv";
	prop(&w, "ibm,hypertas-functions", hypertas, sizeof(hypertas));
	end(&w);

	end(&w);
	put32(&w, FDT_END);
	uint32_t struct_size = w.len - struct_off;
	uint32_t strings_off = w.len;
	put(&w, strs, strs_len);
	if (w.len > space)
		return 0;

	uint8_t *h = dst;
	put_be32(h + 0, FDT_MAGIC);
	put_be32(h + 4, w.len);		/* totalsize */
	put_be32(h + 8, struct_off);	/* off_dt_struct */
	put_be32(h + 12, strings_off);	/* off_dt_strings */
	put_be32(h + 16, HDR);		/* off_mem_rsvmap */
	put_be32(h + 20, 17);		/* version */
	put_be32(h + 24, 16);		/* last_comp_version */
	put_be32(h + 28, 0);		/* boot_cpuid_phys */
	put_be32(h + 32, strs_len);	/* size_dt_strings */
	put_be32(h + 36, struct_size);	/* size_dt_struct */
	return w.len;
}
