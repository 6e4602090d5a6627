import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Subjects } from '@crateflow/contracts';
import type { LiveMessage, Messaging } from '@crateflow/messaging';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import type { RunningService } from '@crateflow/service-host';
import { startServiceHarness, type ServiceHarness } from '../../../test/support/service-harness';
import { recordFiles } from '../test/file-rows';
import { metadataConfigShape } from './metadata.config';
import { MetadataHandler } from './metadata.handler';
import { MetadataModule } from './metadata.module';
import { FixtureDir, noise } from './tags/test/fixtures';

/**
 * The stage as it runs: the metadata service started in-process on the real NATS and database, fed
 * file.ingest.discovered events. A bad file ends as `failed` with the reader's reason while the files
 * around it complete.
 */
describe('metadata stage on NATS', () => {
  const fx = new FixtureDir();
  let harness: ServiceHarness;
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;
  let outcomes: LiveMessage[];

  beforeAll(async () => {
    harness = await startServiceHarness(
      { name: 'metadata', configShape: metadataConfigShape, module: MetadataModule, subscribers: [MetadataHandler] },
      { label: 'metadatanats', liveFilter: 'file.metadata.>' },
    );
    ({ db, service, bus, seen: outcomes } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    fx.remove();
  });

  const waitForOutcome = (fileId: string) => harness.outcomeOf('metadata', fileId, 20_000);

  it('completes good files, fails a bad one with its reason, and carries on', async () => {
    const files = await recordFiles(db.dataSource, [
      fx.tone('first.mp3', { args: ['-c:a', 'libmp3lame'], metadata: { title: 'First' } }),
      fx.write('noise.flac', noise(100_000, 3)),
      fx.tone('third.flac', { args: ['-c:a', 'flac'], metadata: { title: 'Third' } }),
      fx.write('cover.jpg', readFileSync(fx.cover())),
    ]);
    const scanId = randomUUID();
    for (const f of files) {
      await bus.publish(
        Subjects.fileDiscovered,
        { fileId: f.id, scanId, contentHash: f.contentHash, kind: f.kind },
        { msgId: `${f.id}:discovered` },
      );
    }
    const [first, bad, third, cover] = await Promise.all(files.map((f) => waitForOutcome(f.id)));
    expect(first.subject).toBe('file.metadata.completed');
    expect(third.subject).toBe('file.metadata.completed');
    expect(cover.subject).toBe('file.metadata.completed');
    expect(bad.subject).toBe('file.metadata.failed');
    expect(bad.payload).toMatchObject({ stage: 'metadata', outcome: 'failed', contentHash: files[1].contentHash });
    expect((bad.payload as { reason: string }).reason).toMatch(/^not a FLAC file: no fLaC marker/);
    expect(outcomes.filter((m) => m.subject === 'file.metadata.started')).toHaveLength(4);

    const rows = await db.dataSource.query(
      `SELECT file_id, status, title, failure_reason FROM file_metadata ORDER BY title NULLS LAST`,
    );
    expect(rows).toEqual([
      { file_id: files[0].id, status: 'read', title: 'First', failure_reason: null },
      { file_id: files[2].id, status: 'read', title: 'Third', failure_reason: null },
      {
        file_id: files[1].id,
        status: 'failed',
        title: null,
        failure_reason: (bad.payload as { reason: string }).reason,
      },
    ]);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/crateflow_files_processed_total\{[^}]*outcome="unreadable_not-media"[^}]*\} 1/);
  });
});
