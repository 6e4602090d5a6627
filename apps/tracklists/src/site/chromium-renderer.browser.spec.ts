import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { FakeTracklistsSite } from '../../test/fake-1001tracklists';
import { PostgresRequestSchedule } from '../repositories/host-schedule.repository';
import { ChromiumRenderer } from './chromium-renderer';
import { VirtualClock } from './clock';
import { TracklistsSiteClient } from './tracklists-site.client';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Rendering a script-built tracklist page in Debian's chromium (TRACKLISTS_RENDER=true), through the real client. */
describe('ChromiumRenderer (browser)', () => {
  let db: TestDatabase;
  let site: FakeTracklistsSite;
  let renderer: ChromiumRenderer;

  beforeAll(async () => {
    db = await createTestDatabase('tl_render');
    site = await new FakeTracklistsSite().start();
    renderer = new ChromiumRenderer({
      executablePath: CHROMIUM,
      userAgent: 'Crateflow-test',
      timeoutMs: 20_000,
      allowHost: (u) => u.hostname === '127.0.0.1',
    });
  });
  afterAll(async () => {
    await renderer?.close();
    await site?.stop();
    await db?.drop();
  });

  it('reads a page whose rows only exist after its script ran, and stops requests to other hosts', async () => {
    const clock = new VirtualClock();
    const config = {
      baseUrl: site.origin,
      allowedHosts: ['127.0.0.1'],
      userAgent: 'Crateflow-test',
      minSpacingMs: 8000,
      maxSpacingMs: 12000,
      backoffBaseMs: 60_000,
      backoffMaxMs: 3600_000,
      timeoutMs: 20_000,
      maxRedirects: 3,
    };
    const schedule = new PostgresRequestSchedule(db.dataSource);
    const plain = new TracklistsSiteClient(config, schedule, clock);
    expect(await plain.tracklist('/tracklist/scripted/x.html')).toMatchObject({
      kind: 'blocked',
      reason: expect.stringMatching(/rendering is off/),
    });

    const rendering = new TracklistsSiteClient(config, schedule, clock, renderer);
    const r = await rendering.tracklist('/tracklist/scripted/x.html');
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.tracklist.tracks.map((t) => [t.position, t.artist, t.title, t.cueSec, t.unknown])).toEqual([
      [1, 'Nina Kraviz', 'Ghetto Kraviz', 0, false],
      [2, null, null, 250, true],
      [3, 'Aphex Twin', 'Xtal', 585, false],
    ]);
    expect(site.requests.some((q) => q.path === '/beacon.gif')).toBe(false);
    // The render took its own slot in the host's schedule.
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
