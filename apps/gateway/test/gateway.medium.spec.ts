import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FILE_KINDS, FILE_STATES, Subjects, type FileKind, type FileState } from '@crateflow/contracts';
import { Messaging, type LiveMessage } from '@crateflow/messaging';
import { refreshStageFlagsSql } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { EventsService } from '../src/events/events.service';
import type { FileDetail, FileListItem } from '../src/files/file.schemas';
import type { Page } from '../src/http/cursor';
import type { Problem } from '../src/http/problem';
import type { PipelineStats } from '../src/pipeline/pipeline.schemas';
import type { ScanView } from '../src/scans/scan.schemas';
import { gatewayService } from '../src/main';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';

const TOKEN = randomBytes(24).toString('hex');
const FILE_COUNT = 1000;

interface SeededFile {
  id: string;
  path: string;
  kind: FileKind;
  state: FileState;
  missing: boolean;
}

describe('gateway (real PostgreSQL and NATS)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;
  let base: string;
  let work: string;
  let library: string;
  const files: SeededFile[] = [];

  interface ApiResponse<T> {
    status: number;
    headers: Headers;
    json: T;
    text: string;
  }

  /** Calls the gateway; `json` is typed by the caller (a Problem unless said otherwise). */
  async function api<T = Problem>(
    method: string,
    route: string,
    init: { body?: string; token?: string | null; contentType?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    const token = init.token === undefined ? TOKEN : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${base}${route}`, { method, headers, body: init.body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json: json as T, text };
  }

  const get = <T = Problem>(route: string) => api<T>('GET', route);
  const postScan = <T = Problem>(body: unknown, token?: string | null) =>
    api<T>('POST', '/api/v1/scans', { body: JSON.stringify(body), token });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-gateway-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'Incoming'), { recursive: true });
    mkdirSync(path.join(work, 'outside'));
    // A link inside the root that leads out of it.
    symlinkSync(path.join(work, 'outside'), path.join(library, 'escape'));

    db = await createTestDatabase('gateway');
    await seed(db);
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: TOKEN,
      CRATEFLOW_LIBRARY_ROOTS: library,
      LOG_LEVEL: 'warn',
    });
    base = service.url;
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'gateway-test' });
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await db?.drop();
    await deleteTestStreams(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  /** 1,000 files with awkward names, every state and kind, some missing, stage statuses, history and scans. */
  async function seed(t: TestDatabase) {
    const names = [
      'Björk – Jóga.flac',
      'ÄÖÜ straße.mp3',
      'zz top.mp3',
      'Zz Top.mp3',
      '100% Pure.mp3',
      'a_b.mp3',
      'ab.mp3',
      'set 🎧.mkv',
      'cover.jpg',
    ];
    for (let i = 0; i < FILE_COUNT; i++) {
      const kind = FILE_KINDS[i % FILE_KINDS.length];
      const folder = `/music/${String(i % 17).padStart(2, '0')}`;
      files.push({
        id: randomUUID(),
        path: `${folder}/${String(i).padStart(4, '0')} ${names[i % names.length]}`,
        kind,
        state: FILE_STATES[i % 4],
        missing: i % 25 === 0,
      });
    }
    // Two files whose NFC paths are equal (their bytes on disk differ): the id breaks the tie.
    files[1].path = files[0].path;
    await t.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          missing_since, first_seen_scan_id, last_seen_scan_id)
       SELECT f.id, '/music', f.path, convert_to(f.id::text, 'UTF8'), convert_to('/music', 'UTF8'),
              regexp_replace(f.path, '^.*/', ''), 'mp3', f.kind, f.n * 1000, 1700000000000 + f.n,
              repeat('ab', 32), f.state, CASE WHEN f.missing THEN now() END, $6::uuid, $6::uuid
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY
              AS f(id, path, kind, state, missing, n)`,
      [
        files.map((f) => f.id),
        files.map((f) => f.path),
        files.map((f) => f.kind),
        files.map((f) => f.state),
        files.map((f) => f.missing),
        randomUUID(),
      ],
    );
    // Stage statuses: metadata done for most, failed for every 10th, pending rows for a few, none for the rest.
    const statusOf = (i: number) => (i % 10 === 1 ? 'failed' : i % 10 === 2 ? 'pending' : i % 10 === 3 ? null : 'done');
    const rows = files.map((f, i) => ({ f, i, status: statusOf(i) })).filter((r) => r.status !== null);
    await t.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts, updated_at)
       SELECT id, 'metadata', status, repeat('ab', 32), CASE WHEN status = 'failed' THEN 'tag parse error #' || n END, 2,
              now() - interval '2 hours' - n * interval '1 second'
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS s(id, status, n)`,
      [rows.map((r) => r.f.id), rows.map((r) => r.status)],
    );
    // Fingerprint results for the first 27 files, long ago; the stats test moves some into the throughput windows.
    await t.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, updated_at)
       SELECT id, 'fingerprint', 'done', repeat('ab', 32), now() - interval '3 hours' FROM unnest($1::uuid[]) AS s(id)`,
      [files.slice(0, 27).map((f) => f.id)],
    );
    // Ingest keeps files.stage_flags with every status it records; these statuses were written directly.
    await t.dataSource.query(refreshStageFlagsSql('TRUE'));
    // 150 history entries for the first file.
    await t.dataSource.query(
      `INSERT INTO file_history (file_id, event, from_state, to_state, detail)
       SELECT $1, 'event ' || n, 'DISCOVERED', 'METADATA_EXTRACTED', jsonb_build_object('n', n) FROM generate_series(1, 150) AS n`,
      [files[0].id],
    );
    // Three scans, oldest first.
    for (const [i, status] of (['completed', 'failed', 'running'] as const).entries()) {
      await t.dataSource.query(
        `INSERT INTO scans (id, root, path, status, counts, error, started_at, finished_at, created_at)
         VALUES ($1, '/music', $2, $3, $4, $5, now() - $6::interval, CASE WHEN $3 <> 'running' THEN now() END, now() - $6::interval)`,
        [
          randomUUID(),
          `/music/${i}`,
          status,
          {
            found: i * 10,
            new: i,
            changed: 0,
            unchanged: 0,
            missing: 0,
            errors: 0,
            ignored: 0,
            symlinksSkipped: 0,
            unstable: 0,
            bytesHashed: 0,
          },
          status === 'failed' ? 'root is unreachable' : null,
          `${3 - i} hours`,
        ],
      );
    }
  }

  const expectProblem = (res: ApiResponse<unknown>, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json).toEqual(
      expect.objectContaining({
        type: expect.any(String),
        title: expect.any(String),
        status,
        detail: expect.any(String),
        instance: expect.any(String),
      }),
    );
  };

  describe('scans', () => {
    it('accepts a folder inside a root, publishes scan.requested and answers 202 with Location', async () => {
      const seen: LiveMessage[] = [];
      const live = await bus.subscribeLive('scan.requested', (m) => void seen.push(m));
      try {
        const res = await postScan<{ id: string }>({ path: path.join(library, 'Incoming') });
        expect(res.status).toBe(202);
        expect(res.json).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
        expect(res.headers.get('location')).toBe(`/api/v1/scans/${res.json.id}`);
        const deadline = Date.now() + 5000;
        while (!seen.some((m) => (m.payload as { scanId: string }).scanId === res.json.id) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const message = seen.find((m) => (m.payload as { scanId: string }).scanId === res.json.id);
        expect(message?.subject).toBe(Subjects.scanRequested.name);
        expect(message?.payload).toEqual({
          scanId: res.json.id,
          path: realpathSync(path.join(library, 'Incoming')),
          requestedAt: expect.any(String),
        });

        // Accepted but not yet picked up by ingest: queued, and first in the list.
        const queued = await get<ScanView>(`/api/v1/scans/${res.json.id}`);
        expect(queued.status).toBe(200);
        expect(queued.json).toMatchObject({
          id: res.json.id,
          status: 'queued',
          startedAt: null,
          finishedAt: null,
          error: null,
        });
        expect((await get<Page<ScanView>>('/api/v1/scans')).json.items[0]).toMatchObject({
          id: res.json.id,
          status: 'queued',
        });

        // Once ingest has recorded it, the row speaks.
        await db.dataSource.query(
          `INSERT INTO scans (id, root, path, status, counts, started_at) VALUES ($1, $2, $3, 'running', $4, now())`,
          [
            res.json.id,
            library,
            path.join(library, 'Incoming'),
            {
              found: 7,
              new: 7,
              changed: 0,
              unchanged: 0,
              missing: 0,
              errors: 0,
              ignored: 1,
              symlinksSkipped: 0,
              unstable: 0,
              bytesHashed: 700,
            },
          ],
        );
        const running = await get<ScanView>(`/api/v1/scans/${res.json.id}`);
        expect(running.json).toMatchObject({
          status: 'running',
          counts: { found: 7, ignored: 1, bytesHashed: 700 },
          startedAt: expect.any(String),
        });
      } finally {
        await live.stop();
      }
    });

    it('refuses folders outside the roots, links leading out, unreachable and relative paths with the reason', async () => {
      const cases: [string, RegExp][] = [
        [path.join(work, 'outside'), /outside the configured library roots/],
        [path.join(library, 'escape'), /outside the configured library roots/],
        [path.join(library, 'Incoming', '..', '..', 'outside'), /outside the configured library roots/],
        [path.join(library, 'does-not-exist'), /not reachable/],
        ['music/Incoming', /must be absolute/],
      ];
      for (const [requested, reason] of cases) {
        const res = await postScan({ path: requested });
        expectProblem(res, 400);
        expect(res.json.type).toBe('urn:crateflow:problem:path-not-allowed');
        expect(res.json.detail).toMatch(reason);
      }
    });

    it('needs the token for state changes (401 problem), never for reads', async () => {
      const missing = await postScan({ path: library }, null);
      expectProblem(missing, 401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectProblem(await postScan({ path: library }, 'wrong-token-of-some-length'), 401);
      expect((await api('GET', '/api/v1/scans', { token: null })).status).toBe(200);
    });

    it('validates the body: malformed JSON, unknown fields, other media types', async () => {
      const malformed = await api('POST', '/api/v1/scans', { body: '{"path": ' });
      expectProblem(malformed, 400);
      expect(malformed.json.type).toBe('urn:crateflow:problem:malformed-body');
      const unknown = await postScan({ path: library, recursive: true });
      expectProblem(unknown, 400);
      expect(unknown.json.errors).toEqual([{ location: 'body', field: 'recursive', message: expect.any(String) }]);
      expectProblem(await postScan({}), 400);
      const form = await api('POST', '/api/v1/scans', {
        body: `path=${encodeURIComponent(library)}`,
        contentType: 'application/x-www-form-urlencoded',
      });
      expectProblem(form, 415);
    });

    it('lists scans newest first with keyset pagination; unknown ids are 404', async () => {
      const all = (await get<Page<ScanView>>('/api/v1/scans?limit=100')).json.items.map((s) => s.path);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse<Page<ScanView>> = await get<Page<ScanView>>(
          `/api/v1/scans?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        paged.push(...res.json.items.filter((s) => s.status !== 'queued').map((s) => s.path));
        cursor = res.json.nextCursor;
      } while (cursor);
      // The scan posted above (now recorded by "ingest") and the three seeded ones.
      expect(all).toHaveLength(4);
      expect(paged).toEqual(all);
      expect(all.slice(1)).toEqual(['/music/2', '/music/1', '/music/0']);
      const failed = (await get<Page<ScanView>>('/api/v1/scans?limit=100')).json.items.find(
        (s) => s.path === '/music/1',
      );
      expect(failed).toMatchObject({ status: 'failed', error: 'root is unreachable', counts: { found: 10 } });

      expectProblem(await get(`/api/v1/scans/${randomUUID()}`), 404);
      expectProblem(await get('/api/v1/scans/not-a-uuid'), 404);
      expectProblem(await get('/api/v1/scans?cursor=bm9wZQ'), 400);
    });
  });

  describe('files', () => {
    async function pageThrough(query: string, limit: number): Promise<FileListItem[]> {
      const items: FileListItem[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: ApiResponse<Page<FileListItem>> = await get<Page<FileListItem>>(
          `/api/v1/files?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.json.items.length).toBeLessThanOrEqual(limit);
        items.push(...res.json.items);
        cursor = res.json.nextCursor;
        pages++;
      } while (cursor && pages < 10_000);
      return items;
    }

    it('pages through every file exactly once, in (path, id) order', async () => {
      const items = await pageThrough('', 37);
      const expected: { id: string }[] = await db.dataSource.query(`SELECT id FROM files ORDER BY path, id`);
      expect(items.map((f) => f.id)).toEqual(expected.map((r) => r.id));
      expect(new Set(items.map((f) => f.id)).size).toBe(FILE_COUNT);
      const first = items.find((f) => f.id === files[2].id);
      expect(first).toEqual({
        id: files[2].id,
        path: files[2].path,
        name: files[2].path.replace(/^.*\//, ''),
        kind: files[2].kind,
        size: 3000,
        mtime: new Date(1700000000003).toISOString(),
        state: files[2].state,
        missingSince: null,
        pathIsUtf8: true,
        artist: null,
        title: null,
        durationSec: null,
        bpm: null,
        camelot: null,
        energy: null,
        problems: [],
      });
    });

    it('filters by state, kind, presence and stage status, and pages within a filter', async () => {
      const ids = (list: FileListItem[]) => list.map((f) => f.id).sort();
      const expectIds = (want: SeededFile[]) => want.map((f) => f.id).sort();

      expect(ids(await pageThrough('&state=FINGERPRINTED', 50))).toEqual(
        expectIds(files.filter((f) => f.state === 'FINGERPRINTED')),
      );
      expect(ids(await pageThrough('&kind=video&missing=false', 50))).toEqual(
        expectIds(files.filter((f) => f.kind === 'video' && !f.missing)),
      );
      expect(ids(await pageThrough('&missing=true', 7))).toEqual(expectIds(files.filter((f) => f.missing)));

      const failed = await pageThrough('&stage=metadata&stageStatus=failed', 30);
      expect(ids(failed)).toEqual(expectIds(files.filter((_, i) => i % 10 === 1)));
      // Pending: rows saying pending plus files the stage has no record of.
      const pending = await pageThrough('&stage=metadata&stageStatus=pending', 100);
      expect(ids(pending)).toEqual(expectIds(files.filter((_, i) => i % 10 === 2 || i % 10 === 3)));
      const done = await pageThrough('&stage=fingerprint&stageStatus=done&kind=music', 100);
      expect(ids(done)).toEqual(expectIds(files.slice(0, 27).filter((f) => f.kind === 'music')));
    });

    it('searches paths as typed text, case-insensitively, with LIKE wildcards taken literally', async () => {
      const names = (list: FileListItem[]) => new Set(list.map((f) => f.name.replace(/^\d+ /, '')));
      expect(names(await pageThrough(`&q=${encodeURIComponent('100%')}`, 500))).toEqual(new Set(['100% Pure.mp3']));
      expect(names(await pageThrough(`&q=${encodeURIComponent('a_b')}`, 500))).toEqual(new Set(['a_b.mp3']));
      expect(names(await pageThrough(`&q=${encodeURIComponent('ZZ TOP')}`, 500))).toEqual(
        new Set(['zz top.mp3', 'Zz Top.mp3']),
      );
      expect(names(await pageThrough(`&q=${encodeURIComponent('jóga')}`, 500))).toEqual(new Set(['Björk – Jóga.flac']));
    });

    it('rejects bad queries with the fields named', async () => {
      const res = await get('/api/v1/files?limit=501&state=LOST&sort=name');
      expectProblem(res, 400);
      expect(res.json.errors?.map((e) => e.field).sort()).toEqual(['limit', 'sort', 'state']);
      expectProblem(await get('/api/v1/files?stageStatus=failed'), 400);
      expectProblem(await get('/api/v1/files?cursor=%27%3B%20DROP%20TABLE%20files'), 400);
      expectProblem(await get('/api/v1/files?limit=0'), 400);
    });

    it('shows a file with every stage, the latest 100 history entries and null placeholders', async () => {
      const f = files[1]; // metadata failed, fingerprint done 30 s ago
      const res = await get<FileDetail>(`/api/v1/files/${f.id}`);
      expect(res.status).toBe(200);
      expect(res.json.file).toMatchObject({
        id: f.id,
        path: f.path,
        kind: f.kind,
        state: f.state,
        contentHash: 'ab'.repeat(32),
        root: '/music',
        pathIsUtf8: true,
      });
      expect(res.json.stages).toEqual([
        {
          stage: 'metadata',
          status: 'failed',
          reason: expect.stringMatching(/^tag parse error/),
          attempts: 2,
          updatedAt: expect.any(String),
          current: true,
        },
        {
          stage: 'fingerprint',
          status: 'done',
          reason: null,
          attempts: 0,
          updatedAt: expect.any(String),
          current: true,
        },
        { stage: 'analysis', status: 'pending', reason: null, attempts: 0, updatedAt: null, current: true },
        { stage: 'proposer', status: 'pending', reason: null, attempts: 0, updatedAt: null, current: true },
      ]);
      // Parts later stages fill: always present; null until a stage has something to say.
      for (const part of ['tags', 'analysis', 'fingerprint', 'companions', 'proposal'] as const) {
        expect(res.json).toHaveProperty(part);
        expect(res.json[part] === null || typeof res.json[part] === 'object').toBe(true);
      }
      expect(res.json.history).toEqual([]);

      const withHistory = await get<FileDetail>(`/api/v1/files/${files[0].id}`);
      expect(withHistory.json.history).toHaveLength(100);
      expect(withHistory.json.history[0]).toMatchObject({
        event: 'event 150',
        fromState: 'DISCOVERED',
        toState: 'METADATA_EXTRACTED',
        detail: { n: 150 },
      });
      expect(withHistory.json.history[99].event).toBe('event 51');
      expect(withHistory.json.file.missingSince).toEqual(expect.any(String));

      expectProblem(await get(`/api/v1/files/${randomUUID()}`), 404);
      expectProblem(await get('/api/v1/files/..%2F..%2Fetc%2Fpasswd'), 404);
    });
  });

  it('reports pipeline stats: states, stage statuses, failures and throughput', async () => {
    // 5 results 30 s ago, 7 three minutes ago, 11 ten minutes ago; 4 stay three hours old.
    const finishedAgo = (from: number, count: number, ago: string) =>
      db.dataSource.query(
        `UPDATE file_stage_statuses SET updated_at = now() - $2::interval WHERE stage = 'fingerprint' AND file_id = ANY($1::uuid[])`,
        [files.slice(from, from + count).map((f) => f.id), ago],
      );
    await finishedAgo(0, 5, '30 seconds');
    await finishedAgo(5, 7, '3 minutes');
    await finishedAgo(12, 11, '10 minutes');
    const res = await get<PipelineStats>('/api/v1/pipeline/stats');
    expect(res.status).toBe(200);
    const stats = res.json;
    expect(stats.files.total).toBe(FILE_COUNT);
    expect(stats.files.missing).toBe(files.filter((f) => f.missing).length);
    expect(stats.files.copies).toBe(0);
    for (const state of FILE_STATES)
      expect(stats.files.byState[state]).toBe(files.filter((f) => f.state === state).length);
    expect(stats.stages.metadata).toEqual({ pending: 200, running: 0, done: 700, skipped: 0, failed: 100 });
    expect(stats.stages.fingerprint).toEqual({ pending: FILE_COUNT - 27, running: 0, done: 27, skipped: 0, failed: 0 });
    expect(stats.failures).toHaveLength(20);
    // Newest first: the seeded failure times go back one second per row.
    const times = stats.failures.map((f) => f.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(stats.failures[0]).toMatchObject({
      fileId: files[1].id,
      stage: 'metadata',
      reason: expect.stringMatching(/^tag parse error/),
    });
    expect(stats.throughput.map((t) => [t.windowMinutes, t.finished])).toEqual([
      [1, 5],
      [5, 12],
      [15, 23],
    ]);
  });

  it('streams live events over SSE, filtered by domain, and lets go of the subscription on disconnect', async () => {
    const events = service.app.get(EventsService);
    const scanStream = await openSse(`${base}/api/v1/events?types=scan`);
    const fileStream = await openSse(`${base}/api/v1/events?types=file`);
    expect(scanStream.contentType).toMatch(/^text\/event-stream/);
    expect(events.openStreams).toBe(2);

    const scanId = randomUUID();
    const counts = {
      found: 3,
      new: 3,
      changed: 0,
      unchanged: 0,
      missing: 0,
      errors: 0,
      ignored: 0,
      symlinksSkipped: 0,
      unstable: 0,
      bytesHashed: 30,
    };
    const published = await bus.publish(Subjects.scanProgressed, { scanId, counts }, { msgId: `progress:${scanId}` });
    const fileId = randomUUID();
    await bus.publish(Subjects.fileMissing, { fileId, scanId }, { msgId: `missing:${fileId}` });

    const scanEvent = await scanStream.next();
    expect(scanEvent).toEqual({ event: 'scan.progressed', id: String(published.seq), data: { scanId, counts } });
    // The file stream's first event is the file event: the scan event was filtered out.
    const fileEvent = await fileStream.next();
    expect(fileEvent.event).toBe(Subjects.fileMissing.name);
    expect(fileEvent.data).toEqual({ fileId, scanId });

    scanStream.close();
    fileStream.close();
    const deadline = Date.now() + 5000;
    while (events.openStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(events.openStreams).toBe(0);

    expectProblem(await get('/api/v1/events?types=scan,bogus'), 400);
  });

  it('answers problem+json for unknown routes, sets security headers everywhere, and serves the UI and OpenAPI', async () => {
    const unknown = await get('/api/v1/nothing-here');
    expectProblem(unknown, 404);
    expect(unknown.json.instance).toBe('/api/v1/nothing-here');
    expectProblem(await api('DELETE', '/api/v1/files', { token: TOKEN }), 404);

    for (const route of ['/', '/api/v1/files?limit=1', '/api/v1/nothing-here', '/health', '/api/docs/openapi.json']) {
      const res = await get(route);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }

    const ui = await get('/');
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    expect(ui.text).toContain('<script type="module" src="/app.js"></script>');
    expect((await get('/app.js')).headers.get('content-type')).toMatch(/javascript/);
    // The modules of the client and the vendored chart library, from the installation itself.
    expect((await get('/lib/api.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/views/index.js')).status).toBe(200);
    expect((await get('/vendor/uplot/uPlot.esm.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/vendor/uplot/uPlot.min.css')).headers.get('content-type')).toMatch(/css/);

    const doc = await get<{
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>('/api/docs/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/scans',
        '/api/v1/scans/{id}',
        '/api/v1/files',
        '/api/v1/files/{id}',
        '/api/v1/pipeline/stats',
        '/api/v1/events',
        '/api/v1/duplicates',
        '/api/v1/duplicates/{key}',
        '/api/v1/duplicates/{key}/resolution',
      ]),
    );
    expect(doc.json.components.schemas.FileDetail).toBeDefined();
    // Every reference in the document resolves to a component (merged feature documents included).
    const refs = [...JSON.stringify(doc.json).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => !(r in doc.json.components.schemas))).toEqual([]);
    expect((await get('/api/docs')).text).toContain('swagger-ui');

    const metrics = await get('/metrics');
    expect(metrics.text).toMatch(/crateflow_http_request_seconds_count\{[^}]*route="\/api\/v1\/files\/:id"/);
    expect(metrics.text).not.toContain(files[0].id);
    // The pipeline's shape for the Grafana dashboard: every state, stage and status, from the read model.
    expect(metrics.text).toMatch(/crateflow_files_by_state\{[^}]*state="DISCOVERED"[^}]*\} \d+/);
    expect(metrics.text).toMatch(
      /crateflow_files_by_stage_status\{[^}]*stage="metadata"[^}]*status="pending"[^}]*\} \d+/,
    );
    expect(metrics.text).toMatch(/crateflow_files_missing\{[^}]*\} \d+/);
  });
});

/** A minimal SSE reader over fetch: waits for the stream to be live, then yields parsed events. */
async function openSse(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const readBlock = async (): Promise<string> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        return block;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('SSE stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  // The first block (retry + ": connected") arrives once the subscription is live.
  expect(await readBlock()).toContain(': connected');
  return {
    contentType: res.headers.get('content-type') ?? '',
    async next(): Promise<{ event?: string; id?: string; data?: unknown }> {
      for (;;) {
        const block = await readBlock();
        const out: { event?: string; id?: string; data?: unknown } = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(': ');
          const [name, value] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 2)];
          if (name === 'event') out.event = value;
          else if (name === 'id') out.id = value;
          else if (name === 'data') out.data = JSON.parse(value);
        }
        if (out.event) return out;
      }
    },
    close: () => controller.abort(),
  };
}
