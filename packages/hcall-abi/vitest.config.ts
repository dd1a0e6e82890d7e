import { packageTests } from "../../vitest.shared";

// Peer tests start QEMU and gcc: on a loaded CI machine they need more than the default 20 s.
export default packageTests({ lines: 90, testTimeout: 120_000 });
