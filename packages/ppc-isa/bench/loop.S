/*
 * Freestanding ppc64le benchmark for a pseries `-bios` image: sum 1..ITERS with a fixed-size
 * loop body (tooling-and-peers.md Appendix B, pseries variant only).
 *   BODY=1: ALU,        4 insns/iter (add, addi, xor, bdnz)
 *   BODY=2: load/store, 8 insns/iter (ldx, add, stdx, addi, andi., add, addi, bdnz)
 *   BODY=3: call-heavy, 7.5 insns/iter average (bl; add; rldicl.; beq; [xor]; blr; addi; bdnz)
 *   BODY=4: D-form load/store, 8 insns/iter (ld, add, std, lwz, stw, add, addi, bdnz)
 * Entered at 0x100 big-endian with MSR[HV]=0 (QEMU pseries), switches to little-endian with
 * Linux's FIXUP_ENDIAN, prints START, SUM=<hex>, DONE through H_PUT_TERM_CHAR and powers off
 * through RTAS (KVMPPC_H_RTAS, token 0x2003).
 */
#ifndef ITERS
#define ITERS 25000000
#endif
#ifndef BODY
#define BODY 1
#endif
	.machine power9
	.abiversion 2

.macro LOADADDR reg, sym
	lis	\reg, \sym@highest
	ori	\reg, \reg, \sym@higher
	sldi	\reg, \reg, 32
	oris	\reg, \reg, \sym@h
	ori	\reg, \reg, \sym@l
.endm

.macro LOAD64 reg, val
	lis	\reg, ((\val) >> 48) & 0xffff
	ori	\reg, \reg, ((\val) >> 32) & 0xffff
	sldi	\reg, \reg, 32
	oris	\reg, \reg, ((\val) >> 16) & 0xffff
	ori	\reg, \reg, (\val) & 0xffff
.endm

.macro FIXUP_ENDIAN
	tdi	0,0,0x48	/* in BE this reads as: b .+8 */
	b	191f
	.long 0xa600607d	/* mfmsr r11 */
	.long 0x01006b69	/* xori r11,r11,1 */
	.long 0x00004039	/* li r10,0 */
	.long 0x6401417d	/* mtmsrd r10,1 */
	.long 0x05009f42	/* bcl 20,31,$+4 */
	.long 0xa602487d	/* mflr r10 */
	.long 0x14004a39	/* addi r10,r10,20 */
	.long 0xa6035a7d	/* mtsrr0 r10 */
	.long 0xa6037b7d	/* mtsrr1 r11 */
	.long 0x2400004c	/* rfid */
191:
.endm

	.section .text
	.globl _start
_start:
	.org 0x100
	FIXUP_ENDIAN
	b	main
	.org 0x1000
main:
	LOADADDR	r3, msg_start
	bl	puts
	LOAD64	r6, ITERS
	mtctr	r6
	li	r4, 0
	li	r5, 1
	li	r7, 0
#if BODY == 2 || BODY == 4
	LOADADDR	r9, membuf
	li	r10, 0
#endif
	.balign 32
1:
#if BODY == 1
	add	r4, r4, r5
	addi	r5, r5, 1
	xor	r7, r7, r4
	bdnz	1b
#elif BODY == 3
	bl	callee
	addi	r5, r5, 1
	bdnz	1b
	b	9f
callee:
	add	r4, r4, r5
	rldicl.	r8, r5, 0, 63
	beq	8f
	xor	r7, r7, r4
8:	blr
9:
#elif BODY == 4
	ld	r8, 16(r9)
	add	r4, r4, r5
	std	r4, 16(r9)
	lwz	r10, 32(r9)
	stw	r5, 36(r9)
	add	r7, r7, r8
	addi	r5, r5, 1
	bdnz	1b
#else
	ldx	r8, r9, r10
	add	r4, r4, r5
	stdx	r4, r9, r10
	addi	r10, r10, 8
	andi.	r10, r10, 0xff8
	add	r7, r7, r8
	addi	r5, r5, 1
	bdnz	1b
#endif
	mr	r26, r4
	mr	r25, r7
	LOADADDR	r3, msg_sum
	bl	puts
	mr	r3, r26
	bl	puthex
	LOADADDR	r3, msg_done
	bl	puts
	b	do_exit

/* puts(r3 = NUL-terminated string) */
puts:
	mflr	r27
	mr	r28, r3
2:	lbz	r3, 0(r28)
	cmpldi	r3, 0
	beq	3f
	bl	putc
	addi	r28, r28, 1
	b	2b
3:	mtlr	r27
	blr

/* puthex(r3 = 64-bit value) */
puthex:
	mflr	r31
	mr	r30, r3
	li	r29, 16
4:	rldicl	r3, r30, 4, 60
	sldi	r30, r30, 4
	cmpldi	r3, 10
	blt	5f
	addi	r3, r3, 'a' - 10 - '0'
5:	addi	r3, r3, '0'
	bl	putc
	addi	r29, r29, -1
	cmpldi	r29, 0
	bne	4b
	mtlr	r31
	blr

/* putc(r3 = char): H_PUT_TERM_CHAR on the spapr-vty, chars packed big-endian in r6 */
putc:
	sldi	r6, r3, 56
	li	r5, 1
	lis	r4, 0x7100
	li	r3, 0x58
	sc	1
	blr

do_exit:
	LOADADDR	r4, rtas_args	/* RTAS power-off via KVMPPC_H_RTAS */
	li	r3, 0
	ori	r3, r3, 0xf000
	sc	1
	b	.

	.section .data
	.balign 8
rtas_args:	/* big-endian u32s: token=RTAS_POWER_OFF(0x2003) nargs=2 nret=1 args 0,0 ret */
	.byte 0,0,0x20,0x03, 0,0,0,2, 0,0,0,1, 0,0,0,0, 0,0,0,0, 0,0,0,0
msg_start:	.asciz "START\n"
msg_sum:	.asciz "SUM="
msg_done:	.asciz "\nDONE\n"
	.balign 4096
membuf:	.space 4096
