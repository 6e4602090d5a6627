import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { MARK_ALL_SHARED_DESTINATIONS_SQL } from '@crateflow/persistence';
import { createTestDatabase } from '@crateflow/persistence/src/testing';
import { deleteTestStreams, NATS_URL } from '../../test/support/service-harness';

/**
 * The web UI's list endpoints at scale: BENCH_FILES files (default 1,000,000) with tags, analysis, stage
 * statuses, duplicates and scans are generated straight into a fresh database (set-based SQL, indexes
 * dropped during the load and rebuilt after), the gateway runs as its own process, and this process
 * measures each list's first page and a deep page (the page after 90 % of the rows) over HTTP.
 * Prints p50/p95 per endpoint and its ratio to the 150 ms budget.
 *
 * Also BENCH_PROPOSALS proposals (default 250,000; 40 % reviewed) and an executor journal of BENCH_EXECUTIONS
 * executions × BENCH_OPERATIONS operations with four audit steps each (default 100 × 2,000: 800,000 steps).
 * The load average and a reference (GET /health and a `SELECT 1` round trip, p95) measured in the same run
 * are printed with the table: on a busy machine they say how much of a figure is the machine.
 *
 *   node -r @swc-node/register bench/ui/run.ts
 *   BENCH_KEEP=1 … keeps the database; BENCH_DATABASE_URL=… reuses it; BENCH_ONLY=proposals,audit measures a subset.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const FILES = Number(process.env.BENCH_FILES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const PROPOSALS = Math.min(Number(process.env.BENCH_PROPOSALS ?? 250_000), Math.floor(FILES / 4));
/** Executions in the journal and operations per execution (each with four steps in the audit). */
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100);
const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 2_000);
const BUDGET_MS = 150;
const TOKEN = randomBytes(24).toString('hex');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`  ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Generates the library (ids are valid v4 UUIDs, as ingest makes them): every row from generate_series, so a million files load in about a minute. */
async function generate(db: Client): Promise<void> {
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '512MB'`);
  const tables = [
    'files',
    'file_metadata',
    'file_analysis',
    'file_stage_statuses',
    'same_recording_matches',
    'proposals',
    'proposal_reviews',
    'executions',
    'execution_operations',
    'execution_steps',
  ];
  const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [tables],
  );
  for (const i of indexes) await db.query(`DROP INDEX "${i.indexname}"`);

  await timed(`files (${FILES.toLocaleString('en')})`, () =>
    db.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          missing_since, first_seen_scan_id, last_seen_scan_id)
       SELECT overlay(overlay(md5('f' || n) placing '4' from 13) placing '8' from 17)::uuid, '/music',
              '/music/' || (n % 997) || '/' || (n % 13) || '/' || name, convert_to('/music/' || n || name, 'UTF8'),
              convert_to((n % 997)::text, 'UTF8'), name, ext, kind, 3000000 + (n::bigint * 7919) % 9000000,
              1700000000000 + n,
              -- 3 % of the files copy another file's content (exact duplicates).
              CASE WHEN n % 33 = 0 THEN md5('c' || (n / 2)) || md5('d' || (n / 2)) ELSE md5('c' || n) || md5('d' || n) END,
              (ARRAY['DISCOVERED','METADATA_EXTRACTED','FINGERPRINTED','ANALYZED','PROPOSAL_GENERATED'])[1 + n % 5],
              CASE WHEN n % 100 = 7 THEN now() ELSE NULL END,
              '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001'
         FROM (SELECT n, 'Artist ' || (n % 20011) || ' - Track ' || n || '.' || ext AS name, ext,
                      CASE WHEN n % 20 = 0 THEN 'video' WHEN n % 10 = 1 THEN 'companion' ELSE 'music' END AS kind
                 FROM (SELECT n, (ARRAY['mp3','flac','m4a','wav','ogg'])[1 + n % 5] AS ext
                         FROM generate_series(1, $1::int) n) s) t`,
      [FILES],
    ),
  );
  await timed('tags', () =>
    db.query(`INSERT INTO file_metadata (file_id, content_hash, status, artist, title, duration_sec, codec, bitrate)
      SELECT id, content_hash, 'read', 'Artist ' || (abs(hashtext(name)) % 20011), 'Track ' || abs(hashtext(path)) % 100000,
             120 + abs(hashtext(path)) % 600, 'mp3', 320000
        FROM files WHERE kind <> 'companion' AND abs(hashtext(path)) % 10 <> 0`),
  );
  await timed('analysis', () =>
    db.query(`INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot, key, lufs, energy)
      SELECT id, content_hash, 1, 'done', 70 + (abs(hashtext(path)) % 11000) / 100.0,
             (1 + abs(hashtext(name)) % 12)::text || (ARRAY['A','B'])[1 + abs(hashtext(path)) % 2], 'A minor',
             -9 - (abs(hashtext(path)) % 60) / 10.0, 1 + abs(hashtext(path)) % 10
        FROM files WHERE kind = 'music' AND abs(hashtext(path)) % 5 <> 0`),
  );
  await timed('stage statuses', () =>
    db.query(`INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
      SELECT f.id, s.stage,
             CASE WHEN s.stage = 'analysis' AND abs(hashtext(f.path)) % 50 = 3 THEN 'failed'
                  WHEN s.stage = 'analysis' AND f.kind = 'video' THEN 'skipped' ELSE 'done' END,
             f.content_hash,
             CASE WHEN s.stage = 'analysis' AND abs(hashtext(f.path)) % 50 = 3 THEN 'decoder gave up: truncated frame'
                  WHEN s.stage = 'analysis' AND f.kind = 'video' THEN 'video: no music analysis' END, 1
        FROM files f CROSS JOIN (VALUES ('metadata'), ('fingerprint'), ('analysis')) s(stage)
       WHERE f.kind <> 'companion'`),
  );
  // files.stage_flags, ingest's read model of the failed and skipped statuses (as migration 1796500000000 fills it).
  await timed('stage flags', () =>
    db.query(`UPDATE files f SET stage_flags = s.flags
        FROM (SELECT file_id, array_agg(stage || ':' || status ORDER BY stage, status) AS flags
                FROM file_stage_statuses WHERE status IN ('failed', 'skipped') GROUP BY file_id) s
       WHERE f.id = s.file_id`),
  );
  // files.bpm and camelot, ingest's read model of the current analysis (as migration 1796500001000 fills it).
  await timed('analysis facts', () =>
    db.query(`UPDATE files f SET bpm = a.bpm, camelot = a.camelot FROM file_analysis a
       WHERE a.file_id = f.id AND a.content_hash = f.content_hash AND a.status = 'done'
         AND (a.bpm IS NOT NULL OR a.camelot IS NOT NULL)`),
  );
  // Pairs of different encodings: every 250th file with its neighbour.
  await db.query(
    `INSERT INTO same_recording_matches (content_hash, other_content_hash, track_id, other_track_id, coverage,
                                                      other_coverage, offset_sec, score, algorithm_version)
    SELECT DISTINCT ON (a.content_hash, b.content_hash) a.content_hash, b.content_hash, 1, 2, 0.9, 0.9, 0, 50, 1
      FROM generate_series(250, $1::int, 250) n
      JOIN files a ON a.id = overlay(overlay(md5('f' || n) placing '4' from 13) placing '8' from 17)::uuid JOIN files b ON b.id = overlay(overlay(md5('f' || (n + 1)) placing '4' from 13) placing '8' from 17)::uuid
     WHERE a.content_hash <> b.content_hash ON CONFLICT DO NOTHING`,
    [FILES - 1],
  );
  await timed('scans (2,000)', () =>
    db.query(`INSERT INTO scans (id, root, path, status, counts, started_at, finished_at, created_at)
      SELECT overlay(overlay(md5('s' || n) placing '4' from 13) placing '8' from 17)::uuid, '/music', '/music', 'completed', '{"found":0,"new":0,"changed":0,"unchanged":0,"missing":0,"errors":0,"ignored":0,"symlinksSkipped":0,"unstable":0,"bytesHashed":0}'::jsonb,
             now() - n * interval '1 hour', now() - n * interval '1 hour', now() - n * interval '1 hour'
        FROM generate_series(1, 2000) n`),
  );
  await timed(`proposals (${PROPOSALS.toLocaleString('en')})`, () =>
    // One live proposal for every 4th file (the first PROPOSALS of them); 1 % head for a destination another
    // proposal already claims (collisions), 2 % are invalid.
    db.query(
      `INSERT INTO proposals (id, file_id, content_hash, status, source, model, original_path, proposed_folder,
                              proposed_name, destination_key, confidence, facts, reason, context, invalid_reason, created_at)
       SELECT overlay(overlay(md5('p' || n) placing '4' from 13) placing '8' from 17)::uuid, f.id, f.content_hash,
              CASE WHEN n / 4 % 50 = 1 THEN 'invalid' ELSE 'pending' END, 'rules', NULL, f.path,
              'Artist ' || (n % 20011), 'Artist ' || (n % 20011) || ' - Track ' || n || '.' || f.ext,
              -- The key the previous proposal (n - 4) has, for the colliding ones.
              (SELECT lower('Artist ' || (m % 20011) || '/Artist ' || (m % 20011) || ' - Track ' || m || '.' ||
                            (ARRAY['mp3','flac','m4a','wav','ogg'])[1 + m % 5])
                 FROM (SELECT CASE WHEN n / 4 % 100 = 3 THEN n - 4 ELSE n END AS m) k),
              (abs(hashtext('c' || n)) % 1000) / 1000.0, '{}'::jsonb, 'tags agree with the file name', '{}'::jsonb,
              CASE WHEN n / 4 % 50 = 1 THEN 'the name has no title' END,
              timestamptz '2026-01-01' + n * interval '1 second'
         FROM generate_series(4, $1::int * 4, 4) n
         JOIN files f ON f.id = overlay(overlay(md5('f' || n) placing '4' from 13) placing '8' from 17)::uuid`,
      [PROPOSALS],
    ),
  );
  // proposals.destination_shared, the proposer's read model of shared destinations (as migration 1796600000000 fills it).
  await timed('shared destinations', () => db.query(MARK_ALL_SHARED_DESTINATIONS_SQL));
  await timed('proposal reviews (40 %)', () =>
    db.query(`INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, version, last_action, decided_at)
      SELECT id, file_id, content_hash, CASE WHEN abs(hashtext(id::text)) % 4 = 0 THEN 'rejected' ELSE 'approved' END,
             1, 'decide', created_at + interval '1 day'
        FROM proposals WHERE abs(hashtext('r' || id::text)) % 10 < 4 AND status = 'pending'`),
  );
  await timed(
    `journal (${EXECUTIONS} executions, ${(EXECUTIONS * OPERATIONS).toLocaleString('en')} operations, 4 steps each)`,
    async () => {
      await db.query(
        `INSERT INTO executions (id, kind, mode, status, options, started_at, finished_at, created_at)
       SELECT overlay(overlay(md5('e' || e) placing '4' from 13) placing '8' from 17)::uuid, 'run', 'move', 'completed', '{}'::jsonb,
              timestamptz '2026-02-01' + e * interval '1 hour', timestamptz '2026-02-01' + e * interval '1 hour' + interval '20 minutes',
              timestamptz '2026-02-01' + e * interval '1 hour'
         FROM generate_series(1, $1::int) e`,
        [EXECUTIONS],
      );
      // The approved proposals' files, moved: claiming, renaming, releasing, done (0.5 % fail while renaming).
      await db.query(
        `INSERT INTO execution_operations (id, execution_id, seq, kind, role, file_id, source_path, source_key, destination_path,
                                         destination_key, size, mtime_ms, content_hash, phase, status, error, error_code,
                                         started_at, finished_at, updated_at)
       SELECT overlay(overlay(md5('o' || o) placing '4' from 13) placing '8' from 17)::uuid,
              overlay(overlay(md5('e' || (1 + o / $2::int)) placing '4' from 13) placing '8' from 17)::uuid, o % $2::int, 'move', 'media',
              NULL, '/music/in/' || o || '.mp3', convert_to('/music/in/' || o || '.mp3', 'UTF8'),
              '/music/sorted/Artist ' || (o % 20011) || '/' || o || '.mp3', convert_to('/music/sorted/' || o, 'UTF8'),
              5000000, 1700000000000, md5('c' || o) || md5('d' || o),
              CASE WHEN o % 200 = 7 THEN 'failed' ELSE 'done' END, CASE WHEN o % 200 = 7 THEN 'failed' ELSE 'done' END,
              CASE WHEN o % 200 = 7 THEN 'EACCES: permission denied' END, CASE WHEN o % 200 = 7 THEN 'EACCES' END,
              now(), now(), now()
         FROM generate_series(0, $1::int * $2::int - 1) o`,
        [EXECUTIONS, OPERATIONS],
      );
      await db.query(
        `INSERT INTO execution_steps (execution_id, operation_id, phase, status, source_path, destination_path, detail, at)
       SELECT o.execution_id, o.id, s.phase, CASE WHEN s.phase = 'done' THEN o.status ELSE 'running' END, o.source_path,
              o.destination_path, CASE WHEN s.phase = 'done' AND o.status = 'failed' THEN '{"error":"EACCES"}'::jsonb END,
              timestamptz '2026-02-01' + o.seq * interval '10 milliseconds'
         FROM execution_operations o
        CROSS JOIN (VALUES (1, 'claiming'), (2, 'renaming'), (3, 'releasing'), (4, 'done')) s(n, phase)
        ORDER BY o.execution_id, o.seq, s.n`,
      );
    },
  );
  await timed(`indexes (${indexes.length} rebuilt)`, async () => {
    for (const i of indexes) await db.query(i.indexdef);
  });
  await timed('analyze', () => db.query(`VACUUM ANALYZE`));
}

function startGateway(url: string, port: number, prefix: string): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'apps/gateway/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      CRATEFLOW_API_TOKEN: TOKEN,
      CRATEFLOW_LIBRARY_ROOTS: '/music',
      LOG_LEVEL: 'warn',
      SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the gateway did not become healthy');
}

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

interface Case {
  name: string;
  route: string;
  /** The keyset of the row after 90 % of the list (the deep page starts there), or how to reach it. */
  deep: () => Promise<string | undefined>;
}

async function measure(base: string, route: string): Promise<{ p50: number; p95: number; items: number }> {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < RUNS + 3; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(`${base}${route}`);
    const body = (await res.json()) as { items?: unknown[]; detail?: string };
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!res.ok) throw new Error(`${route}: ${res.status} ${body.detail ?? ''}`);
    items = body.items?.length ?? 0;
    if (i >= 3) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), items };
}

async function main(): Promise<void> {
  console.log(`bench/ui: ${FILES.toLocaleString('en')} files, ${RUNS} timed requests per page`);
  // BENCH_DATABASE_URL reuses a library kept by an earlier run (BENCH_KEEP=1) instead of generating one:
  // it is for trying query and index changes; the figures to report come from a fresh run.
  const reused = process.env.BENCH_DATABASE_URL;
  const database = reused
    ? { url: reused, drop: async () => undefined }
    : await createTestDatabase('benchui').then(async (d) => (await d.dataSource.destroy(), d));
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  let gateway: ChildProcess | undefined;
  try {
    if (!reused) await generate(db);
    if (process.env.BENCH_GENERATE_ONLY) return;
    const port = await freePort();
    gateway = startGateway(database.url, port, prefix);
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(base);

    const offset = async (sql: string, params: unknown[] = []) => {
      const { rows } = await db.query(sql, params);
      return rows[0];
    };
    const pathKey =
      (where = 'TRUE') =>
      async () => {
        const { c } = await offset(`SELECT count(*)::int AS c FROM files f WHERE ${where}`);
        const r = await offset(`SELECT path, id FROM files f WHERE ${where} ORDER BY path, id OFFSET $1 LIMIT 1`, [
          Math.floor(c * 0.9),
        ]);
        return r ? cursorOf([r.path, r.id]) : undefined;
      };
    const sortKey =
      (sort: string, table: string, key: string, id: string, present: string, numeric: boolean) => async () => {
        const { c } = await offset(`SELECT count(*)::int AS c FROM ${table} WHERE ${present}`);
        const r = await offset(
          `SELECT ${key} AS k, ${id} AS id FROM ${table} WHERE ${present} ORDER BY 1, 2 OFFSET $1 LIMIT 1`,
          [Math.floor(c * 0.9)],
        );
        return r ? cursorOf([sort, numeric ? Number(r.k) : r.k, r.id]) : undefined;
      };
    /** Follows nextCursor `pages` times (lists whose order is not a plain column). */
    const follow = (route: string, pages: number) => async () => {
      let cursor: string | undefined;
      for (let i = 0; i < pages; i++) {
        const sep = route.includes('?') ? '&' : '?';
        const page = (await (await fetch(`${base}${route}${cursor ? `${sep}cursor=${cursor}` : ''}`)).json()) as {
          nextCursor: string | null;
        };
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return cursor;
    };

    /** The proposals list in its orders and with its filters; the deep key comes from the same order in SQL. */
    const proposalCases = (): Case[] => {
      const effective = `CASE WHEN p.status = 'superseded' THEN 'superseded' WHEN r.decision IN ('approved', 'rejected')
        THEN r.decision WHEN p.status = 'invalid' AND r.edited_name IS NULL AND NOT COALESCE(r.folder_edited, false)
        THEN 'invalid' ELSE 'pending' END`;
      const key =
        (where: string, col = 'p.created_at', dir = 'ASC', join = '') =>
        async () => {
          const from = `FROM proposals p LEFT JOIN proposal_reviews r ON r.proposal_id = p.id ${join} WHERE ${where}`;
          const { c } = await offset(`SELECT count(*)::int AS c ${from}`);
          const r = await offset(`SELECT ${col} AS k, p.id ${from} ORDER BY 1 ${dir}, 2 ${dir} OFFSET $1 LIMIT 1`, [
            Math.floor(c * 0.9),
          ]);
          if (!r) return undefined;
          return cursorOf([r.k instanceof Date ? r.k.toISOString() : typeof r.k === 'number' ? r.k : r.k, r.id]);
        };
      const live = `p.status <> 'superseded'`;
      return [
        { name: 'proposals', route: '/api/v1/proposals?limit=50', deep: key(live) },
        {
          name: 'proposals ?status=pending',
          route: '/api/v1/proposals?limit=50&status=pending',
          deep: key(`${effective} = 'pending'`),
        },
        {
          name: 'proposals ?status=approved',
          route: '/api/v1/proposals?limit=50&status=approved',
          deep: key(`${effective} = 'approved'`),
        },
        {
          name: 'proposals ?status=invalid',
          route: '/api/v1/proposals?limit=50&status=invalid',
          deep: key(`${effective} = 'invalid'`),
        },
        {
          name: 'proposals ?band=high',
          route: '/api/v1/proposals?limit=50&band=high',
          deep: key(`${live} AND p.confidence >= 0.8`),
        },
        {
          name: 'proposals ?kind=video',
          route: '/api/v1/proposals?limit=50&kind=video',
          deep: key(`${live} AND f.kind = 'video'`, 'p.created_at', 'ASC', 'JOIN files f ON f.id = p.file_id'),
        },
        {
          name: 'proposals ?q=text',
          route: '/api/v1/proposals?limit=50&q=track%2012',
          deep: key(`${live} AND (p.original_path ILIKE '%track 12%' OR p.proposed_name ILIKE '%track 12%')`),
        },
        {
          name: 'proposals ?collision',
          route: '/api/v1/proposals?limit=50&collision=true',
          deep: follow('/api/v1/proposals?limit=50&collision=true', 30),
        },
        {
          name: 'proposals sort=confidence desc',
          route: '/api/v1/proposals?limit=50&sort=confidence&order=desc',
          deep: key(live, 'p.confidence', 'DESC'),
        },
        {
          name: 'proposals sort=path',
          route: '/api/v1/proposals?limit=50&sort=path',
          deep: key(live, 'p.original_path'),
        },
      ];
    };
    /** The audit (newest step first): the deep page starts after 90 % of the matching steps. */
    const auditKey = (where: string) => async () => {
      const { c } = await offset(`SELECT count(*)::int AS c FROM execution_steps WHERE ${where}`);
      const r = await offset(
        `SELECT id::text AS id FROM execution_steps WHERE ${where} ORDER BY id DESC OFFSET $1 LIMIT 1`,
        [Math.floor(c * 0.9)],
      );
      return r ? cursorOf({ id: r.id }) : undefined;
    };
    const firstExecution = async () =>
      (await offset(`SELECT id FROM executions ORDER BY created_at, id LIMIT 1`))?.id as string;

    const cases: Case[] = [
      { name: 'files', route: '/api/v1/files?limit=100', deep: pathKey() },
      {
        name: 'files ?q=text',
        route: '/api/v1/files?limit=100&q=track%2012',
        deep: pathKey(`f.path ILIKE '%track 12%'`),
      },
      { name: 'files ?state', route: '/api/v1/files?limit=100&state=ANALYZED', deep: pathKey(`f.state = 'ANALYZED'`) },
      { name: 'files ?kind=video', route: '/api/v1/files?limit=100&kind=video', deep: pathKey(`f.kind = 'video'`) },
      {
        name: 'files ?missing',
        route: '/api/v1/files?limit=100&missing=true',
        deep: pathKey('f.missing_since IS NOT NULL'),
      },
      {
        name: 'files ?stage failed',
        route: '/api/v1/files?limit=100&stage=analysis&stageStatus=failed',
        deep: pathKey(
          `EXISTS (SELECT 1 FROM file_stage_statuses s WHERE s.file_id = f.id AND s.stage = 'analysis' AND s.status = 'failed')`,
        ),
      },
      {
        name: 'files ?problems',
        route: '/api/v1/files?limit=100&problems=true',
        deep: pathKey(
          `EXISTS (SELECT 1 FROM file_stage_statuses s WHERE s.file_id = f.id AND s.status IN ('failed','skipped'))`,
        ),
      },
      {
        name: 'files ?duplicates',
        route: '/api/v1/files?limit=100&duplicates=true',
        deep: pathKey(`f.content_hash IN (SELECT content_hash FROM files GROUP BY 1 HAVING count(*) > 1)`),
      },
      {
        name: 'files ?bpm range',
        route: '/api/v1/files?limit=100&bpmMin=124&bpmMax=126',
        deep: pathKey(`EXISTS (SELECT 1 FROM file_analysis a WHERE a.file_id = f.id AND a.bpm BETWEEN 124 AND 126)`),
      },
      {
        name: 'files ?camelot+compatible',
        route: '/api/v1/files?limit=100&camelot=8A&camelotCompatible=true',
        deep: pathKey(
          `EXISTS (SELECT 1 FROM file_analysis a WHERE a.file_id = f.id AND a.camelot IN ('7A','8A','9A','8B'))`,
        ),
      },
      {
        name: 'files ?bpm+key+kind',
        route: '/api/v1/files?limit=100&kind=music&bpmMin=120&bpmMax=130&camelot=5A',
        deep: pathKey(
          `f.kind = 'music' AND EXISTS (SELECT 1 FROM file_analysis a WHERE a.file_id = f.id AND a.bpm BETWEEN 120 AND 130 AND a.camelot = '5A')`,
        ),
      },
      {
        name: 'files sort=bpm',
        route: '/api/v1/files?limit=100&sort=bpm',
        deep: sortKey('bpm', 'file_analysis', 'bpm', 'file_id', 'bpm IS NOT NULL', true),
      },
      {
        name: 'files sort=bpm desc ?camelot',
        route: '/api/v1/files?limit=100&sort=bpm&order=desc&camelot=8A',
        deep: async () => undefined,
      },
      {
        name: 'files sort=artist',
        route: '/api/v1/files?limit=100&sort=artist',
        deep: sortKey('artist', 'file_metadata', 'lower(artist)', 'file_id', 'artist IS NOT NULL', false),
      },
      {
        name: 'files sort=title',
        route: '/api/v1/files?limit=100&sort=title',
        deep: sortKey('title', 'file_metadata', 'lower(title)', 'file_id', 'title IS NOT NULL', false),
      },
      {
        name: 'files sort=duration',
        route: '/api/v1/files?limit=100&sort=duration',
        deep: sortKey('duration', 'file_metadata', 'duration_sec', 'file_id', 'duration_sec IS NOT NULL', true),
      },
      ...proposalCases(),
      { name: 'executions', route: '/api/v1/executions?limit=20', deep: follow('/api/v1/executions?limit=20', 4) },
      { name: 'audit', route: '/api/v1/audit?limit=100', deep: auditKey('TRUE') },
      {
        name: 'audit ?status=failed',
        route: '/api/v1/audit?limit=100&status=failed',
        deep: auditKey(`status = 'failed'`),
      },
      {
        name: 'audit ?executionId',
        route: `/api/v1/audit?limit=100&executionId=${await firstExecution()}`,
        deep: auditKey(`execution_id = '${await firstExecution()}'`),
      },
      {
        name: 'audit ?path',
        route: '/api/v1/audit?limit=100&path=artist%2012',
        deep: auditKey(`source_path ILIKE '%artist 12%' OR destination_path ILIKE '%artist 12%'`),
      },
      { name: 'duplicates', route: '/api/v1/duplicates?limit=20', deep: follow('/api/v1/duplicates?limit=20', 50) },
      { name: 'scans', route: '/api/v1/scans?limit=20', deep: follow('/api/v1/scans?limit=20', 90) },
    ];

    const rows: string[][] = [];
    let worst = 0;
    const only = process.env.BENCH_ONLY;
    const reference = async () => {
      const health = await measure(base, '/health');
      const times: number[] = [];
      for (let i = 0; i < RUNS + 3; i++) {
        const started = process.hrtime.bigint();
        await db.query('SELECT 1');
        if (i >= 3) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      times.sort((a, b) => a - b);
      return { health: health.p95, select1: times[Math.ceil(0.95 * times.length) - 1] };
    };
    const loadBefore = loadavg();
    const refBefore = await reference();
    for (const c of cases) {
      if (only && !only.split(',').some((o) => c.name.includes(o))) continue;
      const first = await measure(base, c.route);
      const cursor = await c.deep();
      const deep = cursor ? await measure(base, `${c.route}&cursor=${cursor}`) : undefined;
      worst = Math.max(worst, first.p95, deep?.p95 ?? 0);
      rows.push([
        c.name,
        first.p50.toFixed(1),
        first.p95.toFixed(1),
        String(first.items),
        deep ? deep.p50.toFixed(1) : '—',
        deep ? deep.p95.toFixed(1) : '—',
        deep ? String(deep.items) : '—',
        (Math.max(first.p95, deep?.p95 ?? 0) / BUDGET_MS).toFixed(2),
      ]);
      process.stdout.write('.');
    }
    console.log('\n');
    const header = ['endpoint', 'first p50', 'first p95', 'rows', 'deep p50', 'deep p95', 'rows', 'p95/150ms'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((v, i) => (i ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    console.log(
      `\nworst p95: ${worst.toFixed(1)} ms (budget ${BUDGET_MS} ms): ${worst < BUDGET_MS ? 'PASS' : 'OVER BUDGET'}`,
    );
    console.log('(times in ms, measured over HTTP from this process; the gateway runs as its own process)');
    const refAfter = await reference();
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    console.log(
      `load average (1/5/15 min): before ${load(loadBefore)}, after ${load(loadavg())} on ${cpus().length} cores`,
    );
    console.log(
      `reference p95 before/after: GET /health ${refBefore.health.toFixed(1)}/${refAfter.health.toFixed(1)} ms, ` +
        `SELECT 1 round trip ${refBefore.select1.toFixed(2)}/${refAfter.select1.toFixed(2)} ms`,
    );
  } finally {
    gateway?.kill('SIGTERM');
    await db.end();
    if (process.env.BENCH_KEEP || reused) console.log(`kept database ${database.url}`);
    else await database.drop();
    await deleteTestStreams(prefix).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
