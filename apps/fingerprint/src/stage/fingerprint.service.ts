import { stat } from 'node:fs/promises';
import {
  FINGERPRINT_ALGORITHM_VERSION,
  FingerprintVerificationError,
  GenerationalFingerprintIndex,
  findSameRecordings,
  fingerprintFile,
  indexTrack,
  type FingerprintIndex,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { UndecodableAudioError } from '@crateflow/audio';
import { hasAudio } from '@crateflow/contracts';
import { PermanentError } from '@crateflow/messaging';
import type { StageInput, StageResult } from '@crateflow/service-host';
import type { FileFingerprintRepository } from '../repositories/file-fingerprint.repository';
import type { FingerprintFileRepository } from '../repositories/fingerprint-file.repository';
import { recordingIdOfContent, type FingerprintTrackRepository } from '../repositories/fingerprint-index.repository';
import { sameRecordingPairs, type SameRecordingRepository } from '../repositories/same-recording.repository';

export type FingerprintOutcome = 'indexed' | 'already_indexed' | 'copy_of_indexed' | 'skipped' | `failed_${string}`;

export interface FingerprintObserver {
  outcome?(outcome: FingerprintOutcome): void;
  /** Seconds of audio decoded and fingerprinted, and the postings read back after storing them. */
  indexed?(audioSec: number, stored: { landmark: number; triplet: number }): void;
}

export interface FingerprintDelivery {
  signal?: AbortSignal;
  /** Keeps the message alive during a long file. */
  working?: () => void;
}

export interface FingerprintServiceDeps {
  files: FingerprintFileRepository;
  fingerprints: FileFingerprintRepository;
  tracks: FingerprintTrackRepository;
  sameRecordings: SameRecordingRepository;
  index: FingerprintIndex;
}

/** Decodes and fingerprints a file (replaced in tests only where the audio itself is not the point). */
export type Fingerprinter = typeof fingerprintFile;

/**
 * The fingerprint stage: indexes the audio of every music and video file once per distinct content, verifies
 * what the index holds by reading it back, and records which other contents are the same recording. Free of
 * NATS: the handler turns the result (or the error thrown) into the stage's events.
 */
export class FingerprintService {
  constructor(
    private readonly deps: FingerprintServiceDeps,
    private readonly options: { timeoutMs: number; observe?: FingerprintObserver; fingerprint?: Fingerprinter },
  ) {}

  /** The version this process indexes (the generations layer's, which tests may set to a later one). */
  private get algorithmVersion(): number {
    return this.deps.index instanceof GenerationalFingerprintIndex
      ? this.deps.index.version.algorithmVersion
      : FINGERPRINT_ALGORITHM_VERSION;
  }

  /**
   * Handles one file. Idempotent: content already indexed by this algorithm version is not decoded again (an
   * exact copy of an indexed file only gets its row). Throws PermanentError (code undecodable / gone / verification) for a file that cannot
   * be decoded, is gone, or whose postings did not read back as written; an ordinary Error (a time-out, a
   * database hiccup) is retried.
   */
  async process(input: StageInput, delivery: FingerprintDelivery = {}): Promise<StageResult> {
    const observe = this.options.observe ?? {};
    const { files, fingerprints, tracks } = this.deps;
    const file = await files.get(input.fileId);
    if (!file) throw new PermanentError(`file ${input.fileId} is not recorded (it was never ingested)`);
    if (file.contentHash !== input.contentHash) {
      observe.outcome?.('skipped');
      return {
        outcome: 'skipped',
        reason: 'the file changed after this event; its new content is fingerprinted on the next event',
      };
    }
    if (!hasAudio(file.kind)) {
      observe.outcome?.('skipped');
      return { outcome: 'skipped', reason: `a ${file.kind} file has no audio to fingerprint` };
    }
    if (file.noAudioReason !== null) {
      // Decoding would only repeat what the metadata stage found (a zero-byte file, an HTML page named .mp3).
      observe.outcome?.('skipped');
      return { outcome: 'skipped', reason: `no audio to fingerprint: ${file.noAudioReason}` };
    }
    if (file.missing) {
      await fingerprints.saveFailure(file.id, file.contentHash, this.algorithmVersion, 'the file is gone from disk');
      observe.outcome?.('failed_gone');
      throw new PermanentError('the file is gone from disk', { code: 'gone' });
    }
    const stored = await fingerprints.find(file.id);
    if (
      stored?.status === 'done' &&
      stored.contentHash === file.contentHash &&
      stored.algorithmVersion === this.algorithmVersion
    ) {
      observe.outcome?.('already_indexed');
      return { outcome: 'completed' };
    }

    const recordingId = recordingIdOfContent(file.contentHash);
    const indexedTrack = await tracks.trackOfRecording(recordingId);
    const existing = indexedTrack === null ? null : await tracks.indexed(indexedTrack);
    if (indexedTrack !== null && existing && existing.algorithmVersion === this.algorithmVersion) {
      const trackId = indexedTrack;
      // Another copy of these bytes was indexed: confirm the postings are really there, then share them.
      const [landmark, triplet] = await Promise.all([
        this.deps.index.countPostings('landmark', trackId),
        this.deps.index.countPostings('triplet', trackId),
      ]);
      if (landmark === existing.landmark && triplet === existing.triplet) {
        await fingerprints.saveDone(file.id, file.contentHash, this.algorithmVersion, {
          trackId,
          durationSec: existing.durationSec,
          audibleSec: existing.durationSec,
          landmarkPostings: landmark,
          tripletPostings: triplet,
        });
        observe.outcome?.('copy_of_indexed');
        return { outcome: 'completed' };
      }
    }

    let fp: TrackFingerprint;
    try {
      fp = await (this.options.fingerprint ?? fingerprintFile)(file.pathKey, {
        signal: delivery.signal,
        onProgress: () => delivery.working?.(),
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      if (err instanceof UndecodableAudioError && !delivery.signal?.aborted && !/timed out/.test(err.message)) {
        if (await isGone(file.pathKey)) {
          await fingerprints.saveFailure(
            file.id,
            file.contentHash,
            this.algorithmVersion,
            'the file is gone from disk',
          );
          observe.outcome?.('failed_gone');
          throw new PermanentError('the file is gone from disk', { cause: err, code: 'gone' });
        }
        const reason = `not decodable: ${err.message}`;
        await fingerprints.saveFailure(file.id, file.contentHash, this.algorithmVersion, reason);
        observe.outcome?.('failed_undecodable');
        throw new PermanentError(reason, { cause: err, code: 'undecodable' });
      }
      throw err;
    }
    delivery.working?.();

    // The track id is allocated only for audio that decoded: a broken file leaves nothing in the index.
    const trackId = indexedTrack ?? (await this.deps.index.ensureTrackId(recordingId));
    let result;
    try {
      result = await indexTrack(this.deps.index, trackId, fp);
    } catch (err) {
      if (!(err instanceof FingerprintVerificationError)) throw err;
      const reason = `the index did not hold what was written: ${err.message}`;
      await fingerprints.saveFailure(file.id, file.contentHash, this.algorithmVersion, reason);
      observe.outcome?.('failed_verification');
      throw new PermanentError(reason, { cause: err, code: 'verification' });
    }
    observe.indexed?.(fp.durationSec, result.stored);
    delivery.working?.();

    // Other encodings of this recording already in the index (the other side finds this one when it is indexed later).
    // During a rebuild for a hash change, the generation being built (this version's) is searched: the
    // rebuild records, from the other side, the pairs with tracks it has not reached yet.
    const lookups =
      this.deps.index instanceof GenerationalFingerprintIndex
        ? await this.deps.index.readIndex({ allowBuilding: true })
        : this.deps.index;
    const matches = await findSameRecordings(lookups, fp, { excludeTrackId: trackId, signal: delivery.signal });
    const contents = await fingerprints.contentOfTracks(matches.map((m) => m.trackId));
    await this.deps.sameRecordings.replaceFor(
      file.contentHash,
      trackId,
      this.algorithmVersion,
      sameRecordingPairs(matches, contents),
    );

    await fingerprints.saveDone(file.id, file.contentHash, this.algorithmVersion, {
      trackId,
      durationSec: result.durationSec,
      audibleSec: result.audibleSec,
      landmarkPostings: result.stored.landmark,
      tripletPostings: result.stored.triplet,
    });
    observe.outcome?.('indexed');
    return { outcome: 'completed' };
  }

  /** Records a failure the stage gave up on for another reason (retries ran out), unless it recorded one itself. */
  async recordFailure(input: StageInput, error: string): Promise<void> {
    const file = await this.deps.files.get(input.fileId);
    if (!file || !hasAudio(file.kind)) return;
    await this.deps.fingerprints.saveFailure(file.id, input.contentHash, this.algorithmVersion, error, {
      keepExisting: true,
    });
  }
}

/** True when nothing is at the path any more (a file moved away or a drive unplugged mid-job). */
async function isGone(pathKey: Buffer): Promise<boolean> {
  try {
    await stat(pathKey);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO' || code === 'ENODEV';
  }
}
