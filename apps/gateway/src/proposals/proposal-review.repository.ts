import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { FileKind, FileState, ProposalDecision, ProposalStatus } from '@crateflow/contracts';

/** A proposal with the person's review over it, as one row. */
export interface ProposalRow {
  id: string;
  file_id: string;
  content_hash: string;
  kind: FileKind;
  file_state: FileState;
  file_hash: string;
  file_name: string;
  status: ProposalStatus;
  row_status: string;
  source: string;
  model: string | null;
  confidence: number;
  reason: string;
  facts: Record<string, unknown>;
  original_path: string;
  proposed_folder: string | null;
  proposed_name: string;
  folder_edited: boolean | null;
  edited_folder: string | null;
  edited_name: string | null;
  key: string;
  invalid_reason: string | null;
  disk_collision: string | null;
  collides_path: string | null;
  collides_file: string | null;
  version: number | null;
  decision: ProposalDecision | null;
  previous: ReviewState | null;
  last_action: string | null;
  created_at: Date;
  decided_at: Date | null;
  context?: Record<string, unknown>;
}

/** The part of a review an undo restores. */
export interface ReviewState {
  decision: ProposalDecision;
  folderEdited: boolean;
  editedFolder: string | null;
  editedName: string | null;
  destinationKey: string | null;
}

export const EFFECTIVE_STATUS = `CASE WHEN p.status = 'superseded' THEN 'superseded'
  WHEN r.decision IN ('approved', 'rejected') THEN r.decision
  WHEN p.status = 'invalid' AND r.edited_name IS NULL AND NOT COALESCE(r.folder_edited, false) THEN 'invalid'
  ELSE 'pending' END`;

const KEY = `COALESCE(r.destination_key, p.destination_key)`;

/**
 * The first other file headed for the same destination (two indexed look-ups, unedited and edited). The
 * unedited look-up finds nothing for a pending, unedited proposal that the proposer did not flag as sharing its
 * key (proposals.destination_shared, read-models/shared-destinations.ts), so it runs only for the others: a
 * page of colliding proposals walks ~2,700 proposals, whose look-ups were 10,800 of its 28,300 buffers.
 */
const COLLISION = `LEFT JOIN LATERAL (
    SELECT o.original_path AS collides_path, o.file_id AS collides_file FROM proposals o
      LEFT JOIN proposal_reviews orv ON orv.proposal_id = o.id
     WHERE (p.destination_shared OR p.status <> 'pending' OR r.destination_key IS NOT NULL)
       AND o.destination_key = ${KEY} AND o.status = 'pending' AND o.file_id <> p.file_id
       AND orv.destination_key IS NULL AND COALESCE(orv.decision, 'pending') <> 'rejected'
    UNION ALL
    SELECT o.original_path, o.file_id FROM proposal_reviews orv JOIN proposals o ON o.id = orv.proposal_id
     WHERE orv.destination_key = ${KEY} AND o.status <> 'superseded' AND o.file_id <> p.file_id
       AND orv.decision <> 'rejected'
    LIMIT 1) c ON p.status <> 'superseded' AND COALESCE(r.decision, 'pending') <> 'rejected'`;

/** A proposal's own columns with the review over it and its collision (all but the file's). */
const ROW = `p.id, p.file_id, p.content_hash, ${EFFECTIVE_STATUS} AS status, p.status AS row_status, p.source,
    p.model, p.confidence, p.reason, p.facts, p.original_path, p.proposed_folder, p.proposed_name, r.folder_edited,
    r.edited_folder, r.edited_name, ${KEY} AS key, p.invalid_reason, p.disk_collision, c.collides_path,
    c.collides_file, r.version, r.decision, r.previous, r.last_action, p.created_at, r.decided_at`;

const FILE_COLUMNS = `f.kind, f.state AS file_state, f.content_hash AS file_hash, f.name AS file_name`;

const SELECT = `SELECT ${ROW}, ${FILE_COLUMNS}`;

/**
 * What a proposal that collides has, on its own row or among the few edited reviews: a flagged shared key, a
 * status other than pending, a file on disk at its destination, an edit of its own destination, or a key that an
 * edited review heads for (COLLISION's two look-ups cannot find anything otherwise). The collision filter asks
 * this before it reads a proposal's review and looks up others (two hashed sets of the edited reviews, built
 * once a page), and COLLISION still decides: 17,900 -> 4,400 buffers for a page of colliding proposals.
 */
const MAY_COLLIDE = `(p.destination_shared OR p.status <> 'pending' OR p.disk_collision IS NOT NULL
  OR p.id IN (SELECT e.proposal_id FROM proposal_reviews e WHERE e.destination_key IS NOT NULL)
  OR p.destination_key IN (SELECT e.destination_key FROM proposal_reviews e WHERE e.destination_key IS NOT NULL))`;

const PROPOSAL_AND_REVIEW = `FROM proposals p LEFT JOIN proposal_reviews r ON r.proposal_id = p.id ${COLLISION}`;

const FROM = `FROM proposals p JOIN files f ON f.id = p.file_id
  LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
  ${COLLISION}`;

export interface ListFilter {
  status?: ProposalStatus;
  band?: 'high' | 'medium' | 'low';
  collision?: boolean;
  kind?: FileKind;
  q?: string;
  sort: 'created' | 'confidence' | 'path';
  order: 'asc' | 'desc';
  after?: [string | number, string];
  limit: number;
}

const SORT_COLUMN = { created: 'p.created_at', confidence: 'p.confidence', path: 'p.original_path' } as const;

/**
 * Proposals as the review sees them: `proposals` (the proposer's, read-only here) with `proposal_reviews`
 * (the gateway's own: decisions and edits, each change a new version) over them.
 */
@Injectable()
export class ProposalReviewRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async list(f: ListFilter): Promise<ProposalRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.status) where.push(`${EFFECTIVE_STATUS} = ${p(f.status)}`);
    else where.push(`p.status <> 'superseded'`);
    if (f.band === 'high') where.push('p.confidence >= 0.8');
    if (f.band === 'medium') where.push('p.confidence >= 0.5 AND p.confidence < 0.8');
    if (f.band === 'low') where.push('p.confidence < 0.5');
    if (f.collision === true) where.push(MAY_COLLIDE, '(c.collides_path IS NOT NULL OR p.disk_collision IS NOT NULL)');
    if (f.collision === false) where.push('(c.collides_path IS NULL AND p.disk_collision IS NULL)');
    const kind = f.kind ? `WHERE f.kind = ${p(f.kind)}` : '';
    if (f.q) {
      const like = p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(
        `(p.original_path ILIKE ${like} OR COALESCE(r.edited_name, p.proposed_name) ILIKE ${like} OR COALESCE(CASE WHEN r.folder_edited THEN r.edited_folder END, p.proposed_folder, '') ILIKE ${like})`,
      );
    }
    const col = SORT_COLUMN[f.sort];
    const cmp = f.order === 'asc' ? '>' : '<';
    if (f.after) {
      const cast = f.sort === 'created' ? '::timestamptz' : f.sort === 'confidence' ? '::real' : '::text';
      where.push(`(${col}, p.id) ${cmp} (${p(f.after[0])}${cast}, ${p(f.after[1])}::uuid)`);
    }
    // Walk the order's keyset index and stop after one page, without parallel workers. The planner cannot
    // estimate the effective-status CASE (it expects 0.5 % of rows) and, near the end of the list, collects
    // every later proposal, hash-joins the reviews and sorts (1.2 s for a deep page of pending proposals at
    // 250,000; 950 buffers and 25 ms walking). Starting workers cost more than a page (bench/ui), and so does
    // JIT, which the walk's estimated cost can pass (see FileReadRepository.page).
    return this.db.transaction(async (m) => {
      await m.query('SET LOCAL max_parallel_workers_per_gather = 0');
      await m.query('SET LOCAL jit = off');
      await m.query('SET LOCAL enable_sort = off');
      await m.query('SET LOCAL enable_hashjoin = off');
      // The file is joined to the proposals that pass (OFFSET 0 keeps the planner from doing it earlier): as
      // the collision filter walked ~2,700 proposals for a page, their files' rows were 10,800 of its
      // 38,900 buffers (bench/ui). It is still an inner join before the page's LIMIT: the same rows.
      return m.query(
        `SELECT x.*, ${FILE_COLUMNS}
           FROM (SELECT ${ROW}, ${col} AS sort_value ${PROPOSAL_AND_REVIEW} WHERE ${where.join(' AND ')}
                  ORDER BY ${col} ${f.order}, p.id ${f.order} OFFSET 0) x
           JOIN files f ON f.id = x.file_id ${kind}
          ORDER BY x.sort_value ${f.order}, x.id ${f.order} LIMIT ${p(f.limit)}`,
        params,
      );
    });
  }

  /** One proposal; inside a transaction its row is locked, so decisions about it are taken one at a time. */
  async get(id: string, m?: EntityManager): Promise<ProposalRow | null> {
    const q = m ?? this.db;
    if (m) await m.query(`SELECT 1 FROM proposals WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ProposalRow[] = await q.query(`${SELECT}, p.context ${FROM} WHERE p.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Another file already on disk at the destination (from what ingest recorded), case-insensitively. */
  async fileAt(root: string, relative: string, exceptFileId: string): Promise<string | null> {
    const rows: { path: string }[] = await this.db.query(
      `SELECT path FROM files WHERE lower(path) = lower($1) AND id <> $2 AND missing_since IS NULL LIMIT 1`,
      [`${root.replace(/\/+$/, '')}/${relative}`, exceptFileId],
    );
    return rows[0]?.path ?? null;
  }

  async rootOf(fileId: string): Promise<string | null> {
    const rows: { root: string }[] = await this.db.query(`SELECT root FROM files WHERE id = $1`, [fileId]);
    return rows[0]?.root ?? null;
  }

  /**
   * Writes the review (first action creates it) if its version is still `expectedVersion`; returns the new
   * version, or null when someone else changed it first.
   */
  async write(
    m: EntityManager,
    row: ProposalRow,
    expectedVersion: number,
    next: ReviewState & { lastAction: string; previous: ReviewState | null },
  ): Promise<number | null> {
    const params = [
      row.id,
      row.file_id,
      row.content_hash,
      next.decision,
      next.folderEdited,
      next.editedFolder,
      next.editedName,
      next.destinationKey,
      expectedVersion + 1,
      next.lastAction,
      next.previous ? JSON.stringify(next.previous) : null,
      expectedVersion,
    ];
    const result: unknown[] = await m.query(
      `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, folder_edited, edited_folder,
                                     edited_name, destination_key, version, last_action, previous)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (proposal_id) DO UPDATE SET decision = excluded.decision, folder_edited = excluded.folder_edited,
         edited_folder = excluded.edited_folder, edited_name = excluded.edited_name,
         destination_key = excluded.destination_key, version = excluded.version, last_action = excluded.last_action,
         previous = excluded.previous, decided_at = now()
       WHERE proposal_reviews.version = $12
       RETURNING version`,
      params,
    );
    const rows = (Array.isArray(result[0]) ? result[0] : result) as { version: number }[];
    return rows[0]?.version ?? null;
  }

  /** Pending proposals (ids), for bulk decisions: the given ones, or all, at or above a confidence. */
  async pendingIds(ids: string[] | undefined, minConfidence: number, limit = 5000): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT p.id FROM proposals p LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
        WHERE ($1::uuid[] IS NULL OR p.id = ANY($1::uuid[])) AND ${EFFECTIVE_STATUS} = 'pending'
          AND p.confidence >= $2 ORDER BY p.confidence DESC, p.id LIMIT $3`,
      [ids ?? null, minConfidence, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Folder and name of every proposal with this effective status (for the preview tree). */
  async destinations(status: 'approved' | 'pending', limit: number): Promise<{ folder: string | null }[]> {
    return this.db.query(
      `SELECT CASE WHEN r.folder_edited THEN r.edited_folder ELSE p.proposed_folder END AS folder
         FROM proposals p LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
        WHERE p.status <> 'superseded' AND ${EFFECTIVE_STATUS} = $1 LIMIT $2`,
      [status, limit],
    );
  }

  async generation(
    id: string,
  ): Promise<{ status: string; counts: Record<string, number>; error: string | null } | null> {
    const rows = await this.db.query(`SELECT status, counts, error FROM proposal_generations WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }
}
