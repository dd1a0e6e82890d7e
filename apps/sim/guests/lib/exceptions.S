/*
 * Interrupt entry for guest programs. The vectors live at real address 0 (0x100..0x1000), far
 * from the image at 0x400000, so exceptions_init() copies one 32-byte stub to each vector:
 *
 *     mtsprg1 r13          save r13
 *     mfsprg0 r13          r13 = this vCPU's struct cpu (SPRG0 holds its address)
 *     std   r12, 8(r13)    save r12
 *     mflr  r12
 *     std   r12, 16(r13)   save LR
 *     ld    r12, 0(r13)    r12 = address of exc_common (absolute, after relocation)
 *     mtlr  r12
 *     blrl                 LR = vector + 32: tells exc_common which vector was taken
 *
 * exc_common builds a struct regs frame on the vCPU's exception stack, calls
 * exception_dispatch(frame, vector) in C, restores everything (SRR0/SRR1 may have been changed
 * by the handler) and returns with rfid. Only non-hypervisor interrupts reach a pseries guest,
 * so SRR0/SRR1 are the save registers.
 */
	.section .text
	.globl	exc_stub_start, exc_stub_end
exc_stub_start:
	mtsprg	1, %r13
	mfsprg	%r13, 0
	std	%r12, 8(%r13)
	mflr	%r12
	std	%r12, 16(%r13)
	ld	%r12, 0(%r13)
	mtlr	%r12
	blrl
exc_stub_end:

/* struct cpu: 0 exc_common, 8 saved r12, 16 saved LR, 24 exception stack top, 32 TOC,
   40 saved r1. Exceptions do not nest (handlers must not fault). */
#define FRAME 384			/* 32 GPRs + 8 specials, then 32 bytes for the C callee */
	.globl	exc_common
exc_common:
	mflr	%r12			/* vector + 32 */
	std	%r1, 40(%r13)		/* interrupted r1 */
	ld	%r1, 24(%r13)		/* exception stack top */
	subi	%r1, %r1, FRAME
	std	%r0, 32+0*8(%r1)
	ld	%r0, 40(%r13)
	std	%r0, 32+1*8(%r1)
	mfsprg	%r0, 1			/* interrupted r13 */
	std	%r0, 32+13*8(%r1)
	ld	%r0, 8(%r13)		/* interrupted r12 */
	std	%r0, 32+12*8(%r1)
	ld	%r0, 16(%r13)		/* interrupted LR */
	std	%r0, 32+32*8(%r1)
	std	%r2, 32+2*8(%r1)
	std	%r3, 32+3*8(%r1)
	std	%r4, 32+4*8(%r1)
	std	%r5, 32+5*8(%r1)
	std	%r6, 32+6*8(%r1)
	std	%r7, 32+7*8(%r1)
	std	%r8, 32+8*8(%r1)
	std	%r9, 32+9*8(%r1)
	std	%r10, 32+10*8(%r1)
	std	%r11, 32+11*8(%r1)
	std	%r14, 32+14*8(%r1)
	std	%r15, 32+15*8(%r1)
	std	%r16, 32+16*8(%r1)
	std	%r17, 32+17*8(%r1)
	std	%r18, 32+18*8(%r1)
	std	%r19, 32+19*8(%r1)
	std	%r20, 32+20*8(%r1)
	std	%r21, 32+21*8(%r1)
	std	%r22, 32+22*8(%r1)
	std	%r23, 32+23*8(%r1)
	std	%r24, 32+24*8(%r1)
	std	%r25, 32+25*8(%r1)
	std	%r26, 32+26*8(%r1)
	std	%r27, 32+27*8(%r1)
	std	%r28, 32+28*8(%r1)
	std	%r29, 32+29*8(%r1)
	std	%r30, 32+30*8(%r1)
	std	%r31, 32+31*8(%r1)
	mfctr	%r0
	std	%r0, 32+33*8(%r1)
	mfcr	%r0
	std	%r0, 32+34*8(%r1)
	mfxer	%r0
	std	%r0, 32+35*8(%r1)
	mfsrr0	%r0
	std	%r0, 32+36*8(%r1)
	mfsrr1	%r0
	std	%r0, 32+37*8(%r1)
	mfdar	%r0
	std	%r0, 32+38*8(%r1)
	mfdsisr	%r0
	std	%r0, 32+39*8(%r1)
	ld	%r2, 32(%r13)		/* our TOC */
	subi	%r4, %r12, 32		/* vector */
	addi	%r3, %r1, 32		/* struct regs * */
	li	%r0, 0
	std	%r0, 0(%r1)
	bl	exception_dispatch
	nop
	ld	%r0, 32+36*8(%r1)
	mtsrr0	%r0
	ld	%r0, 32+37*8(%r1)
	mtsrr1	%r0
	ld	%r0, 32+32*8(%r1)
	mtlr	%r0
	ld	%r0, 32+33*8(%r1)
	mtctr	%r0
	ld	%r0, 32+34*8(%r1)
	mtcr	%r0
	ld	%r0, 32+35*8(%r1)
	mtxer	%r0
	ld	%r0, 32+0*8(%r1)
	ld	%r2, 32+2*8(%r1)
	ld	%r3, 32+3*8(%r1)
	ld	%r4, 32+4*8(%r1)
	ld	%r5, 32+5*8(%r1)
	ld	%r6, 32+6*8(%r1)
	ld	%r7, 32+7*8(%r1)
	ld	%r8, 32+8*8(%r1)
	ld	%r9, 32+9*8(%r1)
	ld	%r10, 32+10*8(%r1)
	ld	%r11, 32+11*8(%r1)
	ld	%r12, 32+12*8(%r1)
	ld	%r13, 32+13*8(%r1)
	ld	%r14, 32+14*8(%r1)
	ld	%r15, 32+15*8(%r1)
	ld	%r16, 32+16*8(%r1)
	ld	%r17, 32+17*8(%r1)
	ld	%r18, 32+18*8(%r1)
	ld	%r19, 32+19*8(%r1)
	ld	%r20, 32+20*8(%r1)
	ld	%r21, 32+21*8(%r1)
	ld	%r22, 32+22*8(%r1)
	ld	%r23, 32+23*8(%r1)
	ld	%r24, 32+24*8(%r1)
	ld	%r25, 32+25*8(%r1)
	ld	%r26, 32+26*8(%r1)
	ld	%r27, 32+27*8(%r1)
	ld	%r28, 32+28*8(%r1)
	ld	%r29, 32+29*8(%r1)
	ld	%r30, 32+30*8(%r1)
	ld	%r31, 32+31*8(%r1)
	ld	%r1, 32+1*8(%r1)
	rfid
