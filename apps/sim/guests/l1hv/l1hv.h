/* l1hv: a small hypervisor that runs as a pseries guest and runs L2s with the nested API v1. */
#ifndef L1HV_H
#define L1HV_H

#include "radix.h"
#include "nested-hv.h"
#include "l1hv-abi.h"

/*
 * L1 real-memory layout (the boot protocol puts l1hv at 0x400000, its initrd right after it,
 * and the FDT near the top of the RMA; everything below stays clear of those).
 */
#define PT_POOL_BASE 0x02000000UL	/* page tables, partition and process tables: 16 MiB */
#define PT_POOL_END 0x03000000UL
#define L2_MEM_BASE 0x04000000UL	/* L2.n's memory: L2_MEM_BASE + n * L2_MEM_SIZE */
#define MAX_L2 8
#define L2_MEM_SIZE 0x01000000UL	/* 16 MiB of guest-physical memory per L2 */
#define SPARE_BASE 0x0c000000UL		/* fresh pages for L1HV_H_REMAP_PAGE */
#define SPARE_END 0x0d000000UL
#define L1_MEM_NEEDED SPARE_END

#define L2_PAGE_SHIFT 16		/* L2 memory is mapped with 64 KiB pages */
#define L2_PAGE_SIZE (1UL << L2_PAGE_SHIFT)
#define L2_LOAD_ADDR 0x400000UL		/* QEMU's rule: ELF placed at (vaddr & 0x0fffffff) + this */
#define L2_FDT_ADDR (L2_MEM_SIZE - L2_PAGE_SIZE)

/* One L2 guest with one vCPU. Its whole vCPU state lives here between H_ENTER_NESTED calls. */
struct l2 {
	int n;				/* [L2.n] */
	uint32_t lpid;			/* index in our partition table (n + 1) */
	const char *name;
	uint64_t mem_base;		/* L1 real address backing L2 guest-physical 0 */
	uint64_t mem_size;
	uint64_t pgd;			/* L1 real address of its partition-scoped tree */
	int alive;
	int exit_status;		/* from its "EXIT: STATUS=n" line, -1 if none */
	unsigned remaps;
	uint64_t dec_expiry;		/* L1 timebase value at which the L2's DEC reaches 0 */
	uint64_t dar, dsisr;		/* the L2's, loaded into L1's own registers to enter */
	int ceded;			/* in H_CEDE: runnable again once its DEC expires */
	struct hv_guest_state hv __attribute__((aligned(8)));
	struct pt_regs regs __attribute__((aligned(8)));
};

/* bootargs.c: "l1hv.<key>=<value>" words of /chosen/bootargs (QEMU's -append). */
const char *bootarg(const void *fdt, const char *key, unsigned *len); /* value, or 0 */
int bootarg_is(const char *v, unsigned len, const char *word);
unsigned long bootarg_number(const char *v, unsigned len, unsigned long fallback);

/* pool.c: bump allocators over the fixed regions above. */
uint64_t pt_alloc(uint64_t size);	/* zeroed, aligned to size */
uint64_t spare_page(void);		/* a 64 KiB page from the spare pool */

/* partition-table.c */
long partition_table_init(void);
void partition_table_set(uint32_t lpid, uint64_t dw0, uint64_t dw1);
long process_table_register(void);

/* l2-radix.c: L2's partition-scoped tree (L2 guest-physical -> L1 real), 64 KiB pages. */
uint64_t l2_radix_new(void);
uint64_t l2_radix_pate0(uint64_t pgd);
void l2_radix_map(uint64_t pgd, uint64_t gpa, uint64_t ra);
void l2_radix_unmap(uint64_t pgd, uint64_t gpa);
/* L1 real address for an L2 guest-physical address, or ~0 if not mapped. */
uint64_t l2_radix_lookup(uint64_t pgd, uint64_t gpa);

/* tlb-invalidate.c */
void invalidate_init(const void *fdt, int have_rpt_invalidate);
const char *invalidate_method(void);
long invalidate_l2_page(struct l2 *g, uint64_t gpa);
long invalidate_l2_lpid(struct l2 *g);
extern unsigned long invalidations_page, invalidations_lpid;

/* l2-image.c: the initrd archive of L2 images and ELF loading. */
int initrd_find(const void *fdt, const uint8_t **start, uint64_t *size);
int initrd_count(const uint8_t *ar, uint64_t size);
/* Images run when no l1hv.run= names others: the first n of the archive. */
int initrd_defaults(const uint8_t *ar);
int initrd_image(const uint8_t *ar, uint64_t size, int i, const char **name, const uint8_t **img,
		 uint64_t *img_size);
/* Copy the ELF's PT_LOAD segments into L2 memory; returns the entry GPA or 0 on error. */
uint64_t elf_load(const uint8_t *img, uint64_t size, uint64_t mem_base, uint64_t mem_size);

/* l2-fdt.c: the L2's device tree, written at dst (L1 pointer); returns its size or 0. */
#define L2_RTAS_POWER_OFF 0x2001	/* the only RTAS token L1 emulates */
uint32_t l2_fdt_build(void *dst, uint32_t space, uint64_t mem_size, uint32_t tb_freq);

/* l2-console.c: L2 consoles serialised in L2 order so output is independent of scheduling. */
void l2_console_init(int count);
void l2_console_put(struct l2 *g, const char *s, unsigned len);
void l2_console_note(struct l2 *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void l2_console_done(struct l2 *g);

/* l2-memory.c: L1 access to L2 guest-physical memory through the L2's tree. */
int l2_read(struct l2 *g, uint64_t gpa, void *dst, unsigned len);
int l2_write(struct l2 *g, uint64_t gpa, const void *src, unsigned len);

/* l2-platform.c: platform hcalls emulated for L2s. */
#define REAL_ADDR_MASK 0x0fffffffffffffffUL	/* top 4 bits of a real address are ignored */
long l2_h_cas(struct l2 *g);
long l2_h_register_proc_tbl(struct l2 *g, uint64_t flags, uint64_t proc_tbl, uint64_t page_size,
			    uint64_t table_size);

/* l2-vcpu.c */
void l2_start_state(struct l2 *g, uint64_t entry, uint64_t fdt_gpa);
long l2_enter(struct l2 *g, uint64_t slice_end);	/* H_ENTER_NESTED: the exit's trap */
void l2_stop(struct l2 *g, const char *why);

/* l2-hcall.c */
void l2_hcall(struct l2 *g);
/* l1hv.bench=N: L1HV_H_BENCH answers "again" N times, then "stop". */
extern unsigned long bench_hcalls, bench_answered;

/* l2-exit.c: run every L2 to completion. */
void l2_run_all(struct l2 *l2s, int count);
void l2_exit_summary(void);

#endif
