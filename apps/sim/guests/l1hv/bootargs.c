/*
 * l1hv's options, from the kernel command line QEMU's -append puts in /chosen/bootargs:
 * space-separated "l1hv.<key>=<value>" words.
 */
#include "l1hv.h"

const char *bootarg(const void *fdt, const char *key, unsigned *len)
{
	struct fdt_prop p;
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0 || fdt_get_prop(fdt, chosen, "bootargs", &p))
		return 0;
	size_t klen = strlen(key);
	const char *s = p.data, *e = s + p.len;
	for (; s + klen < e && *s; s++) {
		if ((s != p.data && s[-1] != ' ') || strncmp(s, key, klen) || s[klen] != '=')
			continue;
		const char *v = s + klen + 1, *end = v;
		while (end < e && *end && *end != ' ')
			end++;
		*len = (unsigned)(end - v);
		return v;
	}
	return 0;
}

int bootarg_is(const char *v, unsigned len, const char *word)
{
	return v && strlen(word) == len && !strncmp(v, word, len);
}

unsigned long bootarg_number(const char *v, unsigned len, unsigned long fallback)
{
	unsigned long n = 0;
	if (!v || !len)
		return fallback;
	for (unsigned i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fallback;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	return n;
}
