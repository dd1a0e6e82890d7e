// PAPR hypercall numbers ("opcodes": the value a guest puts in r3 before `sc 1`).
//
// Sources: Linux arch/powerpc/include/asm/hvcall.h and QEMU include/hw/ppc/spapr.h (both
// current, with the nested-v2 H_GUEST_* calls). Numbering rules (QEMU spapr.h comments):
// standard PAPR hcalls are multiples of 4 up to MAX_HCALL_OPCODE; 0xF000-0xFFFC is
// "platform-specific" (QEMU/KVM: RTAS, CAS, nested-HV v1; PHYP: 24x7 counters); 0xEF00-0xEF80
// is reserved for the Ultravisor (secure VMs).
//
// Argument names follow the handlers in QEMU hw/ppc/spapr_hcall.c (and spapr_nested.c,
// spapr_xive.c, ...) or, for Linux-only calls, the Linux caller. For hcalls only PowerVM
// implements (InfiniBand eHCA, HEA, VAS, PKS, ...) the argument list is not recorded here
// (`args` undefined): hvsim does not guess an ABI it cannot check.

/** Who defines the number. */
export type HcallDefinedBy = "qemu+linux" | "linux" | "qemu";

/** Which numbering range the opcode lies in. */
export type HcallRange = "papr" | "platform" | "ultravisor";

export interface HcallInfo {
  readonly name: string;
  readonly opcode: number;
  /** Other spellings: QEMU's `KVMPPC_H_*` names for the platform-specific calls. */
  readonly aliases: readonly string[];
  readonly definedBy: HcallDefinedBy;
  readonly range: HcallRange;
  readonly description: string;
  /** Names of the arguments in r4, r5, … (up to r12); undefined when not recorded. */
  readonly args?: readonly string[];
  /** Names of the outputs in r4, r5, … (r3 is always the status); undefined when not recorded. */
  readonly results?: readonly string[];
  /** Whatever r3 carries when it is not a plain H_* status (H_ENTER_NESTED's trap vector). */
  readonly r3?: string;
}

// ---- named constants (what the other packages import) ----
export const H_REMOVE = 0x04;
export const H_ENTER = 0x08;
export const H_READ = 0x0c;
export const H_CLEAR_MOD = 0x10;
export const H_CLEAR_REF = 0x14;
export const H_PROTECT = 0x18;
export const H_GET_TCE = 0x1c;
export const H_PUT_TCE = 0x20;
export const H_SET_SPRG0 = 0x24;
export const H_SET_DABR = 0x28;
export const H_PAGE_INIT = 0x2c;
export const H_SET_ASR = 0x30;
export const H_ASR_ON = 0x34;
export const H_ASR_OFF = 0x38;
export const H_LOGICAL_CI_LOAD = 0x3c;
export const H_LOGICAL_CI_STORE = 0x40;
export const H_LOGICAL_CACHE_LOAD = 0x44;
export const H_LOGICAL_CACHE_STORE = 0x48;
export const H_LOGICAL_ICBI = 0x4c;
export const H_LOGICAL_DCBF = 0x50;
export const H_GET_TERM_CHAR = 0x54;
export const H_PUT_TERM_CHAR = 0x58;
export const H_REAL_TO_LOGICAL = 0x5c;
export const H_HYPERVISOR_DATA = 0x60;
export const H_EOI = 0x64;
export const H_CPPR = 0x68;
export const H_IPI = 0x6c;
export const H_IPOLL = 0x70;
export const H_XIRR = 0x74;
export const H_MIGRATE_DMA = 0x78;
export const H_PERFMON = 0x7c;
export const H_REGISTER_VPA = 0xdc;
export const H_CEDE = 0xe0;
export const H_CONFER = 0xe4;
export const H_PROD = 0xe8;
export const H_GET_PPP = 0xec;
export const H_SET_PPP = 0xf0;
export const H_PURR = 0xf4;
export const H_PIC = 0xf8;
export const H_REG_CRQ = 0xfc;
export const H_FREE_CRQ = 0x100;
export const H_VIO_SIGNAL = 0x104;
export const H_SEND_CRQ = 0x108;
export const H_COPY_RDMA = 0x110;
export const H_REGISTER_LOGICAL_LAN = 0x114;
export const H_FREE_LOGICAL_LAN = 0x118;
export const H_ADD_LOGICAL_LAN_BUFFER = 0x11c;
export const H_SEND_LOGICAL_LAN = 0x120;
export const H_BULK_REMOVE = 0x124;
export const H_MULTICAST_CTRL = 0x130;
export const H_SET_XDABR = 0x134;
export const H_STUFF_TCE = 0x138;
export const H_PUT_TCE_INDIRECT = 0x13c;
export const H_CHANGE_LOGICAL_LAN_MAC = 0x14c;
export const H_VTERM_PARTNER_INFO = 0x150;
export const H_REGISTER_VTERM = 0x154;
export const H_FREE_VTERM = 0x158;
export const H_GET_CPU_CHARACTERISTICS = 0x1c8;
export const H_FREE_LOGICAL_LAN_BUFFER = 0x1d4;
export const H_POLL_PENDING = 0x1d8;
export const H_QUERY_INT_STATE = 0x1e4;
export const H_ILLAN_ATTRIBUTES = 0x244;
export const H_JOIN = 0x298;
export const H_VASI_SIGNAL = 0x2a0;
export const H_VASI_STATE = 0x2a4;
export const H_VIOCTL = 0x2a8;
export const H_ENABLE_CRQ = 0x2b0;
export const H_GET_EM_PARMS = 0x2b8;
export const H_SET_MPP = 0x2d0;
export const H_GET_MPP = 0x2d4;
export const H_REG_SUB_CRQ = 0x2dc;
export const H_FREE_SUB_CRQ = 0x2e0;
export const H_SEND_SUB_CRQ = 0x2e4;
export const H_SEND_SUB_CRQ_INDIRECT = 0x2e8;
export const H_HOME_NODE_ASSOCIATIVITY = 0x2ec;
export const H_BEST_ENERGY = 0x2f4;
export const H_XIRR_X = 0x2fc;
export const H_RANDOM = 0x300;
export const H_COP = 0x304;
export const H_GET_MPP_X = 0x314;
export const H_SET_MODE = 0x31c;
export const H_BLOCK_REMOVE = 0x328;
export const H_CLEAR_HPT = 0x358;
export const H_REQUEST_VMC = 0x360;
export const H_RESIZE_HPT_PREPARE = 0x36c;
export const H_RESIZE_HPT_COMMIT = 0x370;
export const H_CLEAN_SLB = 0x374;
export const H_INVALIDATE_PID = 0x378;
export const H_REGISTER_PROC_TBL = 0x37c;
export const H_SIGNAL_SYS_RESET = 0x380;
export const H_INT_GET_SOURCE_INFO = 0x3a8;
export const H_INT_SET_SOURCE_CONFIG = 0x3ac;
export const H_INT_GET_SOURCE_CONFIG = 0x3b0;
export const H_INT_GET_QUEUE_INFO = 0x3b4;
export const H_INT_SET_QUEUE_CONFIG = 0x3b8;
export const H_INT_GET_QUEUE_CONFIG = 0x3bc;
export const H_INT_SET_OS_REPORTING_LINE = 0x3c0;
export const H_INT_GET_OS_REPORTING_LINE = 0x3c4;
export const H_INT_ESB = 0x3c8;
export const H_INT_SYNC = 0x3cc;
export const H_INT_RESET = 0x3d0;
export const H_SCM_READ_METADATA = 0x3e4;
export const H_SCM_WRITE_METADATA = 0x3e8;
export const H_SCM_BIND_MEM = 0x3ec;
export const H_SCM_UNBIND_MEM = 0x3f0;
export const H_SCM_UNBIND_ALL = 0x3fc;
export const H_SCM_HEALTH = 0x400;
export const H_RPT_INVALIDATE = 0x448;
export const H_SCM_FLUSH = 0x44c;
export const H_WATCHDOG = 0x45c;
export const H_GUEST_GET_CAPABILITIES = 0x460;
export const H_GUEST_SET_CAPABILITIES = 0x464;
export const H_GUEST_CREATE = 0x470;
export const H_GUEST_CREATE_VCPU = 0x474;
export const H_GUEST_GET_STATE = 0x478;
export const H_GUEST_SET_STATE = 0x47c;
export const H_GUEST_RUN_VCPU = 0x480;
export const H_GUEST_COPY_MEMORY = 0x484;
export const H_GUEST_DELETE = 0x488;
/**
 * The last standard opcode KVM's per-VM enable bitmap and QEMU's table cover. Linux ≥ 6.19
 * raised its own MAX_HCALL_OPCODE to H_PKS_UNWRAP_OBJECT (0x494) for two PowerVM-only calls;
 * hvsim follows QEMU and the KVM snapshot of the reference (nested-hv.md §3.1).
 */
export const MAX_HCALL_OPCODE = H_GUEST_DELETE;

export const KVMPPC_HCALL_BASE = 0xf000;
export const H_RTAS = 0xf000;
export const KVMPPC_H_RTAS = H_RTAS;
export const H_LOGICAL_MEMOP = 0xf001;
export const KVMPPC_H_LOGICAL_MEMOP = H_LOGICAL_MEMOP;
export const H_CAS = 0xf002;
export const KVMPPC_H_CAS = H_CAS;
export const H_UPDATE_DT = 0xf003;
export const KVMPPC_H_UPDATE_DT = H_UPDATE_DT;
export const KVMPPC_H_VOF_CLIENT = 0xf005;
export const H_SET_PARTITION_TABLE = 0xf800;
export const KVMPPC_H_SET_PARTITION_TABLE = H_SET_PARTITION_TABLE;
export const H_ENTER_NESTED = 0xf804;
export const KVMPPC_H_ENTER_NESTED = H_ENTER_NESTED;
export const H_TLB_INVALIDATE = 0xf808;
export const KVMPPC_H_TLB_INVALIDATE = H_TLB_INVALIDATE;
export const H_COPY_TOFROM_GUEST = 0xf80c;
export const KVMPPC_H_COPY_TOFROM_GUEST = H_COPY_TOFROM_GUEST;
/** The last QEMU/KVM platform-specific opcode. */
export const KVMPPC_HCALL_MAX = H_COPY_TOFROM_GUEST;
export const SVM_HCALL_BASE = 0xef00;
export const H_SVM_PAGE_IN = 0xef00;
export const H_SVM_PAGE_OUT = 0xef04;
export const H_SVM_INIT_START = 0xef08;
export const H_SVM_INIT_DONE = 0xef0c;
export const SVM_H_TPM_COMM = 0xef10;
export const H_SVM_INIT_ABORT = 0xef14;
export const SVM_HCALL_MAX = SVM_H_TPM_COMM;

type Def = readonly [
  name: string,
  opcode: number,
  by: HcallDefinedBy,
  description: string,
  args?: readonly string[],
  results?: readonly string[],
];

const QL = "qemu+linux" as const;
const L = "linux" as const;
const Q = "qemu" as const;
const NONE: readonly string[] = [];

// The standard PAPR range, in opcode order. Append-only (new rows go where their opcode is).
const PAPR: readonly Def[] = [
  [
    "H_REMOVE",
    0x04,
    QL,
    "remove an HPT entry",
    ["flags", "pte_index", "avpn"],
    ["pte_hi", "pte_lo"],
  ],
  [
    "H_ENTER",
    0x08,
    QL,
    "insert an HPT entry",
    ["flags", "pte_index", "pteh", "ptel"],
    ["pte_index"],
  ],
  [
    "H_READ",
    0x0c,
    QL,
    "read HPT entries (1, or 4 with H_READ_4)",
    ["flags", "pte_index"],
    ["pteh0", "ptel0", "pteh1", "ptel1", "pteh2", "ptel2", "pteh3", "ptel3"],
  ],
  [
    "H_CLEAR_MOD",
    0x10,
    QL,
    "clear the C bit of an HPT entry",
    ["flags", "pte_index"],
    ["old_ptel"],
  ],
  [
    "H_CLEAR_REF",
    0x14,
    QL,
    "clear the R bit of an HPT entry",
    ["flags", "pte_index"],
    ["old_ptel"],
  ],
  [
    "H_PROTECT",
    0x18,
    QL,
    "change the protection of an HPT entry",
    ["flags", "pte_index", "avpn"],
    NONE,
  ],
  ["H_GET_TCE", 0x1c, QL, "read a TCE", ["liobn", "ioba"], ["tce"]],
  ["H_PUT_TCE", 0x20, QL, "write a TCE", ["liobn", "ioba", "tce"], NONE],
  ["H_SET_SPRG0", 0x24, QL, "set SPRG0", ["value"], NONE],
  ["H_SET_DABR", 0x28, QL, "set the data address breakpoint", ["dabr"], NONE],
  ["H_PAGE_INIT", 0x2c, QL, "zero or copy a page", ["flags", "dest", "src"], NONE],
  ["H_SET_ASR", 0x30, QL, "set the address space register", ["asr"], NONE],
  ["H_ASR_ON", 0x34, QL, "enable the ASR", NONE, NONE],
  ["H_ASR_OFF", 0x38, QL, "disable the ASR", NONE, NONE],
  [
    "H_LOGICAL_CI_LOAD",
    0x3c,
    QL,
    "cache-inhibited load from a logical address",
    ["size", "addr"],
    ["value"],
  ],
  [
    "H_LOGICAL_CI_STORE",
    0x40,
    QL,
    "cache-inhibited store to a logical address",
    ["size", "addr", "value"],
    NONE,
  ],
  [
    "H_LOGICAL_CACHE_LOAD",
    0x44,
    QL,
    "cacheable load from a logical address",
    ["size", "addr"],
    ["value"],
  ],
  [
    "H_LOGICAL_CACHE_STORE",
    0x48,
    QL,
    "cacheable store to a logical address",
    ["size", "addr", "value"],
    NONE,
  ],
  ["H_LOGICAL_ICBI", 0x4c, QL, "icbi on a logical address", ["addr"], NONE],
  ["H_LOGICAL_DCBF", 0x50, QL, "dcbf on a logical address", ["addr"], NONE],
  [
    "H_GET_TERM_CHAR",
    0x54,
    QL,
    "read up to 16 bytes from a virtual terminal",
    ["termno"],
    ["len", "char0_7", "char8_15"],
  ],
  [
    "H_PUT_TERM_CHAR",
    0x58,
    QL,
    "write up to 16 bytes to a virtual terminal",
    ["termno", "len", "char0_7", "char8_15"],
    NONE,
  ],
  ["H_REAL_TO_LOGICAL", 0x5c, QL, "translate a real address to a logical one"],
  ["H_HYPERVISOR_DATA", 0x60, QL, "read hypervisor data"],
  ["H_EOI", 0x64, QL, "XICS: end of interrupt", ["xirr"], NONE],
  ["H_CPPR", 0x68, QL, "XICS: set the current processor priority", ["cppr"], NONE],
  ["H_IPI", 0x6c, QL, "XICS: set a server's MFRR (send an IPI)", ["server", "mfrr"], NONE],
  ["H_IPOLL", 0x70, QL, "XICS: poll a server without side effects", ["server"], ["xirr", "mfrr"]],
  ["H_XIRR", 0x74, QL, "XICS: accept the pending interrupt", NONE, ["xirr"]],
  ["H_MIGRATE_DMA", 0x78, QL, "migrate a DMA-mapped page"],
  [
    "H_PERFMON",
    0x7c,
    QL,
    "set/reset performance monitor mode bits",
    ["mode_set", "mode_reset"],
    NONE,
  ],
  [
    "H_REGISTER_VPA",
    0xdc,
    QL,
    "register/deregister VPA, DTL or SLB shadow",
    ["flags", "procno", "addr"],
    NONE,
  ],
  ["H_CEDE", 0xe0, QL, "give up the processor until an interrupt", NONE, NONE],
  [
    "H_CONFER",
    0xe4,
    QL,
    "confer cycles to another vCPU (-1: all)",
    ["target", "dispatch_count"],
    NONE,
  ],
  ["H_PROD", 0xe8, QL, "wake a ceded vCPU", ["target"], NONE],
  [
    "H_GET_PPP",
    0xec,
    QL,
    "get partition performance parameters",
    NONE,
    [
      "entitlement",
      "unallocated_entitlement",
      "group_pool",
      "capped_weights",
      "active_procs",
      "platform_procs",
    ],
  ],
  ["H_SET_PPP", 0xf0, QL, "set partition performance parameters", ["entitlement", "weight"], NONE],
  ["H_PURR", 0xf4, QL, "read the PURR", NONE, ["purr"]],
  ["H_PIC", 0xf8, QL, "pool idle count", NONE, ["pool_idle_time", "num_procs"]],
  [
    "H_REG_CRQ",
    0xfc,
    QL,
    "register a command/response queue",
    ["unit_address", "queue_ioba", "queue_len"],
    NONE,
  ],
  ["H_FREE_CRQ", 0x100, QL, "free a CRQ", ["unit_address"], NONE],
  ["H_VIO_SIGNAL", 0x104, QL, "enable/disable VIO interrupts", ["unit_address", "mode"], NONE],
  [
    "H_SEND_CRQ",
    0x108,
    QL,
    "send a 16-byte CRQ message",
    ["unit_address", "msg_hi", "msg_lo"],
    NONE,
  ],
  [
    "H_COPY_RDMA",
    0x110,
    QL,
    "copy between two TCE-mapped buffers",
    ["len", "liobn_src", "addr_src", "liobn_dst", "addr_dst"],
    NONE,
  ],
  [
    "H_REGISTER_LOGICAL_LAN",
    0x114,
    QL,
    "register a virtual LAN adapter",
    ["unit_address", "buf_list", "rec_queue", "filter_list", "mac_address"],
    NONE,
  ],
  ["H_FREE_LOGICAL_LAN", 0x118, QL, "free a virtual LAN adapter", ["unit_address"], NONE],
  ["H_ADD_LOGICAL_LAN_BUFFER", 0x11c, QL, "add a receive buffer", ["unit_address", "buf"], NONE],
  [
    "H_SEND_LOGICAL_LAN",
    0x120,
    QL,
    "send a frame",
    ["unit_address", "buf0", "buf1", "buf2", "buf3", "buf4", "buf5", "continue_token"],
    NONE,
  ],
  [
    "H_BULK_REMOVE",
    0x124,
    QL,
    "remove up to 4 HPT entries (translation specifier pairs)",
    ["tsh0", "tsl0", "tsh1", "tsl1", "tsh2", "tsl2", "tsh3", "tsl3"],
    ["tsh0", "tsl0", "tsh1", "tsl1", "tsh2", "tsl2", "tsh3", "tsl3"],
  ],
  [
    "H_MULTICAST_CTRL",
    0x130,
    QL,
    "virtual LAN multicast filter control",
    ["unit_address", "flags", "mac"],
  ],
  ["H_SET_XDABR", 0x134, QL, "set DABR and DABRX", ["dabr", "dabrx"], NONE],
  [
    "H_STUFF_TCE",
    0x138,
    QL,
    "write one TCE value to many entries",
    ["liobn", "ioba", "tce_value", "npages"],
    NONE,
  ],
  [
    "H_PUT_TCE_INDIRECT",
    0x13c,
    QL,
    "write a list of TCEs",
    ["liobn", "ioba", "tce_list", "npages"],
    NONE,
  ],
  [
    "H_CHANGE_LOGICAL_LAN_MAC",
    0x14c,
    QL,
    "change a virtual LAN MAC address",
    ["unit_address", "mac"],
    NONE,
  ],
  [
    "H_VTERM_PARTNER_INFO",
    0x150,
    QL,
    "virtual terminal partner information",
    ["unit_address", "partner_id", "partner_unit_address", "buffer"],
    NONE,
  ],
  [
    "H_REGISTER_VTERM",
    0x154,
    QL,
    "connect a virtual terminal to a partner",
    ["unit_address", "partner_id", "partner_unit_address"],
    NONE,
  ],
  ["H_FREE_VTERM", 0x158, QL, "free a virtual terminal", ["unit_address"], NONE],
  ["H_RESET_EVENTS", 0x15c, QL, "eHCA (InfiniBand): reset events"],
  ["H_ALLOC_RESOURCE", 0x160, QL, "eHCA: allocate a resource"],
  ["H_FREE_RESOURCE", 0x164, QL, "eHCA: free a resource"],
  ["H_MODIFY_QP", 0x168, QL, "eHCA: modify a queue pair"],
  ["H_QUERY_QP", 0x16c, QL, "eHCA: query a queue pair"],
  ["H_REREGISTER_PMR", 0x170, QL, "eHCA: reregister a memory region"],
  ["H_REGISTER_SMR", 0x174, QL, "eHCA: register a shared memory region"],
  ["H_QUERY_MR", 0x178, QL, "eHCA: query a memory region"],
  ["H_QUERY_MW", 0x17c, QL, "eHCA: query a memory window"],
  ["H_QUERY_HCA", 0x180, QL, "eHCA: query the adapter"],
  ["H_QUERY_PORT", 0x184, QL, "eHCA: query a port"],
  ["H_MODIFY_PORT", 0x188, QL, "eHCA: modify a port"],
  ["H_DEFINE_AQP1", 0x18c, QL, "eHCA: define alias QP1"],
  ["H_GET_TRACE_BUFFER", 0x190, QL, "eHCA: get the trace buffer"],
  ["H_DEFINE_AQP0", 0x194, QL, "eHCA: define alias QP0"],
  ["H_RESIZE_MR", 0x198, QL, "eHCA: resize a memory region"],
  ["H_ATTACH_MCQP", 0x19c, QL, "eHCA: attach a multicast QP"],
  ["H_DETACH_MCQP", 0x1a0, QL, "eHCA: detach a multicast QP"],
  ["H_CREATE_RPT", 0x1a4, QL, "eHCA: create a region page table"],
  ["H_REMOVE_RPT", 0x1a8, QL, "eHCA: remove a region page table"],
  ["H_REGISTER_RPAGES", 0x1ac, QL, "eHCA: register resource pages"],
  ["H_DISABLE_AND_GETC", 0x1b0, QL, "eHCA: disable and get (Linux spells it H_DISABLE_AND_GET)"],
  ["H_ERROR_DATA", 0x1b4, QL, "eHCA: error data"],
  ["H_GET_HCA_INFO", 0x1b8, QL, "eHCA: adapter information"],
  ["H_GET_PERF_COUNT", 0x1bc, QL, "eHCA: performance counters"],
  ["H_MANAGE_TRACE", 0x1c0, QL, "eHCA: manage tracing"],
  [
    "H_GET_CPU_CHARACTERISTICS",
    0x1c8,
    QL,
    "speculation-mitigation characteristics and behaviours",
    NONE,
    ["character", "behaviour"],
  ],
  [
    "H_FREE_LOGICAL_LAN_BUFFER",
    0x1d4,
    QL,
    "free virtual LAN receive buffers of one size",
    ["unit_address", "bufsize"],
    NONE,
  ],
  ["H_POLL_PENDING", 0x1d8, QL, "poll for pending work (returns H_PENDING)", NONE, NONE],
  ["H_QUERY_INT_STATE", 0x1e4, QL, "query the state of an interrupt"],
  [
    "H_ILLAN_ATTRIBUTES",
    0x244,
    QL,
    "virtual LAN attributes",
    ["unit_address", "reset_mask", "set_mask"],
    ["attributes"],
  ],
  ["H_MODIFY_HEA_QP", 0x250, QL, "HEA: modify a queue pair"],
  ["H_QUERY_HEA_QP", 0x254, QL, "HEA: query a queue pair"],
  ["H_QUERY_HEA", 0x258, QL, "HEA: query the adapter"],
  ["H_QUERY_HEA_PORT", 0x25c, QL, "HEA: query a port"],
  ["H_MODIFY_HEA_PORT", 0x260, QL, "HEA: modify a port"],
  ["H_REG_BCMC", 0x264, QL, "HEA: register broadcast/multicast"],
  ["H_DEREG_BCMC", 0x268, QL, "HEA: deregister broadcast/multicast"],
  ["H_REGISTER_HEA_RPAGES", 0x26c, QL, "HEA: register resource pages"],
  ["H_DISABLE_AND_GET_HEA", 0x270, QL, "HEA: disable and get"],
  ["H_GET_HEA_INFO", 0x274, QL, "HEA: adapter information"],
  ["H_ALLOC_HEA_RESOURCE", 0x278, QL, "HEA: allocate a resource"],
  ["H_ADD_CONN", 0x284, QL, "add a connection"],
  ["H_DEL_CONN", 0x288, QL, "delete a connection"],
  ["H_JOIN", 0x298, QL, "join (suspend this thread; H_CONTINUE for the last one)", NONE, NONE],
  ["H_VASI_SIGNAL", 0x2a0, L, "VASI: signal a migration stream", ["handle", "signal_code"], NONE],
  ["H_VASI_STATE", 0x2a4, QL, "VASI: state of a migration stream", ["handle"], ["state"]],
  [
    "H_VIOCTL",
    0x2a8,
    L,
    "virtual I/O control (sub-function in r5)",
    ["unit_address", "function", "param1", "param2", "param3"],
    NONE,
  ],
  ["H_ENABLE_CRQ", 0x2b0, QL, "re-enable a CRQ after migration", ["unit_address"], NONE],
  ["H_GET_EM_PARMS", 0x2b8, QL, "energy management parameters"],
  ["H_SET_MPP", 0x2d0, QL, "set memory performance parameters", ["entitlement", "weight"], NONE],
  [
    "H_GET_MPP",
    0x2d4,
    QL,
    "get memory performance parameters",
    NONE,
    [
      "entitled_mem",
      "mapped_mem",
      "group_pool_weights",
      "unallocated_entitlement",
      "pool_size",
      "loan_request",
      "backing_mem",
    ],
  ],
  [
    "H_REG_SUB_CRQ",
    0x2dc,
    L,
    "register a sub-CRQ",
    ["unit_address", "ioba", "ioba_size"],
    ["cookie", "irq"],
  ],
  ["H_FREE_SUB_CRQ", 0x2e0, L, "free a sub-CRQ", ["unit_address", "cookie"], NONE],
  [
    "H_SEND_SUB_CRQ",
    0x2e4,
    L,
    "send a sub-CRQ message",
    ["unit_address", "remote_handle", "desc0", "desc1", "desc2", "desc3"],
    NONE,
  ],
  [
    "H_SEND_SUB_CRQ_INDIRECT",
    0x2e8,
    L,
    "send a list of sub-CRQ messages",
    ["unit_address", "remote_handle", "ioba", "num_entries"],
    NONE,
  ],
  [
    "H_HOME_NODE_ASSOCIATIVITY",
    0x2ec,
    QL,
    "NUMA associativity of a vCPU (VPHN)",
    ["flags", "procno"],
    ["assoc0", "assoc1", "assoc2", "assoc3", "assoc4", "assoc5"],
  ],
  ["H_BEST_ENERGY", 0x2f4, L, "energy-saving hints"],
  [
    "H_XIRR_X",
    0x2fc,
    QL,
    "XICS: accept the pending interrupt, with a timestamp",
    NONE,
    ["xirr", "timebase"],
  ],
  ["H_RANDOM", 0x300, QL, "a random number", NONE, ["random"]],
  ["H_COP", 0x304, L, "NX coprocessor operation"],
  [
    "H_GET_MPP_X",
    0x314,
    L,
    "extended memory performance parameters",
    NONE,
    ["coalesced_bytes", "pool_coalesced_bytes", "pool_purr_cycles", "pool_spurr_cycles"],
  ],
  [
    "H_SET_MODE",
    0x31c,
    QL,
    "set a processor mode resource (CIABR, DAWR, AIL, LE)",
    ["mflags", "resource", "value1", "value2"],
    NONE,
  ],
  ["H_BLOCK_REMOVE", 0x328, L, "remove a block of HPT entries"],
  ["H_CLEAR_HPT", 0x358, L, "clear the whole HPT (kexec)", NONE, NONE],
  ["H_REQUEST_VMC", 0x360, L, "request a virtual management channel"],
  ["H_RESIZE_HPT_PREPARE", 0x36c, QL, "prepare an HPT resize", ["flags", "shift"], NONE],
  ["H_RESIZE_HPT_COMMIT", 0x370, QL, "commit an HPT resize", ["flags", "shift"], NONE],
  ["H_CLEAN_SLB", 0x374, Q, "clean the SLB (QEMU: unimplemented, H_FUNCTION)"],
  ["H_INVALIDATE_PID", 0x378, Q, "invalidate a PID (QEMU: unimplemented, H_FUNCTION)"],
  [
    "H_REGISTER_PROC_TBL",
    0x37c,
    QL,
    "register the process table (radix/HPT-with-segment-table)",
    ["flags", "proc_tbl", "page_size", "table_size"],
    NONE,
  ],
  [
    "H_SIGNAL_SYS_RESET",
    0x380,
    QL,
    "send a system reset to a vCPU (-1: all, -2: all others)",
    ["target"],
    NONE,
  ],
  ["H_ALLOCATE_VAS_WINDOW", 0x388, L, "VAS: allocate a window"],
  ["H_MODIFY_VAS_WINDOW", 0x38c, L, "VAS: modify a window"],
  ["H_DEALLOCATE_VAS_WINDOW", 0x390, L, "VAS: free a window"],
  ["H_QUERY_VAS_WINDOW", 0x394, L, "VAS: query a window"],
  ["H_QUERY_VAS_CAPABILITIES", 0x398, L, "VAS: capabilities"],
  ["H_QUERY_NX_CAPABILITIES", 0x39c, L, "NX capabilities"],
  ["H_GET_NX_FAULT", 0x3a0, L, "NX fault information"],
  [
    "H_INT_GET_SOURCE_INFO",
    0x3a8,
    QL,
    "XIVE: source characteristics",
    ["flags", "lisn"],
    ["src_flags", "eoi_page", "trigger_page", "esb_shift"],
  ],
  [
    "H_INT_SET_SOURCE_CONFIG",
    0x3ac,
    QL,
    "XIVE: route a source to a target/priority",
    ["flags", "lisn", "target", "priority", "eisn"],
    NONE,
  ],
  [
    "H_INT_GET_SOURCE_CONFIG",
    0x3b0,
    QL,
    "XIVE: routing of a source",
    ["flags", "lisn"],
    ["target", "priority", "eisn"],
  ],
  [
    "H_INT_GET_QUEUE_INFO",
    0x3b4,
    QL,
    "XIVE: event queue notification page",
    ["flags", "target", "priority"],
    ["esb_page", "esb_shift"],
  ],
  [
    "H_INT_SET_QUEUE_CONFIG",
    0x3b8,
    QL,
    "XIVE: configure an event queue",
    ["flags", "target", "priority", "qpage", "qsize"],
    NONE,
  ],
  [
    "H_INT_GET_QUEUE_CONFIG",
    0x3bc,
    QL,
    "XIVE: event queue configuration",
    ["flags", "target", "priority"],
    ["q_flags", "qpage", "qsize", "qindex"],
  ],
  [
    "H_INT_SET_OS_REPORTING_LINE",
    0x3c0,
    QL,
    "XIVE: set the OS reporting line",
    ["flags", "reporting_line"],
    NONE,
  ],
  [
    "H_INT_GET_OS_REPORTING_LINE",
    0x3c4,
    QL,
    "XIVE: get the OS reporting line",
    ["flags", "target", "reporting_line"],
    ["line"],
  ],
  [
    "H_INT_ESB",
    0x3c8,
    QL,
    "XIVE: ESB load/store through the hypervisor",
    ["flags", "lisn", "esb_offset", "store_data"],
    ["load_value"],
  ],
  ["H_INT_SYNC", 0x3cc, QL, "XIVE: sync in-flight events of a source", ["flags", "lisn"], NONE],
  ["H_INT_RESET", 0x3d0, QL, "XIVE: reset all routing", ["flags"], NONE],
  [
    "H_SCM_READ_METADATA",
    0x3e4,
    QL,
    "NVDIMM: read label metadata",
    ["drc_index", "offset", "len"],
    ["data"],
  ],
  [
    "H_SCM_WRITE_METADATA",
    0x3e8,
    QL,
    "NVDIMM: write label metadata",
    ["drc_index", "offset", "data", "len"],
    NONE,
  ],
  ["H_SCM_BIND_MEM", 0x3ec, QL, "NVDIMM: bind storage-class memory"],
  ["H_SCM_UNBIND_MEM", 0x3f0, QL, "NVDIMM: unbind storage-class memory"],
  ["H_SCM_QUERY_BLOCK_MEM_BINDING", 0x3f4, L, "NVDIMM: query block binding"],
  ["H_SCM_QUERY_LOGICAL_MEM_BINDING", 0x3f8, L, "NVDIMM: query logical binding"],
  ["H_SCM_UNBIND_ALL", 0x3fc, QL, "NVDIMM: unbind all"],
  [
    "H_SCM_HEALTH",
    0x400,
    QL,
    "NVDIMM: health bitmap",
    ["drc_index"],
    ["health_bitmap", "health_bitmap_valid"],
  ],
  ["H_SCM_PERFORMANCE_STATS", 0x418, L, "NVDIMM: performance statistics"],
  ["H_PKS_GET_CONFIG", 0x41c, L, "platform keystore: configuration"],
  ["H_PKS_SET_PASSWORD", 0x420, L, "platform keystore: set password"],
  ["H_PKS_GEN_PASSWORD", 0x424, L, "platform keystore: generate password"],
  ["H_PKS_WRITE_OBJECT", 0x42c, L, "platform keystore: write object"],
  ["H_PKS_GEN_KEY", 0x430, L, "platform keystore: generate key"],
  ["H_PKS_READ_OBJECT", 0x434, L, "platform keystore: read object"],
  ["H_PKS_REMOVE_OBJECT", 0x438, L, "platform keystore: remove object"],
  ["H_PKS_CONFIRM_OBJECT_FLUSHED", 0x43c, L, "platform keystore: confirm flush"],
  [
    "H_RPT_INVALIDATE",
    0x448,
    QL,
    "invalidate radix TLB/PWC/table caches (process- or, with NESTED, partition-scoped)",
    ["id", "target", "type", "pg_sizes", "start", "end"],
    NONE,
  ],
  ["H_SCM_FLUSH", 0x44c, QL, "NVDIMM: flush", ["drc_index", "continue_token"], ["continue_token"]],
  [
    "H_GET_ENERGY_SCALE_INFO",
    0x450,
    L,
    "energy scale information",
    ["flags", "first_id", "buffer", "buffer_size"],
    NONE,
  ],
  ["H_PKS_SIGNED_UPDATE", 0x454, L, "platform keystore: signed update"],
  [
    "H_WATCHDOG",
    0x45c,
    QL,
    "guest watchdog control",
    ["flags", "watchdog_number", "timeout_ms"],
    ["watchdog_number_or_info"],
  ],
  [
    "H_GUEST_GET_CAPABILITIES",
    0x460,
    QL,
    "nested-v2: L0 capabilities",
    ["flags"],
    ["capabilities"],
  ],
  [
    "H_GUEST_SET_CAPABILITIES",
    0x464,
    QL,
    "nested-v2: select capabilities",
    ["flags", "capabilities"],
    ["failing_flag", "failing_bitmap"],
  ],
  [
    "H_GUEST_CREATE",
    0x470,
    QL,
    "nested-v2: create a guest",
    ["flags", "continue_token"],
    ["guest_id"],
  ],
  [
    "H_GUEST_CREATE_VCPU",
    0x474,
    QL,
    "nested-v2: create a vCPU",
    ["flags", "guest_id", "vcpu_id"],
    NONE,
  ],
  [
    "H_GUEST_GET_STATE",
    0x478,
    QL,
    "nested-v2: read guest state elements",
    ["flags", "guest_id", "vcpu_id", "buffer", "buffer_size"],
    NONE,
  ],
  [
    "H_GUEST_SET_STATE",
    0x47c,
    QL,
    "nested-v2: write guest state elements",
    ["flags", "guest_id", "vcpu_id", "buffer", "buffer_size"],
    NONE,
  ],
  [
    "H_GUEST_RUN_VCPU",
    0x480,
    QL,
    "nested-v2: run a vCPU until an exit",
    ["flags", "guest_id", "vcpu_id"],
    ["exit_vector"],
  ],
  ["H_GUEST_COPY_MEMORY", 0x484, L, "nested-v2: copy guest memory"],
  [
    "H_GUEST_DELETE",
    0x488,
    QL,
    "nested-v2: delete a guest (flag bit 0: all)",
    ["flags", "guest_id"],
    NONE,
  ],
  ["H_PKS_WRAP_OBJECT", 0x490, L, "platform keystore: wrap an object"],
  ["H_PKS_UNWRAP_OBJECT", 0x494, L, "platform keystore: unwrap an object"],
];

type PlatformDef = readonly [
  name: string,
  opcode: number,
  by: HcallDefinedBy,
  description: string,
  args: readonly string[] | undefined,
  results: readonly string[] | undefined,
  aliases: readonly string[],
  r3?: string,
];

const PLATFORM: readonly PlatformDef[] = [
  [
    "H_SVM_PAGE_IN",
    0xef00,
    L,
    "Ultravisor: page a secure guest page in",
    ["gpa", "flags", "page_shift"],
    NONE,
    [],
  ],
  [
    "H_SVM_PAGE_OUT",
    0xef04,
    L,
    "Ultravisor: page a secure guest page out",
    ["gpa", "flags", "page_shift"],
    NONE,
    [],
  ],
  ["H_SVM_INIT_START", 0xef08, L, "Ultravisor: secure guest init starts", NONE, NONE, []],
  ["H_SVM_INIT_DONE", 0xef0c, L, "Ultravisor: secure guest init done", NONE, NONE, []],
  [
    "SVM_H_TPM_COMM",
    0xef10,
    Q,
    "Ultravisor: TPM communication proxy",
    ["op", "data_in", "data_in_size", "data_out", "data_out_size"],
    ["response_size"],
    [],
  ],
  ["H_SVM_INIT_ABORT", 0xef14, L, "Ultravisor: secure guest init aborted", NONE, NONE, []],
  [
    "H_RTAS",
    0xf000,
    QL,
    "call RTAS (QEMU's RTAS blob is this hcall)",
    ["rtas_args"],
    NONE,
    ["KVMPPC_H_RTAS"],
  ],
  [
    "H_LOGICAL_MEMOP",
    0xf001,
    QL,
    "SLOF memory operation (copy/xor of logical memory)",
    ["dst", "src", "esize", "count", "op"],
    NONE,
    ["KVMPPC_H_LOGICAL_MEMOP"],
  ],
  [
    "H_CAS",
    0xf002,
    QL,
    "ibm,client-architecture-support: negotiate option vectors, return the updated FDT",
    ["vec", "fdt_buf", "fdt_bufsize"],
    NONE,
    ["KVMPPC_H_CAS"],
  ],
  [
    "H_UPDATE_DT",
    0xf003,
    QL,
    "SLOF hands its device tree to QEMU",
    ["dt"],
    NONE,
    ["KVMPPC_H_UPDATE_DT"],
  ],
  [
    "KVMPPC_H_VOF_CLIENT",
    0xf005,
    Q,
    "VOF firmware client interface (0xF004 was SLOF's UPDATE_PHANDLE)",
    ["args"],
    NONE,
    [],
  ],
  [
    "H_GET_24X7_CATALOG_PAGE",
    0xf078,
    L,
    "PowerVM 24x7 counters: catalog page",
    ["page_addr", "version", "page_index"],
    NONE,
    [],
  ],
  [
    "H_GET_24X7_DATA",
    0xf07c,
    L,
    "PowerVM 24x7 counters: data",
    ["request", "request_size", "result", "result_size"],
    NONE,
    [],
  ],
  [
    "H_GET_PERF_COUNTER_INFO",
    0xf080,
    L,
    "PowerVM performance counter information",
    ["buffer", "size"],
    NONE,
    [],
  ],
  [
    "H_SET_PARTITION_TABLE",
    0xf800,
    QL,
    "nested v1: register L1's partition table (PTCR format)",
    ["ptcr"],
    NONE,
    ["KVMPPC_H_SET_PARTITION_TABLE"],
  ],
  [
    "H_ENTER_NESTED",
    0xf804,
    QL,
    "nested v1: run an L2 vCPU until an exit",
    ["hv_guest_state", "pt_regs"],
    NONE,
    ["KVMPPC_H_ENTER_NESTED"],
    "trap vector of the L2 exit (0x980, 0xc00, 0xe00, ...) or a negative H_* error; 0 = re-enter",
  ],
  [
    "H_TLB_INVALIDATE",
    0xf808,
    QL,
    "nested v1: partition-scoped tlbie on behalf of L1",
    ["instr", "rs_lpid", "rb"],
    NONE,
    ["KVMPPC_H_TLB_INVALIDATE"],
  ],
  [
    "H_COPY_TOFROM_GUEST",
    0xf80c,
    QL,
    "nested v1: copy to/from an L2 effective address",
    ["lpid", "pid", "eaddr", "to", "from", "n"],
    NONE,
    ["KVMPPC_H_COPY_TOFROM_GUEST"],
  ],
];

function rangeOf(opcode: number): HcallRange {
  if (opcode >= 0xf000) return "platform";
  if (opcode >= SVM_HCALL_BASE && opcode <= 0xef80) return "ultravisor";
  return "papr";
}

function build(): HcallInfo[] {
  const out: HcallInfo[] = [];
  for (const [name, opcode, definedBy, description, args, results] of PAPR) {
    out.push({
      name,
      opcode,
      aliases: [],
      definedBy,
      range: rangeOf(opcode),
      description,
      args,
      results,
    });
  }
  for (const [name, opcode, definedBy, description, args, results, aliases, r3] of PLATFORM) {
    out.push({
      name,
      opcode,
      aliases,
      definedBy,
      range: rangeOf(opcode),
      description,
      args,
      results,
      r3,
    });
  }
  return out.sort((a, b) => a.opcode - b.opcode);
}

/** Every hcall QEMU spapr or Linux defines, sorted by opcode. */
export const HCALLS: readonly HcallInfo[] = build();

const hcallByOpcodeMap = new Map<number, HcallInfo>();
const hcallByNameMap = new Map<string, HcallInfo>();
for (const h of HCALLS) {
  if (hcallByOpcodeMap.has(h.opcode))
    throw new Error(`duplicate hcall opcode 0x${h.opcode.toString(16)}`);
  hcallByOpcodeMap.set(h.opcode, h);
  for (const n of [h.name, ...h.aliases]) {
    if (hcallByNameMap.has(n)) throw new Error(`duplicate hcall name ${n}`);
    hcallByNameMap.set(n, h);
  }
}
// Linux's spelling of QEMU's H_DISABLE_AND_GETC.
hcallByNameMap.set("H_DISABLE_AND_GET", hcallByOpcodeMap.get(0x1b0)!);

/** The hcall with this opcode, or undefined. */
export function hcallByOpcode(opcode: number): HcallInfo | undefined {
  return hcallByOpcodeMap.get(opcode);
}

/** The hcall with this name or alias (`H_ENTER_NESTED`, `KVMPPC_H_CAS`), case-insensitive. */
export function hcallByName(name: string): HcallInfo | undefined {
  return hcallByNameMap.get(name.toUpperCase());
}

/** `H_ENTER_NESTED` for 0xf804; `0x…` when unknown. */
export function hcallName(opcode: number): string {
  return hcallByOpcodeMap.get(opcode)?.name ?? `0x${opcode.toString(16)}`;
}

/**
 * QEMU's dispatch rule for an opcode (spapr_hypercall): standard opcodes must be multiples of 4
 * and ≤ MAX_HCALL_OPCODE; the KVMPPC range is 0xF000…KVMPPC_HCALL_MAX; the SVM range is
 * 0xEF00…SVM_HCALL_MAX. Anything else is "Unimplemented SPAPR hcall" → H_FUNCTION.
 */
export function hcallTableOf(opcode: number): "papr" | "kvmppc" | "svm" | "none" {
  if (opcode <= MAX_HCALL_OPCODE && (opcode & 3) === 0) return "papr";
  if (opcode >= KVMPPC_HCALL_BASE && opcode <= KVMPPC_HCALL_MAX) return "kvmppc";
  if (opcode >= SVM_HCALL_BASE && opcode <= SVM_HCALL_MAX) return "svm";
  return "none";
}
