// The README's worked example, kept compiling and true.
import { expect, it } from "vitest";
import {
  callHcall,
  dequeueEvent,
  H_INT_SET_QUEUE_CONFIG,
  H_INT_SET_SOURCE_CONFIG,
  SPAPR_XIVE_END_ALWAYS_NOTIFY,
  SPAPR_XIVE_SRC_SET_EISN,
  SpaprXive,
  TM_SPC_ACK_OS_REG,
  XIVE_ESB_SET_PQ_00,
  XIVE_TM_OS_PAGE,
} from "./index";
import { TestRam } from "./test-support";

it("README worked example", () => {
  const ram = new TestRam(0x1000000);
  const ext = [false, false];
  const xive = new SpaprXive({
    nrVcpus: 2,
    guestMemory: ram,
    interrupts: { setExternal: (v, l) => (ext[v] = l) },
  });
  xive.active = true;
  const h = (nr: number, ...a: bigint[]) => callHcall(xive.hcalls(), nr, 0, a);
  h(H_INT_SET_QUEUE_CONFIG, SPAPR_XIVE_END_ALWAYS_NOTIFY, 1n, 6n, 0x100000n, 16n);
  h(H_INT_SET_SOURCE_CONFIG, SPAPR_XIVE_SRC_SET_EISN, 1n, 1n, 6n, 0x41n);
  xive.esb.read(xive.source.mgmtPageOffset(1) + XIVE_ESB_SET_PQ_00, 8, 0);
  xive.tima.write((XIVE_TM_OS_PAGE << 16) + 0x11, 1, 0xffn, 1);
  xive.esb.write(xive.source.triggerPageOffset(1), 8, 0n, 0);
  expect(ext).toEqual([false, true]);
  expect(xive.tima.read((XIVE_TM_OS_PAGE << 16) + TM_SPC_ACK_OS_REG, 2, 1)).toBe(0x8006n);
  expect(dequeueEvent(ram, 0x100000, 16384, { index: 0, bit: 0 }).data).toBe(0x41);
});
