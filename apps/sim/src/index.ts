// @hvsim/sim: the composed machine ("QEMU") and its CLI.
export { runCli, HVSIM_VERSION } from "./cli/program";
export { captureIO, processIO, UsageError } from "./cli/io";
export type { CliIO } from "./cli/io";
