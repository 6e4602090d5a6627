import { UndecodableAudioError } from '@crateflow/audio';
import {
  compareVersions,
  findSameRecordings,
  FingerprintVerificationError,
  fingerprintFile,
  indexTrack,
  type GenerationalFingerprintIndex,
  type IndexGeneration,
  type RebuildProgress,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import type { RebuildFilesRepository } from '../repositories/rebuild-files.repository';
import type { FileFingerprintRepository } from '../repositories/file-fingerprint.repository';
import { sameRecordingPairs, type SameRecordingRepository } from '../repositories/same-recording.repository';
import type { Fingerprinter } from '../stage/fingerprint.service';

export interface RebuildEvents {
  /** Queue one track of a generation for re-indexing (idempotent under `round`: a sweep re-queues with a new one). */
  requestTrack(generation: number, trackId: number, round: number): Promise<void>;
  progressed(generation: IndexGeneration, state: 'building' | 'active', progress: RebuildProgress): Promise<void>;
}

export interface IndexRebuildDeps {
  index: GenerationalFingerprintIndex;
  files: RebuildFilesRepository;
  fingerprints: FileFingerprintRepository;
  sameRecordings: SameRecordingRepository;
  events: RebuildEvents;
}

export interface IndexRebuildOptions {
  timeoutMs: number;
  /** A retired generation's tables are emptied this long after the flip (readers cache the view briefly). */
  retireGraceMs: number;
  /** After everything was queued, tracks still missing are queued again this often (lost or raced messages). */
  sweepMs: number;
  /** Progress is counted (and reported, and more tracks queued) at most this often. */
  reportMs: number;
  fingerprint?: Fingerprinter;
}

export type RebuildTrackOutcome = 'indexed' | 'already_done' | 'not_building' | 'failed';

/** Tracks queued at most per count (one statement and this many publishes; the consumer spreads them over replicas). */
const ENQUEUE_BATCH = 2_000;
/** Tracks queued and not yet finished, at most. */
const MAX_OUTSTANDING = 5_000;

/**
 * Index upgrades. At start-up (and every round) the running code's algorithm and layout version is compared
 * with the active generation; a newer one starts a `building` generation in the other table slot. Every
 * reportMs a round counts progress, flips the new generation to active once nothing is left, queues the next
 * tracks of the active generation as `index.rebuild.requested` (one per track, in id order from a cursor kept
 * in the generation row, so a restart continues where it stopped; at most MAX_OUTSTANDING unfinished at a
 * time) and reports progress; retired slots are emptied after a grace period. Each message is handled by rebuildTrack on whichever replica takes it.
 */
export class IndexRebuildService {
  private lastSweepAt = Date.now();
  private lastCountAt = 0;

  constructor(
    private readonly deps: IndexRebuildDeps,
    private readonly options: IndexRebuildOptions,
  ) {}

  /** Starts a rebuild when this process's version is newer than the active generation's; returns it. */
  async ensureCurrent(): Promise<IndexGeneration | null> {
    return this.deps.index.generations.startBuilding(this.deps.index.version);
  }

  /** One round of the coordinator: start, count, flip, queue, sweep, report, drop. Any replica may run it. */
  async round(): Promise<{ flipped: boolean; enqueued: number; progress: RebuildProgress | null }> {
    const { index, events } = this.deps;
    const generations = index.generations;
    await generations.dropRetired(this.options.retireGraceMs);
    await this.ensureCurrent();
    const idle = { flipped: false, enqueued: 0, progress: null };
    const view = await generations.view();
    const building = view.building;
    if (!building || compareVersions(building, index.version) !== 0) return idle;
    // Counting progress reads the per-track tables of both generations (anti-joins over every track): at most
    // every reportMs. Queueing and the completion check follow from the count.
    if (Date.now() - this.lastCountAt < this.options.reportMs) return idle;
    this.lastCountAt = Date.now();
    const progress = await generations.progress(building, view.active);
    if (progress.remaining === 0 && (await generations.flipIfComplete(building.generation))) {
      const active = (await generations.get(building.generation))!;
      await events.progressed(active, 'active', progress);
      return { flipped: true, enqueued: 0, progress };
    }
    // Back-pressure: at most MAX_OUTSTANDING tracks queued and not yet finished, so the stream never holds the
    // whole library (its messages expire after 14 days) and a crash leaves little to redeliver.
    const notQueued = await generations.notYetQueued(building);
    const outstanding = progress.remaining - notQueued;
    let enqueued = 0;
    if (notQueued > 0 && outstanding < MAX_OUTSTANDING) {
      const tracks = await generations.tracksToEnqueue(
        building,
        Math.min(ENQUEUE_BATCH, MAX_OUTSTANDING - outstanding),
      );
      for (const trackId of tracks) await events.requestTrack(building.generation, trackId, 0);
      if (tracks.length) await generations.markEnqueued(building.generation, tracks[tracks.length - 1]);
      enqueued = tracks.length;
    } else if (notQueued === 0 && Date.now() - this.lastSweepAt >= this.options.sweepMs) {
      // Everything was queued once, yet some tracks are missing: a track indexed into the old generation
      // after the cursor passed it (an older replica), or a message lost with a dead letter. Queue them again.
      this.lastSweepAt = Date.now();
      const round = await generations.markSweep(building.generation);
      for (const trackId of await generations.missingTracks(building, ENQUEUE_BATCH)) {
        await events.requestTrack(building.generation, trackId, round);
      }
    }
    await events.progressed(building, 'building', progress);
    return { flipped: false, enqueued, progress };
  }

  /**
   * Re-indexes one track into the building generation: decodes a file holding its content again, stores and
   * verifies its postings in the new slot, brings its files' fingerprint rows to the new version and records
   * the same-recording pairs the new generation finds (adding only). Idempotent: a track already there, or a
   * generation no longer building (flipped, superseded), is acknowledged without work. A track none of whose
   * files can be decoded any more is recorded as failed with the reason (the new generation goes without it).
   */
  async rebuildTrack(
    msg: { generation: number; trackId: number },
    delivery: { signal?: AbortSignal; working?: () => void } = {},
  ): Promise<RebuildTrackOutcome> {
    const { index, files } = this.deps;
    const generation = await index.generations.get(msg.generation);
    if (!generation || generation.state !== 'building' || compareVersions(generation, index.version) !== 0) {
      return 'not_building';
    }
    if (await index.generations.hasTrack(generation, msg.trackId)) return 'already_done';
    const candidates = await files.filesOfTrack(msg.trackId);
    const reasons: string[] = [];
    let fp: TrackFingerprint | null = null;
    let source: (typeof candidates)[number] | null = null;
    for (const file of candidates) {
      try {
        fp = await (this.options.fingerprint ?? fingerprintFile)(file.pathKey, {
          signal: delivery.signal,
          onProgress: () => delivery.working?.(),
          timeoutMs: this.options.timeoutMs,
        });
        source = file;
        break;
      } catch (err) {
        // Another copy may still decode; a time-out or a shutdown is retried as a whole.
        if (!(err instanceof UndecodableAudioError) || delivery.signal?.aborted || /timed out/.test(err.message)) {
          throw err;
        }
        reasons.push(`${file.pathKey.toString()}: ${err.message}`);
      }
    }
    if (!fp || !source) {
      const reason = candidates.length
        ? `no file of this content decodes any more (${reasons.join('; ')})`
        : 'no file holds this content any more (all are gone, changed or were never fingerprinted)';
      await index.generations.recordFailure(generation.generation, msg.trackId, reason);
      return 'failed';
    }
    delivery.working?.();
    const target = index.slotIndex(generation.slot);
    let result;
    try {
      result = await indexTrack(target, msg.trackId, fp);
    } catch (err) {
      if (!(err instanceof FingerprintVerificationError)) throw err;
      await index.generations.recordFailure(generation.generation, msg.trackId, `verification: ${err.message}`);
      return 'failed';
    }
    await files.markReindexed(msg.trackId, generation.algorithmVersion, {
      landmarkPostings: result.stored.landmark,
      tripletPostings: result.stored.triplet,
    });
    const matches = await findSameRecordings(target, fp, { excludeTrackId: msg.trackId, signal: delivery.signal });
    const contents = await this.deps.fingerprints.contentOfTracks(matches.map((m) => m.trackId));
    await this.deps.sameRecordings.addFound(
      source.contentHash,
      msg.trackId,
      generation.algorithmVersion,
      sameRecordingPairs(matches, contents),
    );
    return 'indexed';
  }
}
