// Memslots: KVM_SET_USER_MEMORY_REGION. Each maps a guest-physical range onto a range of host
// memory. Every host-memory access made on behalf of a guest goes through `hostRange`/`toHost`,
// which refuse anything outside the VM's slots (the isolation check).

export interface Memslot {
  readonly slot: number;
  /** Guest physical base (64 KiB aligned). */
  readonly gpa: number;
  readonly size: number;
  /** Host physical base (64 KiB aligned). */
  readonly hostAddr: number;
}

const ALIGN = 0x10000;

export class Memslots {
  private slots: Memslot[] = [];

  list(): readonly Memslot[] {
    return this.slots;
  }

  /** Add, replace (same slot id) or delete (size 0) a slot. Throws on overlap or misalignment. */
  set(m: Memslot): void {
    const others = this.slots.filter((s) => s.slot !== m.slot);
    if (m.size === 0) {
      this.slots = others;
      return;
    }
    if (m.gpa % ALIGN || m.size % ALIGN || m.hostAddr % ALIGN) {
      throw new Error(
        `memslot ${m.slot}: gpa 0x${m.gpa.toString(16)}, size 0x${m.size.toString(16)} and host address 0x${m.hostAddr.toString(16)} must be 64 KiB aligned`,
      );
    }
    for (const s of others) {
      if (m.gpa < s.gpa + s.size && s.gpa < m.gpa + m.size) {
        throw new Error(
          `memslot ${m.slot} [0x${m.gpa.toString(16)}, +0x${m.size.toString(16)}) overlaps memslot ${s.slot}`,
        );
      }
    }
    this.slots = [...others, m].sort((a, b) => a.gpa - b.gpa);
  }

  /** The slot containing guest physical `gpa`, or undefined (MMIO or a hole). */
  find(gpa: number): Memslot | undefined {
    for (const s of this.slots) if (gpa >= s.gpa && gpa < s.gpa + s.size) return s;
    return undefined;
  }

  /** Host address of guest physical [gpa, gpa+len) when it lies inside one slot. */
  toHost(gpa: number, len: number): number | undefined {
    const s = this.find(gpa);
    if (s === undefined || gpa + len > s.gpa + s.size) return undefined;
    return s.hostAddr + (gpa - s.gpa);
  }

  /** True when host [hpa, hpa+len) lies inside one of this VM's slots. */
  ownsHost(hpa: number, len: number): boolean {
    for (const s of this.slots) {
      if (hpa >= s.hostAddr && hpa + len <= s.hostAddr + s.size) return true;
    }
    return false;
  }
}
