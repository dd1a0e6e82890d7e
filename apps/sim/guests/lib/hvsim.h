/* hvsim guest runtime: the freestanding library every guest program links with. */
#ifndef HVSIM_GUEST_H
#define HVSIM_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* PAPR hcall numbers and return codes used by the runtime (PAPR / Linux hvcall.h). */
#define H_SUCCESS 0
#define H_GET_TERM_CHAR 0x54
#define H_PUT_TERM_CHAR 0x58
#define H_CEDE 0xe0
#define H_RANDOM 0x300
#define H_SET_MODE 0x31c
#define H_REGISTER_PROC_TBL 0x37c
#define KVMPPC_H_RTAS 0xf000
#define KVMPPC_H_CAS 0xf002

/* The spapr-vty console's unit address (QEMU: /vdevice/vty@71000000). */
#define VTY_TERMNO 0x71000000UL

long hcall(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
	   unsigned long a4, unsigned long a5, unsigned long a6, unsigned long *out);

/* Console. */
void putchar_(int c);
void puts_(const char *s);
void console_flush(void);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Strings and memory. */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Big-endian accessors (the FDT and RTAS argument buffers are big-endian). */
static inline uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static inline uint64_t be64(const void *p)
{
	return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4);
}
static inline void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
}

/* Device tree (read-only walker over the FDT the boot protocol passes in r3). */
struct fdt_prop {
	const void *data;
	uint32_t len;
};
int fdt_check(const void *fdt);
/* Offset of the node at an absolute path ("/", "/cpus", "/rtas"), or -1. */
int fdt_path_offset(const void *fdt, const char *path);
int fdt_get_prop(const void *fdt, int node, const char *name, struct fdt_prop *out);
/* Iterate the direct children of a node: first with prev = -1; returns -1 at the end. */
int fdt_next_child(const void *fdt, int node, int prev);
const char *fdt_node_name(const void *fdt, int node);
uint32_t fdt_prop_u32(const void *fdt, int node, const char *name, uint32_t dflt);

/* RTAS through KVMPPC_H_RTAS, tokens looked up by name in /rtas. */
void rtas_init(const void *fdt);
int rtas_token(const char *name);
int rtas_call(const char *name, int nargs, int nret, uint32_t *rets, ...);
void guest_exit(int status) __attribute__((noreturn));

/* Program entry, called by crt0 with the FDT address. Returns the exit status. */
int guest_main(const void *fdt);


/* ---- interrupts and vCPUs ---------------------------------------------------------------- */

/* Interrupted state as saved by lib/exceptions.S (do not reorder: offsets are used there). */
struct regs {
	uint64_t gpr[32];
	uint64_t lr, ctr, cr, xer, srr0, srr1, dar, dsisr;
};

/* Per-vCPU block whose address lives in SPRG0 (offsets 0..40 are used by exceptions.S). */
struct cpu {
	uint64_t exc_common, save_r12, save_lr, exc_stack_top, toc, save_r1;
	int id;
};

/* A handler returns to the interrupted context (possibly after changing regs->srr0). */
typedef void (*exc_handler_t)(struct regs *regs, unsigned long vector);

void exceptions_init(void);
void cpu_init(struct cpu *cpu, int id, void *exc_stack_top);
void set_exception_handler(unsigned long vector, exc_handler_t fn);
void exception_dispatch(struct regs *regs, unsigned long vector);

#define MSR_EE (1UL << 15)
#define MSR_PR (1UL << 14)
#define MSR_IR (1UL << 5)
#define MSR_DR (1UL << 4)
#define MSR_LE 1UL

static inline unsigned long mfmsr(void)
{
	unsigned long v;
	asm volatile("mfmsr %0" : "=r"(v));
	return v;
}
static inline void irq_enable(void)
{
	asm volatile("mtmsrd %0,1" : : "r"(MSR_EE) : "memory");
}
static inline void irq_disable(void)
{
	asm volatile("mtmsrd %0,1" : : "r"(0UL) : "memory");
}
static inline uint64_t mftb(void)
{
	uint64_t v;
	asm volatile("mftb %0" : "=r"(v));
	return v;
}
static inline void mtdec(uint32_t v)
{
	asm volatile("mtdec %0" : : "r"((unsigned long)v));
}
static inline int32_t mfdec(void)
{
	unsigned long v;
	asm volatile("mfdec %0" : "=r"(v));
	return (int32_t)v;
}

/* Spinlock over lwarx/stwcx. (gcc's __atomic builtins). */
typedef struct {
	volatile int v;
} spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/* The console lock, taken by printf so lines from different vCPUs do not interleave. */
extern spinlock_t console_lock;

/* The vCPU id (from the device tree's boot_cpuid_phys) of the boot vCPU. */
uint32_t fdt_boot_cpuid(const void *fdt);

/* Start vCPU `id` at C function fn(arg) on its own stack through RTAS start-cpu. */
int cpu_start(int id, void (*fn)(void *), void *arg, void *stack_top);

#endif
