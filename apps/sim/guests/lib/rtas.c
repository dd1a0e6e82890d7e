/*
 * RTAS through KVMPPC_H_RTAS: r4 points at a big-endian argument buffer
 * { token, nargs, nret, args[nargs], rets[nret] }. Tokens come from /rtas in the device tree.
 */
#include "hvsim.h"

static const void *rtas_fdt;
static int rtas_node = -1;

void rtas_init(const void *fdt)
{
	rtas_fdt = fdt;
	rtas_node = fdt_path_offset(fdt, "/rtas");
}

int rtas_token(const char *name)
{
	struct fdt_prop p;
	if (rtas_node < 0 || fdt_get_prop(rtas_fdt, rtas_node, name, &p) || p.len != 4)
		return -1;
	return (int)be32(p.data);
}

int rtas_call(const char *name, int nargs, int nret, uint32_t *rets, ...)
{
	static uint32_t args[16] __attribute__((aligned(8)));
	int token = rtas_token(name);
	if (token < 0 || nargs + nret > 13)
		return -1;
	va_list ap;
	va_start(ap, rets);
	put_be32(&args[0], (uint32_t)token);
	put_be32(&args[1], (uint32_t)nargs);
	put_be32(&args[2], (uint32_t)nret);
	for (int i = 0; i < nargs; i++)
		put_be32(&args[3 + i], va_arg(ap, uint32_t));
	va_end(ap);
	for (int i = 0; i < nret; i++)
		put_be32(&args[3 + nargs + i], 0);
	hcall(KVMPPC_H_RTAS, (unsigned long)args, 0, 0, 0, 0, 0, 0);
	for (int i = 0; i < nret && rets; i++)
		rets[i] = be32(&args[3 + nargs + i]);
	return nret ? (int)be32(&args[3 + nargs]) : 0;
}

void guest_exit(int status)
{
	/* kvm-unit-tests convention: the harness reads this line. */
	printf("EXIT: STATUS=%d\n", (status << 1) | 1);
	console_flush();
	rtas_call("power-off", 2, 1, 0, 0u, 0u);
	for (;;)
		;
}
