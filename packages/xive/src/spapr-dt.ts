// The device-tree nodes QEMU's pseries machine publishes for each interrupt controller mode, as
// plain data (this package does not depend on @hvsim/fdt; apps/sim turns these into FDT nodes).
// Values: a string, u32 cells, or null for an empty (boolean) property.
import type { ActiveIntc } from "./capability";
import {
  SPAPR_IRQ_IPI,
  SPAPR_PLAT_RES_INT_PRIORITIES,
  SPAPR_XIVE_EQ_SIZES,
  SPAPR_XIVE_TM_BASE,
  TM_SHIFT,
} from "./spapr-layout";
import { XIVE_TM_OS_PAGE, XIVE_TM_USER_PAGE } from "./tima";

export type DtValue = string | readonly number[] | null;

export interface DtProperty {
  readonly name: string;
  readonly value: DtValue;
}

export interface DtNode {
  /** Node name under the root, unit address included. */
  readonly name: string;
  readonly props: readonly DtProperty[];
}

export interface IntcDeviceTree {
  readonly node: DtNode;
  /** Properties the mode adds to the root node. */
  readonly rootProps: readonly DtProperty[];
}

const u64Cells = (v: number): number[] => [Math.floor(v / 2 ** 32), v >>> 0];

/**
 * The interrupt-controller node for the active mode (QEMU spapr_dt_xive / spapr_dt_xics).
 * `nrServers` is the number of interrupt servers (max vCPU id + 1); `phandle` is the machine's.
 */
export function intcDeviceTree(
  intc: ActiveIntc,
  nrServers: number,
  phandle: number,
): IntcDeviceTree {
  switch (intc) {
    case "xive": {
      const user = SPAPR_XIVE_TM_BASE + XIVE_TM_USER_PAGE * 2 ** TM_SHIFT;
      const os = SPAPR_XIVE_TM_BASE + XIVE_TM_OS_PAGE * 2 ** TM_SHIFT;
      return {
        node: {
          name: `interrupt-controller@${user.toString(16)}`,
          props: [
            { name: "device_type", value: "power-ivpe" },
            // The USER and OS TIMA pages, 64K each (address and size as two cells each).
            {
              name: "reg",
              value: [
                ...u64Cells(user),
                ...u64Cells(2 ** TM_SHIFT),
                ...u64Cells(os),
                ...u64Cells(2 ** TM_SHIFT),
              ],
            },
            { name: "compatible", value: "ibm,power-ivpe" },
            { name: "ibm,xive-eq-sizes", value: SPAPR_XIVE_EQ_SIZES },
            // One IPI LISN per interrupt server.
            { name: "ibm,xive-lisn-ranges", value: [SPAPR_IRQ_IPI, SPAPR_IRQ_IPI + nrServers] },
            { name: "interrupt-controller", value: null },
            { name: "#interrupt-cells", value: [2] },
            { name: "linux,phandle", value: [phandle] },
            { name: "phandle", value: [phandle] },
          ],
        },
        rootProps: [{ name: "ibm,plat-res-int-priorities", value: SPAPR_PLAT_RES_INT_PRIORITIES }],
      };
    }
    case "xics":
      return {
        node: {
          name: "interrupt-controller",
          props: [
            { name: "device_type", value: "PowerPC-External-Interrupt-Presentation" },
            { name: "compatible", value: "IBM,ppc-xicp" },
            { name: "interrupt-controller", value: null },
            { name: "ibm,interrupt-server-ranges", value: [0, nrServers] },
            { name: "#interrupt-cells", value: [2] },
            { name: "linux,phandle", value: [phandle] },
            { name: "phandle", value: [phandle] },
          ],
        },
        rootProps: [],
      };
  }
}
