import { randomUUID } from 'node:crypto';
import { refreshAnalysisFactsSql, refreshStageFlagsSql } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import {
  FileReadRepository,
  likeContains,
  TEXT_WALK,
  walkOrderIndex,
  type FileFilter,
  type FileOrder,
} from './file.repository';

/**
 * The file list's stage filters walk only the files ingest flagged (files.stage_flags), and a text search in
 * path order walks TEXT_WALK files before it asks the trigram index. Both must give exactly the rows, in the
 * order and keyset pages, that the plain definitions give: checked here against reference SQL over a library
 * larger than the walk, with statuses of every kind, some for content the file no longer has.
 */
describe('FileReadRepository list against its reference (real PostgreSQL)', () => {
  let db: TestDatabase;
  let files: FileReadRepository;
  const N = TEXT_WALK + 3_000;

  beforeAll(async () => {
    db = await createTestDatabase('filelist');
    files = new FileReadRepository(db.dataSource);
    // Names: "common" in every 3rd file, "rare" in 40 files spread over the library, "Needle" once near the end.
    // Paths interleave folders so path order is not insertion order.
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT gen_random_uuid(), '/m', '/m/' || (n % 17) || '/' || name, convert_to(n::text, 'UTF8'), '\\x00', name,
              'mp3', CASE WHEN n % 9 = 0 THEN 'video' ELSE 'music' END, n, 1700000000000,
              lpad(to_hex(n), 64, '0'), 'ANALYZED', $2::uuid, $2::uuid
         FROM (SELECT n, 'Track ' || n || CASE WHEN n % 3 = 0 THEN ' common' ELSE '' END
                        || CASE WHEN n % 131 = 5 THEN ' rare' ELSE '' END
                        || CASE WHEN n = $1::int - 3 THEN ' Needle' ELSE '' END || '.mp3' AS name
                 FROM generate_series(1, $1::int) n) s`,
      [N, randomUUID()],
    );
    // Statuses: analysis failed for every 23rd file (every 5th of those for older content), skipped for videos,
    // metadata failed for every 51st; done for the rest of the analysed ones.
    await db.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
       SELECT f.id, s.stage,
              CASE WHEN s.stage = 'analysis' AND f.size % 23 = 0 THEN 'failed'
                   WHEN s.stage = 'analysis' AND f.kind = 'video' THEN 'skipped'
                   WHEN s.stage = 'metadata' AND f.size % 51 = 0 THEN 'failed' ELSE 'done' END,
              CASE WHEN f.size % 115 = 0 THEN repeat('0', 64) ELSE f.content_hash END, NULL, 1
         FROM files f CROSS JOIN (VALUES ('metadata'), ('analysis')) s(stage) WHERE f.size % 4 <> 1`,
    );
    // Analysis of 60 % of the files: BPM 70–180, keys around the wheel; every 29th for content the file no longer
    // has, every 31st failed (no values), every 37th without a key.
    await db.dataSource.query(
      `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot, key)
       SELECT f.id, CASE WHEN f.size % 29 = 0 THEN repeat('0', 64) ELSE f.content_hash END, 1,
              CASE WHEN f.size % 31 = 0 THEN 'failed' ELSE 'done' END,
              CASE WHEN f.size % 31 = 0 THEN NULL ELSE 70 + (f.size * 7919) % 11000 / 100.0 END,
              CASE WHEN f.size % 31 = 0 OR f.size % 37 = 0 THEN NULL ELSE (1 + f.size % 12)::text || (ARRAY['A', 'B'])[1 + f.size % 2] END,
              'A minor'
         FROM files f WHERE f.size % 5 < 3`,
    );
    await db.dataSource.query(refreshStageFlagsSql('TRUE'));
    await db.dataSource.query(refreshAnalysisFactsSql('TRUE'));
    await db.dataSource.query('ANALYZE');
  });
  afterAll(() => db?.drop());

  /** The definitions, without the read model or the walk. */
  async function reference(where: string, params: unknown[], descending = false): Promise<string[]> {
    const dir = descending ? 'DESC' : 'ASC';
    const rows: { id: string }[] = await db.dataSource.query(
      `SELECT f.id FROM files f WHERE ${where} ORDER BY f.path ${dir}, f.id ${dir}`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /** Every page of the list, following the keyset as the service does. */
  async function pages(filter: FileFilter, limit: number, order?: FileOrder): Promise<string[]> {
    const out: string[] = [];
    let after: [string, string] | undefined;
    for (;;) {
      const rows = await files.list(filter, after, limit + 1, order);
      out.push(...rows.slice(0, limit).map((r) => r.id));
      if (rows.length <= limit) return out;
      after = [rows[limit - 1].path, rows[limit - 1].id];
    }
  }

  const stageIs = (stage: string, status: string) =>
    `EXISTS (SELECT 1 FROM file_stage_statuses s WHERE s.file_id = f.id AND s.stage = '${stage}' AND s.status = '${status}')`;
  const problems = `EXISTS (SELECT 1 FROM file_stage_statuses s WHERE s.file_id = f.id
    AND s.status IN ('failed', 'skipped') AND s.content_hash = f.content_hash)`;

  it.each([
    ['analysis', 'failed'],
    ['analysis', 'skipped'],
    ['metadata', 'failed'],
    ['metadata', 'done'],
  ] as const)('stage %s %s: the same rows in the same pages', async (stage, status) => {
    const expected = await reference(stageIs(stage, status), []);
    expect(expected.length).toBeGreaterThan(10);
    expect(await pages({ stage: { stage, status } }, status === 'done' ? 370 : 37)).toEqual(expected);
    expect(await pages({ stage: { stage, status }, kind: 'music' }, 50)).toEqual(
      await reference(`f.kind = 'music' AND ${stageIs(stage, status)}`, []),
    );
  });

  it('problems (current content only) and no problems', async () => {
    const expected = await reference(problems, []);
    expect(expected.length).toBeGreaterThan(10);
    expect(await pages({ problems: true }, 29)).toEqual(expected);
    expect(await pages({ problems: false }, 500)).toEqual(await reference(`NOT ${problems}`, []));
  });

  it.each(['common', 'rare', 'needle', 'track 1', 'no such text', '%'])(
    'text %j in path order, both ways: the same rows in the same pages',
    async (text) => {
      const expected = await reference('f.path ILIKE $1', [likeContains(text)]);
      for (const limit of [expected.length > 1000 ? 250 : 7, 100])
        expect(await pages({ text }, limit)).toEqual(expected);
      const desc = { sort: 'path' as const, descending: true };
      expect(await pages({ text }, 100, desc)).toEqual(await reference('f.path ILIKE $1', [likeContains(text)], true));
      expect(await pages({ text, problems: true }, 10)).toEqual(
        await reference(`f.path ILIKE $1 AND ${problems}`, [likeContains(text)]),
      );
    },
  );

  const analysed = (where: string) =>
    `EXISTS (SELECT 1 FROM file_analysis a WHERE a.file_id = f.id AND a.content_hash = f.content_hash
      AND a.status = 'done' AND ${where})`;

  it.each([
    ['a BPM range', { bpm: { min: 124, max: 126 } }, 'a.bpm >= 124 AND a.bpm <= 126'],
    ['a BPM floor', { bpm: { min: 170 } }, 'a.bpm >= 170'],
    ['compatible keys', { camelot: ['7A', '8A', '9A', '8B'] }, `a.camelot IN ('7A', '8A', '9A', '8B')`],
    [
      'BPM and key among music',
      { bpm: { min: 100, max: 140 }, camelot: ['5A'], kind: 'music' },
      `a.bpm BETWEEN 100 AND 140 AND a.camelot = '5A'`,
    ],
    // Rare enough to be collected through the analysis indexes instead of walked (walkOrderIndex).
    [
      'a narrow BPM range in one key among music',
      { bpm: { min: 120, max: 130 }, camelot: ['5A'], kind: 'music' },
      `a.bpm BETWEEN 120 AND 130 AND a.camelot = '5A'`,
    ],
  ] as [string, FileFilter, string][])(
    '%s in path order, both ways: the same rows in the same pages',
    async (_, filter, where) => {
      const kind = filter.kind ? `f.kind = '${filter.kind}' AND ` : '';
      if (filter.camelot?.length === 1 && filter.bpm?.max === 130)
        expect(walkOrderIndex(filter, { sort: 'path', descending: false })).toBe(false);
      const expected = await reference(kind + analysed(where), []);
      expect(expected.length).toBeGreaterThan(10);
      expect(await pages(filter, 23)).toEqual(expected);
      expect(await pages(filter, 100, { sort: 'path', descending: true })).toEqual(
        await reference(kind + analysed(where), [], true),
      );
    },
  );

  it('follows the analysis: new content drops out of a BPM filter until its own analysis is recorded', async () => {
    const range = { bpm: { min: 124, max: 126 } };
    const [file] = await db.dataSource.query(
      `SELECT f.id, f.content_hash FROM files f WHERE ${analysed('a.bpm BETWEEN 124 AND 126')} ORDER BY f.path LIMIT 1`,
    );
    expect(await pages(range, 100)).toContain(file.id);
    await db.dataSource.query(`UPDATE files SET content_hash = repeat('7', 64) WHERE id = $1`, [file.id]);
    await db.dataSource.query(refreshAnalysisFactsSql('f.id = $1'), [file.id]);
    expect(await pages(range, 100)).not.toContain(file.id);
    await db.dataSource.query(
      `UPDATE file_analysis SET content_hash = repeat('7', 64), bpm = 125.5 WHERE file_id = $1`,
      [file.id],
    );
    await db.dataSource.query(refreshAnalysisFactsSql('f.id = $1'), [file.id]);
    expect(await pages(range, 100)).toContain(file.id);
    expect(await pages(range, 100)).toEqual(await reference(analysed('a.bpm BETWEEN 124 AND 126'), []));
  });

  it('follows the statuses: a file that fails is listed, and leaves the list when the stage is reset', async () => {
    const [file] = await db.dataSource.query(
      `SELECT f.id FROM files f WHERE f.stage_flags = '{}' AND ${stageIs('analysis', 'done')} ORDER BY f.path LIMIT 1`,
    );
    const failedAnalysis = { stage: { stage: 'analysis' as const, status: 'failed' as const } };
    expect(await pages(failedAnalysis, 100)).not.toContain(file.id);
    await db.dataSource.query(
      `UPDATE file_stage_statuses SET status = 'failed' WHERE file_id = $1 AND stage = 'analysis'`,
      [file.id],
    );
    await db.dataSource.query(refreshStageFlagsSql('f.id = $1'), [file.id]);
    expect(await pages(failedAnalysis, 100)).toContain(file.id);
    expect(await pages(failedAnalysis, 100)).toEqual(await reference(stageIs('analysis', 'failed'), []));
    await db.dataSource.query(
      `UPDATE file_stage_statuses SET status = 'pending' WHERE file_id = $1 AND stage = 'analysis'`,
      [file.id],
    );
    await db.dataSource.query(refreshStageFlagsSql('f.id = $1'), [file.id]);
    expect(await pages(failedAnalysis, 100)).not.toContain(file.id);
    expect(
      (await db.dataSource.query(`SELECT stage_flags FROM files WHERE id = $1`, [file.id]))[0].stage_flags,
    ).toEqual([]);
  });
});
