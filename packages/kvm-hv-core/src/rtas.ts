// RTAS in kernel: KVM_PPC_RTAS_DEFINE_TOKEN lets the VMM hand RTAS calls to the kernel by
// token (KVM's kvmppc_rtas_hcall). KVM has four, all for its XICS: ibm,set-xive, ibm,get-xive,
// ibm,int-off and ibm,int-on; QEMU defines them when the XICS is in kernel. Any other token,
// or a call the irqchip does not take, goes to the VMM as the H_RTAS hcall it is.

/** One RTAS call as the kernel reads it from the guest's rtas_args buffer. */
export interface InKernelRtasCall {
  readonly name: string;
  readonly token: number;
  /** The input words. */
  readonly args: readonly number[];
  /** How many return words the caller provided room for. */
  readonly nret: number;
}

/** What the kernel needs of the VM: guest memory (big-endian words) and the token table. */
export interface RtasKernelSide {
  readU32(gpa: number): number | undefined;
  writeU32(gpa: number, value: number): void;
  tokenName(token: number): string | undefined;
}

/** rtas_args holds at most 16 argument + return words (struct rtas_args). */
const RTAS_MAX_WORDS = 16;

/**
 * Read the call at guest address `argsGpa`; run `handler` when its token is defined; write its
 * return words. False when the VMM must handle the call (unknown token, unreadable buffer, or
 * the handler declined), leaving guest memory unchanged.
 */
export function handleRtasInKernel(
  side: RtasKernelSide,
  argsGpa: number,
  handler: (call: InKernelRtasCall) => readonly number[] | undefined,
): { handled: false } | { handled: true; name: string } {
  const token = side.readU32(argsGpa);
  const nargs = side.readU32(argsGpa + 4);
  const nret = side.readU32(argsGpa + 8);
  if (token === undefined || nargs === undefined || nret === undefined) return { handled: false };
  const name = side.tokenName(token);
  if (name === undefined || nargs + nret > RTAS_MAX_WORDS) return { handled: false };
  const args: number[] = [];
  for (let i = 0; i < nargs; i++) {
    const a = side.readU32(argsGpa + 12 + 4 * i);
    if (a === undefined) return { handled: false };
    args.push(a);
  }
  const rets = handler({ name, token, args, nret });
  if (rets === undefined) return { handled: false };
  const retsGpa = argsGpa + 12 + 4 * nargs;
  rets.slice(0, nret).forEach((r, i) => side.writeU32(retsGpa + 4 * i, r >>> 0));
  return { handled: true, name };
}
