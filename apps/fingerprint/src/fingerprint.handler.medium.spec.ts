import { randomBytes, randomUUID } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { Subjects } from '@crateflow/contracts';
import { FINGERPRINT_ALGORITHM_VERSION, PostgresFingerprintIndex } from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';
import type { LiveMessage, Messaging } from '@crateflow/messaging';
import type { StoredTimelineEntry } from '@crateflow/persistence';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import type { RunningService } from '@crateflow/service-host';
import { startServiceHarness, type ServiceHarness } from '../../../test/support/service-harness';
import { recordFiles, type FileRow } from '../../metadata/test/file-rows';
import { FingerprintAudioFiles, RECORDINGS } from '../test/audio-files';
import { fingerprintConfigShape } from './fingerprint.config';
import { FingerprintHandler } from './fingerprint.handler';
import { FingerprintModule } from './fingerprint.module';

/**
 * The fingerprint service as it runs: started in-process on the real NATS and database, fed
 * file.metadata.* events for real recordings and their re-encodings, then asked to identify a mix.
 */
describe('fingerprint service on NATS', () => {
  const audio = new FingerprintAudioFiles();
  let harness: ServiceHarness;
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;

  beforeAll(async () => {
    harness = await startServiceHarness(
      {
        name: 'fingerprint',
        configShape: fingerprintConfigShape,
        module: FingerprintModule,
        subscribers: [FingerprintHandler],
      },
      { label: 'fingerprintnats', liveFilter: '>', env: { DATABASE_POOL_SIZE: '6' } },
    );
    ({ db, service, bus } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    audio.remove();
  });

  const waitFor = (match: (m: LiveMessage) => boolean, what: string) => harness.waitFor(match, what, 60_000);

  const outcomeOf = (fileId: string) => harness.outcomeOf('fingerprint', fileId, 60_000);

  async function fingerprint(files: FileRow[]): Promise<LiveMessage[]> {
    for (const f of files) {
      await bus.publish(
        Subjects.metadata.completed,
        { fileId: f.id, contentHash: f.contentHash, stage: 'metadata', outcome: 'completed' },
        { msgId: `${f.id}:metadata` },
      );
    }
    return Promise.all(files.map((f) => outcomeOf(f.id)));
  }

  const row = async (fileId: string) =>
    (await db.dataSource.query(`SELECT * FROM file_fingerprints WHERE file_id = $1`, [fileId]))[0];

  let files: Record<string, FileRow>;
  /** The two-track mix identified below, a short library file itself. */
  let friday: { row: FileRow; bStartSec: number };

  it('indexes every content once, verifies it, groups re-encodings, fails bad audio with the reason and skips companions', async () => {
    const paths = {
      fishinOgg: audio.copy(RECORDINGS.fishin, 'Karissa Hobbs - Lets Go Fishin.ogg'),
      fishinMp3: audio.encode(RECORDINGS.fishin, 'Karissa Hobbs - Lets Go Fishin (128k).mp3'),
      fishinM4a: audio.encode(RECORDINGS.fishin, 'fishin.m4a'),
      fishinCopy: audio.copy(RECORDINGS.fishin, 'copy of fishin.ogg'),
      sugarFlac: audio.encode(RECORDINGS.sugarPlum, 'Sugar Plum Fairy.flac'),
      vibe: audio.copy(RECORDINGS.vibeAce, 'Kevin MacLeod – Vibe Ace ✓.ogg'),
      broken: audio.write('broken.mp3', randomBytes(40_000)),
      nfo: audio.write('release.nfo', 'Ripped by nobody'),
      page: audio.write('download.mp3', '<!doctype html><html><body>404</body></html>'),
    };
    const recorded = await recordFiles(db.dataSource, Object.values(paths));
    files = Object.fromEntries(Object.keys(paths).map((k, i) => [k, recorded[i]]));
    // The metadata stage found no audio in the HTML page: decoding it again would only repeat that.
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, failure_kind, failure_reason)
       VALUES ($1, $2, 'failed', 'not-media', 'not an MP3 file: it is an HTML page')`,
      [files.page.id, files.page.contentHash],
    );

    const outcomes = await fingerprint(recorded);
    const by = Object.fromEntries(Object.keys(paths).map((k, i) => [k, outcomes[i]]));
    for (const k of ['fishinOgg', 'fishinMp3', 'fishinM4a', 'fishinCopy', 'sugarFlac', 'vibe']) {
      expect([k, by[k].subject]).toEqual([k, 'file.fingerprint.completed']);
    }
    expect(by.nfo.subject).toBe('file.fingerprint.skipped');
    expect((by.nfo.payload as { reason: string }).reason).toBe('a companion file has no audio to fingerprint');
    expect(by.page.subject).toBe('file.fingerprint.skipped');
    expect((by.page.payload as { reason: string }).reason).toBe(
      'no audio to fingerprint: not an MP3 file: it is an HTML page',
    );
    expect(by.broken.subject).toBe('file.fingerprint.failed');
    const reason = (by.broken.payload as { reason: string }).reason;
    expect(reason).toMatch(/^not decodable: /);
    expect(await row(files.broken.id)).toMatchObject({ status: 'failed', failure_reason: reason, track_id: null });

    // Read-back counts are stored; they match the postings tables.
    const ogg = await row(files.fishinOgg.id);
    expect(ogg).toMatchObject({
      status: 'done',
      algorithm_version: FINGERPRINT_ALGORITHM_VERSION,
      failure_reason: null,
    });
    expect(ogg.duration_sec).toBeCloseTo(133, 0);
    // Counted in both tiers: the background merge (every 30 s) may already have packed the rows.
    const { count: n } = await new PostgresFingerprintIndex(pgPoolOf(db.dataSource)).readBack('landmark', ogg.track_id);
    expect(n).toBe(ogg.landmark_postings);
    expect(n).toBeGreaterThan(133 * 10);

    // The exact copy shares the track; the re-encodings have their own.
    expect((await row(files.fishinCopy.id)).track_id).toBe(ogg.track_id);
    expect((await row(files.fishinMp3.id)).track_id).not.toBe(ogg.track_id);
    const [{ tracks }] = await db.dataSource.query(`SELECT count(*)::int AS tracks FROM fingerprint_tracks`);
    expect(tracks).toBe(5);

    // The re-encodings of one song are the same recording; different songs never are.
    const pairs: { content_hash: string; other_content_hash: string }[] = await db.dataSource.query(
      `SELECT content_hash, other_content_hash FROM same_recording_matches`,
    );
    const fishin = new Set([files.fishinOgg.contentHash, files.fishinMp3.contentHash, files.fishinM4a.contentHash]);
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const p of pairs) {
      expect(fishin.has(p.content_hash.trim())).toBe(true);
      expect(fishin.has(p.other_content_hash.trim())).toBe(true);
    }
    const joined = new Set(pairs.flatMap((p) => [p.content_hash.trim(), p.other_content_hash.trim()]));
    expect(joined).toEqual(fishin);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/crateflow_fingerprint_hashes_stored_total\{strategy="landmark"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/crateflow_audio_seconds_processed_total\{stage="fingerprint"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/crateflow_files_processed_total\{[^}]*outcome="copy_of_indexed"[^}]*\} 1/);
  });

  it('does the work once per message: a repeated event leaves the row as it was', async () => {
    const before = await row(files.vibe.id);
    const handler = service.app.get(FingerprintHandler);
    await expect(
      handler.stage.process({ fileId: files.vibe.id, contentHash: files.vibe.contentHash }),
    ).resolves.toEqual({
      outcome: 'completed',
    });
    expect(await row(files.vibe.id)).toEqual(before);
  });

  it('identifies the tracks of a mix with their start, speed and confidence, and not the mix itself', async () => {
    const mix = audio.mix(
      'Friday mix.mp3',
      { file: RECORDINGS.fishin, fromSec: 20, lengthSec: 50 },
      { file: RECORDINGS.sugarPlum, fromSec: 30, lengthSec: 50, speed: 1.05 },
      8,
    );
    // The mix is a music file of the library too: indexed first, like every file.
    const [mixRow] = await recordFiles(db.dataSource, [mix.path]);
    friday = { row: mixRow, bStartSec: mix.bStartSec };
    expect((await fingerprint([mixRow]))[0].subject).toBe('file.fingerprint.completed');

    const jobId = randomUUID();
    await bus.publish(
      Subjects.mixIdentifyRequested,
      { jobId, fileId: mixRow.id, requestedAt: new Date().toISOString() },
      { msgId: jobId },
    );
    const finished = await waitFor(
      (m) => m.subject === 'mix.identify.finished' && (m.payload as { jobId: string }).jobId === jobId,
      'the mix identification',
    );
    expect(finished.payload).toMatchObject({ jobId, fileId: mixRow.id, status: 'done', tracks: 2 });
    const [job] = await db.dataSource.query(`SELECT * FROM mix_identifications WHERE id = $1`, [jobId]);
    expect(job).toMatchObject({ status: 'done', file_id: mixRow.id, failure_reason: null });
    expect(job.duration_sec).toBeCloseTo(92, 0);
    const [first, second] = job.entries;
    // Any encoding of a song may be named (they are one recording); never the mix itself.
    expect([files.fishinOgg.contentHash, files.fishinMp3.contentHash, files.fishinM4a.contentHash]).toContain(
      first.contentHash,
    );
    expect(first.startSec).toBeLessThan(2);
    expect(first.refStartSec).toBeCloseTo(20, -0.5);
    expect(first.speed).toBeCloseTo(1, 1);
    expect(second.contentHash).toBe(files.sugarFlac.contentHash);
    expect(Math.abs(second.startSec - mix.bStartSec)).toBeLessThanOrEqual(2);
    expect(Math.abs(second.speed - 1.05)).toBeLessThan(0.01);
    expect(second.confidence).toBeGreaterThan(0.5);
    expect(second.endSec).toBeCloseTo(job.duration_sec, -0.5);

    // A repeated request is not redone.
    const handler = service.app.get(FingerprintHandler);
    await handler.mixes.identify({ jobId, fileId: mixRow.id, requestedAt: new Date().toISOString() });
    expect(
      (await db.dataSource.query(`SELECT finished_at FROM mix_identifications WHERE id = $1`, [jobId]))[0].finished_at,
    ).toEqual(job.finished_at);
  });

  it('reports the track inside a library recording that is itself an identified mix, not that recording', async () => {
    // Another set: Vibe Ace, then the Friday mix (a short library file, identified above) from where Sugar
    // Plum plays in it. The Friday mix matches that stretch exactly; the Sugar Plum file only through it.
    const saturday = audio.mix(
      'Saturday set.mp3',
      { file: RECORDINGS.vibeAce, fromSec: 5, lengthSec: 40 },
      { file: friday.row.path, fromSec: 50, lengthSec: 38, speed: 1 },
      6,
    );
    const [setRow] = await recordFiles(db.dataSource, [saturday.path]);
    expect((await fingerprint([setRow]))[0].subject).toBe('file.fingerprint.completed');
    const jobId = randomUUID();
    await bus.publish(
      Subjects.mixIdentifyRequested,
      { jobId, fileId: setRow.id, requestedAt: new Date().toISOString() },
      { msgId: jobId },
    );
    await waitFor(
      (m) => m.subject === 'mix.identify.finished' && (m.payload as { jobId: string }).jobId === jobId,
      'the second mix identification',
    );
    const [job] = await db.dataSource.query(`SELECT * FROM mix_identifications WHERE id = $1`, [jobId]);
    expect(job.status).toBe('done');
    const entries: StoredTimelineEntry[] = job.entries;
    expect(entries.map((e) => e.contentHash)).not.toContain(friday.row.contentHash);
    expect(entries.map((e) => e.contentHash)).toEqual([files.vibe.contentHash, files.sugarFlac.contentHash]);
    const sugar = entries[1];
    expect(Math.abs(sugar.startSec - saturday.bStartSec)).toBeLessThanOrEqual(2);
    // The Friday mix enters the set at bStartSec − 3 s, from its own 50 s; in the Friday mix Sugar Plum enters
    // at its bStartSec − 4 s, from its own 30 s, 5 % fast.
    const fridayAt = 50 + (sugar.startSec - (saturday.bStartSec - 3));
    expect(sugar.refStartSec).toBeCloseTo(30 + 1.05 * (fridayAt - (friday.bStartSec - 4)), -0.5);
    expect(sugar.speed).toBeCloseTo(1.05, 1);
    expect(sugar.via).toMatchObject({ contentHash: friday.row.contentHash });
    expect(sugar.via!.refStartSec).toBeCloseTo(fridayAt, -0.5);
  });

  it('cancels a queued mix job on request: it ends as cancelled and never runs', async () => {
    const mix = audio.mix(
      'Cancelled mix.mp3',
      { file: RECORDINGS.fishin, fromSec: 10, lengthSec: 30 },
      { file: RECORDINGS.sugarPlum, fromSec: 10, lengthSec: 30, speed: 1 },
      6,
    );
    const [mixRow] = await recordFiles(db.dataSource, [mix.path]);
    const jobId = randomUUID();
    await bus.publish(Subjects.mixIdentifyCancelRequested, { jobId, fileId: mixRow.id }, { msgId: `c${jobId}` });
    const cancelled = await waitFor(
      (m) => m.subject === 'mix.identify.finished' && (m.payload as { jobId: string }).jobId === jobId,
      'the cancellation',
    );
    expect(cancelled.payload).toMatchObject({ jobId, fileId: mixRow.id, status: 'cancelled', tracks: 0 });
    // The request arriving afterwards does not run the job.
    const handler = service.app.get(FingerprintHandler);
    expect(await handler.mixes.identify({ jobId, fileId: mixRow.id, requestedAt: new Date().toISOString() })).toEqual({
      tracks: 0,
    });
    const [job] = await db.dataSource.query(`SELECT status, entries FROM mix_identifications WHERE id = $1`, [jobId]);
    expect(job).toEqual({ status: 'cancelled', entries: null });
    // A finished job stays finished.
    expect(await handler.mixes.cancel({ jobId, fileId: mixRow.id })).toBe('finished');
  });

  it('fails a mix job with the reason when the file is gone, and a file that vanished fails its stage', async () => {
    const gonePath = audio.copy(RECORDINGS.hungarianDance, 'soon gone.ogg');
    const [gone] = await recordFiles(db.dataSource, [gonePath]);
    unlinkSync(gonePath);
    const [outcome] = await fingerprint([gone]);
    expect(outcome.subject).toBe('file.fingerprint.failed');
    expect((outcome.payload as { reason: string }).reason).toBe('the file is gone from disk');

    const jobId = randomUUID();
    await bus.publish(
      Subjects.mixIdentifyRequested,
      { jobId, fileId: gone.id, requestedAt: new Date().toISOString() },
      { msgId: jobId },
    );
    const finished = await waitFor(
      (m) => m.subject === 'mix.identify.finished' && (m.payload as { jobId: string }).jobId === jobId,
      'the failed mix identification',
    );
    expect(finished.payload).toMatchObject({ status: 'failed', tracks: 0 });
    expect((finished.payload as { error: string }).error).toMatch(/^not decodable: |gone/);
    const [job] = await db.dataSource.query(`SELECT status, failure_reason FROM mix_identifications WHERE id = $1`, [
      jobId,
    ]);
    expect(job.status).toBe('failed');
  });
});
