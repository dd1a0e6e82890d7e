// @hvsim/fdt — flattened device trees (DTB version 17): build them byte-identical to dtc,
// parse them with typed errors naming the offset, print them as dtc prints source, and read
// the plain subset of device-tree source.
export { FdtNode } from "./node";
export type { FdtProperty, InsertAt, InsertOptions } from "./node";
export { DeviceTree, bootCpuidOf } from "./tree";
export type { MemoryReservation, WalkEntry } from "./tree";
export {
  asCells,
  asString,
  asStringList,
  asU32,
  asU64,
  bytes,
  cells,
  cellsOf,
  concat,
  empty,
  string,
  stringList,
  u32,
  u64,
} from "./values";
export type { PropertyValue } from "./values";
export { buildFdt } from "./build";
export type { BuildOptions } from "./build";
export { DEFAULT_MAX_DEPTH, parseFdt, parseFdtOrThrow } from "./parse";
export type { FdtHeader, FdtParseResult, ParseOptions, ParsedFdt } from "./parse";
export { FdtError } from "./errors";
export type { FdtErrorCode } from "./errors";
export { formatValue, guessValueForm, toDts } from "./dts";
export type { DtsOptions, DtsValueForm } from "./dts";
export { DtsError, parseDts, parseDtsOrThrow } from "./dts-parser";
export type { DtsParseResult } from "./dts-parser";
export {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_VERSION,
} from "./format";
