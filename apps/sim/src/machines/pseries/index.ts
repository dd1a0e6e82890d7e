// The pseries machine: runPseries(options, output) -> { status, reason, stats }.
export { runPseries, formatPseriesStats, STATUS_RUNAWAY, STATUS_BAD_OPTIONS } from "./machine";
export { DT_ALLOW_LIST } from "./dt-allow-list";
export type { DtDifference } from "./dt-allow-list";
export type { PseriesOptions, PseriesOutput, PseriesResult, PseriesStats } from "./machine";
export { pseriesDeviceTree, pseriesFdt, VTY_REG, TIMEBASE_FREQUENCY } from "./device-tree";
export type { PseriesDtConfig } from "./device-tree";
export { ChromeTrace } from "./trace";
export { runGuestDemo } from "./demo";
export type { DemoProgramResult } from "./demo";
export { pseries, runPseriesRequest } from "./family";
export { parseHostModel, formatHostModel, HOST_MODELS } from "./host-model";
export type { PseriesRunRequest, PseriesRunOutcome, PseriesRunIo } from "./family";
