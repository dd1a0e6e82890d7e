/*
 * Console on the spapr-vty through H_PUT_TERM_CHAR: up to 16 bytes per call, packed
 * big-endian into r6 and r7 (the first byte is the most significant byte of r6).
 */
#include "hvsim.h"

static char buf[16];
static unsigned len;

void console_flush(void)
{
	uint64_t w[2] = { 0, 0 };
	for (unsigned i = 0; i < len; i++)
		w[i / 8] |= (uint64_t)(unsigned char)buf[i] << (56 - 8 * (i % 8));
	if (len)
		hcall(H_PUT_TERM_CHAR, VTY_TERMNO, len, w[0], w[1], 0, 0, 0);
	len = 0;
}

void putchar_(int c)
{
	buf[len++] = (char)c;
	if (len == sizeof(buf) || c == '\n')
		console_flush();
}

void puts_(const char *s)
{
	while (*s)
		putchar_(*s++);
}
