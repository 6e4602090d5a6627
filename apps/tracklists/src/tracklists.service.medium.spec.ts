import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { FakeTracklistsSite } from '../test/fake-1001tracklists';
import { insertFile } from '../test/library-rows';
import { PostgresRequestSchedule } from './repositories/host-schedule.repository';
import { LibraryReadRepository } from './repositories/library-read.repository';
import { LookupsRepository } from './repositories/lookups.repository';
import { TracklistStoreRepository } from './repositories/tracklist-store.repository';
import { VirtualClock } from './site/clock';
import { TracklistsSiteClient } from './site/tracklists-site.client';
import { TracklistsService, type TracklistEvents } from './tracklists.service';

const DAY = 24 * 3600_000;

describe('TracklistsService against PostgreSQL and a fake 1001Tracklists', () => {
  let db: TestDatabase;
  let site: FakeTracklistsSite;
  let clock: VirtualClock;
  let service: TracklistsService;
  const events: { lookups: unknown[]; saved: unknown[] } = { lookups: [], saved: [] };

  beforeAll(async () => {
    db = await createTestDatabase('tl_service');
    site = await new FakeTracklistsSite().start();
    clock = new VirtualClock(Date.UTC(2026, 5, 1));
    const bus: TracklistEvents = {
      lookupFinished: async (e) => void events.lookups.push(e),
      saved: async (e) => void events.saved.push(e),
    };
    const client = new TracklistsSiteClient(
      {
        baseUrl: site.origin,
        allowedHosts: ['127.0.0.1'],
        userAgent: 'Crateflow-test',
        minSpacingMs: 8000,
        maxSpacingMs: 12000,
        backoffBaseMs: 60_000,
        backoffMaxMs: 3600_000,
        timeoutMs: 5000,
        maxRedirects: 3,
      },
      new PostgresRequestSchedule(db.dataSource),
      clock,
    );
    service = new TracklistsService({
      library: new LibraryReadRepository(db.dataSource),
      store: new TracklistStoreRepository(db.dataSource),
      lookups: new LookupsRepository(db.dataSource),
      site: client,
      clock,
      events: bus,
    });
  });
  afterAll(async () => {
    await site?.stop();
    await db?.drop();
  });

  const search = (fileId: string, extra: { query?: string; byPerson?: boolean } = {}) =>
    service.search({ requestId: randomUUID(), fileId, requestedAt: new Date().toISOString(), ...extra });

  it('finds, scrapes and links a set; its other encoding shares the result without a request', async () => {
    const set = await insertFile(db.dataSource, {
      name: 'Adam Beyer b2b Cirez D - Live @ Awakenings Festival 2019-06-29 [SBD].mp3',
      durationSec: 7200,
    });
    const r = await search(set.id);
    expect(r).toMatchObject({ status: 'found', contentHash: set.contentHash });
    const [tl] = await db.dataSource.query(`SELECT * FROM tracklists WHERE id = $1`, [r.tracklistId]);
    expect(tl).toMatchObject({ source: '1001tracklists', source_key: '2k9fj3t1', current_version: 1 });
    const tracks = await db.dataSource.query(
      `SELECT * FROM tracklist_tracks WHERE tracklist_id = $1 ORDER BY position`,
      [tl.id],
    );
    expect(tracks).toHaveLength(6);
    const [link] = await db.dataSource.query(`SELECT * FROM tracklist_links WHERE tracklist_id = $1`, [tl.id]);
    expect(link).toMatchObject({ content_hash: set.contentHash, made_by: 'matcher', score: 100 });

    const requests = site.requests.length;
    const copy = await insertFile(db.dataSource, {
      name: 'Adam Beyer b2b Cirez D - Live @ Awakenings Festival 2019-06-29 [SBD].flac',
      content: 'another encoding',
      durationSec: 7230,
    });
    expect(await search(copy.id)).toMatchObject({
      status: 'found',
      tracklistId: r.tracklistId,
    });
    expect(site.requests.length).toBe(requests);

    // Found never expires: a later automatic look-up does nothing.
    clock.advance(1000 * DAY);
    expect(await search(set.id)).toMatchObject({ status: 'found', reason: expect.stringMatching(/not due/) });
    expect(site.requests.length).toBe(requests);
  });

  it('keeps unsure results for a person and waits 180 days', async () => {
    const set = await insertFile(db.dataSource, { name: 'Adam Beyer - Live at Dekmantel.mp3', durationSec: 3600 });
    const r = await search(set.id);
    expect(r.status).toBe('candidates');
    const [rec] = await db.dataSource.query(`SELECT * FROM tracklist_lookups WHERE content_hash = $1`, [
      set.contentHash,
    ]);
    expect(rec.candidates.length).toBeGreaterThan(0);
    expect(new Date(rec.next_attempt_at).getTime() - clock.now()).toBe(180 * DAY);
    expect((await search(set.id)).reason).toMatch(/not due/);
  });

  it('records "nothing" for a clean empty search, and backs off when blocked', async () => {
    const none = await insertFile(db.dataSource, { name: 'Somebody - Live at Nowhere.mp3', durationSec: 3600 });
    expect(await search(none.id, { query: 'empty' })).toMatchObject({ status: 'nothing' });
    const blocked = await insertFile(db.dataSource, {
      name: 'Somebody Else - Live at Elsewhere.mp3',
      durationSec: 3600,
    });
    expect(await search(blocked.id, { query: 'challenge' })).toMatchObject({ status: 'blocked' });
    const [rec] = await db.dataSource.query(`SELECT * FROM tracklist_lookups WHERE content_hash = $1`, [
      blocked.contentHash,
    ]);
    expect(rec).toMatchObject({ status: 'retrying', attempts: 1 });
  });

  it('skips tracks unless a person asks', async () => {
    const track = await insertFile(db.dataSource, { name: '01 - Artist - Title (Original Mix).mp3', durationSec: 400 });
    expect(await search(track.id)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/not a set/) });
  });

  it("scrapes by URL as a person: the link is the person's and the matcher never replaces it", async () => {
    const set = await insertFile(db.dataSource, { name: 'Björk live.mp3', durationSec: 5400 });
    const r = await service.scrape({
      requestId: randomUUID(),
      url: `${site.origin}/tracklist/nocues/bjork.html`,
      fileId: set.id,
      requestedAt: new Date().toISOString(),
    });
    expect(r.status).toBe('found');
    const store = new TracklistStoreRepository(db.dataSource);
    expect(await store.link(r.tracklistId!, set.contentHash, 'matcher', 95)).toBe(false);
    const [link] = await db.dataSource.query(`SELECT made_by FROM tracklist_links WHERE tracklist_id = $1`, [
      r.tracklistId,
    ]);
    expect(link.made_by).toBe('person');
    // A re-scrape with the same content adds no version.
    const again = await service.scrape({
      requestId: randomUUID(),
      url: `${site.origin}/tracklist/nocues/bjork.html`,
      tracklistId: r.tracklistId,
      requestedAt: new Date().toISOString(),
    });
    expect(again.tracklistId).toBe(r.tracklistId);
    const [tl] = await db.dataSource.query(`SELECT current_version FROM tracklists WHERE id = $1`, [r.tracklistId]);
    expect(tl.current_version).toBe(1);
  });

  it('adds a version when the tracks change', async () => {
    const store = new TracklistStoreRepository(db.dataSource);
    const base = { source: 'manual' as const, sourceKey: 'k1', title: 't', artist: null, event: null, date: null };
    const one = await store.save({
      ...base,
      tracks: [{ position: 1, artist: 'A', title: 'B', cueSec: 0, unknown: false }],
    });
    const same = await store.save({
      ...base,
      tracks: [{ position: 1, artist: 'A', title: 'B', cueSec: 0, unknown: false }],
    });
    const two = await store.save({
      ...base,
      tracks: [{ position: 1, artist: 'A', title: 'B', cueSec: 1, unknown: false }],
    });
    expect([one.version, same.version, same.changed, two.version, two.changed]).toEqual([1, 1, false, 2, true]);
  });

  it('makes a fingerprint tracklist from a finished identification', async () => {
    const mix = await insertFile(db.dataSource, {
      name: 'Friday mix.mp3',
      durationSec: 130,
      artist: 'DJ Test',
      title: 'Friday',
    });
    const a = await insertFile(db.dataSource, { name: 'a.ogg', artist: 'Kevin MacLeod', title: 'Vibe Ace' });
    const b = await insertFile(db.dataSource, { name: 'Sugar Plum Fairy.flac' });
    const jobId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, entries, unknown, requested_at, started_at, duration_sec)
       VALUES ($1, $2, $3, 'done', 1, $4, $5, now(), now(), 130)`,
      [
        jobId,
        mix.id,
        mix.contentHash,
        JSON.stringify([
          {
            trackId: 1,
            contentHash: a.contentHash,
            startSec: 0,
            endSec: 45,
            refStartSec: 5,
            speed: 1,
            mode: 'exact',
            confidence: 0.9,
            score: 70,
          },
          {
            trackId: 2,
            contentHash: b.contentHash,
            startSec: 40,
            endSec: 100,
            refStartSec: 20,
            speed: 1.04,
            mode: 'vinyl',
            confidence: 0.8,
            score: 60,
          },
        ]),
        JSON.stringify([{ startSec: 100, endSec: 130 }]),
      ],
    );
    const id = await service.mixIdentified({ jobId, fileId: mix.id, status: 'done', tracks: 2 });
    const tracks = await db.dataSource.query(
      `SELECT artist, title, cue_sec, unknown FROM tracklist_tracks WHERE tracklist_id = $1 ORDER BY position`,
      [id],
    );
    expect(tracks).toEqual([
      { artist: 'Kevin MacLeod', title: 'Vibe Ace', cue_sec: 0, unknown: false },
      { artist: null, title: 'Sugar Plum Fairy', cue_sec: 40, unknown: false },
      { artist: null, title: null, cue_sec: 100, unknown: true },
    ]);
    const [tl] = await db.dataSource.query(`SELECT source, artist, title FROM tracklists WHERE id = $1`, [id]);
    expect(tl).toEqual({ source: 'fingerprint', artist: 'DJ Test', title: 'Friday' });
    expect(await service.mixIdentified({ jobId, fileId: mix.id, status: 'done', tracks: 2 })).toBe(id);
    expect(
      await service.mixIdentified({ jobId: randomUUID(), fileId: mix.id, status: 'failed', tracks: 0 }),
    ).toBeNull();
  });
});
