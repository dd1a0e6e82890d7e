/*
 * Entry of every hvsim guest program (pseries boot protocol, DESIGN §3): the boot ROM branches
 * here (the ELF is linked at 0 and placed at 0x400000) with r3 = FDT address, big-endian.
 * Switch to little-endian, find where we were loaded, apply our own R_PPC64_RELATIVE
 * relocations (we are a static PIE), clear .bss, set up TOC and stack, and call
 * guest_main(fdt). Its return value is the exit status passed to guest_exit().
 */
#include "ppc-asm.h"

#define R_PPC64_RELATIVE 22

	.section .text.start, "ax"
	.globl	_start
_start:
	FIXUP_ENDIAN
	mr	%r29, %r3			/* FDT */
	bcl	20, 31, 1f
1:	mflr	%r30				/* runtime address of 1b */
	addis	%r31, %r30, (_start - 1b)@ha
	addi	%r31, %r31, (_start - 1b)@l	/* r31 = load base (link address 0) */

	/* Apply R_PPC64_RELATIVE: *(base + r_offset) = base + r_addend. */
	addis	%r4, %r30, (__rela_start - 1b)@ha
	addi	%r4, %r4, (__rela_start - 1b)@l
	addis	%r5, %r30, (__rela_end - 1b)@ha
	addi	%r5, %r5, (__rela_end - 1b)@l
2:	cmpld	%r4, %r5
	bge	3f
	ld	%r6, 0(%r4)			/* r_offset */
	ld	%r7, 8(%r4)			/* r_info */
	ld	%r8, 16(%r4)			/* r_addend */
	addi	%r4, %r4, 24
	clrldi	%r7, %r7, 32
	cmpdi	%r7, R_PPC64_RELATIVE
	bne	2b				/* only RELATIVE is produced by our link */
	add	%r8, %r8, %r31
	stdx	%r8, %r6, %r31
	b	2b
3:
	/* Clear .bss (the ELF loader zero-fills too; do not rely on it). */
	addis	%r4, %r30, (__bss_start - 1b)@ha
	addi	%r4, %r4, (__bss_start - 1b)@l
	addis	%r5, %r30, (__bss_end - 1b)@ha
	addi	%r5, %r5, (__bss_end - 1b)@l
	li	%r6, 0
4:	cmpld	%r4, %r5
	bge	5f
	std	%r6, 0(%r4)
	addi	%r4, %r4, 8
	b	4b
5:
	addis	%r2, %r30, (.TOC. - 1b)@ha
	addi	%r2, %r2, (.TOC. - 1b)@l
	addis	%r1, %r30, (__stack_top - 1b)@ha
	addi	%r1, %r1, (__stack_top - 1b)@l
	li	%r0, 0
	stdu	%r0, -32(%r1)			/* terminate the back chain */
	mr	%r3, %r29
	bl	guest_main
	nop
	bl	guest_exit			/* does not return */
	nop
6:	b	6b

/* Secondary vCPUs started by RTAS start-cpu enter here with r3 = the argument given. */
	.globl	_secondary_start
_secondary_start:
	FIXUP_ENDIAN
	mr	%r29, %r3
	bcl	20, 31, 1f
1:	mflr	%r30
	addis	%r2, %r30, (.TOC. - 1b)@ha
	addi	%r2, %r2, (.TOC. - 1b)@l
	/* r3 = pointer to this vCPU's start block: { stack top, C entry } (relocated pointers). */
	ld	%r1, 0(%r29)
	ld	%r12, 8(%r29)
	li	%r0, 0
	stdu	%r0, -32(%r1)
	mtctr	%r12
	mr	%r3, %r29
	bctrl
	nop
7:	b	7b
