// @hvsim/ppc-isa — public API: a Power ISA v3.0 CPU library (instruction table, disassembler,
// assembler, interpreter). See README.md.
export { INSN_TABLE, BASE_INSNS, F_PRIV, F_HV, F_64, F_BE_ONLY, validBO } from "./insn-table";
export type { InsnDef } from "./insn-table";
export type { Operand, OperandKind } from "./operands";
export {
  decode,
  disassemble,
  disassembleBuffer,
  formatObjdumpLine,
  objdumpAddressWidth,
  crBitName,
} from "./disassembler";
export type { DisasmLine, TargetFormat } from "./disassembler";
export { SplitMix32 } from "./prng";
export { randomWord } from "./insn-gen";
export { Cpu } from "./cpu";
export type { CpuOptions, CpuState, StopReason } from "./cpu";
export { FlatRamBus } from "./flat-ram-bus";
export { RealModeTranslator } from "./real-mode-translator";
export { PseriesConsole } from "./pseries-console";
export type {
  AccessKind,
  AccessSize,
  CpuView,
  InterruptLines,
  MmuFault,
  MmuRegs,
  PhysicalBus,
  RamWindow,
  TlbieOp,
  TlbieResult,
  TranslationOk,
  Translator,
  VhypOutcome,
  VirtualHypervisor,
} from "./ports";
export * from "./registers";
export { encode, encodeRow, rowsFor } from "./encoder";
export { assemble, AsmError } from "./assembler";
export type { AsmOptions, AsmResult } from "./assembler";
