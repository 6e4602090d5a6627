import {
  ANALYSIS_VERSION,
  AnalysisError,
  analyzeFile,
  type AnalysisResult,
  type AnalyzeOptions,
} from '@crateflow/analysis';
import { hasAudio } from '@crateflow/contracts';
import { PermanentError } from '@crateflow/messaging';
import type { StageInput, StageResult } from '@crateflow/service-host';
import type { FileAnalysisRepository } from './repositories/file-analysis.repository';
import type { FileLookupRepository } from './repositories/file-lookup.repository';

export type AnalysisOutcome = 'analysed' | 'already_analysed' | 'skipped' | `failed_${string}` | `retry_${string}`;

/** What the stage needs of the message it is handling. */
export interface AnalysisDelivery {
  signal?: AbortSignal;
  /** Keeps the message alive during a long file. */
  working?: () => void;
}

/** Runs the analysis core on a file (replaced in tests by a stub when the audio itself is not the point). */
/** Given the path's exact bytes, so every name on disk can be read. */
export type Analyzer = (path: Buffer, options: AnalyzeOptions) => Promise<AnalysisResult>;

/**
 * The analysis stage: measures tempo, key, loudness and energy of music and video files and stores the
 * result beside the file's own tags. Free of NATS: the handler turns the result (or the error thrown) into
 * the stage's events.
 */
export class AnalysisService {
  constructor(
    private readonly files: FileLookupRepository,
    private readonly analyses: FileAnalysisRepository,
    private readonly options: {
      timeoutMs: number;
      analyze?: Analyzer;
      observe?: (outcome: AnalysisOutcome) => void;
    },
  ) {}

  /**
   * Handles one file. Idempotent: a file already analysed for this content by this analysis version is not
   * analysed again. Throws PermanentError (code: undecodable / not-found) for a file that cannot be decoded or is gone (after
   * recording why), and an ordinary Error for a time-out or a crashed worker, which may pass on a retry.
   */
  async process(input: StageInput, delivery: AnalysisDelivery = {}): Promise<StageResult> {
    const observe = this.options.observe ?? (() => undefined);
    const file = await this.files.get(input.fileId);
    if (!file) throw new PermanentError(`file ${input.fileId} is not recorded (it was never ingested)`);
    if (file.contentHash !== input.contentHash) {
      observe('skipped');
      return {
        outcome: 'skipped',
        reason: 'the file changed after this event; its new content is analysed on the next event',
      };
    }
    if (!hasAudio(file.kind)) {
      observe('skipped');
      return { outcome: 'skipped', reason: `a ${file.kind} file has no audio to analyse` };
    }
    if (file.noAudioReason !== null) {
      // Decoding would only repeat what the metadata stage found (a zero-byte file, an HTML page named .mp3).
      observe('skipped');
      return { outcome: 'skipped', reason: `no audio to analyse: ${file.noAudioReason}` };
    }
    const stored = await this.analyses.find(file.id);
    if (
      stored?.status === 'done' &&
      stored.contentHash === file.contentHash &&
      stored.analysisVersion === ANALYSIS_VERSION
    ) {
      observe('already_analysed');
      return { outcome: 'completed' };
    }

    const analyze = this.options.analyze ?? analyzeFile;
    let result: AnalysisResult;
    try {
      result = await analyze(file.pathKey, {
        signal: delivery.signal,
        onProgress: () => delivery.working?.(),
        timeoutMs: this.options.timeoutMs,
        tags: Object.keys(file.tags).length ? file.tags : undefined,
      });
    } catch (err) {
      if (!(err instanceof AnalysisError)) throw err;
      if (err.code === 'undecodable' || err.code === 'not-found') {
        await this.analyses.saveFailure(file.id, file.contentHash, ANALYSIS_VERSION, err.message);
        observe(`failed_${err.code}`);
        throw new PermanentError(err.message, { cause: err, code: err.code });
      }
      // timeout, worker-failed (a busy machine, a crashed thread) may pass on the next delivery; aborted is
      // a shutdown, and the message comes back to another instance. The last delivery is failed by the
      // dead-letter path (recordFailure).
      observe(`retry_${err.code}`);
      throw err;
    }
    await this.analyses.saveResult(file.id, file.contentHash, result);
    observe('analysed');
    return { outcome: 'completed' };
  }

  /** Records a failure the stage gave up on for another reason (retries ran out), unless it recorded one itself. */
  async recordFailure(input: StageInput, error: string): Promise<void> {
    const file = await this.files.get(input.fileId);
    if (!file || !hasAudio(file.kind)) return;
    await this.analyses.saveFailure(file.id, input.contentHash, ANALYSIS_VERSION, error, { keepExisting: true });
  }
}
