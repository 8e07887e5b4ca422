/**
 * The CLI's errors, classified once into exit codes: 0 done, 1 failure, 2 drift (drift only), 3 refused
 * (a stale plan, a safety limit, no confirmation: nothing was changed).
 */
export const EXIT = { ok: 0, failure: 1, drift: 2, refused: 3 } as const;

/** A failure with a message meant for the person running the CLI (no stack trace). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.failure);
    this.name = "UsageError";
  }
}

/** The CLI declined to change anything: a stale plan, a limit exceeded without confirmation. */
export class RefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.refused);
    this.name = "RefusedError";
  }
}

export function exitCodeFor(error: unknown): number {
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
