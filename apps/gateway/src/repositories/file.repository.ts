import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind, FileState, PipelineStage, StageStatus } from '@crateflow/contracts';
import type { FileSort } from '../files/file.schemas';

export interface FileRow {
  id: string;
  root: string;
  path: string;
  name: string;
  kind: FileKind;
  /** bigint, as pg returns it. */
  size: string;
  mtime_ms: number;
  content_hash: string;
  state: FileState;
  missing_since: Date | null;
  path_is_utf8: boolean;
  /** A verified copy the executor made (copy or hardlink mode): the file it is a copy of. */
  copied_from_file_id?: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A file list row: the file and the columns of its current tags and analysis. */
export interface FileListRow extends FileRow {
  artist: string | null;
  title: string | null;
  duration_sec: number | null;
  /** numeric, as pg returns it. */
  bpm: string | null;
  camelot: string | null;
  energy: number | null;
  problems: { stage: PipelineStage; status: 'failed' | 'skipped'; reason: string | null }[];
  /** The value of the sort column (for the next page's keyset). */
  sort_key: string | number | null;
}

export interface FileFilter {
  state?: FileState;
  kind?: FileKind;
  stage?: { stage: PipelineStage; status: StageStatus };
  missing?: boolean;
  /** Text the path contains, matched case-insensitively (the pg_trgm index serves it). */
  text?: string;
  /** Measured tempo range (inclusive), from the analysis of the file's current content. */
  bpm?: { min?: number; max?: number };
  /** Measured key is one of these Camelot codes. */
  camelot?: string[];
  /** Has (true) or has not (false) another copy or another encoding of the same recording. */
  duplicates?: boolean;
  /** A stage failed or skipped the current content. */
  problems?: boolean;
}

export interface FileOrder {
  sort: FileSort;
  descending: boolean;
}

/**
 * The sort expressions. Each has an index that yields rows in that order (files_path_id_idx and the
 * ones of migration 1795950000000), so the first and the ten-thousandth page cost the same.
 */
const SORT_KEYS: Record<FileSort, { key: string; id: string; present: string }> = {
  path: { key: 'f.path', id: 'f.id', present: 'TRUE' },
  artist: { key: 'lower(m.artist)', id: 'm.file_id', present: 'm.artist IS NOT NULL' },
  title: { key: 'lower(m.title)', id: 'm.file_id', present: 'm.title IS NOT NULL' },
  duration: { key: 'm.duration_sec', id: 'm.file_id', present: 'm.duration_sec IS NOT NULL' },
  bpm: { key: 'a.bpm', id: 'a.file_id', present: 'a.bpm IS NOT NULL' },
};

/**
 * Whether one page is best found by walking the order's index (and filtering as it goes) rather than by
 * letting the planner collect every match and sort them. Tag and measurement orders always walk (their
 * index holds only files with the value). In path order a text search has its trigram index, and a filter
 * that few files pass (a narrow BPM range in one key) is cheaper to collect (through files_camelot_bpm_idx, or
 * file_analysis's BPM index without a key) and sort than to find by walking; the share below is a rough guess
 * from the filter itself.
 */
export function walkOrderIndex(filter: FileFilter, order: FileOrder): boolean {
  if (order.sort !== 'path') return true;
  if (filter.text) return false;
  let share = 1;
  if (filter.camelot) share *= filter.camelot.length / 24;
  if (filter.bpm) share *= Math.min(1, Math.max(0, (filter.bpm.max ?? 200) - (filter.bpm.min ?? 60)) / 100);
  return share >= 0.01;
}

/**
 * "This row describes the file's current content". Written so the planner cannot estimate it: as a plain
 * `a.content_hash = f.content_hash` it multiplies that match's tiny selectivity into the id join's and expects
 * about one row, then sorts the whole table instead of walking the sort index for one page (seconds instead
 * of milliseconds at a million files; bench/ui). Every row of these tables nearly always matches.
 */
const sameContent = (alias: string) => `${alias}.content_hash::text = f.content_hash::text || ''`;

const PROBLEMS = `(SELECT coalesce(json_agg(json_build_object('stage', s.stage, 'status', s.status, 'reason', s.reason)
    ORDER BY s.stage), '[]'::json)
  FROM file_stage_statuses s
  WHERE s.file_id = f.id AND s.status IN ('failed', 'skipped') AND s.content_hash = f.content_hash)`;

const HAS_PROBLEMS = `EXISTS (SELECT 1 FROM file_stage_statuses s
  WHERE s.file_id = f.id AND s.status IN ('failed', 'skipped') AND s.content_hash = f.content_hash)`;

/** Another present copy (asked through the hash index on content_hash, 2 buffers a file walked) or encoding. */
const HAS_DUPLICATES = `(EXISTS (SELECT 1 FROM files g
    WHERE g.content_hash = f.content_hash AND g.id <> f.id AND g.missing_since IS NULL)
  OR EXISTS (SELECT 1 FROM same_recording_matches r WHERE r.content_hash = f.content_hash)
  OR EXISTS (SELECT 1 FROM same_recording_matches r WHERE r.other_content_hash = f.content_hash))`;

const COLUMNS = `f.id, f.root, f.path, f.name, f.kind, f.size, f.mtime_ms, f.content_hash, f.state,
  f.missing_since, f.path_is_utf8, f.copied_from_file_id, f.created_at, f.updated_at`;

/**
 * Entries of the (path, id) index a text search in path order walks before it asks the trigram index (see
 * FileReadRepository.list). The walk reads the index only (the path is in it) and visits a file's row only
 * when its path matches: 10,000 entries are about 250 index pages.
 */
export const TEXT_WALK = 10_000;

/** Escapes LIKE's wildcards so the text filter matches the characters the person typed. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Read model over `files` (owned by ingest). Lists walk the (path, id) index from the keyset onwards
 * and stop after `limit` rows: no OFFSET and no count, so page 10,000 costs what page 1 costs.
 */
@Injectable()
export class FileReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async findById(id: string): Promise<FileRow | null> {
    const rows: FileRow[] = await this.db.query(`SELECT ${COLUMNS} FROM files f WHERE f.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(
    filter: FileFilter,
    after: readonly [string | number, string] | undefined,
    limit: number,
    order: FileOrder = { sort: 'path', descending: false },
  ): Promise<FileListRow[]> {
    if (order.sort !== 'path' || !filter.text) {
      // A BPM or key filter in path order narrows by ingest's read model of the analysis (files.bpm, camelot):
      // walking the (path, id) index, which has it as trailing keys (tested inside the index), or, when few
      // files pass and a key is given, taking the matches' paths from files_camelot_bpm_idx and sorting them.
      // Either way a file's rows are read only when its entry passes. A rare BPM range without a key is
      // collected through file_analysis's BPM index.
      const walks = walkOrderIndex(filter, order);
      const facts = order.sort === 'path' && (filter.bpm || filter.camelot) && (walks || filter.camelot);
      return this.page(filter, after, limit, order, facts ? 'facts' : undefined);
    }
    // A text search in path order: its matches may be many ("track 1") or few ("aphex"). Walk the first
    // TEXT_WALK entries of the path index, matching the path there; when they hold a page's worth, that is the
    // page (the trigram index would have collected and sorted every match: ~146,000 rows rechecked for
    // "track 12" at a million files). Otherwise the rest comes from the trigram index, after the last entry
    // walked, so the result is the same either way.
    const walked = await this.page(filter, after, limit, order, TEXT_WALK);
    if (walked.length >= limit) return walked;
    const [cmp, dir] = order.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    const boundary: { path: string; id: string }[] = await this.db.query(
      `SELECT f.path, f.id FROM files f ${after ? `WHERE (f.path, f.id) ${cmp} ($1::text, $2::uuid)` : ''}
        ORDER BY f.path ${dir}, f.id ${dir} OFFSET ${TEXT_WALK - 1} LIMIT 1`,
      after ? [after[0], after[1]] : [],
    );
    if (!boundary.length) return walked; // the walk reached the end of the list
    const rest = await this.page(filter, [boundary[0].path, boundary[0].id], limit - walked.length, order);
    return [...walked, ...rest];
  }

  /**
   * One page. In path order, `walk` walks the (path, id) index as `w` and reads a file's rows only for entries
   * that pass: a number walks only that many entries after the keyset (the text search matches the path on
   * the entry), 'facts' walks on and narrows by the analysis read model on the entry (or, for a filter few files
   * pass, sorts the entries that pass, from files_camelot_bpm_idx, and checks them in that order).
   */
  private page(
    filter: FileFilter,
    after: readonly [string | number, string] | undefined,
    limit: number,
    order: FileOrder,
    walk?: number | 'facts',
  ): Promise<FileListRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const sort = SORT_KEYS[order.sort];
    const where: string[] = [sort.present];
    if (filter.state) where.push(`f.state = ${param(filter.state)}`);
    if (filter.kind) where.push(`f.kind = ${param(filter.kind)}`);
    if (filter.missing !== undefined)
      where.push(filter.missing ? 'f.missing_since IS NOT NULL' : 'f.missing_since IS NULL');
    // Walking, the path is matched on the index entry (w), so only matching files' rows are visited.
    if (filter.text) where.push(`${walk === undefined ? 'f' : 'w'}.path ILIKE ${param(likeContains(filter.text))}`);
    if (filter.stage) {
      const stage = param(filter.stage.stage);
      if (filter.stage.status === 'pending') {
        // A stage that has not recorded a file yet has it pending too, unless it is one of the executor's
        // copies: they take their original's results and no stage runs for them.
        where.push(`f.copied_from_file_id IS NULL AND NOT EXISTS (SELECT 1 FROM file_stage_statuses s
          WHERE s.file_id = f.id AND s.stage = ${stage} AND s.status <> 'pending')`);
      } else {
        const status = filter.stage.status;
        // Failed and skipped are on ingest's read model, files.stage_flags: the walk takes only the files
        // flagged (files_stage_flags_path_idx) and the statuses are still checked.
        if (status === 'failed' || status === 'skipped')
          where.push(`f.stage_flags <> '{}'`, `f.stage_flags @> ARRAY[${param(`${filter.stage.stage}:${status}`)}]`);
        where.push(`EXISTS (SELECT 1 FROM file_stage_statuses s
          WHERE s.file_id = f.id AND s.stage = ${stage} AND s.status = ${param(status)})`);
      }
    }
    // Tags and analysis come from file_metadata (metadata) and file_analysis (analysis); a result for
    // older content does not describe the file, so the joins require the file's current hash.
    if (filter.bpm?.min !== undefined) where.push(`a.bpm >= ${param(filter.bpm.min)}`);
    if (filter.bpm?.max !== undefined) where.push(`a.bpm <= ${param(filter.bpm.max)}`);
    if (filter.camelot) where.push(`a.camelot = ANY(${param(filter.camelot)}::text[])`);
    if (filter.duplicates !== undefined) where.push(filter.duplicates ? HAS_DUPLICATES : `NOT ${HAS_DUPLICATES}`);
    if (filter.problems) where.push(`f.stage_flags <> '{}'`, HAS_PROBLEMS); // flagged files only (see above)
    if (filter.problems === false) where.push(`NOT ${HAS_PROBLEMS}`);
    const cmp = order.descending ? '<' : '>';
    let keyset = 'TRUE';
    if (after) {
      const value =
        order.sort === 'path' || order.sort === 'artist' || order.sort === 'title'
          ? `${param(after[0])}::text`
          : `${param(after[0])}::numeric`;
      keyset = `(${sort.key}, ${sort.id}) ${cmp} (${value}, ${param(after[1])}::uuid)`;
      where.push(keyset);
    }
    const dir = order.descending ? 'DESC' : 'ASC';
    const entries = [keyset];
    if (walk === 'facts') {
      // Only narrows: file_analysis itself is still checked above (a.bpm, a.camelot).
      if (filter.bpm?.min !== undefined) entries.push(`f.bpm >= ${param(filter.bpm.min)}`);
      if (filter.bpm?.max !== undefined) entries.push(`f.bpm <= ${param(filter.bpm.max)}`);
      if (filter.camelot) entries.push(`f.camelot = ANY(${param(filter.camelot)}::text[])`);
    }
    // Walk the order's index and stop after one page. Left to itself the planner misjudges how many rows
    // survive the joins and filters and sorts the whole table instead (seconds at a million files; bench/ui).
    // A text search in path order is the exception: its trigram index finds the few matches faster, and so
    // does a rare BPM range through the analysis's BPM index. Those collect the matches' paths and ids first
    // and read the tags and statuses of the page's files only. A rare BPM range in a key sorts the paths of
    // the read model's matches (OFFSET 0 keeps the sort inside `w`, no merge join) and checks them in order
    // until the page is full: 2,600 matches at a million files, 23,800 -> 2,500 buffers.
    // No parallel workers either: starting them costs more than one page (about 100 ms at a load of 14 for a
    // page that reads 3,000 buffers; bench/ui). Nor JIT: the walk's estimated cost (the whole index, with
    // sorts and hash joins off) passes jit_above_cost, and compiling took 35-40 ms of a 45 ms page of failed
    // analyses that executes in 5 ms (much more at a load of 10; bench/ui).
    const walking = walk !== undefined || walkOrderIndex(filter, order);
    const analysis = `LEFT JOIN file_analysis a ON a.file_id = f.id AND ${sameContent('a')} AND a.status = 'done'`;
    const source = walking
      ? walk === undefined
        ? 'files f'
        : `(SELECT f.path, f.id FROM files f WHERE ${entries.join(' AND ')}
             ORDER BY f.path ${dir}, f.id ${dir} ${walk === 'facts' ? 'OFFSET 0' : `LIMIT ${walk}`}) w
           JOIN files f ON f.id = w.id`
      : `(SELECT f.path, f.id FROM files f ${analysis} WHERE ${where.join(' AND ')}
           ORDER BY f.path ${dir}, f.id ${dir} LIMIT ${param(limit)}) w
         JOIN files f ON f.id = w.id`;
    const sql = `SELECT ${COLUMNS}, m.artist, m.title, m.duration_sec, a.bpm, a.camelot, a.energy,
        ${PROBLEMS} AS problems, ${sort.key} AS sort_key
      FROM ${source}
      LEFT JOIN file_metadata m ON m.file_id = f.id AND ${sameContent('m')}
      ${analysis}
      ${walking ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${walk === undefined && walking ? `${sort.key} ${dir}, ${sort.id}` : `w.path ${dir}, w.id`} ${dir}
      ${walking ? `LIMIT ${param(limit)}` : ''}`;
    return this.db.transaction(async (m) => {
      await m.query('SET LOCAL max_parallel_workers_per_gather = 0');
      await m.query('SET LOCAL jit = off');
      if (walking) {
        if (walk !== 'facts' || walkOrderIndex(filter, order)) await m.query('SET LOCAL enable_sort = off');
        else await m.query('SET LOCAL enable_mergejoin = off');
        await m.query('SET LOCAL enable_hashjoin = off');
      }
      return m.query(sql, params);
    });
  }
}
