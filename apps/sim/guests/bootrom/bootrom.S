/*
 * hvsim/QEMU pseries boot ROM (the kvm-unit-tests convention): 256 zero bytes, then at 0x100
 * (SPAPR_ENTRY_POINT, where the vCPU starts after reset) a relative branch to 0x400000
 * (SPAPR_KERNEL_LOAD_ADDR, where -kernel ELFs are placed). The vCPU starts big-endian, so the
 * branch word is stored big-endian whatever this file is assembled as. r3 (FDT) is untouched.
 */
	.section .text
	.globl _start
_start:
	.fill	0x100, 1, 0
	.byte	0x48, 0x3f, 0xff, 0x00		/* b .+0x3fff00 -> 0x400000 */
