import { fstatSync, readFileSync } from "node:fs";

// Where CLI commands write, and where they read a guest's console input. Tests pass a capturing
// implementation; the binary uses process IO.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * Console input for a guest: the whole of standard input when it was redirected from a file or
   * a pipe (`hvsim run ... < keys.txt`, `printf 'y\n' | hvsim run ...`), read to its end before
   * the guest starts so that the same bytes give the same run. Undefined for a terminal or no
   * standard input (an interactive console would make runs depend on typing speed).
   */
  stdin?(): Uint8Array | undefined;
}

/** Standard input's bytes when it is a regular file or a FIFO (a shell pipe); else undefined.
 *  A socket (what Node's child_process gives a child by default) is never read: its writer may
 *  keep it open forever. */
export function redirectedStdin(): Uint8Array | undefined {
  try {
    const st = fstatSync(0);
    if (!st.isFile() && !st.isFIFO()) return undefined;
    return new Uint8Array(readFileSync(0));
  } catch {
    return undefined; // no standard input at all (closed descriptor)
  }
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  stdin: redirectedStdin,
};

/** A user-facing error: printed as `hvsim: <message>` with the given exit status, no stack. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** An IO that records everything, for tests; `input` plays a redirected standard input. */
export function captureIO(input?: string): CliIO & { stdout: () => string; stderr: () => string } {
  let o = "";
  let e = "";
  return {
    out: (t) => void (o += t),
    err: (t) => void (e += t),
    stdin: () => (input === undefined ? undefined : new TextEncoder().encode(input)),
    stdout: () => o,
    stderr: () => e,
  };
}
