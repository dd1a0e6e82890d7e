// Service UIDs. A Call UID function (function number 0xFF01 of an owner) returns a 128-bit UUID
// in W0..W3, four bytes per register, the UUID's first byte in the low bits of W0 (DEN0028
// §6.2; Xen's `fill_uid`, Linux `smccc_res_to_uuid`). W0 = 0xFFFFFFFF is never a valid UID,
// because it is how an unknown function answers.

/** The four W register values that carry `uuid` ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"). */
export function uuidToRegisters(uuid: string): readonly [number, number, number, number] {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new Error(`"${uuid}" is not a UUID: write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
  }
  const words: number[] = [];
  for (let w = 0; w < 4; w++) {
    let v = 0;
    for (let b = 3; b >= 0; b--) {
      v = v * 256 + parseInt(hex.slice((w * 4 + b) * 2, (w * 4 + b) * 2 + 2), 16);
    }
    words.push(v >>> 0);
  }
  return [words[0] ?? 0, words[1] ?? 0, words[2] ?? 0, words[3] ?? 0];
}

/** The inverse of `uuidToRegisters`: the UUID string W0..W3 carry (lower-case). */
export function registersToUuid(w: readonly [number, number, number, number]): string {
  let hex = "";
  for (const word of w) {
    for (let b = 0; b < 4; b++)
      hex += (((word >>> 0) >>> (b * 8)) & 0xff).toString(16).padStart(2, "0");
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** KVM's vendor hypervisor service UID (Linux `ARM_SMCCC_VENDOR_HYP_UID_KVM`). */
export const KVM_VENDOR_HYP_UID = "28b46fb6-2ec5-11e9-a9ca-4b564d003a74";
/** Xen's hypervisor service UID (xen/include/public/arch-arm/smccc.h `XEN_SMCCC_UID`). */
export const XEN_VENDOR_HYP_UID = "a71812dc-c698-4369-9acf-79d18ddee667";
