// fast-check generators of device trees for the property tests. The trees stay inside what
// dtc accepts as source without errors (unique names, dtc's name characters, no `name` or
// `phandle` properties, which dtc checks and rewrites), so the same trees serve the peer tests.
import fc from "fast-check";
import { guessValueForm } from "../dts";
import { FdtNode } from "../node";
import { DeviceTree } from "../tree";

const lower = "abcdefghijklmnopqrstuvwxyz";
const nameTail = `${lower}0123456789,._+-`;

function word(alphabet: string, max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: max })
    .map((a) => a.join(""));
}

const nodeName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...lower),
    word(nameTail, 6),
    fc.option(word("0123456789abcdef", 4).filter((s) => s.length > 0)),
  )
  .map(([h, t, unit]) => (unit === null ? h + t : `${h + t}@${unit}`));

const propName: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...lower, "#"), word(`${nameTail}#?`, 10))
  .map(([h, t]) => h + t)
  .filter((n) => n !== "name" && n !== "phandle" && n !== "linux,phandle");

const enc = new TextEncoder();

/** Printable ASCII plus the escapes dtc knows, so strings exercise its quoting. */
const stringChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\x07", "\b", "\t", "\n", "\v", "\f", "\r", '"', "\\"),
);
const text = fc.array(stringChar, { maxLength: 12 }).map((a) => a.join(""));

/** Values of every form dtc distinguishes, and random bytes that fall between them. */
export const arbitraryValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 6 }).map((ws) => {
    const b = new Uint8Array(ws.length * 4);
    ws.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w));
    return b;
  }),
  text.map((s) => enc.encode(`${s}\0`)),
  fc.array(text, { minLength: 1, maxLength: 4 }).map((l) => enc.encode(`${l.join("\0")}\0`)),
  fc.uint8Array({ minLength: 1, maxLength: 24 }),
  fc
    .array(fc.constantFrom(0, 0x41, 0x7f, 0x0a), { minLength: 1, maxLength: 9 })
    .map((a) => Uint8Array.from(a)),
);

interface NodeSpec {
  name: string;
  props: [string, Uint8Array][];
  children: NodeSpec[];
}

/** Nodes nested at most `depth` levels below this one. */
function nodeSpec(depth: number): fc.Arbitrary<NodeSpec> {
  return fc.record({
    name: nodeName,
    props: fc.uniqueArray(fc.tuple(propName, arbitraryValue), {
      maxLength: 5,
      selector: (p) => p[0],
    }),
    children:
      depth === 0
        ? fc.constant([])
        : fc.uniqueArray(nodeSpec(depth - 1), { maxLength: 3, selector: (n) => n.name }),
  });
}

const arbitraryNodeSpec = nodeSpec(3);

function toNode(spec: NodeSpec, name = spec.name): FdtNode {
  const n = new FdtNode(name);
  for (const [k, v] of spec.props) n.set(k, v);
  for (const c of spec.children) n.children.push(toNode(c));
  return n;
}

export interface ArbitraryTreeOptions {
  /** Give the tree an explicit boot_cpuid_phys (else dtc's guess applies). */
  withBootCpuid?: boolean;
}

/** Random trees: a root with random nodes, sometimes a `/cpus` whose first cpu has a `reg`,
 *  and 0–3 memory reservations. */
export function arbitraryTree(opts: ArbitraryTreeOptions = {}): fc.Arbitrary<DeviceTree> {
  return fc
    .record({
      root: arbitraryNodeSpec,
      cpuReg: fc.option(fc.integer({ min: 0, max: 0xffffffff })),
      reservations: fc.array(
        fc
          .tuple(
            fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
            fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          )
          .filter(([, s]) => s !== 0n),
        { maxLength: 3 },
      ),
      boot: opts.withBootCpuid ? fc.integer({ min: 0, max: 0xffffffff }) : fc.constant(undefined),
    })
    .map(({ root, cpuReg, reservations, boot }) => {
      const tree = new DeviceTree(toNode(root, ""));
      if (cpuReg !== null && !tree.root.children.some((c) => c.name === "cpus")) {
        tree.root.addChild("cpus").addChild("cpu@0").setU32("reg", cpuReg);
      }
      for (const [a, s] of reservations) tree.reserve(a, s);
      tree.bootCpuidPhys = boot;
      return tree;
    });
}

/**
 * False when the tree has a string-form value with a NUL followed by an octal digit: dtc
 * prints that NUL as `\0` and reads `\0` + digits back as one octal escape, so such a value
 * does not survive a trip through source text (dtc's own quirk, which toDts and parseDts share).
 */
export function survivesDtsText(t: DeviceTree): boolean {
  for (const { node } of t.walk()) {
    for (const { value } of node.properties) {
      if (guessValueForm(value) !== "string") continue;
      for (let i = 0; i + 1 < value.length - 1; i++) {
        const next = value[i + 1] as number;
        if (value[i] === 0 && next >= 0x30 && next <= 0x37) return false;
      }
    }
  }
  return true;
}
