// RTAS tokens as QEMU's pseries assigns them (include/hw/ppc/spapr.h: RTAS_TOKEN_BASE 0x2000 +
// n) with the property names spapr_dt_rtas_tokens writes under /rtas. A guest calls RTAS by
// putting the token in the argument buffer it passes to H_RTAS (0xF000); the token values are
// QEMU's choice, the names are PAPR's. Checked against `qemu-system-ppc64 -M pseries,dumpdtb=`.

export interface RtasTokenInfo {
  /** The /rtas property name (`start-cpu`, `ibm,set-xive`). */
  readonly name: string;
  readonly token: number;
}

export const RTAS_TOKEN_BASE = 0x2000;

const NAMES = [
  "display-character",
  "get-time-of-day",
  "set-time-of-day",
  "power-off",
  "system-reboot",
  "query-cpu-stopped-state",
  "start-cpu",
  "stop-self",
  "ibm,get-system-parameter",
  "ibm,set-system-parameter",
  "ibm,set-xive",
  "ibm,get-xive",
  "ibm,int-off",
  "ibm,int-on",
  "check-exception",
  "event-scan",
  "ibm,set-tce-bypass",
  "quiesce",
  "nvram-fetch",
  "nvram-store",
  "read-pci-config",
  "write-pci-config",
  "ibm,read-pci-config",
  "ibm,write-pci-config",
  "ibm,query-interrupt-source-number",
  "ibm,change-msi",
  "set-indicator",
  "set-power-level",
  "get-power-level",
  "get-sensor-state",
  "ibm,configure-connector",
  "ibm,os-term",
  "ibm,set-eeh-option",
  "ibm,get-config-addr-info2",
  "ibm,read-slot-reset-state2",
  "ibm,set-slot-reset",
  "ibm,configure-pe",
  "ibm,slot-error-detail",
  "ibm,query-pe-dma-window",
  "ibm,create-pe-dma-window",
  "ibm,remove-pe-dma-window",
  "ibm,reset-pe-dma-window",
  "ibm,suspend-me",
  "ibm,nmi-register",
  "ibm,nmi-interlock",
] as const;

/** Every token, in token order. Append-only. */
export const RTAS_TOKENS: readonly RtasTokenInfo[] = NAMES.map((name, i) => ({
  name,
  token: RTAS_TOKEN_BASE + i,
}));

/** One past the last token (RTAS_TOKEN_MAX). */
export const RTAS_TOKEN_MAX = RTAS_TOKEN_BASE + NAMES.length;

export const RTAS_POWER_OFF = 0x2003;
export const RTAS_SYSTEM_REBOOT = 0x2004;
export const RTAS_QUERY_CPU_STOPPED_STATE = 0x2005;
export const RTAS_START_CPU = 0x2006;
export const RTAS_STOP_SELF = 0x2007;
export const RTAS_IBM_SET_XIVE = 0x200a;
export const RTAS_IBM_GET_XIVE = 0x200b;
export const RTAS_IBM_INT_OFF = 0x200c;
export const RTAS_IBM_INT_ON = 0x200d;
export const RTAS_IBM_OS_TERM = 0x201f;

export function rtasTokenByName(name: string): RtasTokenInfo | undefined {
  return RTAS_TOKENS.find((t) => t.name === name);
}

export function rtasTokenByValue(token: number): RtasTokenInfo | undefined {
  return RTAS_TOKENS[token - RTAS_TOKEN_BASE];
}

/** RTAS return codes (spapr.h RTAS_OUT_*). */
export const RTAS_OUT_SUCCESS = 0;
export const RTAS_OUT_NO_ERRORS_FOUND = 1;
export const RTAS_OUT_HW_ERROR = -1;
export const RTAS_OUT_BUSY = -2;
export const RTAS_OUT_PARAM_ERROR = -3;
export const RTAS_OUT_NOT_SUPPORTED = -3;
export const RTAS_OUT_NOT_AUTHORIZED = -9002;
