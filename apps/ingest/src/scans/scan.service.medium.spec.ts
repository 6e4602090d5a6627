import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { buildFixtureTree, type FixtureTreeSummary } from '../../test/fixture-tree';
import { FileRepository } from '../repositories/file.repository';
import { ScanRepository } from '../repositories/scan.repository';
import { ScanService, type ScanEvents } from './scan.service';

class RecordedEvents implements ScanEvents {
  ingested: { change: string; fileId: string }[] = [];
  missing: string[] = [];
  finished: { status: string; error?: string }[] = [];
  async fileIngested(change: 'new' | 'changed', e: { fileId: string }) {
    this.ingested.push({ change, fileId: e.fileId });
  }
  async fileMissing(e: { fileId: string }) {
    this.missing.push(e.fileId);
  }
  async scanProgressed() {}
  async scanFinished(_id: string, status: 'completed' | 'failed', _c: unknown, error?: string) {
    this.finished.push({ status, error });
  }
}

describe('ScanService against the real database', () => {
  let db: TestDatabase;
  let work: string;
  let root: string;
  let tree: FixtureTreeSummary;
  let events: RecordedEvents;
  let service: ScanService;

  beforeAll(async () => {
    db = await createTestDatabase('ingestscan');
    work = mkdtempSync(path.join(tmpdir(), 'cf-scan-'));
    root = path.join(work, 'library');
    tree = buildFixtureTree(root, 300, path.join(work, 'outside'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    events = new RecordedEvents();
    service = new ScanService(new FileRepository(db.dataSource), new ScanRepository(db.dataSource), events, {
      libraryRoots: [root],
      hashConcurrency: 2,
      batchSize: 50,
      progressIntervalMs: 10,
      unstableRetries: 1,
      unstableRetryDelayMs: 10,
    });
  });

  it('finds, classifies and hashes every tracked file; skips links and counts ignored files', async () => {
    const counts = await service.run(randomUUID(), root);
    const tracked = tree.music + tree.video + tree.companion;
    expect(counts).toMatchObject({
      found: tracked,
      new: tracked,
      changed: 0,
      unchanged: 0,
      missing: 0,
      errors: 0,
      symlinksSkipped: tree.symlinks,
    });
    expect(counts.ignored).toBeGreaterThanOrEqual(tree.ignored);
    const kinds = await db.dataSource.query(`SELECT kind, count(*)::int AS n FROM files GROUP BY kind ORDER BY kind`);
    expect(kinds).toEqual([
      { kind: 'companion', n: tree.companion },
      { kind: 'music', n: tree.music },
      { kind: 'video', n: tree.video },
    ]);
    for (const [rel, content] of [...tree.contents].slice(0, 50)) {
      const [row] = await db.dataSource.query(`SELECT content_hash FROM files WHERE path = $1`, [
        path.join(root, rel).normalize('NFC'),
      ]);
      expect(row?.content_hash).toBe(createHash('sha256').update(content).digest('hex'));
    }
    const raw = await db.dataSource.query(`SELECT path, path_key, path_is_utf8 FROM files WHERE NOT path_is_utf8`);
    expect(raw).toHaveLength(2);
    expect(
      raw.map(
        (r: { path_key: Buffer }) =>
          r.path_key.subarray(-tree.rawNames[0].length).equals(tree.rawNames[0]) ||
          r.path_key.subarray(-tree.rawNames[1].length).equals(tree.rawNames[1]),
      ),
    ).toEqual([true, true]);
    expect(events.ingested.filter((e) => e.change === 'new')).toHaveLength(tracked);
    const outside = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM files WHERE path LIKE '%secret%' OR path LIKE '%linked%'`,
    );
    expect(outside[0].n).toBe(0);
  });

  it('a rescan of an unchanged tree changes nothing and announces nothing', async () => {
    const before = await db.dataSource.query(`SELECT id, content_hash, updated_at FROM files ORDER BY id`);
    const counts = await service.run(randomUUID(), root);
    expect(counts).toMatchObject({ new: 0, changed: 0, missing: 0, bytesHashed: 0 });
    expect(counts.unchanged).toBe(counts.found);
    expect(events.ingested).toEqual([]);
    const after = await db.dataSource.query(`SELECT id, content_hash FROM files ORDER BY id`);
    expect(after.map((r: { id: string }) => r.id)).toEqual(before.map((r: { id: string }) => r.id));
  });

  it('reports exactly the touched, changed and deleted files', async () => {
    const rels = [...tree.contents.keys()];
    const touched = rels.slice(0, 10);
    const deleted = rels.slice(20, 25);
    // A whole second: utimes takes seconds as a float, and most millisecond values do not survive the round trip.
    const future = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
    for (const rel of touched) utimesSync(path.join(root, rel), future, future);
    writeFileSync(path.join(root, touched[0]), 'new content'); // one with new content
    for (const rel of deleted) unlinkSync(path.join(root, rel));
    const counts = await service.run(randomUUID(), root);
    // Only the file with new bytes changed; the nine touched ones just have their new mtime recorded.
    expect(counts).toMatchObject({ new: 0, changed: 1, missing: 5 });
    expect(events.ingested.filter((e) => e.change === 'changed')).toHaveLength(1);
    const mtimes = await db.dataSource.query(`SELECT count(*)::int AS n FROM files WHERE mtime_ms = $1`, [
      future.getTime(),
    ]);
    expect(mtimes[0].n).toBe(9);
    expect(events.missing).toHaveLength(5);
    const missing = await db.dataSource.query(`SELECT count(*)::int AS n FROM files WHERE missing_since IS NOT NULL`);
    expect(missing[0].n).toBe(5); // kept in the database, marked missing
  });

  it('refuses to mark anything missing when the root is suddenly empty (an unmounted drive)', async () => {
    const aside = `${root}-aside`;
    renameSync(root, aside);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(root);
    try {
      const id = randomUUID();
      await service.run(id, root);
      expect(events.finished[0]).toMatchObject({ status: 'failed' });
      expect(events.finished[0].error).toMatch(/looks empty .* mounted/);
      expect(events.missing).toEqual([]);
      const [scan] = await db.dataSource.query(`SELECT status, error FROM scans WHERE id = $1`, [id]);
      expect(scan.status).toBe('failed');
    } finally {
      rmSync(root, { recursive: true });
      renameSync(aside, root);
    }
  });

  it('does not mark files below an unreadable folder as missing', async () => {
    const dir = path.join(root, 'Mixes', '2024');
    chmodSync(dir, 0o000);
    try {
      const counts = await service.run(randomUUID(), root);
      // As root (CI here) permissions do not stop reading, so the folder stays readable; either way
      // nothing below it may be declared missing.
      if (process.getuid?.() !== 0) expect(counts.errors).toBeGreaterThan(0);
      expect(counts.missing).toBe(0);
      expect(events.missing).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('refuses paths outside the library roots', async () => {
    const id = randomUUID();
    await service.run(id, path.join(work, 'outside'));
    expect(events.finished[0].status).toBe('failed');
    expect(events.finished[0].error).toMatch(/outside the configured library roots/);
  });

  it('is idempotent for a redelivered, already finished scan', async () => {
    const id = randomUUID();
    const first = await service.run(id, root);
    events.ingested = [];
    const second = await service.run(id, root);
    expect(second).toEqual(first);
    expect(events.ingested).toEqual([]);
  });
});
