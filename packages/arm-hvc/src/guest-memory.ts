// Guest RAM for the ABI-level machine: sparse 4 KiB pages allocated on first write, zero on
// read (DESIGN §5). Shared records (stolen time, async PF) live here, little-endian, so their
// layout is exercised byte for byte.

const PAGE = 4096;

// Hex codecs without Node's Buffer, so the package runs in a browser too.
function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** What host-side services need from guest memory (a consumer-side port). */
export interface GuestMemoryPort {
  /** True when [gpa, gpa+length) lies inside guest RAM. */
  contains(gpa: bigint, length: number): boolean;
  read(gpa: bigint, length: number): Uint8Array;
  write(gpa: bigint, bytes: Uint8Array): void;
}

export interface GuestMemoryState {
  readonly version: 1;
  readonly base: string;
  readonly size: number;
  /** Page index → bytes as hex, only for pages ever written. */
  readonly pages: Readonly<Record<string, string>>;
}

export class GuestMemory implements GuestMemoryPort {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(
    readonly base: bigint,
    readonly size: number,
  ) {}

  contains(gpa: bigint, length: number): boolean {
    return gpa >= this.base && gpa + BigInt(length) <= this.base + BigInt(this.size);
  }

  read(gpa: bigint, length: number): Uint8Array {
    this.check(gpa, length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const off = Number(gpa - this.base) + i;
      out[i] = this.pages.get(Math.floor(off / PAGE))?.[off % PAGE] ?? 0;
    }
    return out;
  }

  write(gpa: bigint, bytes: Uint8Array): void {
    this.check(gpa, bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const off = Number(gpa - this.base) + i;
      const index = Math.floor(off / PAGE);
      let page = this.pages.get(index);
      if (page === undefined) {
        page = new Uint8Array(PAGE);
        this.pages.set(index, page);
      }
      page[off % PAGE] = bytes[i] ?? 0;
    }
  }

  readU32(gpa: bigint): number {
    return new DataView(this.read(gpa, 4).buffer).getUint32(0, true);
  }
  writeU32(gpa: bigint, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.write(gpa, b);
  }
  readU64(gpa: bigint): bigint {
    return new DataView(this.read(gpa, 8).buffer).getBigUint64(0, true);
  }
  writeU64(gpa: bigint, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.write(gpa, b);
  }

  save(): GuestMemoryState {
    const pages: Record<string, string> = {};
    for (const [i, p] of [...this.pages.entries()].sort((a, b) => a[0] - b[0])) {
      pages[String(i)] = toHex(p);
    }
    return { version: 1, base: this.base.toString(), size: this.size, pages };
  }

  static restore(state: GuestMemoryState): GuestMemory {
    const m = new GuestMemory(BigInt(state.base), state.size);
    m.loadFrom(state);
    return m;
  }

  /** Replaces this memory's contents with `state`'s (same base and size). */
  loadFrom(state: GuestMemoryState): void {
    if (state.version !== 1) {
      throw new Error(
        `guest memory state version ${String(state.version)} is not supported (expected 1)`,
      );
    }
    if (BigInt(state.base) !== this.base || state.size !== this.size) {
      throw new Error(
        `guest memory state covers [0x${BigInt(state.base).toString(16)}, +0x${state.size.toString(16)}), not this memory's [0x${this.base.toString(16)}, +0x${this.size.toString(16)})`,
      );
    }
    this.pages.clear();
    for (const [i, hex] of Object.entries(state.pages)) {
      if (hex.length !== PAGE * 2 || !/^[0-9a-f]*$/.test(hex)) {
        throw new Error(`guest memory page ${i} is not ${PAGE} bytes of lower-case hex`);
      }
      this.pages.set(Number(i), fromHex(hex));
    }
  }

  private check(gpa: bigint, length: number): void {
    if (!this.contains(gpa, length)) {
      throw new Error(
        `guest memory access [0x${gpa.toString(16)}, +${length}) is outside RAM [0x${this.base.toString(16)}, +0x${this.size.toString(16)})`,
      );
    }
  }
}
