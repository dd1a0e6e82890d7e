// Notification Virtual Target (NVT, formerly VPD): 16 words per virtual processor. This model
// keeps the two fields the presenter uses: w0 VALID and the w4 backlog IPB, where the router
// records priorities that arrived while no thread had the NVT dispatched.
import { ppcBit32, ppcBitmask32 } from "./ppc-bit";

export const NVT_W0_VALID = ppcBit32(0);
export const NVT_W4_IPB = ppcBitmask32(16, 23);
export const NVT_WORDS = 16;

/** XIVE_NVT_SHIFT: a CAM line is `(nvt_blk << 19) | nvt_idx`. */
export const XIVE_NVT_SHIFT = 19;

export function nvtCamLine(block: number, index: number): number {
  return ((block << XIVE_NVT_SHIFT) | index) >>> 0;
}
