/* Assembly helpers shared by hvsim's guest programs. */
#ifndef HVSIM_GUEST_PPC_ASM_H
#define HVSIM_GUEST_PPC_ASM_H

/*
 * FIXUP_ENDIAN: a pseries vCPU enters big-endian; these programs are little-endian.
 * The first word, "tdi 0,0,0x48" as stored little-endian, reads as "b .+8" to a big-endian
 * CPU, which therefore jumps over the "b 191f" into a trampoline whose words are stored
 * byte-swapped (so a big-endian CPU decodes them): read MSR, flip MSR[LE], clear EE/RI, and
 * rfid to the instruction after the trampoline. A CPU already in little-endian sees a
 * never-taken trap and then "b 191f", and skips the trampoline.
 */
#define FIXUP_ENDIAN						\
	tdi   0,0,0x48;						\
	b     191f;						\
	.long 0xa600607d;	/* mfmsr   r11        */	\
	.long 0x01006b69;	/* xori    r11,r11,1  */	\
	.long 0x00004039;	/* li      r10,0      */	\
	.long 0x6401417d;	/* mtmsrd  r10,1      */	\
	.long 0x05009f42;	/* bcl     20,31,$+4  */	\
	.long 0xa602487d;	/* mflr    r10        */	\
	.long 0x14004a39;	/* addi    r10,r10,20 */	\
	.long 0xa6035a7d;	/* mtsrr0  r10        */	\
	.long 0xa6037b7d;	/* mtsrr1  r11        */	\
	.long 0x2400004c;	/* rfid               */	\
191:

#endif
