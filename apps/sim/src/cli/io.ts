// Where CLI commands write. Tests pass a capturing implementation; the binary uses process IO.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
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

/** An IO that records everything, for tests. */
export function captureIO(): CliIO & { stdout: () => string; stderr: () => string } {
  let o = "";
  let e = "";
  return {
    out: (t) => void (o += t),
    err: (t) => void (e += t),
    stdout: () => o,
    stderr: () => e,
  };
}
