// The spapr-vty console (QEMU hw/char/spapr_vty.c): a 16-byte input buffer the host fills from
// its character device and the guest drains with H_GET_TERM_CHAR. Input that arrives in an
// empty buffer pulses the vty's interrupt (an edge, VIO IRQ 0x1100); the guest reads until the
// buffer is empty, and the next arrival pulses again.
//
// The host side is deterministic here: bytes handed to `hostInput` enter the buffer at once as
// far as it has room, and the rest as soon as the guest drains it (QEMU's chardev does that
// from its main loop, some host time later).

const VTERM_BUFSIZE = 16;

/** The vty's state: the guest-visible buffer and what the host has typed beyond it. */
export interface SpaprVtyState {
  readonly version: 1;
  readonly buf: readonly number[];
  readonly pending: readonly number[];
}

export class SpaprVty {
  private readonly buf: number[] = [];
  private pending: number[] = [];

  constructor(private readonly pulse: () => void) {}

  /** Bytes typed on the host side (stdin, a scripted line). */
  hostInput(data: Uint8Array): void {
    this.pending.push(...data);
    this.receive();
  }

  /** vty_receive: what fits goes in; arriving in an empty buffer pulses the interrupt. */
  private receive(): void {
    const n = Math.min(VTERM_BUFSIZE - this.buf.length, this.pending.length);
    if (n === 0) return;
    if (this.buf.length === 0) this.pulse();
    this.buf.push(...this.pending.slice(0, n));
    this.pending = this.pending.slice(n);
  }

  /**
   * H_GET_TERM_CHAR: up to `max` bytes. QEMU adds a '\0' after every '\r' (bug-for-bug with
   * PowerVM, whose guests drop a '\0' following '\r'), holding the '\r' back when there is no
   * room for the pair. Then the host may refill (qemu_chr_fe_accept_input).
   */
  getChars(max: number): Uint8Array {
    const out: number[] = [];
    while (out.length < max && this.buf.length > 0) {
      const c = this.buf[0]!;
      if (c === 0x0d) {
        if (out.length + 2 > max) break;
        out.push(c, 0);
      } else {
        out.push(c);
      }
      this.buf.shift();
    }
    this.receive();
    return Uint8Array.from(out);
  }

  reset(): void {
    // QEMU's vty keeps its buffer across a machine reset (no reset handler); so does this one.
  }

  save(): SpaprVtyState {
    return { version: 1, buf: [...this.buf], pending: [...this.pending] };
  }

  restore(s: SpaprVtyState): void {
    if (s.version !== 1)
      throw new Error(`vty: state version ${String(s.version)} is not supported (1)`);
    this.buf.splice(0, this.buf.length, ...s.buf);
    this.pending = [...s.pending];
  }
}
