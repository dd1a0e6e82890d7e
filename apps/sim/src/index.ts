// @hvsim/sim: the composed machine ("QEMU") and its CLI.
export { runCli, HVSIM_VERSION } from "./cli/program";
export { captureIO, processIO, UsageError } from "./cli/io";
export type { CliIO } from "./cli/io";
export {
  runPseries,
  runGuestDemo,
  formatPseriesStats,
  pseriesDeviceTree,
  pseriesFdt,
  DT_ALLOW_LIST,
  STATUS_BAD_OPTIONS,
  STATUS_RUNAWAY,
} from "./machines/pseries";
export type {
  PseriesOptions,
  PseriesOutput,
  PseriesResult,
  PseriesStats,
  DtDifference,
  DemoProgramResult,
} from "./machines/pseries";
