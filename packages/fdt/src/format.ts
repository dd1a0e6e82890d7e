// The flattened device tree format (Devicetree Specification v0.4, chapter 5; libfdt's
// fdt.h). Everything is big-endian. A blob is:
//
//   header (40 bytes in v17) | memory-reservation map (8-aligned, (address, size) u64 pairs
//   ending with (0, 0)) | structure block (u32 tokens) | strings block (NUL-terminated names)

export const FDT_MAGIC = 0xd00dfeed;

/** Structure-block tokens. */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** The version this package writes, and the oldest version a v17 reader must accept. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;

/** Header sizes: v16 has no size_dt_struct; v17 adds it. */
export const FDT_V16_HEADER_SIZE = 36;
export const FDT_V17_HEADER_SIZE = 40;

/** Byte offsets of the header fields (struct fdt_header). */
export const HDR = {
  magic: 0,
  totalsize: 4,
  offDtStruct: 8,
  offDtStrings: 12,
  offMemRsvmap: 16,
  version: 20,
  lastCompVersion: 24,
  bootCpuidPhys: 28,
  sizeDtStrings: 32,
  sizeDtStruct: 36,
} as const;

/** One memory-reservation map entry is two big-endian u64s. */
export const FDT_RESERVE_ENTRY_SIZE = 16;

/** Values in the structure block are padded to 4 bytes (FDT_TAGSIZE). */
export const FDT_TAGSIZE = 4;

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
