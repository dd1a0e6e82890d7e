// Where hvsim's pseries device tree differs from QEMU 7.2's (`-machine dumpdtb=FILE`), and why.
// device-tree.test.ts compares the two trees with exactly these entries left out: an entry
// not needed any more, or a difference not listed here, fails the test.

export interface DtDifference {
  /** Node path; a whole node when `property` is absent. */
  readonly path: string;
  readonly property?: string;
  readonly why: string;
}

export const DT_ALLOW_LIST: readonly DtDifference[] = [
  {
    path: "/pci@800000020000000",
    why: "QEMU's default PCI host bridge: hvsim has no PCI yet",
  },
  {
    path: "/",
    property: "ibm,drc-types",
    why: "DRCs of the PCI host bridges hvsim does not have",
  },
  { path: "/", property: "ibm,drc-names", why: "PCI host bridge DRCs (see ibm,drc-types)" },
  {
    path: "/",
    property: "ibm,drc-power-domains",
    why: "PCI host bridge DRCs (see ibm,drc-types)",
  },
  { path: "/", property: "ibm,drc-indexes", why: "PCI host bridge DRCs (see ibm,drc-types)" },
  {
    path: "/chosen",
    property: "rng-seed",
    why: "random in QEMU on every run; hvsim's is seeded (deterministic)",
  },
];
