/*
 * Two vCPUs, one of them driving: vCPU 0 posts a command and waits until vCPU 1 has carried it
 * out; vCPU 1 serves commands in a loop. Used so that only vCPU 0 prints and the output does
 * not depend on how the vCPUs interleave. Header-only, like iomap.h.
 */
#ifndef HVSIM_GUEST_MAILBOX_H
#define HVSIM_GUEST_MAILBOX_H

#include "hvsim.h"

#define MBOX_NONE 0
#define MBOX_DONE (-1)

static volatile int mbox_cmd, mbox_arg;

/* vCPU 0: have vCPU 1 run `cmd` with `arg`, and wait until it has. */
static inline void mbox_post(int cmd, int arg)
{
	mbox_arg = arg;
	__atomic_store_n(&mbox_cmd, cmd, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mbox_cmd, __ATOMIC_ACQUIRE) != MBOX_NONE)
		;
}

/* vCPU 1: run every posted command through `run` until MBOX_DONE. */
static inline void mbox_serve(void (*run)(int cmd, int arg))
{
	for (;;) {
		int c;
		while ((c = __atomic_load_n(&mbox_cmd, __ATOMIC_ACQUIRE)) == MBOX_NONE)
			;
		if (c != MBOX_DONE)
			run(c, mbox_arg);
		__atomic_store_n(&mbox_cmd, MBOX_NONE, __ATOMIC_RELEASE);
		if (c == MBOX_DONE)
			return;
	}
}

/* Spin until `*counter` (bumped by an interrupt handler) reaches `n`. */
static inline void wait_at_least(volatile int *counter, int n)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < n)
		;
}

/* This vCPU's id, from its struct cpu (SPRG0). */
static inline int my_vcpu_id(void)
{
	struct cpu *c;
	asm volatile("mfsprg0 %0" : "=r"(c));
	return c->id;
}

#endif
