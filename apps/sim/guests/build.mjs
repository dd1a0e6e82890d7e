#!/usr/bin/env node
// Builds hvsim's guest programs with Debian's powerpc64le-linux-gnu toolchain.
//   node build.mjs            build every program, write <prog>/<prog>.elf and bootrom/bootrom.bin
//   node build.mjs --check    build into a scratch folder and fail if any committed image differs
//   node build.mjs hello      build only the named programs
// Programs named l2-* run as nested guests under l1hv: they are also packed, in the order of
// L1HV_INITRD, into l1hv/l1hv.initrd (the HVL2IMG1 archive described in l1hv/l2-image.c).
// The images are committed so that using hvsim needs no cross compiler; CI rebuilds them with
// --check so that sources and images never drift apart.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const CROSS = "powerpc64le-linux-gnu-";
const CFLAGS = [
  "-O2",
  "-mcpu=power9",
  "-mlittle-endian",
  "-m64",
  "-ffreestanding",
  "-fno-builtin",
  "-fno-stack-protector",
  "-fno-asynchronous-unwind-tables",
  "-fno-unwind-tables",
  "-msoft-float",
  "-mno-altivec",
  "-mno-vsx",
  "-fPIE",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wno-unused-parameter",
  "-std=gnu11",
  "-nostdinc",
  "-Wa,-mregnames",
  `-ffile-prefix-map=${here}=`,
  "-g0",
];
const LDFLAGS = [
  "-nostdlib",
  "-static-pie",
  "-Wl,--no-dynamic-linker",
  "-Wl,--build-id=none",
  "-Wl,-z,norelro",
  "-Wl,-z,max-page-size=4096",
  "-Wl,--hash-style=gnu",
  "-Wl,--no-warn-rwx-segments",
  "-Wl,-T," + join(here, "lib/guest.lds"),
];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: here });
  if (r.error) {
    const pkg = cmd.includes("gcc")
      ? "gcc-powerpc64le-linux-gnu"
      : "binutils-powerpc64le-linux-gnu";
    console.error(
      `guests: cannot run ${cmd} (${r.error.message}); install it with\n  apt-get install -y --no-install-recommends ${pkg}`,
    );
    process.exit(2);
  }
  if (r.status !== 0) {
    console.error(`guests: ${cmd} ${args.join(" ")}\n${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

function gccIncludes() {
  // Freestanding headers (stdarg.h, stddef.h, stdint.h) come from gcc's own include folder.
  return run(`${CROSS}gcc`, ["-print-file-name=include"]).trim();
}

const check = process.argv.includes("--check");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const out = check ? mkdtempSync(join(tmpdir(), "hvsim-guests-")) : null;
const inc = gccIncludes();
const libSrcs = readdirSync(join(here, "lib"))
  .filter((f) => /\.(c|S)$/.test(f))
  .sort()
  .map((f) => join("lib", f));
const programs = readdirSync(here)
  .filter(
    (d) => !["lib", "bootrom", "node_modules"].includes(d) && statSync(join(here, d)).isDirectory(),
  )
  .filter((d) => only.length === 0 || only.includes(d))
  .sort();

const products = [];
function build(name, srcs, target) {
  const objs = [];
  const objDir = mkdtempSync(join(tmpdir(), `hvsim-${name}-`));
  for (const src of srcs) {
    const obj = join(objDir, src.replace(/[/.]/g, "_") + ".o");
    run(`${CROSS}gcc`, [...CFLAGS, "-isystem", inc, "-I", "lib", "-c", src, "-o", obj]);
    objs.push(obj);
  }
  run(`${CROSS}gcc`, [...CFLAGS, ...LDFLAGS, ...objs, "-o", target]);
  // Guard the boot protocol's assumption: only R_PPC64_RELATIVE dynamic relocations.
  const relocs = run(`${CROSS}readelf`, ["-rW", target]);
  const bad = relocs.split("\n").filter((l) => /R_PPC64_/.test(l) && !/R_PPC64_RELATIVE/.test(l));
  if (bad.length) {
    console.error(`guests: ${name} has relocations the runtime cannot apply:\n${bad.join("\n")}`);
    process.exit(1);
  }
  rmSync(objDir, { recursive: true, force: true });
}

// Boot ROM: a raw 260-byte image (256 zero bytes + the branch word at 0x100).
{
  const dir = out ?? join(here, "bootrom");
  const elf = join(out ?? mkdtempSync(join(tmpdir(), "hvsim-bootrom-")), "bootrom.elf");
  run(`${CROSS}as`, ["-mbig", "-a64", join(here, "bootrom/bootrom.S"), "-o", elf + ".o"]);
  run(`${CROSS}ld`, [
    "-EB",
    "-m",
    "elf64ppc",
    "--build-id=none",
    "-Ttext=0",
    "-o",
    elf,
    elf + ".o",
  ]);
  run(`${CROSS}objcopy`, ["-O", "binary", elf, join(dir, "bootrom.bin")]);
  products.push(["bootrom/bootrom.bin", join(dir, "bootrom.bin")]);
}

for (const p of programs) {
  const srcs = [
    ...libSrcs,
    ...readdirSync(join(here, p))
      .filter((f) => /\.(c|S)$/.test(f))
      .sort()
      .map((f) => join(p, f)),
  ];
  const target = join(out ?? join(here, p), `${p}.elf`);
  build(p, srcs, target);
  products.push([`${p}/${p}.elf`, target]);
}

// l1hv's initrd: its L2 images, as built in this run (or as committed when not rebuilt).
// radix, timer and cede are L1-level programs run unchanged as L2s. l1hv runs the first
// group by default; the second only when -append l1hv.run=NAME (or l1hv.bench=N) asks.
const L1HV_INITRD = ["l2-hello", "l2-page-churn", "l2-compute", "radix", "timer", "cede"];
const L1HV_ON_REQUEST = ["l2-hcall-loop", "l2-mmio"];
function packInitrd(names, defaults, target) {
  const images = names.map((n) => {
    const built = products.find(([c]) => c === `${n}/${n}.elf`);
    return [n, readFileSync(built ? built[1] : join(here, n, `${n}.elf`))];
  });
  const align8 = (x) => (x + 7) & ~7;
  let offset = align8(16 + 48 * images.length);
  const header = Buffer.alloc(offset);
  header.write("HVL2IMG1", 0, "latin1");
  header.writeUInt32LE(images.length, 8);
  header.writeUInt32LE(defaults, 12);
  const parts = [header];
  images.forEach(([name, data], i) => {
    const e = 16 + 48 * i;
    if (name.length > 31) throw new Error(`guests: image name too long: ${name}`);
    header.write(name, e, "latin1");
    header.writeBigUInt64LE(BigInt(offset), e + 32);
    header.writeBigUInt64LE(BigInt(data.length), e + 40);
    const padded = Buffer.alloc(align8(data.length));
    data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  writeFileSync(target, Buffer.concat(parts));
}
const L1HV_IMAGES = [...L1HV_INITRD, ...L1HV_ON_REQUEST];
if (only.length === 0 || only.includes("l1hv") || L1HV_IMAGES.some((n) => only.includes(n))) {
  const target = join(out ?? join(here, "l1hv"), "l1hv.initrd");
  packInitrd(L1HV_IMAGES, L1HV_INITRD.length, target);
  products.push(["l1hv/l1hv.initrd", target]);
}

let drift = 0;
for (const [committed, built] of products) {
  const size = statSync(built).size;
  if (check) {
    const ref = join(here, committed);
    if (!existsSync(ref) || !readFileSync(ref).equals(readFileSync(built))) {
      console.error(
        `guests: ${committed} differs from a fresh build of its sources (run \`pnpm guests\` and commit)`,
      );
      drift++;
    } else {
      console.log(`guests: ${committed} matches its sources (${size} bytes)`);
    }
  } else {
    console.log(`guests: built ${relative(process.cwd(), built)} (${size} bytes)`);
  }
}
if (out) rmSync(out, { recursive: true, force: true });
process.exit(drift ? 1 : 0);
