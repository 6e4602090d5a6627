import { randomBytes, randomUUID } from 'node:crypto';
import { Subjects } from '@crateflow/contracts';
import { Messaging } from '@crateflow/messaging';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';
import { FakeTracklistsSite } from '../test/fake-1001tracklists';
import { insertFile } from '../test/library-rows';
import { tracklistsConfigShape } from './tracklists.config';
import { TracklistsHandler } from './tracklists.handler';
import { TracklistsModule } from './tracklists.module';

/**
 * The tracklists service as it runs (its handler on the real NATS and PostgreSQL) against the fake site. Each
 * command makes one request, to two different allowed hosts, so the shared schedule never makes it wait.
 */
describe('tracklists service over the bus', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let site: FakeTracklistsSite;
  let service: RunningService;
  let bus: Messaging;

  beforeAll(async () => {
    db = await createTestDatabase('tl_handler');
    site = await new FakeTracklistsSite().start();
    service = await runService(
      {
        name: 'tracklists',
        configShape: tracklistsConfigShape,
        module: TracklistsModule,
        subscribers: [TracklistsHandler],
      },
      {
        ...process.env,
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '4',
        NATS_URL,
        NATS_PREFIX: prefix,
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        TRACKLISTS_SITE_URL: site.origin,
        TRACKLISTS_ALLOWED_HOSTS: '127.0.0.1,localhost',
        TRACKLISTS_RETRY_SWEEP_MS: '0',
      },
    );
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'tracklists-handler-test' });
  });
  afterAll(async () => {
    await bus?.close();
    await service?.stop();
    await site?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('records a clean empty search, and reads a page a person picked, linking it as theirs', async () => {
    const set = await insertFile(db.dataSource, {
      name: 'Somebody - Live at Nowhere 2020-01-01.mp3',
      durationSec: 3600,
    });
    await bus.publish(
      Subjects.tracklistSearchRequested,
      {
        requestId: randomUUID(),
        fileId: set.id,
        query: 'empty',
        byPerson: true,
        requestedAt: new Date().toISOString(),
      },
      { msgId: `s:${set.id}` },
    );
    const lookup = await eventually('the look-up record', async () => {
      const [row] = await db.dataSource.query(`SELECT status FROM tracklist_lookups WHERE content_hash = $1`, [
        set.contentHash,
      ]);
      return row;
    });
    expect(lookup.status).toBe('nothing');

    await bus.publish(
      Subjects.tracklistScrapeRequested,
      {
        requestId: randomUUID(),
        url: `http://localhost:${site.port}/tracklist/full/x.html`,
        fileId: set.id,
        requestedAt: new Date().toISOString(),
      },
      { msgId: `c:${set.id}` },
    );
    const link = await eventually('the link', async () => {
      const [row] = await db.dataSource.query(
        `SELECT made_by, tracklist_id FROM tracklist_links WHERE content_hash = $1`,
        [set.contentHash],
      );
      return row;
    });
    expect(link.made_by).toBe('person');
    const [tl] = await db.dataSource.query(`SELECT source, artist FROM tracklists WHERE id = $1`, [link.tracklist_id]);
    expect(tl).toEqual({ source: '1001tracklists', artist: 'Adam Beyer & Cirez D' });
    expect(site.requests.map((r) => r.userAgent.startsWith('Crateflow/'))).toEqual([true, true]);
  });
});
