import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Streams, Subjects, streamName } from '@crateflow/contracts';
import { Messaging, type LiveMessage, type LiveSubscription } from '@crateflow/messaging';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { recordFiles } from '../test/file-rows';
import { metadataConfigShape } from './metadata.config';
import { MetadataHandler } from './metadata.handler';
import { MetadataModule } from './metadata.module';
import { FixtureDir, noise } from './tags/test/fixtures';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The stage as it runs: the metadata service started in-process on the real NATS and database, fed
 * file.ingest.discovered events. A bad file ends as `failed` with the reader's reason while the files
 * around it complete.
 */
describe('metadata stage on NATS', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const fx = new FixtureDir();
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;
  let live: LiveSubscription;
  const outcomes: LiveMessage[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('metadatanats');
    service = await runService(
      { name: 'metadata', configShape: metadataConfigShape, module: MetadataModule, subscribers: [MetadataHandler] },
      {
        ...process.env,
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '4',
        NATS_URL,
        NATS_PREFIX: prefix,
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
      },
    );
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'metadata-test' });
    live = await bus.subscribeLive('file.metadata.>', (m) => void outcomes.push(m));
  });

  afterAll(async () => {
    await live?.stop();
    await service?.stop();
    await bus?.close();
    await db?.drop();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const stream of Object.values(Streams))
      await jsm.streams.delete(streamName(prefix, stream)).catch(() => undefined);
    await nc.close();
    fx.remove();
  });

  async function waitForOutcome(fileId: string): Promise<LiveMessage> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const done = outcomes.find(
        (m) => (m.payload as { fileId: string }).fileId === fileId && !m.subject.endsWith('.started'),
      );
      if (done) return done;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no metadata outcome for ${fileId}`);
  }

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
