import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Subjects } from '@crateflow/contracts';
import { Messaging, type LiveMessage } from '@crateflow/messaging';
import { refreshAnalysisFactsSql, refreshStageFlagsSql } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import type { FileListItem } from '../src/files/file.schemas';
import type { Page } from '../src/http/cursor';
import type { LibraryOverview, LibraryRoots } from '../src/library/library.schemas';
import { gatewayService } from '../src/main';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';

const TOKEN = randomBytes(24).toString('hex');

/** What the web UI reads beyond the core API: the DJ's file list, the library overview, the browser session. */
describe('gateway API for the UI (real PostgreSQL)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let work: string;
  const ids: string[] = [];

  async function get<T>(route: string, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
    const res = await fetch(`${service.url}${route}`, { headers });
    return { status: res.status, json: (await res.json()) as T };
  }

  async function allPages(route: string): Promise<FileListItem[]> {
    const out: FileListItem[] = [];
    let cursor: string | null = null;
    do {
      const sep = route.includes('?') ? '&' : '?';
      const page: { json: Page<FileListItem> } = await get<Page<FileListItem>>(
        `${route}${cursor ? `${sep}cursor=${cursor}` : ''}`,
      );
      out.push(...page.json.items);
      cursor = page.json.nextCursor;
    } while (cursor);
    return out;
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-ui-api-'));
    mkdirSync(path.join(work, 'library'));
    db = await createTestDatabase('uiapi');
    // 40 files (n = 1..40): n = 36..40 copy the content of n = 1..5 (exact duplicates); the rest are distinct.
    for (let i = 0; i < 40; i++) ids.push(randomUUID());
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT f.id, '/music', '/music/' || lpad(n::text, 2, '0') || '.flac', convert_to(f.id::text, 'UTF8'), '\\x00',
              lpad(n::text, 2, '0') || '.flac', 'flac', 'music', 1000000 * n,
              1700000000000, lpad(to_hex(CASE WHEN n > 35 THEN n - 36 ELSE n - 1 END), 64, '0'), 'ANALYZED', $2::uuid, $2::uuid
         FROM unnest($1::uuid[]) WITH ORDINALITY AS f(id, n)`,
      [ids, randomUUID()],
    );
    // Tags for the first 30; analysis for the first 20 with BPM 120 + i and keys around the wheel.
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title, duration_sec)
       SELECT f.id, f.content_hash, 'read', 'Artist ' || chr(90 - (n::int % 26)), 'Title ' || n, 60 + n
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) JOIN files f ON f.id = x.id WHERE n <= 30`,
      [ids],
    );
    await db.dataSource.query(
      `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot, key, energy)
       SELECT f.id, f.content_hash, 1, 'done', 119 + n, ((n - 1) % 12 + 1)::text || 'A', 'A minor', 5
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) JOIN files f ON f.id = x.id WHERE n <= 20`,
      [ids],
    );
    await db.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
       SELECT id, 'analysis', 'failed', content_hash, 'decoder gave up: truncated frame', 3 FROM files WHERE id = $1
       UNION ALL
       SELECT id, 'fingerprint', 'done', content_hash, NULL, 1 FROM files WHERE id = $1`,
      [ids[25]],
    );
    // Ingest keeps files.stage_flags and the analysis facts (bpm, camelot) with every status and analysis outcome
    // it records; these rows were written directly.
    await db.dataSource.query(refreshStageFlagsSql('TRUE'));
    await db.dataSource.query(refreshAnalysisFactsSql('TRUE'));
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: TOKEN,
      // The second root is not there (an unmounted drive): the roots list says so.
      CRATEFLOW_LIBRARY_ROOTS: `${path.join(work, 'library')}:${path.join(work, 'unmounted')}`,
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    await service?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  it('lists files with tags, analysis and problems in words', async () => {
    const page = await get<Page<FileListItem>>('/api/v1/files?limit=100');
    const first = page.json.items.find((f) => f.id === ids[0])!;
    expect(first).toMatchObject({ artist: 'Artist Y', title: 'Title 1', durationSec: 61, bpm: 120, camelot: '1A' });
    const broken = page.json.items.find((f) => f.id === ids[25])!;
    expect(broken.problems).toEqual([
      { stage: 'analysis', status: 'failed', reason: 'decoder gave up: truncated frame' },
    ]);
    const problems = await get<Page<FileListItem>>('/api/v1/files?problems=true');
    expect(problems.json.items.map((f) => f.id)).toEqual([ids[25]]);
  });

  it('sorts by BPM both ways through keyset pages, listing only files with a measured BPM', async () => {
    const asc = await allPages('/api/v1/files?sort=bpm&limit=3');
    expect(asc.map((f) => f.bpm)).toEqual(Array.from({ length: 20 }, (_, i) => 120 + i));
    const desc = await allPages('/api/v1/files?sort=bpm&order=desc&limit=7');
    expect(desc.map((f) => f.bpm)).toEqual(Array.from({ length: 20 }, (_, i) => 139 - i));
    const byArtist = await allPages('/api/v1/files?sort=artist&limit=4');
    expect(byArtist).toHaveLength(30);
    const artists = byArtist.map((f) => f.artist!.toLowerCase());
    expect(artists).toEqual([...artists].sort());
    const byDuration = await allPages('/api/v1/files?sort=duration&order=desc&limit=8');
    expect(byDuration.map((f) => f.durationSec)).toEqual(Array.from({ length: 30 }, (_, i) => 90 - i));
  });

  it('refuses a cursor of another order', async () => {
    const page = await get<Page<FileListItem>>('/api/v1/files?sort=bpm&limit=2');
    const res = await get<{ errors: { field: string }[] }>(`/api/v1/files?sort=title&cursor=${page.json.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe('cursor');
  });

  it('filters by BPM range, compatible Camelot keys and duplicates', async () => {
    const range = await allPages('/api/v1/files?bpmMin=125&bpmMax=127.5');
    expect(range.map((f) => f.bpm)).toEqual([125, 126, 127]);
    const compatible = await allPages('/api/v1/files?camelot=8A&camelotCompatible=true');
    expect(new Set(compatible.map((f) => f.camelot))).toEqual(new Set(['7A', '8A', '9A']));
    const dups = await allPages('/api/v1/files?duplicates=true');
    expect(dups.map((f) => f.id).sort()).toEqual([...ids.slice(0, 5), ...ids.slice(35, 40)].sort());
    const unique = await allPages('/api/v1/files?duplicates=false');
    expect(unique).toHaveLength(30);
  });

  it('gives the library overview', async () => {
    const { json } = await get<LibraryOverview>('/api/v1/library/overview');
    expect(json.files.total).toBe(40);
    expect(json.bpm.analysed).toBe(20);
    expect(json.bpm.buckets.find((b) => b.from === 120)!.files).toBe(2);
    expect(json.keys.find((k) => k.camelot === '1A')!.files).toBe(2);
    expect(json.formats).toEqual([{ ext: 'flac', files: 40, bytes: json.files.bytes }]);
    // Files 36..40 copy files 1..5: the waste is the size of the larger of each pair.
    expect(json.duplicates).toMatchObject({ exactGroups: 5, exactCopies: 5 });
    expect(json.duplicates.exactWastedBytes).toBe((36 + 37 + 38 + 39 + 40) * 1_000_000);
  });

  it('lists the library roots, whether each can be scanned, and the newest scan of each', async () => {
    const library = realpathSync(path.join(work, 'library'));
    const scanId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO scans (id, root, path, status, counts, started_at, finished_at, created_at)
       VALUES ($1, $2, $2, 'completed', '{"found":3}'::jsonb, now(), now(), now() - interval '1 minute'),
              ($3, $2, $2, 'completed', '{"found":1}'::jsonb, now(), now(), now() - interval '1 hour')`,
      [scanId, library, randomUUID()],
    );
    const { status, json } = await get<LibraryRoots>('/api/v1/library/roots');
    expect(status).toBe(200);
    expect(json.items).toEqual([
      expect.objectContaining({
        path: path.join(work, 'library'),
        realPath: library,
        scannable: true,
        problem: null,
        lastScan: expect.objectContaining({ id: scanId, status: 'completed' }),
      }),
      { path: path.join(work, 'unmounted'), realPath: null, scannable: false, problem: 'not found', lastScan: null },
    ]);
  });

  it('pages the audit newest first by step number across digit lengths (9, 10, 99, 100), missing none', async () => {
    const execution = randomUUID();
    await db.dataSource.query(
      `INSERT INTO execution_steps (id, execution_id, operation_id, phase, status, source_path, destination_path)
       SELECT n, $1, $1, 'done', CASE WHEN n % 7 = 0 THEN 'failed' ELSE 'done' END, '/music/in/' || n, '/music/out/' || n
         FROM generate_series(1, 150) n`,
      [execution],
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { id: string }[]; nextCursor: string | null } } = await get(
        `/api/v1/audit?executionId=${execution}&limit=40${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.json.items.map((s) => Number(s.id)));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => 150 - i));
    const failed = await get<{ items: { id: string }[] }>(`/api/v1/audit?status=failed&limit=500`);
    expect(failed.json.items.map((s) => Number(s.id))).toEqual(Array.from({ length: 21 }, (_, i) => 147 - 7 * i));
  });

  it('lists executions newest first with their counts, in keyset pages', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await db.dataSource.query(
      `INSERT INTO executions (id, kind, mode, status, options, created_at)
       SELECT id, 'run', 'move', 'completed', '{}', now() - n * interval '1 minute' FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ids],
    );
    // Execution n has n operations: one failed, the rest done, 1,000 bytes each.
    await db.dataSource.query(
      `INSERT INTO execution_operations (id, execution_id, seq, kind, role, source_path, source_key, destination_path,
                                         destination_key, size, mtime_ms, content_hash, phase, status)
       SELECT gen_random_uuid(), x.id, s, 'move', 'media', '/in/' || s, '\\x01', '/out/' || s, '\\x02', 1000, 0,
              repeat('ab', 32), 'done', CASE WHEN s = 1 THEN 'failed' ELSE 'done' END
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n) CROSS JOIN LATERAL generate_series(1, n::int) s`,
      [ids],
    );
    type ExecutionPage = { items: { id: string; counts: Record<string, number> }[]; nextCursor: string | null };
    const first = await get<ExecutionPage>('/api/v1/executions?limit=2');
    expect(first.json.items.map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(first.json.items[1].counts).toEqual({
      total: 2,
      done: 1,
      failed: 1,
      skipped: 0,
      pending: 0,
      bytesDone: 1000,
      bytesTotal: 2000,
    });
    const second = await get<ExecutionPage>(`/api/v1/executions?limit=2&cursor=${first.json.nextCursor}`);
    expect(second.json.items.map((e) => [e.id, e.counts.total])).toEqual([[ids[2], 3]]);
    expect(second.json.nextCursor).toBeNull();
  });

  it('pages executions created within one millisecond without skipping any (the cursor keeps microseconds)', async () => {
    // Three executions 300 µs apart, newer than any other in this database: a millisecond cursor would skip
    // the ones that share the first page's last millisecond.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await db.dataSource.query(
      `INSERT INTO executions (id, kind, mode, status, options, created_at)
       SELECT id, 'run', 'move', 'completed', '{}',
              timestamptz '2100-01-01 00:00:00.000900+00' - n * interval '300 microseconds'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ids],
    );
    type ExecutionPage = { items: { id: string }[]; nextCursor: string | null };
    const first = await get<ExecutionPage>('/api/v1/executions?limit=1');
    const second = await get<ExecutionPage>(`/api/v1/executions?limit=1&cursor=${first.json.nextCursor}`);
    const third = await get<ExecutionPage>(`/api/v1/executions?limit=1&cursor=${second.json.nextCursor}`);
    expect([first, second, third].map((p) => p.json.items[0]?.id)).toEqual(ids);
    await db.dataSource.query(`DELETE FROM executions WHERE id = ANY($1::uuid[])`, [ids]);
  });

  it('answers a forged executions or audit cursor with 400, not a database error', async () => {
    const forge = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const cursor of [
      forge({ createdAtUs: '99999999999999999', id: randomUUID() }),
      forge({ createdAt: 'not a time', id: randomUUID() }),
    ]) {
      expect((await get(`/api/v1/executions?cursor=${cursor}`)).status).toBe(400);
    }
    expect((await get(`/api/v1/audit?cursor=${forge({ id: '99999999999999999999' })}`)).status).toBe(400);
  });

  it('signs a browser in: HttpOnly SameSite=Strict session, CSRF token required on writes', async () => {
    const wrong = await fetch(`${service.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token' }),
    });
    expect(wrong.status).toBe(401);

    const res = await fetch(`${service.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(res.status).toBe(204);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('crateflow_session='))!;
    const csrf = cookies.find((c) => c.startsWith('crateflow_csrf='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toMatch(/SameSite=Strict/);
    const jar = [session, csrf].map((c) => c.split(';')[0]).join('; ');
    const csrfToken = decodeURIComponent(csrf.split(';')[0].split('=')[1]);

    const state = await get<{ signedIn: boolean; via: string }>('/api/v1/session', { cookie: jar });
    expect(state.json).toEqual({ signedIn: true, via: 'session', tokenRefused: false });

    const scan = (headers: Record<string, string>) =>
      fetch(`${service.url}/api/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ path: '/nowhere' }),
      });
    // The session alone (what a forged cross-site request would carry) is refused.
    expect((await scan({ cookie: jar })).status).toBe(403);
    expect((await scan({ cookie: jar, 'x-csrf-token': 'forged' })).status).toBe(403);
    // With the CSRF token the guard lets it through; the path is then refused for what it is.
    const allowed = await scan({ cookie: jar, 'x-csrf-token': csrfToken });
    expect(allowed.status).toBe(400);
    // A tampered session cookie is no session.
    expect(
      (
        await scan({
          cookie: jar.replace(/crateflow_session=[^;]+/, 'crateflow_session=a.1.b'),
          'x-csrf-token': csrfToken,
        })
      ).status,
    ).toBe(401);

    const bearerWrong = await get<{ tokenRefused: boolean }>('/api/v1/session', { authorization: 'Bearer nope' });
    expect(bearerWrong.json.tokenRefused).toBe(true);
  });

  it('retries the files a stage failed by announcing what triggers that stage again', async () => {
    const bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'ui-api-test' });
    const seen: LiveMessage[] = [];
    const live = await bus.subscribeLive('file.>', (m) => {
      seen.push(m);
    });
    try {
      const refused = await fetch(`${service.url}/api/v1/pipeline/retries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stage: 'analysis' }),
      });
      expect(refused.status).toBe(401);
      const res = await fetch(`${service.url}/api/v1/pipeline/retries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ stage: 'analysis' }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ stage: 'analysis', requested: 1, more: false });
      for (let i = 0; i < 50 && !seen.length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((m) => [m.subject, (m.payload as { fileId: string }).fileId])).toEqual([
        ['file.fingerprint.completed', ids[25]],
      ]);
      // Nothing failed in the metadata stage: nothing to send.
      const none = await fetch(`${service.url}/api/v1/pipeline/retries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ stage: 'metadata' }),
      });
      expect(await none.json()).toEqual({ stage: 'metadata', requested: 0, more: false });
    } finally {
      await live.stop();
      await bus.close();
    }
  });

  it('resumes the event stream after a dropped connection from Last-Event-ID, missing nothing', async () => {
    const bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'ui-api-sse-test' });
    /** Opens the stream and returns the (id, subject, scanId) of events as they come. */
    async function open(headers: Record<string, string> = {}) {
      const abort = new AbortController();
      const res = await fetch(`${service.url}/api/v1/events?types=scan`, { headers, signal: abort.signal });
      const reader = res.body!.getReader();
      const events: { id: string; event: string; scanId: string }[] = [];
      let buffer = '';
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += Buffer.from(value).toString('utf8');
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const field = (n: string) =>
                frame
                  .split('\n')
                  .find((l) => l.startsWith(`${n}: `))
                  ?.slice(n.length + 2);
              if (field('event')) {
                events.push({
                  id: field('id') ?? '',
                  event: field('event')!,
                  scanId: JSON.parse(field('data')!).scanId,
                });
              }
            }
          }
        } catch {
          /* aborted */
        }
      })();
      return { events, close: () => abort.abort() };
    }
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(check()).toBe(true);
    };
    const progressed = (scanId: string) =>
      bus.publish(
        Subjects.scanProgressed,
        {
          scanId,
          counts: {
            found: 1,
            new: 1,
            changed: 0,
            unchanged: 0,
            missing: 0,
            errors: 0,
            ignored: 0,
            symlinksSkipped: 0,
            unstable: 0,
            bytesHashed: 1,
          },
        },
        { msgId: `sse:${scanId}` },
      );
    try {
      const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const first = await open();
      await new Promise((r) => setTimeout(r, 200));
      await progressed(a);
      await progressed(b);
      await until(() => first.events.length === 2);
      first.close();
      // Published while no one listens.
      await progressed(c);
      await progressed(d);
      const resumed = await open({ 'last-event-id': first.events[1].id });
      await until(() => resumed.events.length === 2);
      expect(resumed.events.map((e) => e.scanId)).toEqual([c, d]);
      resumed.close();
      // The same through the query parameter (a client starting a fresh connection).
      const again = await open();
      again.close();
      const viaQuery = await fetch(`${service.url}/api/v1/events?types=scan&lastEventId=${first.events[0].id}`);
      const reader = viaQuery.body!.getReader();
      let text = '';
      while (!(text.match(/event: scan.progressed/g)?.length === 3))
        text += Buffer.from((await reader.read()).value!).toString();
      await reader.cancel();
      expect(text).toContain(b);
      expect(text).toContain(d);
      expect(text).not.toContain(a);
    } finally {
      await bus.close();
    }
  });

  it('documents the new routes in OpenAPI', async () => {
    const { json } = await get<{ paths: Record<string, unknown> }>('/api/docs/openapi.json');
    expect(Object.keys(json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/library/overview',
        '/api/v1/library/roots',
        '/api/v1/session',
        '/api/v1/pipeline/retries',
      ]),
    );
  });
});
