// @hvsim/hcall-abi — the PAPR hypercall ABI in code: hcall numbers and return codes, the
// register convention, versioned nested-HV structs with byte-exact codecs,
// H_RPT_INVALIDATE / H_TLB_INVALIDATE encodings, KVM capabilities, spapr caps and their
// migration rule, hypertas strings, RTAS tokens and CAS option-vector-5 bits. See README.md.
//
// The modules that are mostly tables of named constants (numbers, codes, caps, tokens, OV5
// bits) are re-exported whole; the others name what they export.

export * from "./return-codes";
export * from "./hcall-numbers";
export * from "./registers";
export { describeDecodeError, structSize } from "./struct-codec";
export type { Endian, StructField, StructDecodeError, DecodeResult } from "./struct-codec";
export {
  HV_GUEST_STATE_VERSION,
  HV_GUEST_STATE_FIELDS,
  hvGuestStateSize,
  hvGuestStateErrorStatus,
  decodeHvGuestState,
  encodeHvGuestState,
  emptyHvGuestState,
} from "./hv-guest-state";
export type { HvGuestState } from "./hv-guest-state";
export { PT_REGS_FIELDS, PT_REGS_SIZE, decodePtRegs, encodePtRegs, emptyPtRegs } from "./pt-regs";
export type { PtRegs } from "./pt-regs";
export {
  H_RPTI_TARGET_CMMU,
  H_RPTI_TARGET_CMMU_LOCAL,
  H_RPTI_TARGET_NMMU,
  H_RPTI_TYPE_NESTED,
  H_RPTI_TYPE_TLB,
  H_RPTI_TYPE_PWC,
  H_RPTI_TYPE_PRT,
  H_RPTI_TYPE_PAT,
  H_RPTI_TYPE_ALL,
  H_RPTI_TYPE_NESTED_ALL,
  H_RPTI_PAGE_4K,
  H_RPTI_PAGE_64K,
  H_RPTI_PAGE_2M,
  H_RPTI_PAGE_1G,
  H_RPTI_PAGE_ALL,
  H_RPTI_END_ALL,
  RPTI_FLUSH_PAGE_CEILING,
  RPTI_PAGE_SIZES,
  rptiPageSizeBit,
  encodeRptInvalidate,
  decodeRptInvalidate,
  decideRptInvalidate,
  decideL2RptInvalidate,
} from "./rpt-invalidate";
export type {
  RptInvalidateRequest,
  RptInvalidateContext,
  RptInvalidateFlush,
  RptInvalidateOutcome,
  L2RptInvalidateOutcome,
} from "./rpt-invalidate";
export {
  RADIX_AP_SHIFT,
  radixApForShift,
  tlbieP1Enc,
  encodeTlbInvalidate,
  decodeTlbInvalidate,
  decideTlbInvalidate,
} from "./tlb-invalidate";
export type { TlbInvalidateFields, TlbInvalidateOp, TlbInvalidateOutcome } from "./tlb-invalidate";
export * from "./kvm-caps";
export {
  SPAPR_CAPS,
  PSERIES_MACHINES,
  PSERIES_LATEST,
  spaprCap,
  formatCapValue,
  formatPageSize,
  pseriesMachine,
  machineClassDefaultCaps,
  defaultSpaprCaps,
  capMigratesOn,
  defaultIcMode,
} from "./spapr-caps";
export type {
  SpaprCapInfo,
  SpaprCapName,
  SpaprCapType,
  PseriesMachine,
  CapsCpu,
} from "./spapr-caps";
export {
  MACHINE_OTHER_OPTIONS,
  parseQemuSize,
  parseMachineOptions,
  formatMachineOptions,
  resolveCaps,
  capValue,
} from "./machine-options";
export type {
  IcMode,
  KernelIrqchip,
  ResizeHpt,
  MaxCpuCompat,
  MachineOtherOptions,
  MachineOptions,
  MachineOptionsError,
  MachineOptionsErrorKind,
  MachineOptionsResult,
  ResolvedCap,
  ResolvedCaps,
} from "./machine-options";
export { capsMigrationStream, checkCapsMigrationStream, checkCapsMigration } from "./cap-migration";
export type { CapMigrationIssue, CapMigrationReport } from "./cap-migration";
export { hypertasFunctions, QEMU_HYPERTAS_FUNCTIONS } from "./hypertas";
export type { HypertasOptions } from "./hypertas";
export * from "./rtas-tokens";
export * from "./cas-ov5";
