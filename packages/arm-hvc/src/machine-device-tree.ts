// The arm64-virt machine's device tree, shaped like QEMU's `virt` board (hw/arm/virt.c
// `fdt_add_psci_node`, `fdt_add_cpu_nodes`) plus Xen's /hypervisor node
// (Documentation/devicetree/bindings/arm/xen.txt). Written through a `DeviceTreeSink`.
import type { Conduit } from "./smccc-call";
import type { DeviceTreeSink } from "./device-tree";
import { propCells, propEmpty, propString, propStringList } from "./device-tree";
import { KVM_PSCI_0_1_IDS, PSCI_VERSION_0_2, PSCI_VERSION_1_0, psciFunction } from "./psci-ids";

export interface MachineTreeSpec {
  /** undefined: no /psci node (PSCI not described). */
  readonly psci?: { readonly version: number; readonly method: Conduit };
  readonly mpidrs: readonly bigint[];
  readonly memory: { readonly base: bigint; readonly size: bigint };
  /** Xen's node: version for the compatible string, grant-table region, event-channel PPI. */
  readonly xen?: {
    readonly major: number;
    readonly minor: number;
    readonly grantTable: { readonly base: bigint; readonly size: bigint };
    readonly eventChannelPpi: number;
  };
}

function cells64(v: bigint): [number, number] {
  return [Number(BigInt.asUintN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
}

/**
 * The GIC's phandle. dtc allocates phandles from 1, as here; QEMU's virt board allocates them
 * from 0x8000, so the GIC's is a different number there (the reference is what matters).
 */
export const GIC_PHANDLE = 1;
/** GICv3 distributor and redistributor frames where QEMU's virt board maps them (VIRT_GIC_*). */
const GICD = { base: 0x08000000n, size: 0x10000n };
const GICR = { base: 0x080a0000n, size: 0xf60000n };

export function writeMachineTree(spec: MachineTreeSpec, sink: DeviceTreeSink): void {
  sink.beginNode("");
  sink.property("compatible", propString("linux,dummy-virt"));
  sink.property("#address-cells", propCells(2));
  sink.property("#size-cells", propCells(2));
  // Every `interrupts` below (Xen's event-channel PPI) resolves through the root's
  // interrupt-parent to the GIC, as in QEMU's fdt_add_gic_node; without it Linux's
  // irq_of_parse_and_map finds no controller and Xen's event channel never comes up.
  sink.property("interrupt-parent", propCells(GIC_PHANDLE));

  // The ABI-level machine models PPIs only, but its tree names the controller they come from:
  // a GICv3 with one redistributor region, as QEMU's virt board describes it.
  sink.beginNode(`intc@${GICD.base.toString(16)}`);
  sink.property("compatible", propString("arm,gic-v3"));
  sink.property("#interrupt-cells", propCells(3));
  sink.property("interrupt-controller", propEmpty());
  sink.property("#address-cells", propCells(2));
  sink.property("#size-cells", propCells(2));
  sink.property("ranges", propEmpty());
  sink.property("#redistributor-regions", propCells(1));
  sink.property(
    "reg",
    propCells(
      ...cells64(GICD.base),
      ...cells64(GICD.size),
      ...cells64(GICR.base),
      ...cells64(GICR.size),
    ),
  );
  sink.property("phandle", propCells(GIC_PHANDLE));
  sink.endNode();

  if (spec.psci !== undefined) {
    const v = spec.psci.version;
    sink.beginNode("psci");
    const compat =
      v >= PSCI_VERSION_1_0
        ? ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]
        : v >= PSCI_VERSION_0_2
          ? ["arm,psci-0.2", "arm,psci"]
          : ["arm,psci"];
    sink.property("compatible", propStringList(compat));
    sink.property("method", propString(spec.psci.method));
    // QEMU writes the four function-id properties whatever the version: the 0.1 ids for PSCI
    // 0.1 (the only way a 0.1 guest learns them), the standard 0.2 ids otherwise.
    const ids =
      v >= PSCI_VERSION_0_2
        ? {
            cpu_suspend: psciFunction("CPU_SUSPEND").id64 ?? 0,
            cpu_off: psciFunction("CPU_OFF").id32,
            cpu_on: psciFunction("CPU_ON").id64 ?? 0,
            migrate: psciFunction("MIGRATE").id64 ?? 0,
          }
        : KVM_PSCI_0_1_IDS;
    sink.property("cpu_suspend", propCells(ids.cpu_suspend));
    sink.property("cpu_off", propCells(ids.cpu_off));
    sink.property("cpu_on", propCells(ids.cpu_on));
    sink.property("migrate", propCells(ids.migrate));
    sink.endNode();
  }

  sink.beginNode("cpus");
  sink.property("#address-cells", propCells(1));
  sink.property("#size-cells", propCells(0));
  spec.mpidrs.forEach((mpidr) => {
    sink.beginNode(`cpu@${mpidr.toString(16)}`);
    sink.property("device_type", propString("cpu"));
    sink.property("compatible", propString("arm,cortex-a57"));
    sink.property("reg", propCells(Number(mpidr)));
    if (spec.psci !== undefined) sink.property("enable-method", propString("psci"));
    sink.endNode();
  });
  sink.endNode();

  sink.beginNode(`memory@${spec.memory.base.toString(16)}`);
  sink.property("device_type", propString("memory"));
  sink.property("reg", propCells(...cells64(spec.memory.base), ...cells64(spec.memory.size)));
  sink.endNode();

  if (spec.xen !== undefined) {
    const x = spec.xen;
    // Xen's binding names the node `hypervisor`, without a unit address, although it has a
    // `reg`: dtc warns (unit_address_vs_reg), and Linux finds it by that name.
    sink.beginNode("hypervisor");
    sink.property("compatible", propStringList([`xen,xen-${x.major}.${x.minor}`, "xen,xen"]));
    sink.property("reg", propCells(...cells64(x.grantTable.base), ...cells64(x.grantTable.size)));
    // <GIC_PPI, ppi, IRQ_TYPE_LEVEL_LOW | all-CPU mask>, as xl writes it.
    sink.property("interrupts", propCells(1, x.eventChannelPpi, 0xf08));
    sink.endNode();
  }

  // QEMU writes /chosen `bootargs` only for a non-empty -append, and its `rng-seed` and
  // `kaslr-seed` are random: hvsim has no command line and no host randomness, so /chosen is empty.
  sink.beginNode("chosen");
  sink.endNode();
  sink.endNode();
}
