import {
  decodeForFingerprint,
  FINGERPRINT_ALGORITHM_VERSION,
  GenerationalFingerprintIndex,
  groupSameRecordings,
  identifyMix,
  IndexRebuildingError,
  resolveNestedMixes,
  type FingerprintIndex,
  type MatchMode,
  type TimelineEntry,
} from '@crateflow/fingerprint';
import { UndecodableAudioError } from '@crateflow/audio';
import { hasAudio } from '@crateflow/contracts';
import { PermanentError } from '@crateflow/messaging';
import type { StoredTimelineEntry } from '@crateflow/persistence';
import type { FileFingerprintRepository } from '../repositories/file-fingerprint.repository';
import type { FingerprintFileRepository } from '../repositories/fingerprint-file.repository';
import { recordingIdOfContent, type FingerprintTrackRepository } from '../repositories/fingerprint-index.repository';
import type { MixIdentificationRepository } from '../repositories/mix-identification.repository';
import type { SameRecordingRepository } from '../repositories/same-recording.repository';
import { ExcludingIndex } from './excluding-index';

export interface MixJob {
  jobId: string;
  fileId: string;
  requestedAt: string;
}

export interface MixJobDelivery {
  signal?: AbortSignal;
  working?: () => void;
}

export interface MixJobEvents {
  /** A few times a minute while the mix is read. */
  progressed(job: MixJob, processedSec: number): Promise<void>;
  finished(
    job: MixJob,
    outcome: { status: 'done' | 'failed' | 'cancelled'; tracks: number; error?: string },
  ): Promise<void>;
}

export interface MixIdentificationDeps {
  files: FingerprintFileRepository;
  fingerprints: FileFingerprintRepository;
  tracks: FingerprintTrackRepository;
  sameRecordings: SameRecordingRepository;
  jobs: MixIdentificationRepository;
  index: FingerprintIndex;
  events: MixJobEvents;
}

/** How often progress is written and announced. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * Identifies which library tracks play inside a mix and stores the timeline. The mix itself, its other
 * encodings and recordings too long to be a track (other mixes) are left out of the candidates: they would
 * match the whole mix. Unknown stretches stay unknown. Idempotent per job id: a finished job is not redone; a
 * job interrupted by a crash starts over.
 */
export class MixIdentificationService {
  constructor(
    private readonly deps: MixIdentificationDeps,
    private readonly options: { timeoutMs: number; candidateMaxSec: number },
  ) {}

  async identify(job: MixJob, delivery: MixJobDelivery = {}): Promise<{ tracks: number }> {
    const { files, jobs } = this.deps;
    const done = await jobs.find(job.jobId);
    if (done && done.status !== 'running') return { tracks: 0 };
    const file = await files.get(job.fileId);
    if (!file) throw new PermanentError(`file ${job.fileId} is not recorded`);
    if (!hasAudio(file.kind)) throw new PermanentError(`a ${file.kind} file has no audio to identify`);
    if (file.missing) throw new PermanentError('the file is gone from disk');
    if (this.deps.index instanceof GenerationalFingerprintIndex) {
      // An index upgrade whose hashes the active generation does not hold lasts hours: the job fails at once
      // with the reason rather than retrying for a minute against an index that cannot answer it.
      try {
        await this.deps.index.readIndex();
      } catch (err) {
        if (!(err instanceof IndexRebuildingError)) throw err;
        throw new PermanentError(`${err.message}; identify the mix again once the upgrade is complete`);
      }
    }
    const started = await jobs.start(
      { id: job.jobId, fileId: file.id, contentHash: file.contentHash, requestedAt: job.requestedAt },
      FINGERPRINT_ALGORITHM_VERSION,
    );
    if (!started) return { tracks: 0 }; // cancelled while queued (already announced)

    const excluded = await this.excludedTracks(file.contentHash);
    let lastReport = Date.now();
    const reports: Promise<void>[] = [];
    // A cancellation is seen when a progress report finds the job no longer running.
    const cancelled = new AbortController();
    const signal = delivery.signal ? AbortSignal.any([delivery.signal, cancelled.signal]) : cancelled.signal;
    let timeline;
    try {
      timeline = await identifyMix(
        new ExcludingIndex(this.deps.index, excluded),
        decodeForFingerprint(file.pathKey, { signal, timeoutMs: this.options.timeoutMs }),
        {
          signal,
          onProgress: ({ processedSec }) => {
            delivery.working?.();
            if (Date.now() - lastReport < PROGRESS_EVERY_MS) return;
            lastReport = Date.now();
            reports.push(
              jobs
                .progress(job.jobId, processedSec)
                .then(async (running) => {
                  if (!running) return cancelled.abort(new Error('cancelled on request'));
                  await this.deps.events.progressed(job, processedSec);
                })
                .catch(() => undefined),
            );
          },
        },
      );
    } catch (err) {
      if (cancelled.signal.aborted && !delivery.signal?.aborted) {
        await Promise.all(reports);
        await this.deps.events.finished(job, { status: 'cancelled', tracks: 0 });
        return { tracks: 0 };
      }
      if (err instanceof UndecodableAudioError && !delivery.signal?.aborted && !/timed out/.test(err.message)) {
        throw new PermanentError(`not decodable: ${err.message}`, { cause: err });
      }
      throw err;
    } finally {
      await Promise.all(reports);
    }

    const resolved = await this.resolveNested(timeline.entries, timeline.shadowed);
    const contents = await this.deps.fingerprints.contentOfTracks([
      ...new Set(resolved.flatMap((e) => (e.via ? [e.trackId, e.via.trackId] : [e.trackId]))),
    ]);
    const entries: StoredTimelineEntry[] = resolved.flatMap((e) => {
      const contentHash = contents.get(e.trackId);
      // A track whose files were all re-encoded or removed since has no content to name; it is left out.
      if (!contentHash) return [];
      const viaContent = e.via ? contents.get(e.via.trackId) : undefined;
      return [
        {
          trackId: e.trackId,
          contentHash,
          startSec: round(e.startSec),
          endSec: round(e.endSec),
          refStartSec: round(e.refStartSec),
          speed: Math.round(e.speed * 10_000) / 10_000,
          mode: e.mode,
          keySemitones: e.keySemitones,
          confidence: Math.round(e.confidence * 1000) / 1000,
          score: e.score,
          ...(e.via && viaContent
            ? { via: { trackId: e.via.trackId, contentHash: viaContent, refStartSec: round(e.via.refStartSec) } }
            : {}),
        },
      ];
    });
    await jobs.finish(job.jobId, {
      durationSec: round(timeline.durationSec),
      entries,
      unknown: timeline.unknown.map((g) => ({ startSec: round(g.startSec), endSec: round(g.endSec) })),
    });
    await this.deps.events.finished(job, { status: 'done', tracks: entries.length });
    return { tracks: entries.length };
  }

  /**
   * Cancels a job on request. A queued job is recorded as cancelled (it will not start) and announced here;
   * a running one is marked and announced by its runner when it stops; a finished one is left alone.
   */
  async cancel(request: { jobId: string; fileId: string }): Promise<'running' | 'queued' | 'finished'> {
    const was = await this.deps.jobs.cancel(
      { id: request.jobId, fileId: request.fileId },
      FINGERPRINT_ALGORITHM_VERSION,
    );
    if (was === 'queued') {
      await this.deps.events.finished(
        { jobId: request.jobId, fileId: request.fileId, requestedAt: new Date().toISOString() },
        { status: 'cancelled', tracks: 0 },
      );
    }
    return was;
  }

  /** Records a job the service gave up on, and says so. */
  async recordFailure(job: MixJob, reason: string): Promise<void> {
    const file = await this.deps.files.get(job.fileId);
    await this.deps.jobs.fail(
      { id: job.jobId, fileId: job.fileId, contentHash: file?.contentHash ?? null, requestedAt: job.requestedAt },
      FINGERPRINT_ALGORITHM_VERSION,
      reason,
    );
    await this.deps.events.finished(job, { status: 'failed', tracks: 0, error: reason.slice(0, 2000) });
  }

  /**
   * Entries naming a library recording that is itself an identified mix (a short recorded set: longer ones
   * are not candidates at all) are replaced by the tracks its own timeline names there (resolveNestedMixes).
   * Nested mixes are followed a few levels deep, each level's timelines read in one statement. The entries the
   * timeline set aside (`shadowed`) are the mix's own evidence of a track inside such a recording: where it
   * begins and ends in this mix.
   */
  private async resolveNested(entries: readonly TimelineEntry[], shadowed: readonly TimelineEntry[] = []) {
    const known = new Map<number, TimelineEntry[]>();
    let ask = [...new Set(entries.map((e) => e.trackId))];
    for (let depth = 0; depth < 3 && ask.length; depth++) {
      const contents = await this.deps.fingerprints.contentOfTracks(ask);
      const timelines = await this.deps.jobs.latestTimelinesOfContents([...new Set(contents.values())]);
      const next: number[] = [];
      for (const [trackId, content] of contents) {
        const stored = timelines.get(content);
        if (!stored) continue;
        known.set(trackId, stored.map(toTimelineEntry));
        for (const s of stored) if (!known.has(s.trackId)) next.push(s.trackId);
      }
      ask = [...new Set(next)];
    }
    return resolveNestedMixes(entries, (trackId) => known.get(trackId), { shadowed });
  }

  /**
   * The mix's own track, its other encodings, every recording too long to be a track of a mix, and all but
   * the first-indexed encoding of every same-recording group (one recording is one track of the timeline,
   * not three overlapping ones; readers list the group's files).
   */
  private async excludedTracks(contentHash: string): Promise<Set<number>> {
    const excluded = new Set(await this.deps.tracks.longerThan(this.options.candidateMaxSec));
    for (const group of groupSameRecordings(await this.deps.sameRecordings.allTrackPairs())) {
      const first = Math.min(...group);
      for (const t of group) if (t !== first) excluded.add(t);
    }
    const own = await this.deps.tracks.trackOfRecording(recordingIdOfContent(contentHash));
    if (own !== null) excluded.add(own);
    for (const other of await this.deps.sameRecordings.othersOf(contentHash)) excluded.add(other.trackId);
    return excluded;
  }
}

function toTimelineEntry(s: StoredTimelineEntry): TimelineEntry {
  return {
    trackId: s.trackId,
    startSec: s.startSec,
    endSec: s.endSec,
    refStartSec: s.refStartSec,
    speed: s.speed,
    mode: s.mode as MatchMode,
    keySemitones: s.keySemitones ?? 0,
    confidence: s.confidence,
    score: s.score,
  };
}

function round(sec: number): number {
  return Math.round(sec * 100) / 100;
}
