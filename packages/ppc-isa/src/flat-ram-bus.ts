// A flat RAM bus for tests and stand-alone use: `size` bytes of RAM at real address 0 and
// nothing else (an access beyond RAM is answered by nobody: the CPU takes a machine check).
import type { AccessSize, PhysicalBus, RamWindow } from "./ports";

export class FlatRamBus implements PhysicalBus {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly window: RamWindow;
  private readonly writeListeners = new Set<(ra: number, length: number) => void>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % 4096 !== 0) {
      throw new RangeError(`FlatRamBus: size must be a positive multiple of 4096, got ${size}`);
    }
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.window = { bytes: this.bytes, view: this.view, raBase: 0, offset: 0, length: size };
  }

  ramWindow(ra: number): RamWindow | null {
    return ra >= 0 && ra < this.size ? this.window : null;
  }

  load(ra: number, size: AccessSize, le: boolean, out: Uint32Array): boolean {
    if (ra < 0 || ra + size > this.size) return false;
    const v = this.view;
    switch (size) {
      case 1:
        out[0] = 0;
        out[1] = v.getUint8(ra);
        return true;
      case 2:
        out[0] = 0;
        out[1] = v.getUint16(ra, le);
        return true;
      case 4:
        out[0] = 0;
        out[1] = v.getUint32(ra, le);
        return true;
      case 8:
        out[0] = v.getUint32(le ? ra + 4 : ra, le);
        out[1] = v.getUint32(le ? ra : ra + 4, le);
        return true;
    }
  }

  store(ra: number, size: AccessSize, le: boolean, hi: number, lo: number): boolean {
    if (ra < 0 || ra + size > this.size) return false;
    const v = this.view;
    switch (size) {
      case 1:
        v.setUint8(ra, lo & 0xff);
        break;
      case 2:
        v.setUint16(ra, lo & 0xffff, le);
        break;
      case 4:
        v.setUint32(ra, lo >>> 0, le);
        break;
      case 8:
        v.setUint32(le ? ra + 4 : ra, hi >>> 0, le);
        v.setUint32(le ? ra : ra + 4, lo >>> 0, le);
        break;
    }
    return true;
  }

  /** Copy `data` into RAM at `ra` (a loader write: reservations are dropped). */
  loadImage(ra: number, data: Uint8Array): void {
    if (ra < 0 || ra + data.length > this.size) {
      throw new RangeError(
        `image of ${data.length} bytes at 0x${ra.toString(16)} does not fit in ${this.size} bytes of RAM`,
      );
    }
    this.bytes.set(data, ra);
    for (const l of this.writeListeners) l(ra, data.length);
  }

  onWrite(listener: (ra: number, length: number) => void): () => void {
    this.writeListeners.add(listener);
    return () => void this.writeListeners.delete(listener);
  }
}
