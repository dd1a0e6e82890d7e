// Errors of the KVM API (the -EINVAL / -ENXIO of the ioctls), typed.

export type KvmErrorCode = "EINVAL" | "ENXIO" | "EBUSY" | "ENODEV" | "EEXIST";

export class KvmError extends Error {
  constructor(
    readonly code: KvmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KvmError";
  }
}
