// KVM capabilities that matter for a Book3S-HV (POWER) VM, and KVM-HV's per-VM hcall
// enablement. Numbers: Linux include/uapi/linux/kvm.h. Behaviour: arch/powerpc/kvm/powerpc.c
// (kvm_vm_ioctl_check_extension / kvm_vm_ioctl_enable_cap) and book3s_hv.c, as summarised in
// nested-hv.md §3.1.
//
// The rule these encode (David Gibson on KVM_CAP_PPC_RPT_INVALIDATE): an in-kernel hcall is
// live only if userspace turned it on with KVM_CAP_PPC_ENABLE_HCALL, so QEMU can build
// backward-compatible guests. Hcalls above MAX_HCALL_OPCODE (0xF000+) bypass the bitmap.

import {
  H_BULK_REMOVE,
  H_CEDE,
  H_CLEAR_MOD,
  H_CLEAR_REF,
  H_CONFER,
  H_CPPR,
  H_ENTER,
  H_EOI,
  H_GET_TCE,
  H_IPI,
  H_IPOLL,
  H_LOGICAL_CI_LOAD,
  H_LOGICAL_CI_STORE,
  H_PAGE_INIT,
  H_PROD,
  H_PROTECT,
  H_PUT_TCE,
  H_PUT_TCE_INDIRECT,
  H_RANDOM,
  H_READ,
  H_REGISTER_VPA,
  H_REMOVE,
  H_RPT_INVALIDATE,
  H_RTAS,
  H_SET_DABR,
  H_SET_MODE,
  H_SET_XDABR,
  H_STUFF_TCE,
  H_XIRR,
  H_XIRR_X,
  MAX_HCALL_OPCODE,
} from "./hcall-numbers";

export const KVM_CAP_PPC_PAPR = 68;
export const KVM_CAP_SPAPR_TCE = 63;
export const KVM_CAP_PPC_SMT = 64;
export const KVM_CAP_PPC_GET_SMMU_INFO = 78;
export const KVM_CAP_PPC_ALLOC_HTAB = 80;
export const KVM_CAP_PPC_HTAB_FD = 84;
export const KVM_CAP_PPC_RTAS = 91;
export const KVM_CAP_IRQ_XICS = 92;
export const KVM_CAP_SPAPR_MULTITCE = 94;
export const KVM_CAP_PPC_FIXUP_HCALL = 103;
export const KVM_CAP_PPC_ENABLE_HCALL = 104;
export const KVM_CAP_PPC_HWRNG = 115;
export const KVM_CAP_SPAPR_TCE_64 = 125;
export const KVM_CAP_PPC_HTM = 132;
export const KVM_CAP_SPAPR_RESIZE_HPT = 133;
export const KVM_CAP_PPC_MMU_RADIX = 134;
export const KVM_CAP_PPC_MMU_HASH_V3 = 135;
export const KVM_CAP_SPAPR_TCE_VFIO = 142;
export const KVM_CAP_PPC_FWNMI = 146;
export const KVM_CAP_PPC_SMT_POSSIBLE = 147;
export const KVM_CAP_PPC_GET_CPU_CHAR = 151;
export const KVM_CAP_PPC_NESTED_HV = 160;
export const KVM_CAP_PPC_IRQ_XIVE = 169;
export const KVM_CAP_PPC_GUEST_DEBUG_SSTEP = 176;
export const KVM_CAP_PPC_SECURE_GUEST = 181;
export const KVM_CAP_PPC_DAWR1 = 194;
export const KVM_CAP_PPC_RPT_INVALIDATE = 202;
export const KVM_CAP_PPC_AIL_MODE_3 = 210;

/**
 * How userspace uses a capability: `check` = KVM_CHECK_EXTENSION only (no enable case),
 * `vm-enable` = KVM_ENABLE_CAP on the VM, `vcpu-enable` = KVM_ENABLE_CAP on a vCPU.
 */
export type KvmCapUse = "check" | "vm-enable" | "vcpu-enable";

export interface KvmCapInfo {
  readonly name: string;
  readonly id: number;
  readonly use: KvmCapUse;
  /** What KVM-HV answers or does (book3s_hv / powerpc.c). */
  readonly description: string;
}

export const KVM_CAPS: readonly KvmCapInfo[] = [
  {
    name: "KVM_CAP_SPAPR_TCE",
    id: 63,
    use: "check",
    description: "in-kernel TCE tables (KVM_CREATE_SPAPR_TCE)",
  },
  {
    name: "KVM_CAP_PPC_SMT",
    id: 64,
    use: "vm-enable",
    description: "threads per core; enable sets the virtual SMT mode",
  },
  {
    name: "KVM_CAP_PPC_PAPR",
    id: 68,
    use: "vcpu-enable",
    description: "PAPR guest (PR KVM); always on for HV",
  },
  {
    name: "KVM_CAP_PPC_GET_SMMU_INFO",
    id: 78,
    use: "check",
    description: "MMU page sizes; a nested L1 reports KVM_PPC_NO_HASH",
  },
  {
    name: "KVM_CAP_PPC_ALLOC_HTAB",
    id: 80,
    use: "check",
    description: "KVM allocates the HPT (-EOPNOTSUPP in a nested L1)",
  },
  {
    name: "KVM_CAP_PPC_HTAB_FD",
    id: 84,
    use: "check",
    description: "HPT read/write fd for migration",
  },
  {
    name: "KVM_CAP_PPC_RTAS",
    id: 91,
    use: "check",
    description: "in-kernel RTAS tokens (KVM_PPC_RTAS_DEFINE_TOKEN)",
  },
  {
    name: "KVM_CAP_IRQ_XICS",
    id: 92,
    use: "vcpu-enable",
    description: "connect a vCPU to the in-kernel XICS device",
  },
  {
    name: "KVM_CAP_SPAPR_MULTITCE",
    id: 94,
    use: "check",
    description: "H_PUT_TCE_INDIRECT/H_STUFF_TCE in kernel",
  },
  {
    name: "KVM_CAP_PPC_FIXUP_HCALL",
    id: 103,
    use: "check",
    description: "KVM fixes up unknown hcalls for userspace",
  },
  {
    name: "KVM_CAP_PPC_ENABLE_HCALL",
    id: 104,
    use: "vm-enable",
    description: "args[0] = hcall, args[1] = 1 in kernel / 0 to userspace",
  },
  {
    name: "KVM_CAP_PPC_HWRNG",
    id: 115,
    use: "check",
    description: "H_RANDOM backed by the host RNG",
  },
  { name: "KVM_CAP_SPAPR_TCE_64", id: 125, use: "check", description: "64-bit TCE windows" },
  {
    name: "KVM_CAP_PPC_HTM",
    id: 132,
    use: "check",
    description: "hardware transactional memory usable by guests",
  },
  { name: "KVM_CAP_SPAPR_RESIZE_HPT", id: 133, use: "check", description: "HPT resizing" },
  {
    name: "KVM_CAP_PPC_MMU_RADIX",
    id: 134,
    use: "check",
    description: "radix guests (HV and radix host)",
  },
  {
    name: "KVM_CAP_PPC_MMU_HASH_V3",
    id: 135,
    use: "check",
    description: "ISA 3.0 hash guests (false in a nested L1)",
  },
  {
    name: "KVM_CAP_SPAPR_TCE_VFIO",
    id: 142,
    use: "check",
    description: "TCE tables for VFIO devices",
  },
  {
    name: "KVM_CAP_PPC_FWNMI",
    id: 146,
    use: "vm-enable",
    description: "firmware-assisted NMI delivery to the guest",
  },
  {
    name: "KVM_CAP_PPC_SMT_POSSIBLE",
    id: 147,
    use: "check",
    description: "bitmap of possible SMT modes",
  },
  {
    name: "KVM_CAP_PPC_GET_CPU_CHAR",
    id: 151,
    use: "check",
    description: "speculation characteristics (for spapr cfpc/sbbc/ibs)",
  },
  {
    name: "KVM_CAP_PPC_NESTED_HV",
    id: 160,
    use: "vm-enable",
    description: "nested-HV v1; -EPERM if nested=0, -ENODEV if not ISA 3.0/radix or a nested-v2 L1",
  },
  {
    name: "KVM_CAP_PPC_IRQ_XIVE",
    id: 169,
    use: "vcpu-enable",
    description:
      "connect a vCPU to the in-kernel XIVE device; needs XIVE and HV mode (never in a nested L1)",
  },
  {
    name: "KVM_CAP_PPC_GUEST_DEBUG_SSTEP",
    id: 176,
    use: "check",
    description: "guest single-stepping",
  },
  {
    name: "KVM_CAP_PPC_SECURE_GUEST",
    id: 181,
    use: "vm-enable",
    description: "secure VMs (Ultravisor)",
  },
  {
    name: "KVM_CAP_PPC_DAWR1",
    id: 194,
    use: "vm-enable",
    description: "second data address watchpoint",
  },
  {
    name: "KVM_CAP_PPC_RPT_INVALIDATE",
    id: 202,
    use: "check",
    description: "H_RPT_INVALIDATE can be enabled; always 1 on HV",
  },
  { name: "KVM_CAP_PPC_AIL_MODE_3", id: 210, use: "check", description: "AIL mode 3 for guests" },
];

export function kvmCapByName(name: string): KvmCapInfo | undefined {
  const n = name.toUpperCase();
  return KVM_CAPS.find((c) => c.name === n || c.name === `KVM_CAP_${n}`);
}

export function kvmCapById(id: number): KvmCapInfo | undefined {
  return KVM_CAPS.find((c) => c.id === id);
}

/**
 * The hcalls KVM-HV enables in every new VM's bitmap ("all hcalls implemented before the
 * hcall-enabling facility", default_hcall_list). The TCE pair needs CONFIG_SPAPR_TCE_IOMMU, the
 * XICS group CONFIG_KVM_XICS; hvsim's KVM has both.
 */
export const KVM_HV_DEFAULT_ENABLED_HCALLS: readonly number[] = [
  H_REMOVE,
  H_ENTER,
  H_READ,
  H_PROTECT,
  H_BULK_REMOVE,
  H_GET_TCE,
  H_PUT_TCE,
  H_SET_DABR,
  H_SET_XDABR,
  H_CEDE,
  H_PROD,
  H_CONFER,
  H_REGISTER_VPA,
  H_EOI,
  H_CPPR,
  H_IPI,
  H_IPOLL,
  H_XIRR,
  H_XIRR_X,
];

/**
 * Hcalls KVM-HV implements and so accepts in KVM_CAP_PPC_ENABLE_HCALL
 * (kvmppc_hcall_impl_hv plus its real-mode table): the defaults plus these, off by default.
 */
export const KVM_HV_OPTIONAL_HCALLS: readonly number[] = [
  H_CLEAR_MOD,
  H_CLEAR_REF,
  H_SET_MODE,
  H_PUT_TCE_INDIRECT,
  H_STUFF_TCE,
  H_LOGICAL_CI_LOAD,
  H_LOGICAL_CI_STORE,
  H_PAGE_INIT,
  H_RANDOM,
  H_RPT_INVALIDATE,
];

/**
 * What QEMU turns on at machine init with KVM ("mandatory in PAPR, but off by default"):
 * H_LOGICAL_CI_LOAD/STORE, H_SET_MODE, H_CLEAR_REF/H_CLEAR_MOD, H_PAGE_INIT. H_RPT_INVALIDATE
 * follows only when cap-rpt-invalidate=on.
 */
export const QEMU_ENABLED_AT_INIT_HCALLS: readonly number[] = [
  H_LOGICAL_CI_LOAD,
  H_LOGICAL_CI_STORE,
  H_SET_MODE,
  H_CLEAR_REF,
  H_CLEAR_MOD,
  H_PAGE_INIT,
];

/** The outcome of KVM_ENABLE_CAP(KVM_CAP_PPC_ENABLE_HCALL, hcall, enable). */
export type EnableHcallResult =
  { readonly ok: true } | { readonly ok: false; readonly errno: "EINVAL"; readonly reason: string };

/**
 * KVM's argument check for KVM_CAP_PPC_ENABLE_HCALL: -EINVAL when hcall > MAX_HCALL_OPCODE,
 * hcall not a multiple of 4, enable > 1, or an hcall KVM-HV does not implement. H_RTAS is
 * outside the bitmap (its tokens use KVM_PPC_RTAS_DEFINE_TOKEN).
 */
export function checkEnableHcall(hcall: number, enable: number): EnableHcallResult {
  const bad = (reason: string): EnableHcallResult => ({ ok: false, errno: "EINVAL", reason });
  if (hcall > MAX_HCALL_OPCODE) {
    return bad(
      hcall === H_RTAS
        ? "H_RTAS is controlled with KVM_PPC_RTAS_DEFINE_TOKEN, not the hcall bitmap"
        : `0x${hcall.toString(16)} is above MAX_HCALL_OPCODE`,
    );
  }
  if (hcall < 0 || hcall % 4 !== 0) return bad(`0x${hcall.toString(16)} is not a multiple of 4`);
  if (enable !== 0 && enable !== 1) return bad(`enable must be 0 or 1, got ${enable}`);
  if (!KVM_HV_DEFAULT_ENABLED_HCALLS.includes(hcall) && !KVM_HV_OPTIONAL_HCALLS.includes(hcall)) {
    return bad(`KVM-HV does not implement 0x${hcall.toString(16)}`);
  }
  return { ok: true };
}

/** True when KVM's enable bitmap gates this opcode (≤ MAX_HCALL_OPCODE); 0xF000+ bypass it. */
export function isGatedByHcallBitmap(opcode: number): boolean {
  return opcode <= MAX_HCALL_OPCODE;
}
