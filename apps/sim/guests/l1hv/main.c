/*
 * l1hv: a hypervisor in a pseries guest. It negotiates the radix MMU (nested HV needs a radix
 * L1), registers a partition table with H_SET_PARTITION_TABLE, creates one L2 per image in
 * its initrd (memory carved from its own RAM, a partition-scoped tree, a device tree), runs
 * them round-robin with H_ENTER_NESTED and handles their exits (l2-exit.c).
 * Exit status 0 when every L2 ended with "EXIT: STATUS=1" (success).
 */
#include "l1hv.h"

static struct l2 l2s[MAX_L2];
static uint8_t cas_buf[16384] __attribute__((aligned(8)));

static int hypertas_has(const void *fdt, const char *fn)
{
	struct fdt_prop p;
	int rtas = fdt_path_offset(fdt, "/rtas");
	if (rtas < 0 || fdt_get_prop(fdt, rtas, "ibm,hypertas-functions", &p))
		return 0;
	const char *s = p.data, *e = s + p.len;
	for (; s < e; s += strlen(s) + 1)
		if (!strcmp(s, fn))
			return 1;
	return 0;
}

static uint64_t memory_size(const void *fdt)
{
	struct fdt_prop p;
	int mem = fdt_path_offset(fdt, "/memory");
	if (mem < 0 || fdt_get_prop(fdt, mem, "reg", &p) || p.len < 16)
		return 0;
	return be64((const uint8_t *)p.data + 8);
}

static uint32_t tb_freq;

/* `name` is one of the comma-separated words of v[0, len). */
static int names_include(const char *v, unsigned len, const char *name)
{
	size_t n = strlen(name);
	for (unsigned i = 0; i + n <= len; i++) {
		if ((i == 0 || v[i - 1] == ',') && !strncmp(v + i, name, n) &&
		    (i + n == len || v[i + n] == ','))
			return 1;
	}
	return 0;
}

static int l2_create(struct l2 *g, int n, const char *name, const uint8_t *img, uint64_t size)
{
	g->n = n;
	g->lpid = (uint32_t)n + 1; /* LPID 0 is L1's own: L0 refuses it for an L2 */
	g->name = name;
	g->mem_base = L2_MEM_BASE + (uint64_t)n * L2_MEM_SIZE;
	g->mem_size = L2_MEM_SIZE;
	uint64_t entry = elf_load(img, size, g->mem_base, g->mem_size);
	uint32_t fdt_size = l2_fdt_build((void *)(g->mem_base + L2_FDT_ADDR), L2_PAGE_SIZE,
					 g->mem_size, tb_freq);
	if (!entry || !fdt_size) {
		printf("L2.%d: %s: not a loadable image\n", n, name);
		return -1;
	}
	g->pgd = l2_radix_new();
	partition_table_set(g->lpid, l2_radix_pate0(g->pgd), 0);
	/* A new partition-table entry: make L0 drop anything it may hold for this LPID (L0
	   answers H_SUCCESS for an LPID it has never seen). */
	long rc = invalidate_l2_lpid(g);
	l2_start_state(g, entry, L2_FDT_ADDR);
	printf("L2.%d: %s, LPID %u, %lu MiB at L1 0x%lx, entry 0x%lx, flush rc=%ld\n", n, name,
	       g->lpid, (unsigned long)(g->mem_size >> 20), (unsigned long)g->mem_base,
	       (unsigned long)entry, rc);
	return 0;
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	printf("l1hv: an L1 hypervisor on the nested-HV API v1\n");
	int cpus = fdt_path_offset(fdt, "/cpus");
	tb_freq = fdt_prop_u32(fdt, fdt_next_child(fdt, cpus, -1), "timebase-frequency", 0);

	uint64_t mem = memory_size(fdt);
	if (mem < L1_MEM_NEEDED) {
		printf("l1hv: needs at least %lu MiB of memory, has %lu MiB\n", L1_MEM_NEEDED >> 20,
		       (unsigned long)(mem >> 20));
		return 1;
	}

	long rc = cas_negotiate(1, 1, 0, cas_buf, sizeof(cas_buf));
	printf("CAS (radix, GTSE, XICS): rc=%ld\n", rc);
	if (rc)
		return 1;

	int rpt = hypertas_has(fdt, "hcall-rpt-invalidate");
	printf("ibm,hypertas-functions: hcall-rpt-invalidate %s\n", rpt ? "present" : "absent");

	if (process_table_register())
		return 1;
	if (partition_table_init()) {
		printf("l1hv: L0 offers no nested HV (QEMU: -M pseries,cap-nested-hv=on)\n");
		return 1;
	}
	invalidate_init(fdt, rpt);

	const uint8_t *ar;
	uint64_t ar_size;
	if (initrd_find(fdt, &ar, &ar_size)) {
		printf("l1hv: no initrd with L2 images (-initrd l1hv.initrd)\n");
		return 1;
	}
	int total = initrd_count(ar, ar_size);
	if (total <= 0 || (uint64_t)ar + ar_size > PT_POOL_BASE) {
		printf("l1hv: the initrd is not an HVL2IMG1 archive below 0x%lx\n", PT_POOL_BASE);
		return 1;
	}
	/* Which images: l1hv.run=NAME[,NAME...], l1hv.bench=N (l2-hcall-loop), or the defaults. */
	unsigned run_len, bench_len;
	const char *run = bootarg(fdt, "l1hv.run", &run_len);
	const char *bench = bootarg(fdt, "l1hv.bench", &bench_len);
	if (bench) {
		bench_hcalls = bootarg_number(bench, bench_len, 0);
		run = "l2-hcall-loop";
		run_len = strlen(run);
	}
	int picked[MAX_L2], count = 0;
	for (int i = 0; i < total && count < MAX_L2; i++) {
		const char *name;
		const uint8_t *img;
		uint64_t size;
		if (initrd_image(ar, ar_size, i, &name, &img, &size))
			return 1;
		if (run ? names_include(run, run_len, name) : i < initrd_defaults(ar))
			picked[count++] = i;
	}
	printf("initrd: %d L2 images\n", count);

	for (int i = 0; i < count; i++) {
		const char *name;
		const uint8_t *img;
		uint64_t size;
		if (initrd_image(ar, ar_size, picked[i], &name, &img, &size) ||
		    l2_create(&l2s[i], i, name, img, size))
			return 1;
	}

	l2_console_init(count);
	if (bench)
		printf("bench: START %lu L1HV_H_BENCH calls, each an L2 exit reflected to L1\n",
		       bench_hcalls);
	l2_run_all(l2s, count);
	if (bench)
		printf("bench: DONE %lu answered\n", bench_answered);
	l2_exit_summary();

	int failed = 0;
	for (int i = 0; i < count; i++)
		failed += l2s[i].exit_status != 1;
	printf("l1hv: %d of %d L2s succeeded\n", count - failed, count);
	return failed ? 1 : 0;
}
