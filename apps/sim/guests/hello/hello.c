/* hello: print what the device tree says about the machine, then power off. */
#include "hvsim.h"

int guest_main(const void *fdt)
{
	if (fdt_check(fdt)) {
		puts_("hello: no device tree in r3\n");
		return 1;
	}
	rtas_init(fdt);

	int root = fdt_path_offset(fdt, "/");
	struct fdt_prop p;
	const char *model = "?";
	if (!fdt_get_prop(fdt, root, "model", &p))
		model = p.data;

	/* /memory@0 reg = <addr(2 cells) size(2 cells)>, per the root's #address/#size-cells. */
	uint64_t mem = 0;
	int memnode = fdt_path_offset(fdt, "/memory");
	if (memnode >= 0 && !fdt_get_prop(fdt, memnode, "reg", &p) && p.len >= 16)
		mem = be64((const uint8_t *)p.data + 8);

	int cpus = fdt_path_offset(fdt, "/cpus"), ncpu = 0, nthreads = 0;
	for (int c = -1; cpus >= 0 && (c = fdt_next_child(fdt, cpus, c)) >= 0;) {
		struct fdt_prop dt;
		if (!fdt_get_prop(fdt, c, "device_type", &dt) && !strcmp(dt.data, "cpu")) {
			ncpu++;
			struct fdt_prop srv;
			if (!fdt_get_prop(fdt, c, "ibm,ppc-interrupt-server#s", &srv))
				nthreads += (int)(srv.len / 4);
		}
	}

	printf("Hello from an hvsim guest!\n");
	printf("model: %s\n", model);
	printf("memory: %lu MiB\n", (unsigned long)(mem >> 20));
	printf("cpus: %d cores, %d threads\n", ncpu, nthreads);
	return 0;
}
