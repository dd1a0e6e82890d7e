// @hvsim/arm-hvc — public API: SMCCC function ids and owners, the SMCCC dispatcher, the Arm
// architecture service, PSCI 0.1-1.1, the KVM vendor hypervisor service (UID, features, PTP),
// PV stolen time, the async-page-fault proposal, frozen hypercall sets for migration, the
// guest-side discovery client, and the ABI-level arm64-virt machine with its guest programs.

export type {
  SmcccCallType,
  SmcccConvention,
  SmcccFunctionFields,
  SmcccFunctionSpec,
} from "./smccc-id";
export {
  SMCCC_CONVENTION_SHIFT,
  SMCCC_FUNC_MASK,
  SMCCC_OEN_MASK,
  SMCCC_OEN_SHIFT,
  SMCCC_RESERVED_MASK,
  SMCCC_SVE_HINT,
  SMCCC_TYPE_SHIFT,
  canonicalFunctionId,
  decodeFunctionId,
  encodeFunctionId,
  fastCallId,
  formatFunctionId,
  isWellFormedFastCall,
} from "./smccc-id";
export type { SmcccOwner, SmcccOwnerKind } from "./smccc-owners";
export {
  OEN_ARM_ARCH,
  OEN_CPU,
  OEN_OEM,
  OEN_SIP,
  OEN_STANDARD,
  OEN_STANDARD_HYP,
  OEN_VENDOR_EL3,
  OEN_VENDOR_HYP,
  SMCCC_FUNC_CALL_COUNT,
  SMCCC_FUNC_CALL_UID,
  SMCCC_FUNC_REVISION,
  smcccOwner,
} from "./smccc-owners";
export {
  SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED,
  SMCCC_RET_INVALID_PARAMETER,
  SMCCC_RET_NOT_REQUIRED,
  SMCCC_RET_NOT_SUPPORTED,
  SMCCC_RET_SUCCESS,
  SMC_UNK,
  retToX,
  w32,
  w32Signed,
} from "./smccc-return";
export {
  KVM_VENDOR_HYP_UID,
  XEN_VENDOR_HYP_UID,
  registersToUuid,
  uuidToRegisters,
} from "./smccc-uid";
export type { Conduit, SmcccCall, SmcccOutcome, SystemEvent } from "./smccc-call";
export { returns } from "./smccc-call";
export type { HypercallGate, SmcccFunctionRange, SmcccService } from "./smccc-dispatcher";
export { SmcccDispatcher } from "./smccc-dispatcher";

export type { ArchServiceConfig, SpectreState } from "./arch-service";
export {
  ARCH_SERVICE_NAME,
  SMCCC_ARCH_FEATURES_FUNC_ID,
  SMCCC_ARCH_SOC_ID_FUNC_ID,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION_FUNC_ID,
  archFeatures,
  createArchService,
  versionString,
  versionWord,
} from "./arch-service";

export type { PsciFunction, PsciFunctionName, PsciVersionWord } from "./psci-ids";
export {
  KVM_PSCI_0_1_IDS,
  KVM_PSCI_FN_BASE,
  PSCI_AFFINITY_OFF,
  PSCI_AFFINITY_ON,
  PSCI_AFFINITY_ON_PENDING,
  PSCI_FUNCTIONS,
  PSCI_RESET2_TYPE_SYSTEM_WARM_RESET,
  PSCI_RESET2_TYPE_VENDOR,
  PSCI_RET_ALREADY_ON,
  PSCI_RET_DENIED,
  PSCI_RET_DISABLED,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_INVALID_ADDRESS,
  PSCI_RET_INVALID_PARAMS,
  PSCI_RET_NOT_PRESENT,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_RET_ON_PENDING,
  PSCI_RET_SUCCESS,
  PSCI_TOS_NOT_PRESENT_MP,
  PSCI_TOS_UP_MIGRATE,
  PSCI_TOS_UP_NO_MIGRATE,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  psciFunction,
  psciFunctionById,
  psciReturnName,
} from "./psci-ids";
export type { PsciCpuState, PsciEntry, PsciPowerState, VcpuPowerState } from "./psci-power";
export { MPIDR_HWID_BITMASK, PsciPowerModel, defaultMpidr } from "./psci-power";
export type { PsciServiceConfig } from "./psci-service";
export {
  PSCI_SERVICE_NAME,
  createPsciService,
  isKnownPsciVersion,
  psciAffinityMask,
} from "./psci-service";

export type { PtpClock, VendorHypConfig } from "./vendor-hyp-service";
export {
  ARM_SMCCC_KVM_FUNC_FEATURES,
  ARM_SMCCC_KVM_FUNC_PTP,
  ARM_SMCCC_KVM_NUM_FUNCS,
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
  KVM_PTP_PHYS_COUNTER,
  KVM_PTP_VIRT_COUNTER,
  VENDOR_HYP_SERVICE_NAME,
  createVendorHypService,
  hypServiceAvailable,
} from "./vendor-hyp-service";
export type { StolenTimeRecord } from "./pv-time";
export {
  ARM_SMCCC_HV_PV_TIME_FEATURES,
  ARM_SMCCC_HV_PV_TIME_ST,
  PV_TIME_RECORD_SIZE,
  PV_TIME_SERVICE_NAME,
  StolenTime,
  createPvTimeService,
  decodeStolenTimeRecord,
  encodeStolenTimeRecord,
} from "./pv-time";

export type { ApfRecord } from "./apf-abi";
export {
  APF_RECORD_OFFSETS,
  ARM_SMCCC_KVM_FUNC_APF_FEATURES,
  ARM_SMCCC_KVM_FUNC_APF_READY_ACK,
  ARM_SMCCC_KVM_FUNC_APF_REGISTER,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_READY_ACK_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_APF_REGISTER_FUNC_ID,
  KVM_APF_DEFAULT_READY_INTID,
  KVM_APF_FLAG_ENABLE,
  KVM_APF_REASON_NONE,
  KVM_APF_REASON_PAGE_NOT_PRESENT,
  KVM_APF_RECORD_ALIGN,
  KVM_APF_RECORD_SIZE,
  KVM_APF_SUPPORTED_FLAGS,
  KVM_APF_VERSION_1_0,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2_APF_MASK,
  decodeApfRecord,
  encodeApfRecord,
} from "./apf-abi";
export type { ApfConfig, ApfHostPorts, ApfState, MissingPageAction } from "./apf-service";
export { APF_SERVICE_NAME, AsyncPageFaults } from "./apf-service";

export type {
  FirmwareRegistersState,
  FrozenSetRefusal,
  FwRegErrno,
  FwRegRead,
  HostHypercallSupport,
  HypercallServiceBits,
  HypercallServiceId,
} from "./firmware-regs";
export {
  ALL_FW_REGISTERS,
  EBUSY,
  EINVAL,
  ENOENT,
  FirmwareRegisters,
  HYPERCALL_SERVICES,
  KVM_REG_ARM_FW_FEAT_BMAP_REG,
  KVM_REG_ARM_FW_REG,
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
  fwRegisterName,
  restoreFirmwareRegisters,
} from "./firmware-regs";
export {
  KVM_HOSTS,
  KVM_HOST_APF,
  KVM_HOST_MAINLINE,
  KVM_HOST_OLD,
  kvmHostByName,
} from "./host-profiles";
export type { XenVersion } from "./xen-hypercall";
export {
  XEN_HYPERCALL_TAG,
  XEN_HYP_SERVICE_NAME,
  XENVER_version,
  __HYPERVISOR_xen_version,
  createXenHypService,
  xenHypercall,
} from "./xen-hypercall";

export {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
  ARM_SMCCC_TRNG_VERSION_1_0,
  KVM_TRNG_UUID,
  SeededEntropy,
  TRNG_INVALID_PARAMETER,
  TRNG_NOT_SUPPORTED,
  TRNG_NO_ENTROPY,
  TRNG_SERVICE_NAME,
  TRNG_SUCCESS,
  createTrngService,
} from "./trng-service";
export type { GuestMemoryPort, GuestMemoryState } from "./guest-memory";
export { GuestMemory } from "./guest-memory";
export type {
  AcpiFadtView,
  DeviceTreeSink,
  DeviceTreeView,
  FirmwareDescription,
} from "./device-tree";
export {
  ACPI_FADT_PSCI_COMPLIANT,
  ACPI_FADT_PSCI_USE_HVC,
  MemoryDeviceTree,
  propCells,
  propEmpty,
  propString,
  propStringList,
  readCells,
  readStringList,
} from "./device-tree";
export { FdtTreeSink, FdtTreeView } from "./fdt-device-tree";
export type { MachineTreeSpec } from "./machine-device-tree";
export { writeMachineTree } from "./machine-device-tree";

export type {
  ConduitTraceEntry,
  GuestStopReason,
  MemoryAccessResult,
  VcpuPlatform,
} from "./arm-vcpu";
export { ArmVcpu, smcccCallFromRegisters, writeSmcccResults } from "./arm-vcpu";
export type {
  ArmExit,
  ArmGuestEnv,
  ArmGuestProgram,
  ArmHostKind,
  ArmRestoreResult,
  ArmRunResult,
  ArmVirtMachineOptions,
  ArmVirtResolvedOptions,
  ArmVirtState,
  FirmwareTables,
  PsciVersionName,
} from "./arm-virt-machine";
export { ArmVirtMachine, restoreArmVirtMachine } from "./arm-virt-machine";
export type {
  ConduitCpu,
  DiscoveredServices,
  DiscoveryReport,
  HypervisorIdentity,
  PsciDiscovery,
} from "./discovery-client";
export { discoverPlatform, smcccInvoke } from "./discovery-client";
export type { DiscoveryGuestOptions } from "./guest-discovery";
export { blindProbeGuest, discoveryGuest, summarise } from "./guest-discovery";
export {
  APF_GUEST_DATA_OFFSET,
  APF_GUEST_DATA_VALUE,
  APF_GUEST_RECORD_OFFSET,
  apfGuest,
} from "./guest-apf";
export { resumeGuest } from "./guest-resume";
export type { ArmGuestName, ArmScenarioOptions, ArmScenarioResult } from "./run-scenario";
export {
  ARM_GUEST_NAMES,
  armMachineDtb,
  exitStatusOf,
  parseArmMachineSpec,
  runArmScenario,
} from "./run-scenario";
export { ArmOptionError } from "./option-error";
