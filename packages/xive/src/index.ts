// @hvsim/xive: the POWER9 XIVE interrupt controller as a pseries guest sees it (sources with their
// ESB PQ state machine, EAS, END event queues, NVTs, the TIMA), the sPAPR H_INT_* hcalls, and the
// XICS interface implemented over XIVE as KVM's XICS-on-XIVE device does.
export * from "./papr-constants";
export { ppcBit32, ppcBitmask32, getField32, setField32 } from "./ppc-bit";
export { PQ_RESET, PQ_OFF, PQ_PENDING, PQ_QUEUED, esbTrigger, esbEoi } from "./esb-pq";
export type { Pq, PqTransition } from "./esb-pq";
export type {
  GuestMemory,
  InterruptSink,
  EscalationSink,
  GuestErrorLog,
  TimeBase,
  AccessSize,
  MmioDevice,
} from "./ports";
export { silentLog } from "./ports";
export { KernelMemory } from "./kernel-memory";
export type { KernelMemoryState } from "./kernel-memory";
export * from "./eas";
export * from "./end";
export * from "./nvt";
export { queueEntries, enqueueEvent, dequeueEvent } from "./end-queue";
export type { QueueCursor, DequeueResult } from "./end-queue";
export {
  XiveSource,
  EsbDevice,
  ESB_INVALID_LOAD,
  XIVE_ESB_LOAD_EOI,
  XIVE_ESB_STORE_EOI,
  XIVE_ESB_GET,
  XIVE_ESB_SET_PQ_00,
  XIVE_ESB_SET_PQ_01,
  XIVE_ESB_SET_PQ_10,
  XIVE_ESB_SET_PQ_11,
} from "./xive-source";
export type { EsbShift, XiveSourceOptions, XiveSourceState } from "./xive-source";
export * from "./tctx";
export {
  TimaDevice,
  TimaPageView,
  XIVE_TM_HW_PAGE,
  XIVE_TM_HV_PAGE,
  XIVE_TM_OS_PAGE,
  XIVE_TM_USER_PAGE,
  TM_SPC_ACK_OS_REG,
  TM_SPC_SET_OS_PENDING,
  TM_SPC_PULL_OS_CTX,
} from "./tima";
export { XiveRouter, XIVE_ESCALATION_BLOCK } from "./router";
export type { XiveRouterOptions, RouterState, PullResult, EasWords, EndWords } from "./router";
export * from "./spapr-layout";
export { callHcall, U64_MINUS_1 } from "./hcall-table";
export type { HcallArgs, HcallResult, HcallHandler, HcallEntry, HcallTable } from "./hcall-table";
export { SpaprXive } from "./spapr-xive";
export type { SpaprXiveOptions, SpaprXiveState, IrqchipPlacement } from "./spapr-xive";
export { XicsOnXive, xivePrioFromGuest, SPAPR_XIRQ_BASE, XICS_MASKED } from "./xics-on-xive";
export type {
  XicsOnXiveOptions,
  XicsOnXiveState,
  XicsSourceState,
  XicsIcpState,
  XiveConfig,
} from "./xics-on-xive";
export {
  KVM_CAP_PPC_IRQ_XIVE,
  KVM_DEV_TYPE_XIVE,
  ENODEV,
  checkXiveNativeCapability,
  createKvmXiveDevice,
  placeIntc,
  checkIcMode,
  machineHasXive,
  ov5PlatformXiveSupport,
  casSelectIntc,
} from "./capability";
export type {
  KvmIrqHost,
  KvmDeviceResult,
  IcMode,
  KernelIrqchip,
  ActiveIntc,
  Placement,
  CasIntcResult,
} from "./capability";
export { SpaprIrq } from "./spapr-irq";
export type { SpaprIrqOptions, SpaprIrqState } from "./spapr-irq";
export { intcDeviceTree } from "./spapr-dt";
export type { DtValue, DtProperty, DtNode, IntcDeviceTree } from "./spapr-dt";
export { spaprXiveMmioRegions } from "./spapr-mmio";
export type { MmioRegion } from "./spapr-mmio";
export {
  KVM_REG_PPC_ICP_STATE,
  KVM_REG_PPC_VP_STATE,
  KVM_REG_PPC_ICP_CPPR_SHIFT,
  KVM_REG_PPC_ICP_XISR_SHIFT,
  KVM_REG_PPC_ICP_XISR_MASK,
  KVM_REG_PPC_ICP_MFRR_SHIFT,
  KVM_REG_PPC_ICP_PPRI_SHIFT,
  encodeIcpState,
  decodeIcpState,
  encodeVpState,
  decodeVpState,
} from "./kvm-one-reg";
export type { IcpRegister } from "./kvm-one-reg";
