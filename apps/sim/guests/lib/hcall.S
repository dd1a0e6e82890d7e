/*
 * hcall(nr, a1..a6, out): the PAPR convention: r3 = hcall number, arguments in r4.., "sc 1";
 * status back in r3, results in r4..r11. Up to 6 arguments here; results written to out[0..7]
 * when out is not NULL (the 8th C argument arrives in r10).
 */
	.section .text
	.globl	hcall
hcall:
	std	%r10, -8(%r1)		/* out pointer, in our caller's red zone */
	sc	1
	ld	%r12, -8(%r1)
	cmpdi	%r12, 0
	beqlr
	std	%r4, 0(%r12)
	std	%r5, 8(%r12)
	std	%r6, 16(%r12)
	std	%r7, 24(%r12)
	std	%r8, 32(%r12)
	std	%r9, 40(%r12)
	std	%r10, 48(%r12)
	std	%r11, 56(%r12)
	blr
