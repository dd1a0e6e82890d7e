import { packageTests } from "../../vitest.shared";

export default packageTests({ lines: 85 });
