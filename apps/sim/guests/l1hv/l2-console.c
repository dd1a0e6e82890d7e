/*
 * The L2s' consoles, forwarded to L1's console one line at a time with a "[L2.n] " prefix.
 *
 * The L2s run interleaved (HDEC time slices), and where a slice ends depends on the
 * timebase, which QEMU derives from the host clock. To print the same bytes on any correct
 * L0, the lines are serialised in L2 order: L2.0's lines go out as they come; a later L2's
 * lines are held until every L2 before it has powered off, then released. L1's own remarks
 * about an L2 ("[L1] ...") go into that L2's stream the same way.
 */
#include "l1hv.h"

#define LINE_MAX 160
#define HELD_MAX 8192

struct stream {
	char line[LINE_MAX + 1];
	unsigned line_len;
	char held[HELD_MAX];
	unsigned held_len;
	int done, truncated;
};

static struct stream streams[MAX_L2];
static int count, owner; /* owner: the first L2 whose output is not complete */

void l2_console_init(int n)
{
	count = n;
	owner = 0;
}

static void emit(int n, const char *text, unsigned len)
{
	struct stream *s = &streams[n];
	if (n == owner) {
		for (unsigned i = 0; i < len; i++)
			putchar_(text[i]);
		return;
	}
	if (s->held_len + len > HELD_MAX) {
		s->truncated = 1;
		return;
	}
	memcpy(s->held + s->held_len, text, len);
	s->held_len += len;
}

static void end_line(struct l2 *g)
{
	struct stream *s = &streams[g->n];
	char out[LINE_MAX + 16];
	s->line[s->line_len] = 0;
	int len = snprintf(out, sizeof(out), "[L2.%d] %s\n", g->n, s->line);
	emit(g->n, out, (unsigned)len);
	/* The runtime's exit line (lib/rtas.c guest_exit) tells L1 how the program ended. */
	if (s->line_len > 13 && !strncmp(s->line, "EXIT: STATUS=", 13)) {
		int v = 0;
		for (unsigned i = 13; i < s->line_len && s->line[i] >= '0' && s->line[i] <= '9'; i++)
			v = v * 10 + (s->line[i] - '0');
		g->exit_status = v;
	}
	s->line_len = 0;
}

void l2_console_put(struct l2 *g, const char *text, unsigned len)
{
	struct stream *s = &streams[g->n];
	for (unsigned i = 0; i < len; i++) {
		if (text[i] == '\n') {
			end_line(g);
			continue;
		}
		if (s->line_len == LINE_MAX)
			end_line(g);
		s->line[s->line_len++] = text[i];
	}
}

void l2_console_note(struct l2 *g, const char *fmt, ...)
{
	char out[LINE_MAX + 16];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(out, sizeof(out) - 1, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(out) - 2)
		len = (int)sizeof(out) - 2;
	out[len++] = '\n';
	emit(g->n, out, (unsigned)len);
}

void l2_console_done(struct l2 *g)
{
	struct stream *s = &streams[g->n];
	if (s->line_len)
		end_line(g);
	s->done = 1;
	while (owner < count && streams[owner].done) {
		owner++;
		if (owner < count) {
			struct stream *t = &streams[owner];
			for (unsigned i = 0; i < t->held_len; i++)
				putchar_(t->held[i]);
			t->held_len = 0;
			if (t->truncated)
				printf("[L1] L2.%d: output beyond %u bytes was dropped\n", owner, HELD_MAX);
		}
	}
}
