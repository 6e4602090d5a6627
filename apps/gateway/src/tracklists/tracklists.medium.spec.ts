import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';
import { gatewayService } from '../main';

const TOKEN = randomBytes(24).toString('hex');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The tracklists API through the real gateway against the real database and NATS. The tracklist rows are
 * seeded as the tracklists service stores them; every decision goes through the API.
 */
describe('tracklists API (real PostgreSQL and NATS)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let gateway: RunningService;
  const mixHash = sha('mix');
  const mixId = randomUUID();
  const copyId = randomUUID();
  const fp = randomUUID();
  const cue = randomUUID();
  const web = randomUUID();

  async function api<T>(method: string, route: string, body?: unknown) {
    const res = await fetch(`${gateway.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* text answers */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async function seedTracklist(
    id: string,
    source: string,
    key: string,
    tracks: [string | null, string | null, number | null, number | null][],
    url: string | null = null,
  ) {
    await db.dataSource.query(
      `INSERT INTO tracklists (id, source, source_key, source_url, title, artist, event, date, current_version)
       VALUES ($1, $2, $3, $4, $5, 'DJ "Quote"', 'Club Night', '2024-05-01', 1)`,
      [id, source, key, url, `Friday ${source}`],
    );
    await db.dataSource.query(`INSERT INTO tracklist_versions VALUES ($1, 1, $2, $3, now())`, [
      id,
      sha(id),
      tracks.length,
    ]);
    for (const [i, [artist, title, cueSec, confidence]] of tracks.entries()) {
      await db.dataSource.query(
        `INSERT INTO tracklist_tracks (id, tracklist_id, version, position, artist, title, cue_sec, confidence, unknown)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)`,
        [randomUUID(), id, i + 1, artist, title, cueSec, confidence, !artist && !title],
      );
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('gw_tracklists');
    const scan = randomUUID();
    for (const [id, name] of [
      [mixId, 'Friday "mix" Ünïcödé.mp3'],
      [copyId, 'Friday copy.flac'],
    ]) {
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
         VALUES ($1, '/lib', $2, convert_to($2, 'UTF8'), convert_to('/lib', 'UTF8'), $3, $4, 'music', 1, 1, $5, $6, $6)`,
        [id, `/lib/${name}`, name, name.split('.').pop(), mixHash, scan],
      );
    }
    await seedTracklist(fp, 'fingerprint', mixHash, [
      ['Kevin MacLeod', 'Vibe Ace', 0, 0.9],
      [null, null, 40, null],
      ['Karissa Hobbs', 'Lets Go Fishin', 95.5, 0.4],
    ]);
    await seedTracklist(cue, 'cue', `c:${mixHash}`, [
      ['Kevin MacLeod', 'Vibe Ace', 0, null],
      ['Karissa Hobbs', "Let's Go Fishin'", 97, null],
    ]);
    await seedTracklist(
      web,
      '1001tracklists',
      'abc',
      [['Someone', 'Else', null, null]],
      'https://www.1001tracklists.com/tracklist/abc/x.html',
    );
    await db.dataSource.query(
      `INSERT INTO tracklist_links (tracklist_id, content_hash, made_by, score) VALUES ($1, $4, 'source', NULL), ($2, $4, 'source', NULL), ($3, $4, 'matcher', 93)`,
      [fp, cue, web, mixHash],
    );
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
    };
    gateway = await runService(gatewayService, { ...env, CRATEFLOW_API_TOKEN: TOKEN, CRATEFLOW_UI_ENABLED: 'false' });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  it('lists with filters and pages', async () => {
    const all = await api<{ items: { id: string }[]; nextCursor: string | null }>('GET', '/api/v1/tracklists?limit=2');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    const rest = await api<{ items: { id: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/tracklists?limit=2&cursor=${all.body.nextCursor}`,
    );
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
    const bySource = await api<{ items: { id: string }[] }>('GET', '/api/v1/tracklists?source=cue');
    expect(bySource.body.items.map((i) => i.id)).toEqual([cue]);
    expect((await api('GET', '/api/v1/tracklists?status=bogus')).status).toBe(400);
    expect((await api('GET', '/api/v1/tracklists?cursor=nonsense')).status).toBe(400);
  });

  it('shows a mix with its sources side by side; agreement raises confidence', async () => {
    const r = await api<{
      tracklists: {
        id: string;
        source: string;
        links: { fileIds: string[] }[];
        tracks: { title: string | null; confidence: number | null; agreedBy: string[]; unknown: boolean }[];
      }[];
    }>('GET', `/api/v1/mixes/${copyId}/tracklists`);
    expect(r.status).toBe(200);
    expect(r.body.tracklists.map((t) => t.source)).toEqual(['fingerprint', 'cue', '1001tracklists']);
    const fpView = r.body.tracklists[0];
    expect(fpView.links[0].fileIds.sort()).toEqual([mixId, copyId].sort());
    expect(fpView.tracks.map((t) => [t.title, t.agreedBy, t.unknown])).toEqual([
      ['Vibe Ace', ['cue'], false],
      [null, [], true],
      ['Lets Go Fishin', ['cue'], false],
    ]);
    expect(fpView.tracks[0].confidence).toBeCloseTo(0.95);
    expect(fpView.tracks[2].confidence).toBeCloseTo(0.7);
  });

  it('keeps a person’s unlink over the matcher, and a person’s link', async () => {
    expect((await api('DELETE', `/api/v1/tracklists/${web}/links/${mixId}`)).status).toBe(200);
    const r = await api<{ tracklists: { id: string }[] }>('GET', `/api/v1/mixes/${mixId}/tracklists`);
    expect(r.body.tracklists.map((t) => t.id)).not.toContain(web);
    const linked = await api<{ links: { madeBy: string }[] }>('PUT', `/api/v1/tracklists/${web}/links/${mixId}`);
    expect(linked.body.links).toEqual([expect.objectContaining({ madeBy: 'person' })]);
  });

  it('reviews, edits, removes and rejects tracks', async () => {
    expect(
      (await api<{ status: string }>('PUT', `/api/v1/tracklists/${fp}/review`, { status: 'approved' })).body.status,
    ).toBe('approved');
    expect(
      (await api<{ items: { id: string }[] }>('GET', '/api/v1/tracklists?status=approved')).body.items.map((i) => i.id),
    ).toEqual([fp]);
    const detail = await api<{ tracks: { id: string; title: string | null; cueSec: number | null }[] }>(
      'GET',
      `/api/v1/tracklists/${fp}`,
    );
    const [first, gap, third] = detail.body.tracks;
    const edited = await api<{
      tracks: { title: string | null; cueSec: number | null; edited: boolean; unknown: boolean }[];
    }>('PATCH', `/api/v1/tracklists/${fp}/tracks/${gap.id}`, {
      artist: 'Kevin MacLeod',
      title: 'Sugar Plum',
      cueSec: 41,
    });
    expect(edited.body.tracks[1]).toMatchObject({ title: 'Sugar Plum', cueSec: 41, edited: true, unknown: false });
    expect((await api('PATCH', `/api/v1/tracklists/${fp}/tracks/${gap.id}`, {})).status).toBe(400);
    expect((await api('PATCH', `/api/v1/tracklists/${fp}/tracks/${randomUUID()}`, { title: 'x' })).status).toBe(404);
    expect(
      (await api<{ rejected: number }>('POST', `/api/v1/tracklists/${fp}/track-rejections`, { belowConfidence: 0.5 }))
        .body,
    ).toEqual({ rejected: 1 });
    const after = await api<{ tracks: { id: string }[] }>('GET', `/api/v1/tracklists/${fp}`);
    expect(after.body.tracks.map((t) => t.id)).toEqual([first.id, gap.id]);
    expect((await api('DELETE', `/api/v1/tracklists/${fp}/tracks/${first.id}`)).status).toBe(204);
    expect((await api<{ tracks: unknown[] }>('GET', `/api/v1/tracklists/${fp}`)).body.tracks).toHaveLength(1);
    expect(third).toBeDefined();
  });

  it('exports CUE sheets and plain text that quotes cannot break', async () => {
    const res = await api<string>('GET', `/api/v1/tracklists/${cue}/cue-sheet?fileId=${mixId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-cue; charset=utf-8/);
    const sheet = res.body;
    expect(sheet).toContain(`FILE "Friday 'mix' Ünïcödé.mp3" MP3`);
    expect(sheet).toContain(`PERFORMER "DJ 'Quote'"`);
    expect(sheet).toContain('INDEX 01 00:00:00');
    expect(sheet).toContain('INDEX 01 01:37:00');
    expect(sheet).toContain(`TITLE "Let's Go Fishin'"`);
    const text = await api<string>('GET', `/api/v1/tracklists/${cue}/text`);
    expect(text.body).toContain("02. [1:37] Karissa Hobbs - Let's Go Fishin'");
    expect((await api('GET', `/api/v1/tracklists/${web}/cue-sheet`)).status).toBe(422);
  });

  it('queues look-ups and scrapes, and refuses to re-read what is not a web page', async () => {
    expect((await api<{ status: string }>('POST', '/api/v1/tracklists/searches', { fileId: mixId })).status).toBe(202);
    expect((await api('POST', '/api/v1/tracklists/searches', { fileId: randomUUID() })).status).toBe(404);
    expect((await api('POST', '/api/v1/tracklists/scrapes', { url: 'not a url' })).status).toBe(400);
    expect(
      (
        await api('POST', '/api/v1/tracklists/scrapes', {
          url: 'https://www.1001tracklists.com/tracklist/abc/x.html',
          fileId: mixId,
        })
      ).status,
    ).toBe(202);
    expect((await api('POST', `/api/v1/tracklists/${web}/rescrape`)).status).toBe(202);
    expect((await api('POST', `/api/v1/tracklists/${fp}/rescrape`)).status).toBe(409);
    expect((await api('GET', `/api/v1/tracklists/${randomUUID()}`)).status).toBe(404);
    expect((await api('GET', '/api/v1/tracklists/not-an-id')).status).toBe(404);
  });
});
