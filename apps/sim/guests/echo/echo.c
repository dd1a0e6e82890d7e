/*
 * echo: read the console (H_GET_TERM_CHAR on the spapr-vty) line by line and print each line
 * back with its length, until a line "quit" or until the input stays empty for a while.
 *
 * H_GET_TERM_CHAR returns the number of bytes in r4 (0 when nothing is waiting) and up to 16
 * bytes packed big-endian in r5 and r6, as H_PUT_TERM_CHAR takes them.
 */
#include "hvsim.h"

/* Empty polls in a row after which the input is taken to be over (QEMU delivers piped input
   while the guest runs, so a few empty answers do not mean the end). */
#define IDLE_POLLS 200000

static char pending[16];
static unsigned npending, next;

/* The next console byte, or -1 when the input stayed empty for IDLE_POLLS polls. */
static int getchar_(void)
{
	for (unsigned idle = 0; next == npending; idle++) {
		if (idle == IDLE_POLLS)
			return -1;
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
