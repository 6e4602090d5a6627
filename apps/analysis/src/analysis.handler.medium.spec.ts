import { unlinkSync } from 'node:fs';
import { ANALYSIS_VERSION, AnalysisError, closeSharedPool } from '@crateflow/analysis';
import { Subjects } from '@crateflow/contracts';
import { PermanentError, type Messaging } from '@crateflow/messaging';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import type { RunningService } from '@crateflow/service-host';
import { startServiceHarness, type ServiceHarness } from '../../../test/support/service-harness';
import { recordFiles } from '../../metadata/test/file-rows';
import { AudioFixtures } from '../test/fixtures';
import { analysisConfigShape } from './analysis.config';
import { AnalysisHandler, createAnalysisService } from './analysis.handler';
import { AnalysisModule } from './analysis.module';

/**
 * The analysis stage as it runs: the service started in-process on the real NATS and database, fed
 * file.fingerprint.* events for short generated files. An undecodable file ends `failed` with ffmpeg's
 * reason while the files after it are analysed; companions are skipped with a reason.
 */
describe('analysis stage on NATS', () => {
  const fx = new AudioFixtures();
  let harness: ServiceHarness;
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;

  beforeAll(async () => {
    harness = await startServiceHarness(
      { name: 'analysis', configShape: analysisConfigShape, module: AnalysisModule, subscribers: [AnalysisHandler] },
      { label: 'analysisnats', liveFilter: 'file.analysis.>', env: { ANALYSIS_TIMEOUT_MS: '30000' } },
    );
    ({ db, service, bus } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    await closeSharedPool();
    fx.remove();
  });

  const waitForOutcome = (fileId: string) => harness.outcomeOf('analysis', fileId);

  const row = async (id: string) =>
    (
      await db.dataSource.query(
        `SELECT status, failure_reason, bpm::float AS bpm, camelot, key, lufs, energy, tags_disagree, analysis_version, result
           FROM file_analysis WHERE file_id = $1`,
        [id],
      )
    )[0];

  it('analyses good files, fails an undecodable one with the reason, skips companions, and carries on', async () => {
    const files = await recordFiles(db.dataSource, [
      fx.clicks('clicks-120.wav', 120),
      fx.garbage('noise.mp3'),
      fx.aMinorChord('chord.flac'),
      fx.write('notes.nfo', 'Artist: Someone'),
    ]);
    // The click track is tagged 60 BPM (an octave off) in F# minor (a different key): both are kept.
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, bpm_tag, key_tag) VALUES ($1, $2, 'read', 60, 'F#m')`,
      [files[0].id, files[0].contentHash],
    );
    for (const f of files) {
      await bus.publish(
        Subjects.fingerprint.completed,
        { fileId: f.id, contentHash: f.contentHash, stage: 'fingerprint', outcome: 'completed' },
        { msgId: `${f.id}:fingerprinted` },
      );
    }
    const [clicks, bad, chord, nfo] = await Promise.all(files.map((f) => waitForOutcome(f.id)));
    expect(clicks.subject).toBe('file.analysis.completed');
    expect(chord.subject).toBe('file.analysis.completed');
    expect(nfo.subject).toBe('file.analysis.skipped');
    expect((nfo.payload as { reason: string }).reason).toBe('a companion file has no audio to analyse');
    expect(bad.subject).toBe('file.analysis.failed');
    expect(bad.payload).toMatchObject({ stage: 'analysis', outcome: 'failed', contentHash: files[1].contentHash });
    const reason = (bad.payload as { reason: string }).reason;
    expect(reason).not.toMatch(/PermanentError/);
    expect(reason.length).toBeGreaterThan(10);

    const c = await row(files[0].id);
    expect(c).toMatchObject({ status: 'done', failure_reason: null, analysis_version: ANALYSIS_VERSION });
    expect(Math.abs(c.bpm - 120) / 120).toBeLessThan(0.04);
    expect(c.result.bpm).toMatchObject({ measurable: true });
    expect(c.result.tags.bpm).toMatchObject({ tag: 60, verdict: 'octave' });
    expect(c.result.tags.key).toMatchObject({ tag: 'F#m', tagCamelot: '11A' });
    expect(c.tags_disagree).toBe(c.result.tags.disagreement);

    const k = await row(files[2].id);
    expect(k).toMatchObject({ status: 'done', camelot: '8A', key: 'A minor' });
    expect(typeof k.lufs).toBe('number');

    expect(await row(files[1].id)).toMatchObject({ status: 'failed', failure_reason: reason, result: null, bpm: null });
    expect(await row(files[3].id)).toBeUndefined();

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/crateflow_files_processed_total\{[^}]*outcome="failed_undecodable"[^}]*\} 1/);
    expect(metrics).toMatch(/crateflow_files_processed_total\{[^}]*outcome="analysed"[^}]*\} 2/);
  });

  it('skips content the metadata stage found no audio in, with its reason', async () => {
    const analysis = createAnalysisService(db.dataSource, { ANALYSIS_TIMEOUT_MS: 30_000 });
    const [page] = await recordFiles(db.dataSource, [fx.write('download.mp3', '<!doctype html><html>404</html>')]);
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, failure_kind, failure_reason)
       VALUES ($1, $2, 'failed', 'not-media', 'not an MP3 file: it is an HTML page')`,
      [page.id, page.contentHash],
    );
    await expect(analysis.process({ fileId: page.id, contentHash: page.contentHash })).resolves.toEqual({
      outcome: 'skipped',
      reason: 'no audio to analyse: not an MP3 file: it is an HTML page',
    });
    expect(await row(page.id)).toBeUndefined();
  });

  it('does not analyse the same content twice; a vanished file fails at once, a time-out is retried', async () => {
    const analysis = createAnalysisService(db.dataSource, { ANALYSIS_TIMEOUT_MS: 30_000 });
    const [again, gone, slow] = await recordFiles(db.dataSource, [
      fx.clicks('again.wav', 100, 10),
      fx.clicks('gone.wav', 100, 10),
      fx.clicks('slow.wav', 140, 10),
    ]);
    const input = (f: typeof again) => ({ fileId: f.id, contentHash: f.contentHash });

    await expect(analysis.process(input(again))).resolves.toEqual({ outcome: 'completed' });
    const first = await db.dataSource.query(`SELECT analysed_at FROM file_analysis WHERE file_id = $1`, [again.id]);
    await expect(analysis.process(input(again))).resolves.toEqual({ outcome: 'completed' });
    const second = await db.dataSource.query(`SELECT analysed_at FROM file_analysis WHERE file_id = $1`, [again.id]);
    expect(second).toEqual(first);

    unlinkSync(gone.path);
    const err = await analysis.process(input(gone)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('not-found');
    expect(await row(gone.id)).toMatchObject({ status: 'failed', failure_reason: (err as Error).message });

    // A time limit no analysis can meet: an ordinary (retryable) error, nothing stored yet ...
    const hurried = createAnalysisService(db.dataSource, { ANALYSIS_TIMEOUT_MS: 1 });
    const timeout = await hurried.process(input(slow)).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(AnalysisError);
    expect(timeout).not.toBeInstanceOf(PermanentError);
    expect((timeout as AnalysisError).code).toBe('timeout');
    expect(await row(slow.id)).toBeUndefined();
    // ... until the last delivery fails too: the dead-letter path records the reason.
    await hurried.recordFailure(input(slow), (timeout as Error).message);
    expect(await row(slow.id)).toMatchObject({ status: 'failed', failure_reason: (timeout as Error).message });
  });
});
