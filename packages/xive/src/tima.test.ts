import { describe, expect, it } from "vitest";
import { SpaprXive } from "./spapr-xive";
import { TM_CPPR, TM_IPB, TM_NSR, TM_PIPR, TM_QW1_OS, TM_QW1W2_VO, TM_WORD2 } from "./tctx";
import { TestLines, TestLog, TestRam } from "./test-support";
import {
  TimaDevice,
  TimaPageView,
  TM_SPC_ACK_OS_REG,
  TM_SPC_PULL_OS_CTX,
  TM_SPC_SET_OS_PENDING,
  XIVE_TM_HV_PAGE,
  XIVE_TM_HW_PAGE,
  XIVE_TM_OS_PAGE,
  XIVE_TM_USER_PAGE,
} from "./tima";

function make() {
  const lines = new TestLines();
  const log = new TestLog();
  const xive = new SpaprXive({
    nrVcpus: 2,
    guestMemory: new TestRam(0x10000),
    interrupts: lines,
    log,
  });
  return { xive, t: xive.tima, lines, log, regs: (v: number) => xive.router.tctx[v]!.regs };
}
const page = (p: number) => p << 16;

describe("TIMA", () => {
  it("is four 64K pages accepting 1, 2, 4 and 8-byte accesses", () => {
    const { t } = make();
    expect(t.size).toBe(0x40000);
    expect(t.accessSizes).toEqual([1, 2, 4, 8]);
  });

  it("each vCPU sees its own thread context at the same address", () => {
    const { t, regs } = make();
    t.write(page(XIVE_TM_OS_PAGE) + TM_QW1_OS + TM_CPPR, 1, 5n, 1);
    expect(regs(1)[TM_QW1_OS + TM_CPPR]).toBe(5);
    expect(regs(0)[TM_QW1_OS + TM_CPPR]).toBe(0);
    expect(() => t.read(0, 4, 7)).toThrow(/unknown vCPU/);
  });

  it("raw writes are filtered by the view: the OS may set its CPPR, not its IPB; the HV may", () => {
    const { t, regs, lines } = make();
    // 4-byte store of NSR,CPPR,IPB,LSMFB from the OS page: only CPPR sticks
    t.write(page(XIVE_TM_OS_PAGE) + TM_QW1_OS, 4, 0x80_06_40_00n, 0);
    expect(regs(0)[TM_QW1_OS + TM_CPPR]).toBe(6);
    expect(regs(0)[TM_QW1_OS + TM_IPB]).toBe(0);
    expect(regs(0)[TM_QW1_OS + TM_NSR]).toBe(0);
    // the HV page writes the IPB too; PIPR follows and the exception is signalled (1 < 6)
    t.write(page(XIVE_TM_HV_PAGE) + TM_QW1_OS, 4, 0x00_06_40_ffn, 0);
    expect(regs(0)[TM_QW1_OS + TM_IPB]).toBe(0x40);
    expect(regs(0)[TM_QW1_OS + TM_PIPR]).toBe(1);
    expect(lines.up(0)).toBe(true);
    // the HW page sees the OS WORD2; the OS page reads it as zero
    expect(t.read(page(XIVE_TM_HW_PAGE) + TM_QW1_OS + TM_WORD2, 4, 0)).toBe(
      BigInt((TM_QW1W2_VO | 0x400) >>> 0),
    );
    expect(t.read(page(XIVE_TM_OS_PAGE) + TM_QW1_OS + TM_WORD2, 4, 0)).toBe(0n);
  });

  it("the user page sees nothing of the OS ring, and user-ring raw accesses are invalid", () => {
    const { t, log } = make();
    t.write(page(XIVE_TM_OS_PAGE) + TM_QW1_OS + TM_CPPR, 1, 3n, 0);
    expect(t.read(page(XIVE_TM_USER_PAGE) + TM_QW1_OS, 8, 0)).toBe(0n);
    expect(t.read(page(XIVE_TM_OS_PAGE) + 0x0, 4, 0)).toBe(0xffffffffn);
    t.write(page(XIVE_TM_OS_PAGE) + 0x0, 4, 0n, 0);
    expect(log.messages.length).toBe(2);
  });

  it("misaligned raw accesses and unknown special ops are guest errors", () => {
    const { t, log } = make();
    expect(t.read(page(XIVE_TM_OS_PAGE) + TM_QW1_OS + 2, 4, 0)).toBe(0xffffffffn);
    expect(t.read(page(XIVE_TM_OS_PAGE) + 0x820, 8, 0)).toBe(0xffff_ffff_ffff_ffffn);
    t.write(page(XIVE_TM_OS_PAGE) + 0x820, 1, 0n, 0);
    // ACK_OS_REG is a 16-bit load only; PULL_OS_CTX needs the HV page
    expect(t.read(page(XIVE_TM_OS_PAGE) + TM_SPC_ACK_OS_REG, 4, 0)).toBe(0xffffffffn);
    expect(t.read(page(XIVE_TM_USER_PAGE) + TM_SPC_ACK_OS_REG, 2, 0)).toBe(0xffffn);
    expect(log.messages.length).toBe(5);
  });

  it("ops of a page work from the more privileged pages; PULL_OS_CTX 8-byte; push a foreign CAM", () => {
    const { t, regs, lines } = make();
    t.write(page(XIVE_TM_HW_PAGE) + TM_SPC_SET_OS_PENDING, 1, 2n, 0);
    t.write(page(XIVE_TM_HV_PAGE) + TM_QW1_OS + TM_CPPR, 1, 0xffn, 0);
    expect(lines.up(0)).toBe(true);
    expect(t.read(page(XIVE_TM_HV_PAGE) + TM_SPC_ACK_OS_REG, 2, 0)).toBe(0x8002n);
    expect(t.read(page(XIVE_TM_HW_PAGE) + TM_SPC_PULL_OS_CTX, 8, 0)).toBe(
      BigInt((TM_QW1W2_VO | 0x400) >>> 0),
    );
    // pushing a CAM that is not this vCPU's NVT just loads WORD2 (no backlog to merge)
    t.write(
      page(XIVE_TM_HV_PAGE) + TM_QW1_OS + TM_WORD2,
      4,
      BigInt((TM_QW1W2_VO | 0x123) >>> 0),
      0,
    );
    expect(regs(0)[TM_QW1_OS + TM_WORD2 + 3]).toBe(0x23);
    expect(new TimaDevice(make().xive.router, make().log).size).toBe(0x40000);
  });

  it("a single page can be mapped on its own (the OS page view reaches ACK_OS_REG)", () => {
    const { xive, t } = make();
    const os = new TimaPageView(t, XIVE_TM_OS_PAGE);
    expect(os.size).toBe(0x10000);
    os.write(TM_QW1_OS + TM_CPPR, 1, 0xffn, 0);
    os.write(TM_SPC_SET_OS_PENDING, 1, 3n, 0);
    expect(os.read(TM_SPC_ACK_OS_REG, 2, 0)).toBe(0x8003n);
    expect(xive.router.tctx[0]!.regs[TM_QW1_OS + TM_CPPR]).toBe(3);
    expect(() => new TimaPageView(t, 4)).toThrow(/no page/);
  });
});
