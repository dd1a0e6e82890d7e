// Why a blob was refused. Every code names one way a flattened device tree can be malformed;
// `offset` is the byte offset into the blob where the problem was found, so a user can look at
// it with `fdtdump -d` or a hex dump.

/** The ways a blob can fail to parse. */
export type FdtErrorCode =
  /** The blob ends before a structure it must contain (header, block, token, value). */
  | "truncated"
  /** The first word is not 0xd00dfeed. */
  | "bad-magic"
  /** The header's version fields describe a format this parser does not read (< 16). */
  | "unsupported-version"
  /** `totalsize` is smaller than the header or larger than the bytes given. */
  | "bad-totalsize"
  /** A block offset or size in the header points outside `totalsize`. */
  | "block-out-of-range"
  /** A block or value is not aligned as the format requires. */
  | "misaligned"
  /** The memory-reservation map has no terminating (0, 0) entry inside the blob. */
  | "unterminated-rsvmap"
  /** A node name or property name has no NUL before the end of its block. */
  | "unterminated-string"
  /** A property's name offset points outside the strings block. */
  | "bad-string-offset"
  /** A structure-block token is not one of FDT_BEGIN_NODE/END_NODE/PROP/NOP/END. */
  | "bad-token"
  /** The structure block's nesting is wrong: END_NODE without a node, a second root, a property
   *  outside any node, FDT_END inside a node, or no FDT_END at all. */
  | "bad-structure"
  /** Nodes nest deeper than the parser's `maxDepth`. */
  | "too-deep";

/**
 * A malformed blob. Parsing returns it as a value (see `parseFdt`); `parseFdtOrThrow` throws it.
 * The message says what is wrong and where, e.g.
 * `bad magic 0x7f454c46 at offset 0x0 (expected 0xd00dfeed: not a flattened device tree)`.
 */
export class FdtError extends Error {
  constructor(
    readonly code: FdtErrorCode,
    readonly offset: number,
    what: string,
    hint?: string,
  ) {
    super(`${what} at offset 0x${offset.toString(16)}${hint === undefined ? "" : ` (${hint})`}`);
    this.name = "FdtError";
  }
}
