/*
 * L2 images come in l1hv's initrd (/chosen linux,initrd-start/-end), packed by
 * guests/build.mjs in the "HVL2IMG1" archive format (all integers little-endian):
 *
 *   0x00  char magic[8] = "HVL2IMG1"
 *   0x08  u32  count
 *   0x0c  u32  defaults: l1hv runs the first `defaults` images unless l1hv.run= names others
 *              (0: all of them)
 *   0x10  count entries of 48 bytes: { char name[32] (NUL-padded); u64 offset; u64 size }
 *         offset is from the start of the archive, 8-byte aligned
 *   ...   the images
 *
 * Each image is one of hvsim's guest ELFs (a static PIE linked at 0), loaded into the L2's
 * memory by QEMU's -kernel rule: segment at (vaddr & 0x0fffffff) + 0x400000.
 */
#include "l1hv.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int initrd_find(const void *fdt, const uint8_t **start, uint64_t *size)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	struct fdt_prop s, e;
	if (chosen < 0 || fdt_get_prop(fdt, chosen, "linux,initrd-start", &s) ||
	    fdt_get_prop(fdt, chosen, "linux,initrd-end", &e))
		return -1;
	/* One or two cells (QEMU writes one cell each). */
	uint64_t a = s.len == 8 ? be64(s.data) : be32(s.data);
	uint64_t b = e.len == 8 ? be64(e.data) : be32(e.data);
	if (b <= a)
		return -1;
	*start = (const uint8_t *)a;
	*size = b - a;
	return 0;
}

int initrd_count(const uint8_t *ar, uint64_t size)
{
	if (size < 16 || memcmp(ar, "HVL2IMG1", 8))
		return -1;
	uint32_t n = le32(ar + 8);
	if (16 + 48UL * n > size)
		return -1;
	return (int)n;
}

int initrd_defaults(const uint8_t *ar)
{
	uint32_t n = le32(ar + 12), count = le32(ar + 8);
	return (int)(n == 0 || n > count ? count : n);
}

int initrd_image(const uint8_t *ar, uint64_t size, int i, const char **name, const uint8_t **img,
		 uint64_t *img_size)
{
	const uint8_t *e = ar + 16 + 48 * i;
	uint64_t off = le64(e + 32), len = le64(e + 40);
	if (off > size || len > size - off || e[31] != 0)
		return -1;
	*name = (const char *)e;
	*img = ar + off;
	*img_size = len;
	return 0;
}

#define PT_LOAD 1

/* Make stores of code visible to instruction fetch (Power ISA Book II §1.8, "icbi" sequence). */
static void sync_icache(uint64_t start, uint64_t len)
{
	for (uint64_t a = start & ~127UL; a < start + len; a += 128)
		asm volatile("dcbst 0,%0" : : "r"(a) : "memory");
	asm volatile("sync" : : : "memory");
	for (uint64_t a = start & ~127UL; a < start + len; a += 128)
		asm volatile("icbi 0,%0" : : "r"(a) : "memory");
	asm volatile("sync; isync" : : : "memory");
}

uint64_t elf_load(const uint8_t *img, uint64_t size, uint64_t mem_base, uint64_t mem_size)
{
	/* ELF64, little-endian, PowerPC64 (machine 21). */
	if (size < 64 || memcmp(img, "\177ELF", 4) || img[4] != 2 || img[5] != 1 ||
	    le16(img + 18) != 21)
		return 0;
	uint64_t entry = le64(img + 24), phoff = le64(img + 32);
	uint16_t phentsize = le16(img + 54), phnum = le16(img + 56);
	if (phoff + (uint64_t)phentsize * phnum > size)
		return 0;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)phentsize * i;
		if (le32(ph) != PT_LOAD)
			continue;
		uint64_t off = le64(ph + 8), vaddr = le64(ph + 16);
		uint64_t filesz = le64(ph + 32), memsz = le64(ph + 40);
		uint64_t gpa = (vaddr & 0x0fffffffUL) + L2_LOAD_ADDR;
		if (off + filesz > size || filesz > memsz || gpa + memsz > mem_size)
			return 0;
		memcpy((void *)(mem_base + gpa), img + off, filesz);
		memset((void *)(mem_base + gpa + filesz), 0, memsz - filesz);
		sync_icache(mem_base + gpa, filesz);
	}
	return (entry & 0x0fffffffUL) + L2_LOAD_ADDR;
}
