// The in-kernel hcall table: what "KVM" handles without exiting to the VMM. An entry is used
// only when the VM's enable bitmap has the hcall (KVM_CAP_PPC_ENABLE_HCALL); otherwise, or when
// a handler answers "too-hard" (KVM's H_TOO_HARD), the hcall leaves run() as a papr-hcall exit.
import {
  H_CEDE,
  H_CONFER,
  H_PAGE_INIT,
  H_PARAMETER,
  H_PROD,
  H_REGISTER_VPA,
  H_SET_DABR,
  H_SET_MODE,
  H_SUCCESS,
} from "@hvsim/hcall-abi";
import type { Vcpu } from "./vcpu";
import type { Vm } from "./vm";

export type HcallOutcome =
  /** Done: r3 = ret; the vCPU continues. */
  | { kind: "done"; ret: number }
  /** Done, and the vCPU gives up the rest of its slice (H_CONFER, H_CEDE). */
  | { kind: "yield"; ret: number }
  /** Not for the kernel after all: exit to the VMM (KVM's H_TOO_HARD). */
  | { kind: "too-hard" };

export interface InKernelHcall {
  readonly name: string;
  readonly handler: (vm: Vm, vcpu: Vcpu) => HcallOutcome;
}

/** H_PAGE_INIT flags (PAPR): zero the destination, copy from the source. */
const H_ZERO_PAGE = 1n << 15n;
const H_COPY_PAGE = 1n << 14n;
/** H_SET_MODE resources KVM-HV handles itself (the DAWR ones); others go to QEMU. */
const H_SET_MODE_RESOURCE_SET_DAWR0 = 2n;

export const IN_KERNEL_HCALLS: ReadonlyMap<number, InKernelHcall> = new Map<number, InKernelHcall>([
  [H_CEDE, { name: "H_CEDE", handler: (vm, v) => vm.cede(v) }],
  [
    H_PROD,
    {
      name: "H_PROD",
      handler: (vm, v) => ({ kind: "done", ret: vm.prod(Number(v.getGpr(4))) }),
    },
  ],
  [H_CONFER, { name: "H_CONFER", handler: () => ({ kind: "yield", ret: H_SUCCESS }) }],
  [
    H_REGISTER_VPA,
    {
      name: "H_REGISTER_VPA",
      // The VPA is a shared area KVM updates (dispatch counts, yield counts); hvsim's guests
      // only register it, so KVM's argument checks are kept and the area is left alone.
      handler: (vm, v) => {
        const vpa = Number(v.getGpr(6) & 0xfffffffffffffn);
        if (vpa % 8 !== 0 || (vpa !== 0 && vm.memslots.toHost(vpa, 8) === undefined)) {
          return { kind: "done", ret: H_PARAMETER };
        }
        return { kind: "done", ret: H_SUCCESS };
      },
    },
  ],
  [
    H_SET_DABR,
    {
      name: "H_SET_DABR",
      handler: (_vm, v) => {
        v.dabr = v.getGpr(4);
        return { kind: "done", ret: H_SUCCESS };
      },
    },
  ],
  [
    H_SET_MODE,
    {
      name: "H_SET_MODE",
      handler: (_vm, v) =>
        v.getGpr(5) === H_SET_MODE_RESOURCE_SET_DAWR0
          ? { kind: "done", ret: H_SUCCESS }
          : { kind: "too-hard" },
    },
  ],
  [
    H_PAGE_INIT,
    {
      name: "H_PAGE_INIT",
      handler: (vm, v) => {
        const flags = v.getGpr(4);
        const dest = Number(v.getGpr(5) & 0xfffffffffffffn);
        const src = Number(v.getGpr(6) & 0xfffffffffffffn);
        if (dest % 4096 !== 0 || (flags & H_COPY_PAGE && src % 4096 !== 0)) {
          return { kind: "done", ret: H_PARAMETER };
        }
        let data: Uint8Array = new Uint8Array(4096);
        if (flags & H_COPY_PAGE) {
          const s = vm.readGuest(src, 4096);
          if (s === undefined) return { kind: "done", ret: H_PARAMETER };
          data = s;
        } else if (!(flags & H_ZERO_PAGE)) {
          return { kind: "done", ret: H_SUCCESS };
        }
        return { kind: "done", ret: vm.writeGuest(dest, data) ? H_SUCCESS : H_PARAMETER };
      },
    },
  ],
]);
