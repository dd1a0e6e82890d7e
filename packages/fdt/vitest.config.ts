import { packageTests } from "../../vitest.shared";

export default packageTests({ lines: 90, testTimeout: 60_000 });
