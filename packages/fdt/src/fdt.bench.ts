// Speed of the three operations on QEMU's pseries tree (13962 bytes, 14 nodes, 160
// properties): `pnpm --filter @hvsim/fdt bench`.
import { bench, describe } from "vitest";
import { buildFdt } from "./build";
import { toDts } from "./dts";
import { parseFdtOrThrow } from "./parse";
import { fixture } from "./testing/fixtures";

const blob = fixture("pseries");
const { tree } = parseFdtOrThrow(blob);

describe("pseries.dtb", () => {
  bench("parseFdt", () => {
    parseFdtOrThrow(blob);
  });
  bench("buildFdt", () => {
    buildFdt(tree);
  });
  bench("toDts", () => {
    toDts(tree);
  });
});
