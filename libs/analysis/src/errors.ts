/** Why an analysis did not produce a result. The caller maps these to `failed` with the message as reason. */
export type AnalysisErrorCode = 'undecodable' | 'timeout' | 'aborted' | 'worker-failed' | 'not-found';

export class AnalysisError extends Error {
  readonly code: AnalysisErrorCode;
  constructor(code: AnalysisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalysisError';
    this.code = code;
  }
}
