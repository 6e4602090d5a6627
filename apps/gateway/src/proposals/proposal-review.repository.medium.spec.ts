import { randomUUID } from 'node:crypto';
import { MARK_ALL_SHARED_DESTINATIONS_SQL } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { EFFECTIVE_STATUS, ProposalReviewRepository, type ListFilter } from './proposal-review.repository';

/**
 * The proposals list walks its order's index and joins the file only to the proposals that pass its filters.
 * Every filter, in every order both ways, must give exactly the rows and keyset pages the plain definitions
 * give: checked here against reference SQL over proposals of every kind (pending, invalid, superseded,
 * approved, rejected, edited into and out of shared destinations, found on disk).
 */
describe('ProposalReviewRepository list against its reference (real PostgreSQL)', () => {
  let db: TestDatabase;
  let proposals: ProposalReviewRepository;
  const N = 1_200;

  beforeAll(async () => {
    db = await createTestDatabase('proposallist');
    proposals = new ProposalReviewRepository(db.dataSource);
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT gen_random_uuid(), '/m', '/m/' || (n % 7) || '/Track ' || n || '.mp3', convert_to(n::text, 'UTF8'), '\\x00',
              'Track ' || n || '.mp3', 'mp3', CASE WHEN n % 9 = 0 THEN 'video' ELSE 'music' END, n, 1700000000000,
              lpad(to_hex(n), 64, '0'), 'PROPOSAL_GENERATED', $1::uuid, $1::uuid
         FROM generate_series(1, $2::int) n`,
      [randomUUID(), N],
    );
    // One proposal per file, every 13th superseded by a second one. Every 10th heads for the key of the file
    // before it (a collision), 1 in 40 is invalid, 1 in 50 found a file on disk at its destination.
    await db.dataSource.query(
      `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_folder, proposed_name,
                              destination_key, confidence, facts, reason, context, invalid_reason, disk_collision, created_at)
       SELECT gen_random_uuid(), f.id, f.content_hash,
              CASE WHEN v = 0 THEN 'superseded' WHEN f.size % 40 = 3 THEN 'invalid' ELSE 'pending' END, 'rules', f.path,
              'A', 'T ' || f.size, 'a/t ' || CASE WHEN f.size % 10 = 0 THEN f.size - 1 ELSE f.size END,
              (f.size * 37 % 100) / 100.0, '{}', 'r', '{}',
              CASE WHEN f.size % 40 = 3 THEN 'no title' END, CASE WHEN f.size % 50 = 7 THEN '/out/a/t' END,
              timestamptz '2026-01-01' + (f.size % 600) * interval '1 minute' + v * interval '1 day'
         FROM files f CROSS JOIN generate_series(0, 1) v WHERE v = 1 OR f.size % 13 = 0`,
    );
    // Reviews: approved, rejected, and edits (into another file's key, into a fresh key, or undone).
    await db.dataSource.query(
      `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, folder_edited, edited_folder,
                                     edited_name, destination_key, version, last_action)
       SELECT p.id, p.file_id, p.content_hash,
              CASE WHEN f.size % 6 = 1 THEN 'approved' WHEN f.size % 6 = 2 THEN 'rejected' ELSE 'pending' END,
              false, NULL, CASE WHEN f.size % 6 IN (3, 4) THEN 'edited ' || f.size END,
              CASE WHEN f.size % 6 = 3 THEN 'a/t ' || (f.size + 2) WHEN f.size % 6 = 4 THEN 'a/new ' || f.size END,
              2, 'edit'
         FROM proposals p JOIN files f ON f.id = p.file_id
        WHERE p.status <> 'superseded' AND f.size % 6 IN (1, 2, 3, 4) AND f.size % 5 = 0`,
    );
    // What the proposer keeps as it writes them: which pending proposals share a destination.
    await db.dataSource.query(MARK_ALL_SHARED_DESTINATIONS_SQL);
    await db.dataSource.query('ANALYZE');
  });
  afterAll(() => db?.drop());

  const SORT = { created: 'p.created_at', confidence: 'p.confidence', path: 'p.original_path' } as const;
  const KEY = `COALESCE(r.destination_key, p.destination_key)`;
  /** Another live, unrejected proposal of another file heads for the same destination (edited or not). */
  const COLLIDES = `p.status <> 'superseded' AND COALESCE(r.decision, 'pending') <> 'rejected' AND (
      EXISTS (SELECT 1 FROM proposals o LEFT JOIN proposal_reviews orv ON orv.proposal_id = o.id
               WHERE o.destination_key = ${KEY} AND o.status = 'pending' AND o.file_id <> p.file_id
                 AND orv.destination_key IS NULL AND COALESCE(orv.decision, 'pending') <> 'rejected')
      OR EXISTS (SELECT 1 FROM proposal_reviews orv JOIN proposals o ON o.id = orv.proposal_id
                  WHERE orv.destination_key = ${KEY} AND o.status <> 'superseded' AND o.file_id <> p.file_id
                    AND orv.decision <> 'rejected'))`;

  /** The definitions, without the walk. */
  async function reference(where: string, sort: ListFilter['sort'], order: ListFilter['order']): Promise<string[]> {
    const rows: { id: string }[] = await db.dataSource.query(
      `SELECT p.id FROM proposals p JOIN files f ON f.id = p.file_id
         LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
        WHERE ${where} ORDER BY ${SORT[sort]} ${order}, p.id ${order}`,
    );
    return rows.map((r) => r.id);
  }

  /** Every page of the list, following the keyset as the service does. */
  async function pages(filter: Omit<ListFilter, 'limit' | 'after'>, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: [string | number, string] | undefined;
    for (;;) {
      const rows = await proposals.list({ ...filter, after, limit: limit + 1 });
      out.push(...rows.slice(0, limit).map((r) => r.id));
      if (rows.length <= limit) return out;
      const last = rows[limit - 1];
      const value = { created: last.created_at.toISOString(), confidence: last.confidence, path: last.original_path };
      after = [value[filter.sort], last.id];
    }
  }

  const live = `p.status <> 'superseded'`;
  it.each([
    ['no filter', {}, live],
    ['collision', { collision: true }, `(${COLLIDES} OR p.disk_collision IS NOT NULL) AND ${live}`],
    ['no collision', { collision: false }, `NOT (${COLLIDES}) AND p.disk_collision IS NULL AND ${live}`],
    [
      'collision among videos',
      { collision: true, kind: 'video' },
      `f.kind = 'video' AND (${COLLIDES} OR p.disk_collision IS NOT NULL) AND ${live}`,
    ],
    ['pending', { status: 'pending' }, `${EFFECTIVE_STATUS} = 'pending'`],
    ['invalid', { status: 'invalid' }, `${EFFECTIVE_STATUS} = 'invalid'`],
    ['rejected music', { status: 'rejected', kind: 'music' }, `${EFFECTIVE_STATUS} = 'rejected' AND f.kind = 'music'`],
    ['superseded', { status: 'superseded' }, `${EFFECTIVE_STATUS} = 'superseded'`],
  ] as [string, Partial<ListFilter>, string][])(
    '%s: the same rows in the same pages, every order both ways',
    async (_, filter, where) => {
      for (const sort of ['created', 'confidence', 'path'] as const)
        for (const order of ['asc', 'desc'] as const) {
          const expected = await reference(where, sort, order);
          expect(expected.length).toBeGreaterThan(5);
          expect(await pages({ ...filter, sort, order }, 17)).toEqual(expected);
        }
    },
  );
});
