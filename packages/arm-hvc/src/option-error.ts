// A user-facing error in how a machine or scenario was asked for (a bad `-M` property, an
// option the host kernel cannot honour, an unknown guest or host name). Its message says what
// was wrong and what to do; a composing CLI shows it in one line. Any other Error thrown by
// this package is a broken simulator invariant.
export class ArmOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArmOptionError";
  }
}
