import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ScanCounts } from '@crateflow/contracts';
import { buildFixtureTree, type FixtureTreeSummary } from '../../apps/ingest/test/fixture-tree';
import { TestSystem } from './system';

interface ScanView {
  id: string;
  status: string;
  counts: ScanCounts;
  error?: string | null;
}

/**
 * Issue 2's end-to-end proof: every service runs as its own process; a messy 2,000-file archive is scanned
 * through the public API; rescans report exactly what changed; a crashed ingest resumes its scan.
 */
describe('scanning a library through the public API', () => {
  let work: string;
  let library: string;
  let tree: FixtureTreeSummary;
  let system: TestSystem;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-e2e-'));
    library = path.join(work, 'library');
    tree = buildFixtureTree(path.join(library, 'archive'), 2000, path.join(work, 'outside'));
    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library, INGEST_PROGRESS_INTERVAL_MS: '200' });
    await system.init();
    await system.startAll();
  });

  afterAll(async () => {
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  async function scan(folder: string): Promise<ScanView> {
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: folder });
    expect(started.status).toBe(202);
    return system.waitFor(`scan of ${folder}`, async () => {
      const { body } = await system.api<ScanView>('GET', `/api/v1/scans/${started.body.id}`);
      return body.status === 'completed' || body.status === 'failed' ? body : undefined;
    });
  }

  it('finds, classifies and hashes the whole archive', async () => {
    const result = await scan(path.join(library, 'archive'));
    const tracked = tree.music + tree.video + tree.companion;
    expect(result.status).toBe('completed');
    expect(result.counts).toMatchObject({
      found: tracked,
      new: tracked,
      changed: 0,
      unchanged: 0,
      missing: 0,
      errors: 0,
      symlinksSkipped: 3,
    });
    expect(result.counts.ignored).toBeGreaterThanOrEqual(tree.ignored);

    const kinds = await system.dataSource.query(
      `SELECT kind, count(*)::int AS n FROM files GROUP BY kind ORDER BY kind`,
    );
    expect(kinds).toEqual([
      { kind: 'companion', n: tree.companion },
      { kind: 'music', n: tree.music },
      { kind: 'video', n: tree.video },
    ]);
    const rows: { path: string; content_hash: string }[] = await system.dataSource.query(
      `SELECT path, content_hash FROM files`,
    );
    const byPath = new Map(rows.map((r) => [r.path, r.content_hash]));
    for (const [rel, content] of tree.contents) {
      expect(byPath.get(path.join(library, 'archive', rel).normalize('NFC'))).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
    }

    // The public file list pages through every file exactly once.
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const { status, body } = await system.api<{ items: { id: string }[]; nextCursor?: string | null }>(
        'GET',
        `/api/v1/files?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      for (const f of body.items) {
        expect(seen.has(f.id)).toBe(false);
        seen.add(f.id);
      }
      cursor = body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.size).toBe(tracked);
  });

  it('moves every file through the pipeline: stages that are not built yet are skipped, none is stranded', async () => {
    const tracked = tree.music + tree.video + tree.companion;
    await system.waitForProposer(tracked);
    const [music] = await system.dataSource.query(`SELECT id FROM files WHERE kind = 'music' LIMIT 1`);
    const { body } = await system.api<{
      file: { state: string };
      stages: { stage: string; status: string; reason: string }[];
      history: { event: string }[];
    }>('GET', `/api/v1/files/${music.id}`);
    // PROPOSAL_GENERATED only when a proposal was stored; otherwise the file honestly stays ANALYZED.
    const proposer = body.stages.find((s) => s.stage === 'proposer')!;
    expect(body.file.state).toBe(proposer.status === 'done' ? 'PROPOSAL_GENERATED' : 'ANALYZED');
    expect(body.stages.map((s) => s.stage)).toEqual(['metadata', 'fingerprint', 'analysis', 'proposer']);
    for (const s of body.stages) expect(['done', 'skipped', 'failed']).toContain(s.status);
    expect(body.history.length).toBeGreaterThanOrEqual(5);
  });

  it('a second scan changes nothing', async () => {
    const before = await system.dataSource.query(`SELECT id, content_hash, state FROM files ORDER BY id`);
    const result = await scan(path.join(library, 'archive'));
    expect(result.counts).toMatchObject({ new: 0, changed: 0, missing: 0, bytesHashed: 0 });
    expect(result.counts.unchanged).toBe(result.counts.found);
    expect(await system.dataSource.query(`SELECT id, content_hash, state FROM files ORDER BY id`)).toEqual(before);
  });

  it('after touching 10 files (same bytes), changing 2 and deleting 5, the third scan reports exactly those', async () => {
    const rels = [...tree.contents.keys()];
    const later = new Date(Date.now() + 120_000);
    for (const rel of rels.slice(0, 10)) utimesSync(path.join(library, 'archive', rel), later, later);
    for (const rel of rels.slice(10, 12)) writeFileSync(path.join(library, 'archive', rel), randomBytes(100));
    for (const rel of rels.slice(100, 105)) unlinkSync(path.join(library, 'archive', rel));
    const result = await scan(path.join(library, 'archive'));
    // A touch that kept the bytes records the new mtime and does not re-enter the chain.
    expect(result.counts).toMatchObject({ new: 0, changed: 2, missing: 5 });
    const [missing] = await system.dataSource.query(
      `SELECT count(*)::int AS n FROM files WHERE missing_since IS NOT NULL`,
    );
    expect(missing.n).toBe(5);
  });

  it('refuses a folder outside the library roots with the reason', async () => {
    const res = await system.api<{ detail?: string; status: number }>('POST', '/api/v1/scans', {
      path: path.join(work, 'outside'),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/outside the configured library roots/);
  });

  it('a crashed ingest resumes its scan: no file missing, none recorded twice', async () => {
    // Big enough that the scan is still hashing when ingest is killed.
    const big = path.join(library, 'big');
    mkdirSync(big);
    const expected = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      const dir = path.join(big, `album-${Math.floor(i / 20)}`);
      mkdirSync(dir, { recursive: true });
      const content = randomBytes(512 * 1024);
      const file = path.join(dir, `${String(i).padStart(3, '0')} - track.flac`);
      writeFileSync(file, content);
      expected.set(file, createHash('sha256').update(content).digest('hex'));
    }
    await system.stop('ingest');
    await system.start('ingest', { INGEST_BATCH_SIZE: '10', INGEST_HASH_CONCURRENCY: '1' });
    const started = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: big });
    expect(started.status).toBe(202);
    await system.waitFor(
      'the scan to record its first files',
      async () => {
        const [row] = await system.dataSource.query(
          `SELECT count(*)::int AS n FROM files WHERE first_seen_scan_id = $1`,
          [started.body.id],
        );
        return row.n > 0 && row.n < 400;
      },
      60_000,
      5,
    );
    await system.crash('ingest');
    const [partial] = await system.dataSource.query(
      `SELECT count(*)::int AS n FROM files WHERE first_seen_scan_id = $1`,
      [started.body.id],
    );
    expect(partial.n).toBeLessThan(400);

    await system.start('ingest');
    const result = await system.waitFor(
      'the resumed scan to finish',
      async () => {
        const { body } = await system.api<ScanView>('GET', `/api/v1/scans/${started.body.id}`);
        return body.status === 'completed' || body.status === 'failed' ? body : undefined;
      },
      120_000,
    );
    expect(result.status).toBe('completed');
    expect(result.counts).toMatchObject({ found: 400, new: 400, missing: 0 });
    const rows: { path: string; content_hash: string }[] = await system.dataSource.query(
      `SELECT path, content_hash FROM files WHERE path LIKE $1`,
      [`${big}/%`],
    );
    expect(rows).toHaveLength(400);
    for (const r of rows) expect(r.content_hash).toBe(expected.get(r.path));
  });
});
