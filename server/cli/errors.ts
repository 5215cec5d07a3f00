// Errors the CLI turns into one clear message and an exit code (no stack trace unless SIMPO_DEBUG=1).

export const EXIT = {
  ok: 0,
  /** bad input: usage, a missing or invalid config, a missing dataset, an unknown run */
  input: 1,
  /** training failed (a NaN loss, an engine error) */
  failed: 2,
  /** stopped by SIGINT (128 + 2) */
  sigint: 130,
  /** stopped by SIGTERM (128 + 15) */
  sigterm: 143,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.input, readonly showUsage = false) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage mistake: the message, then the command's usage. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.input, true);
    this.name = 'UsageError';
  }
}
