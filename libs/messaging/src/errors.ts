/**
 * What a handler throws decides what happens to the message:
 * - `TransientError` (or any ordinary Error): try again later (`nak` with a delay) until the last delivery,
 *   then dead-letter;
 * - `PermanentError`: retrying cannot help (unreadable file, impossible request): dead-letter now.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';

  /** @param delayMs overrides the declaration's retry delay for this attempt (e.g. a rate limit's Retry-After). */
  constructor(
    message: string,
    readonly delayMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
      throw new RangeError(`TransientError delayMs must be a non-negative number, got ${delayMs}`);
    }
  }
}

/**
 * The one error that says "retrying cannot help": a verdict about the input itself (an undecodable or vanished
 * file, an impossible request). `reason` is written for a person and is what the stage records as the failure,
 * without the class name; `code` is a short machine-readable kind for metrics and the stage's own rows.
 * Anything else a handler throws (an interrupted child, an aborted read, a lost connection, a shutdown in
 * progress) is transient: the message is handed back and redelivered.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  readonly code?: string;

  constructor(
    readonly reason: string,
    options?: ErrorOptions & { code?: string },
  ) {
    super(reason, options);
    this.code = options?.code;
  }
}

/** The failure text to record for what a handler threw: a PermanentError's reason, else `Name: message`. */
export function readableReason(cause: unknown, fallback: string): string {
  return cause instanceof PermanentError ? cause.reason : fallback;
}

/** A payload that does not match its subject's schema; thrown by publish(), nothing is sent. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';

  constructor(
    readonly subject: string,
    readonly issues: string,
  ) {
    super(`invalid payload for ${subject}: ${issues}`);
  }
}
