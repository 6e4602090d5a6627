import { errnoOf } from './file-system';

/** Why an operation failed, as a stable code (for filters and the UI) and a sentence for a person. */
export type FailureCode =
  | 'destination-exists'
  | 'source-missing'
  | 'source-changed'
  | 'not-a-file'
  | 'permission-denied'
  | 'disk-full'
  | 'path-too-long'
  | 'verify-failed'
  | 'read-only'
  | 'not-same-filesystem'
  | 'destination-changed'
  | 'interrupted'
  | 'io-error';

export class OperationFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'OperationFailure';
  }
}

/** Turns a filesystem error into a failure a person understands; `what` says what was being done. */
export function failureFrom(e: unknown, what: string): OperationFailure {
  if (e instanceof OperationFailure) return e;
  const code = errnoOf(e);
  const detail = (e as Error)?.message ?? String(e);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OperationFailure('disk-full', `disk full while ${what}`);
    case 'EACCES':
    case 'EPERM':
      return new OperationFailure('permission-denied', `permission denied while ${what}`);
    case 'ENAMETOOLONG':
      return new OperationFailure('path-too-long', `path too long for the filesystem while ${what}`);
    case 'EEXIST':
      return new OperationFailure('destination-exists', `the destination already exists (${what})`);
    case 'EROFS':
      return new OperationFailure('read-only', `the filesystem is read-only (${what})`);
    case 'SOURCE_CHANGED':
      return new OperationFailure('source-changed', `the source changed while ${what}`);
    case 'ENOENT':
      return new OperationFailure('source-missing', `a file or folder is missing while ${what}`);
    default:
      return new OperationFailure('io-error', `${what} failed: ${detail}`);
  }
}

/** Errors of link() that mean "this filesystem does not do hard links" rather than "not allowed here". */
export function linkUnsupported(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EMLINK';
}
