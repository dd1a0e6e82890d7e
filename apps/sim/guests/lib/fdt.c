/*
 * A minimal read-only flattened device tree walker (version 16/17 structure block): enough
 * for a guest to find nodes by path and read properties. Offsets are into the struct block.
 */
#include "hvsim.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static const uint8_t *blk(const void *fdt, uint32_t hdr_off)
{
	return (const uint8_t *)fdt + be32((const uint8_t *)fdt + hdr_off);
}
#define STRUCT(f) blk(f, 8)
#define STRINGS(f) blk(f, 12)

int fdt_check(const void *fdt)
{
	return be32(fdt) == FDT_MAGIC ? 0 : -1;
}

static uint32_t align4(uint32_t x)
{
	return (x + 3) & ~3u;
}

/* Offset just past the token at off (and its payload); *tag gets the token. */
static int next_tag(const void *fdt, int off, uint32_t *tag)
{
	const uint8_t *s = STRUCT(fdt);
	*tag = be32(s + off);
	off += 4;
	switch (*tag) {
	case FDT_BEGIN_NODE:
		off += align4(strlen((const char *)s + off) + 1);
		break;
	case FDT_PROP:
		off += 8 + align4(be32(s + off));
		break;
	default:
		break;
	}
	return off;
}

const char *fdt_node_name(const void *fdt, int node)
{
	return (const char *)STRUCT(fdt) + node + 4;
}

/* Skip a whole node (including its subtree) starting at its BEGIN_NODE. */
static int skip_node(const void *fdt, int node)
{
	int depth = 0, off = node;
	uint32_t tag;
	do {
		off = next_tag(fdt, off, &tag);
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE)
			depth--;
		else if (tag == FDT_END)
			return -1;
	} while (depth > 0);
	return off;
}

int fdt_next_child(const void *fdt, int node, int prev)
{
	int off;
	uint32_t tag;
	if (prev < 0) {
		off = next_tag(fdt, node, &tag); /* past our own BEGIN_NODE */
	} else {
		off = skip_node(fdt, prev);
		if (off < 0)
			return -1;
	}
	for (;;) {
		int here = off;
		off = next_tag(fdt, off, &tag);
		if (tag == FDT_BEGIN_NODE)
			return here;
		if (tag == FDT_END_NODE || tag == FDT_END)
			return -1;
	}
}

int fdt_get_prop(const void *fdt, int node, const char *name, struct fdt_prop *out)
{
	const uint8_t *s = STRUCT(fdt);
	uint32_t tag;
	int off = next_tag(fdt, node, &tag);
	for (;;) {
		int here = off;
		off = next_tag(fdt, off, &tag);
		if (tag == FDT_PROP) {
			const char *pname = (const char *)STRINGS(fdt) + be32(s + here + 8);
			if (!strcmp(pname, name)) {
				out->len = be32(s + here + 4);
				out->data = s + here + 12;
				return 0;
			}
		} else if (tag != FDT_NOP) {
			return -1;
		}
	}
}

uint32_t fdt_prop_u32(const void *fdt, int node, const char *name, uint32_t dflt)
{
	struct fdt_prop p;
	if (fdt_get_prop(fdt, node, name, &p) || p.len < 4)
		return dflt;
	return be32(p.data);
}

int fdt_path_offset(const void *fdt, const char *path)
{
	int node = 0;
	uint32_t tag;
	/* The root node is the first BEGIN_NODE (after any NOPs). */
	while (next_tag(fdt, node, &tag), tag == FDT_NOP)
		node += 4;
	if (tag != FDT_BEGIN_NODE)
		return -1;
	while (*path == '/')
		path++;
	while (*path) {
		const char *end = path;
		while (*end && *end != '/')
			end++;
		size_t len = (size_t)(end - path);
		int child = -1, found = -1;
		while ((child = fdt_next_child(fdt, node, child)) >= 0) {
			const char *n = fdt_node_name(fdt, child);
			/* "cpus" matches "cpus"; "memory" matches "memory@0" too. */
			if (!strncmp(n, path, len) && (n[len] == 0 || n[len] == '@')) {
				found = child;
				break;
			}
		}
		if (found < 0)
			return -1;
		node = found;
		path = end;
		while (*path == '/')
			path++;
	}
	return node;
}
