import type { PhysMem } from "../phys-mem";
import { lookupLeaf, type RadixTree } from "./tree";

/**
 * A PhysMem over a partition's guest real space: addresses are translated through its
 * partition-scoped tree to host real memory. Lets the builders create a guest's process table
 * and process trees (as the guest itself would) and kvm-nested read L1 memory. Accessing an
 * unmapped guest real address is a builder bug here, so it throws.
 */
export function guestRealView(partitionTree: RadixTree): PhysMem {
  const host = partitionTree.mem;
  const translate = (gpa: number): number => {
    const leaf = lookupLeaf(partitionTree, gpa);
    if (leaf === undefined) {
      throw new Error(
        `guest real address 0x${gpa.toString(16)} is not mapped by the partition-scoped tree; map it first`,
      );
    }
    return leaf.pa + (gpa - leaf.va);
  };
  return {
    read32: (gpa) => host.read32(translate(gpa)),
    write32: (gpa, v) => host.write32(translate(gpa), v),
  };
}
