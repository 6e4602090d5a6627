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

export class PermanentError extends Error {
  override readonly name = 'PermanentError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
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
