import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { FakeTracklistsSite } from '../../test/fake-1001tracklists';
import { PostgresRequestSchedule } from '../repositories/host-schedule.repository';
import { VirtualClock } from './clock';
import { TracklistsSiteClient, type PageRenderer, type SiteClientConfig } from './tracklists-site.client';

const run = promisify(execFile);

describe('the 1001Tracklists client against a fake site', () => {
  let db: TestDatabase;
  let site: FakeTracklistsSite;
  let clock: VirtualClock;
  let schedule: PostgresRequestSchedule;

  const config = (over: Partial<SiteClientConfig> = {}): SiteClientConfig => ({
    baseUrl: site.origin,
    allowedHosts: ['127.0.0.1'],
    userAgent: 'Crateflow/0.1 (+https://example.invalid/crateflow; tracklist look-ups)',
    minSpacingMs: 8000,
    maxSpacingMs: 12000,
    backoffBaseMs: 60_000,
    backoffMaxMs: 3600_000,
    timeoutMs: 2000,
    maxRedirects: 3,
    ...over,
  });
  const client = (over: Partial<SiteClientConfig> = {}, renderer: PageRenderer | null = null) =>
    new TracklistsSiteClient(config(over), schedule, clock, renderer);

  beforeAll(async () => {
    db = await createTestDatabase('tl_client');
    site = await new FakeTracklistsSite().start();
    schedule = new PostgresRequestSchedule(db.dataSource);
  });
  afterAll(async () => {
    await site?.stop();
    await db?.drop();
  });
  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 5, 1));
    await db.dataSource.query('DELETE FROM tracklist_host_schedule');
    site.requests.length = 0;
  });

  it('searches with the form POST and names Crateflow', async () => {
    const r = await client().search('Adam Beyer Awakenings');
    expect(r.kind).toBe('rows');
    expect(site.requests[0]).toMatchObject({
      method: 'POST',
      path: '/search/result.php',
      form: { main_search: 'Adam Beyer Awakenings', search_selection: '9' },
    });
    expect(site.requests[0].userAgent).toMatch(/^Crateflow\//);
    if (r.kind !== 'rows') return;
    // Only links on the allowed host survive (here the fake site's): the absolute www link, the off-host mirror
    // and the DJ page are dropped.
    expect(r.rows.map((x) => new URL(x.url).hostname)).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('keeps 8–12 s between requests without waiting in real time', async () => {
    const c = client();
    const started = Date.now();
    for (let i = 0; i < 4; i++) await c.search('x');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(clock.sleeps).toHaveLength(3);
    for (const s of clock.sleeps) {
      expect(s).toBeGreaterThanOrEqual(8000);
      expect(s).toBeLessThanOrEqual(12000);
    }
  });

  it('reports a clean empty search as no rows, a challenge and a shell as blocked', async () => {
    expect(await client().search('empty')).toEqual({ kind: 'rows', rows: [] });
    expect(await client().search('challenge')).toMatchObject({
      kind: 'blocked',
      reason: expect.stringMatching(/challenge/),
    });
    expect(await client().search('shell')).toMatchObject({ kind: 'blocked' });
  });

  it('backs off the whole host after 429 and 5xx, doubling', async () => {
    const c = client();
    expect(await c.search('busy')).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/429/) });
    const before = clock.now();
    await c.search('x'); // waits out the first back-off (60 s)
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    expect(await c.tracklist('/tracklist/error/x.html')).toMatchObject({
      kind: 'transient',
      reason: expect.stringMatching(/503/),
    });
    expect(await c.tracklist('/tracklist/error/x.html')).toMatchObject({ kind: 'transient' });
    const [row] = await db.dataSource.query(`SELECT failures FROM tracklist_host_schedule`);
    expect(row.failures).toBe(2);
    const t0 = clock.now();
    await c.search('x');
    // After two refusals in a row: 60 s × 2 = 120 s.
    expect(clock.now() - t0).toBeGreaterThanOrEqual(120_000);
    const [after] = await db.dataSource.query(`SELECT failures FROM tracklist_host_schedule`);
    expect(after.failures).toBe(0);
  });

  it('reads a tracklist page; redirects inside the host are followed', async () => {
    const r = await client().tracklist(`${site.origin}/tracklist/moved/old.html`);
    expect(r).toMatchObject({ kind: 'found', url: `${site.origin}/tracklist/full/moved-here.html` });
    if (r.kind === 'found') expect(r.tracklist.tracks).toHaveLength(6);
  });

  it('refuses other hosts: asked for, redirected to, or in a result link', async () => {
    expect(await client().tracklist('https://evil.example/tracklist/1/x.html')).toMatchObject({ kind: 'invalid' });
    expect(await client().tracklist('/tracklist/offhost/x.html')).toMatchObject({
      kind: 'blocked',
      reason: expect.stringMatching(/localhost.*not an allowed/),
    });
    expect(site.requests.filter((r) => r.path === '/tracklist/full/x.html')).toHaveLength(0);
    expect(
      () => new TracklistsSiteClient({ ...config(), allowedHosts: ['www.1001tracklists.com'] }, schedule, clock),
    ).toThrow(/not an allowed/);
  });

  it('never calls a challenge, a shell or a broken page "not found"', async () => {
    expect(await client().tracklist('/tracklist/challenge/x.html')).toMatchObject({ kind: 'blocked' });
    expect(await client().tracklist('/tracklist/challenge200/x.html')).toMatchObject({ kind: 'blocked' });
    expect(await client().tracklist('/tracklist/shell/x.html')).toMatchObject({
      kind: 'blocked',
      reason: expect.stringMatching(/rendering is off/),
    });
    let parseFailures = 0;
    const counting = client({ onParseFailure: () => parseFailures++ });
    expect(await counting.tracklist('/tracklist/broken/x.html')).toMatchObject({ kind: 'transient' });
    expect(await counting.tracklist('/tracklist/gone/x.html')).toMatchObject({ kind: 'not-found' });
    // Only the page that was fetched but could not be read counts (the metric behind the parse-failure alert).
    expect(parseFailures).toBe(1);
  });

  it('renders a shell with the configured renderer, and checks where rendering ended', async () => {
    const { fixture } = await import('../../test/fake-1001tracklists');
    const good: PageRenderer = { render: async (url) => ({ html: fixture('tracklist-no-cues.html'), finalUrl: url }) };
    expect(await client({}, good).tracklist('/tracklist/shell/x.html')).toMatchObject({ kind: 'found' });
    const away: PageRenderer = {
      render: async () => ({ html: fixture('tracklist-no-cues.html'), finalUrl: 'https://evil.example/x' }),
    };
    expect(await client({}, away).tracklist('/tracklist/shell/x.html')).toMatchObject({ kind: 'blocked' });
  });

  it('times out a host that does not answer', async () => {
    expect(await client({ timeoutMs: 300 }).tracklist('/tracklist/hang/x.html')).toMatchObject({
      kind: 'transient',
      reason: expect.stringMatching(/no answer within 300 ms/),
    });
  });

  it('shares one schedule between two processes', async () => {
    const worker = path.join(__dirname, '../../test/schedule-worker.ts');
    const start = String(Date.UTC(2026, 5, 1));
    const runWorker = () =>
      run(process.execPath, ['-r', '@swc-node/register', worker, site.origin, db.url, start, '4'], {
        cwd: path.join(__dirname, '../../../..'),
      });
    const [a, b] = await Promise.all([runWorker(), runWorker()]);
    const slots = [...JSON.parse(a.stdout).slots, ...JSON.parse(b.stdout).slots].sort((x: number, y: number) => x - y);
    expect(slots).toHaveLength(8);
    for (let i = 1; i < slots.length; i++) {
      const gap = slots[i] - slots[i - 1];
      expect(gap).toBeGreaterThanOrEqual(8000);
      expect(gap).toBeLessThanOrEqual(12000);
    }
  }, 60_000);
});
