/** The `crateflow` command's exit codes; scripts rely on them, so they never change meaning. */
export const ExitCode = {
  ok: 0,
  /** The command ran but what it asked for failed (a refused scan, a failed identification, no such file). */
  failure: 1,
  /** Wrong arguments or options. */
  usage: 2,
  /** The gateway could not be reached (Crateflow is not running, or another address was meant). */
  unreachable: 3,
  /** The gateway refused the token (missing or wrong). */
  authRefused: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with a given exit code and a message for a person. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
