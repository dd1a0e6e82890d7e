import { packageTests } from "../../vitest.shared";

// A longer per-test timeout: the property tests take a few seconds alone but run on a
// shared 2-core machine alongside every other package's tests.
export default packageTests({ lines: 90, testTimeout: 60_000 });
