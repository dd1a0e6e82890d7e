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

export function writeMachineTree(spec: MachineTreeSpec, sink: DeviceTreeSink): void {
  sink.beginNode("");
  sink.property("compatible", propString("linux,dummy-virt"));
  sink.property("#address-cells", propCells(2));
  sink.property("#size-cells", propCells(2));

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
    sink.beginNode("hypervisor");
    sink.property("compatible", propStringList([`xen,xen-${x.major}.${x.minor}`, "xen,xen"]));
    sink.property("reg", propCells(...cells64(x.grantTable.base), ...cells64(x.grantTable.size)));
    // <GIC_PPI, ppi, IRQ_TYPE_LEVEL_LOW | all-CPU mask>, as xl writes it.
    sink.property("interrupts", propCells(1, x.eventChannelPpi, 0xf08));
    sink.endNode();
  }

  sink.beginNode("chosen");
  sink.property("bootargs", propEmpty());
  sink.endNode();
  sink.endNode();
}
