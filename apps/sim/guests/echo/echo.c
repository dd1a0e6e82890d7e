/*
 * echo: read the console (H_GET_TERM_CHAR on the spapr-vty) line by line and print each line
 * back with its length, until a line "quit" or until no input came for a while.
 *
 * H_GET_TERM_CHAR returns the number of bytes in r4 (0 when nothing is waiting) and up to 16
 * bytes packed big-endian in r5 and r6, as H_PUT_TERM_CHAR takes them.
 *
 * While nothing is waiting it sleeps 10 ms at a time (decrementer + H_CEDE), up to 1.5 s of
 * timebase: on QEMU that is real time for the host to type (it may be slow under load); on
 * hvsim, idle time is fast-forwarded, so waiting costs nothing.
 */
#include "hvsim.h"

#define WAIT_MS 10
#define WAITS 150

static struct cpu boot_cpu;
static char exc_stack[16384] __attribute__((aligned(16)));
static uint32_t tb_per_ms;
static char pending[16];
static unsigned npending, next;

static void decrementer(struct regs *regs, unsigned long vector)
{
	mtdec(0x7fffffff);
}

/* Sleep WAIT_MS: the decrementer wakes the ceded vCPU. */
static void nap(void)
{
	mtdec(tb_per_ms * WAIT_MS);
	hcall(H_CEDE, 0, 0, 0, 0, 0, 0, 0);
	irq_disable();
}

/* The next console byte, or -1 when no input came for WAITS naps. */
static int getchar_(void)
{
	for (unsigned waits = 0; next == npending; waits++) {
		if (waits == WAITS)
			return -1;
		if (waits > 0)
			nap();
		unsigned long out[9];
		long rc = hcall(H_GET_TERM_CHAR, VTY_TERMNO, 0, 0, 0, 0, 0, out);
		if (rc != H_SUCCESS) {
			printf("echo: H_GET_TERM_CHAR failed, rc=%ld\n", rc);
			return -1;
		}
		npending = out[0] > 16 ? 16 : (unsigned)out[0];
		next = 0;
		for (unsigned i = 0; i < npending; i++)
			pending[i] = (char)(out[1 + i / 8] >> (56 - 8 * (i % 8)));
	}
	return (unsigned char)pending[next++];
}

static unsigned lines, bytes;

static void echo_line(const char *line, unsigned n)
{
	lines++;
	bytes += n;
	printf("echo %u (%u bytes): %s\n", lines, n, line);
}

int guest_main(const void *fdt)
{
	rtas_init(fdt);
	cpu_init(&boot_cpu, (int)fdt_boot_cpuid(fdt), exc_stack + sizeof(exc_stack));
	exceptions_init();
	set_exception_handler(0x900, decrementer);
	int cpus = fdt_path_offset(fdt, "/cpus");
	tb_per_ms = fdt_prop_u32(fdt, fdt_next_child(fdt, cpus, -1), "timebase-frequency", 0) / 1000;
	printf("echo: send lines, \"quit\" ends\n");
	char line[80];
	unsigned n = 0;
	for (;;) {
		int c = getchar_();
		if (c == '\r')
			continue;
		if (c >= 0 && c != '\n' && n < sizeof(line) - 1) {
			line[n++] = (char)c;
			continue;
		}
		/* End of a line, of the input, or of the line buffer. */
		line[n] = 0;
		if (n > 0 || c == '\n')
			echo_line(line, n);
		if (c < 0 || !strcmp(line, "quit"))
			break;
		n = 0;
		if (c != '\n')
			line[n++] = (char)c;
	}
	printf("echo: %u lines, %u bytes of text\n", lines, bytes);
	return 0;
}
