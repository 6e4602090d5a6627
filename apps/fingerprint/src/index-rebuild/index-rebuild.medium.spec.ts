import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { Subjects } from '@crateflow/contracts';
import {
  decodeForFingerprint,
  FINGERPRINT_ALGORITHM_VERSION,
  FINGERPRINT_LAYOUT_VERSION,
  GenerationalFingerprintIndex,
  identifyExcerpt,
  type GenerationalIndexOptions,
} from '@crateflow/fingerprint';
import { Messaging, type LiveMessage, type LiveSubscription } from '@crateflow/messaging';
import { pgPoolOf } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';
import { recordFiles, type FileRow } from '../../../metadata/test/file-rows';
import { FingerprintAudioFiles, RECORDINGS } from '../../test/audio-files';
import { fingerprintConfigShape } from '../fingerprint.config';
import { FingerprintHandler } from '../fingerprint.handler';
import { FINGERPRINT_INDEX_OPTIONS, fingerprintIndexProvider } from '../fingerprint-index.provider';
import { FingerprintModule } from '../fingerprint.module';
import { IndexMergeScheduler } from '../index-merge/index-merge.scheduler';
import { IndexRebuildScheduler } from './index-rebuild.scheduler';

const V = FINGERPRINT_ALGORITHM_VERSION;
/**
 * The next version, as a process of it runs: the extractor is today's (the test cannot ship another), and
 * its queries match version V postings, as for a bump of the query side; so the old generation can answer.
 */
const NEXT: GenerationalIndexOptions = {
  version: { algorithmVersion: V + 1, layoutVersion: FINGERPRINT_LAYOUT_VERSION },
  queryCompatible: [V, V + 1],
};

@Module({
  providers: [
    fingerprintIndexProvider(),
    { provide: FINGERPRINT_INDEX_OPTIONS, useValue: NEXT },
    FingerprintHandler,
    IndexMergeScheduler,
    IndexRebuildScheduler,
  ],
})
class NextVersionModule {}

/**
 * An index upgrade as it runs: the service indexes files at version V, then a process of version V+1
 * starts: it builds generation 2 in the other slot through JetStream messages (one per track) while
 * generation 1 answers look-ups, takes new files into generation 2, survives a restart mid-way, flips when
 * complete and empties the old slot.
 */
describe('index upgrade (real PostgreSQL and NATS)', () => {
  const audio = new FingerprintAudioFiles();
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let bus: Messaging;
  let live: LiveSubscription;
  const seen: LiveMessage[] = [];
  let service: RunningService | null = null;
  let lookups: GenerationalFingerprintIndex;

  const env = (extra: Record<string, string>) => ({
    ...process.env,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '6',
    NATS_URL,
    NATS_PREFIX: prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    FINGERPRINT_MERGE_INTERVAL_MS: '700',
    FINGERPRINT_REBUILD_REPORT_MS: '500',
    ...extra,
  });
  const start = async (module: typeof FingerprintModule | typeof NextVersionModule, extra: Record<string, string>) => {
    service = await runService(
      { name: 'fingerprint', configShape: fingerprintConfigShape, module, subscribers: [FingerprintHandler] },
      env(extra),
    );
  };
  const stop = async () => {
    await service?.stop();
    service = null;
  };
  const waitFor = async (match: (m: LiveMessage) => boolean, what: string, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = seen.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const fingerprint = async (files: FileRow[]) => {
    for (const f of files) {
      await bus.publish(
        Subjects.metadata.completed,
        { fileId: f.id, contentHash: f.contentHash, stage: 'metadata', outcome: 'completed' },
        { msgId: `${f.id}:metadata` },
      );
    }
    for (const f of files) {
      const m = await waitFor(
        (x) =>
          x.subject.startsWith('file.fingerprint.') &&
          !x.subject.endsWith('.started') &&
          (x.payload as { fileId: string }).fileId === f.id,
        `the fingerprint outcome of ${f.path}`,
      );
      expect(m.subject).toBe('file.fingerprint.completed');
    }
  };
  const trackOf = async (f: FileRow): Promise<number> =>
    (await db.dataSource.query(`SELECT track_id FROM file_fingerprints WHERE file_id = $1`, [f.id]))[0].track_id;
  /** The tracks identified in a 12-s excerpt of a file, through the generation look-ups read. */
  const identified = async (f: FileRow): Promise<number[]> =>
    (await identifyExcerpt(lookups, decodeForFingerprint(f.path, { startSec: 40, durationSec: 12 }))).map(
      (m) => m.trackId,
    );
  const count = async (sql: string): Promise<number> => Number((await db.dataSource.query(sql))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('fpreindex');
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'fpreindex-test' });
    lookups = new GenerationalFingerprintIndex(pgPoolOf(db.dataSource), { ...NEXT, viewCacheMs: 0 });
  });

  afterAll(async () => {
    await stop().catch(() => undefined);
    await live?.stop();
    await bus?.close();
    await db?.drop();
    await deleteTestStreams(prefix);
    audio.remove();
  });

  it('rebuilds in the background while the old generation answers, resumes after a restart, flips and drops the old one', async () => {
    const recorded = await recordFiles(db.dataSource, [
      audio.copy(RECORDINGS.fishin, 'fishin.ogg'),
      audio.encode(RECORDINGS.fishin, 'fishin.mp3'),
      audio.copy(RECORDINGS.sugarPlum, 'sugar.ogg'),
      audio.copy(RECORDINGS.vibeAce, 'vibe.ogg'),
    ]);
    const [fishinOgg, fishinMp3, sugar, vibe] = recorded;

    // Version V indexes the library (generation 1, slot a).
    await start(FingerprintModule, { FINGERPRINT_REBUILD_INTERVAL_MS: '500' });
    live = await bus.subscribeLive('>', (m) => void seen.push(m)); // the service provisioned the stream
    await fingerprint(recorded);
    await stop();
    const oldTracks = await Promise.all(recorded.map(trackOf));
    expect(new Set(oldTracks).size).toBe(4);

    // Version V+1 starts with its coordinator idle: generation 2 exists (slot b), nothing is queued yet.
    await start(NextVersionModule, { FINGERPRINT_REBUILD_INTERVAL_MS: '0' });
    let view = await lookups.generations.view();
    expect(view.active).toMatchObject({ generation: 1, slot: 'a', algorithmVersion: V });
    expect(view.building).toMatchObject({ generation: 2, slot: 'b', algorithmVersion: V + 1, totalTracks: 4 });
    // Look-ups answer from generation 1, complete.
    expect((await lookups.readIndex()).slot).toBe('a');
    for (const f of recorded) expect(await identified(f)).toContain(await trackOf(f));

    // A file added during the rebuild goes into the new generation only (this process computes version V+1).
    const [hungarian] = await recordFiles(db.dataSource, [audio.copy(RECORDINGS.hungarianDance, 'hungarian.ogg')]);
    await fingerprint([hungarian]);
    const newTrack = await trackOf(hungarian);
    expect(await count(`SELECT count(*) AS n FROM fingerprint_b_tracks WHERE track_id = ${newTrack}`)).toBe(1);
    expect(await identified(hungarian)).not.toContain(newTrack); // not visible until the flip
    // It found the earlier encodings of nothing (no other copy), and the old index still answers for the rest.
    expect(await identified(vibe)).toContain(await trackOf(vibe));

    // One coordinator round queues every track; the service is stopped while the rebuild is under way.
    await service!.app.get(IndexRebuildScheduler).runOnce();
    const afterFirstRound = await lookups.generations.get(2);
    expect(afterFirstRound!.enqueuedThrough).toBe(Math.max(...oldTracks));
    await stop();
    view = await lookups.generations.view();
    expect(view.active.generation).toBe(1); // no flip: the coordinator never saw it complete
    expect(view.building?.generation).toBe(2);
    const doneBeforeRestart = await count(
      `SELECT count(*) AS n FROM fingerprint_b_tracks WHERE indexed_at IS NOT NULL`,
    );

    // Restarted, the queued messages are taken up where they were left; the coordinator flips at completion.
    await start(NextVersionModule, {
      FINGERPRINT_REBUILD_INTERVAL_MS: '500',
      FINGERPRINT_REBUILD_RETIRE_GRACE_MS: '1500',
    });
    const flipped = await waitFor(
      (m) => m.subject === Subjects.indexRebuildProgressed.name && (m.payload as { state: string }).state === 'active',
      'the new generation to become active',
    );
    expect(flipped.payload).toMatchObject({ generation: 2, done: 5, failed: 0, total: 5 });
    expect(doneBeforeRestart).toBeLessThanOrEqual(5);
    view = await lookups.generations.view();
    expect(view.active).toMatchObject({ generation: 2, slot: 'b', algorithmVersion: V + 1 });
    expect(view.building).toBeNull();
    expect((await lookups.readIndex()).slot).toBe('b');

    // Nothing lost: every track, old and new, answers from the new generation; files carry the new version.
    for (const f of [...recorded, hungarian]) expect(await identified(f)).toContain(await trackOf(f));
    expect(await Promise.all(recorded.map(trackOf))).toEqual(oldTracks); // tracks keep their ids
    expect(
      await count(
        `SELECT count(*) AS n FROM file_fingerprints WHERE status = 'done' AND algorithm_version <> ${V + 1}`,
      ),
    ).toBe(0);
    // The two encodings of one song are still the same recording.
    const pairs: { a: string; b: string }[] = await db.dataSource.query(
      `SELECT content_hash AS a, other_content_hash AS b FROM same_recording_matches`,
    );
    expect(pairs.map((p) => [p.a.trim(), p.b.trim()].sort().join())).toContain(
      [fishinOgg.contentHash, fishinMp3.contentHash].sort().join(),
    );
    expect(sugar.contentHash).not.toBe(vibe.contentHash);

    // After the grace period the old slot is emptied; the recording → track id mapping stays.
    await until(async () => (await lookups.generations.get(1))?.droppedAt != null, 'the old slot to be emptied');
    expect(await count(`SELECT count(*) AS n FROM fingerprint_landmark_postings`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM fingerprint_landmark_packed`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM fingerprint_tracks WHERE indexed_at IS NOT NULL`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM fingerprint_tracks`)).toBe(5);
    for (const f of [...recorded, hungarian]) expect(await identified(f)).toContain(await trackOf(f));
  }, 600_000);
});
