import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ListTracklistsQuery } from './tracklists.schemas';

export interface TracklistRow {
  id: string;
  source: '1001tracklists' | 'fingerprint' | 'cue' | 'manual';
  source_url: string | null;
  title: string | null;
  artist: string | null;
  event: string | null;
  date: string | null;
  current_version: number;
  status: 'proposed' | 'approved' | 'rejected';
  track_count: number | null;
  updated_at: Date;
}

export interface LinkRow {
  tracklist_id: string;
  content_hash: string;
  made_by: 'matcher' | 'source' | 'person';
  score: number | null;
  file_ids: string[];
}

export interface TrackRow {
  id: string;
  position: number;
  artist: string | null;
  title: string | null;
  remix: string | null;
  label: string | null;
  cue_sec: number | null;
  end_sec: number | null;
  speed: number | null;
  confidence: number | null;
  unknown: boolean;
  changes: { artist?: string | null; title?: string | null; cueSec?: number | null } | null;
}

export interface LookupRow {
  status: string;
  query: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  candidates: {
    url: string;
    title: string;
    artist: string | null;
    event: string | null;
    date: string | null;
    score: number;
  }[];
}

/**
 * A link as everyone should see it: the tracklists service's links, unless a person decided otherwise, plus the
 * links people made (`tracklist_link_decisions`, the gateway's).
 */
const EFFECTIVE_LINKS = `
  SELECT l.tracklist_id, l.content_hash, l.made_by, l.score FROM tracklist_links l
   WHERE NOT EXISTS (SELECT 1 FROM tracklist_link_decisions d
                      WHERE d.tracklist_id = l.tracklist_id AND d.content_hash = l.content_hash)
  UNION ALL
  SELECT d.tracklist_id, d.content_hash, 'person', NULL FROM tracklist_link_decisions d WHERE d.linked`;

const SUMMARY_COLUMNS = `t.id, t.source, t.source_url, t.title, t.artist, t.event, t.date, t.current_version,
  COALESCE(dec.status, 'proposed') AS status, v.track_count, t.updated_at`;
const SUMMARY_JOINS = `LEFT JOIN tracklist_decisions dec ON dec.tracklist_id = t.id
  LEFT JOIN tracklist_versions v ON v.tracklist_id = t.id AND v.version = t.current_version`;

/**
 * Read model over the tracklist tables (owned by tracklists), the review decisions (the gateway's), the look-up
 * records and `files` (for which files hold a linked content).
 */
@Injectable()
export class TracklistsReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /** Newest first by last change, keyset on (updated_at, id). */
  async list(q: ListTracklistsQuery, after: { updatedAt: string; id: string } | null): Promise<TracklistRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.status) where.push(`COALESCE(dec.status, 'proposed') = ${p(q.status)}`);
    if (q.source) where.push(`t.source = ${p(q.source)}`);
    if (q.linked)
      where.push(
        `${q.linked === 'true' ? '' : 'NOT '}EXISTS (SELECT 1 FROM (${EFFECTIVE_LINKS}) e WHERE e.tracklist_id = t.id)`,
      );
    if (q.q) {
      const like = p(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(t.title ILIKE ${like} OR t.artist ILIKE ${like} OR t.event ILIKE ${like})`);
    }
    if (after) where.push(`(t.updated_at, t.id) < (${p(after.updatedAt)}::timestamptz, ${p(after.id)}::uuid)`);
    return this.db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM tracklists t ${SUMMARY_JOINS}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY t.updated_at DESC, t.id DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
  }

  async byIds(ids: readonly string[]): Promise<TracklistRow[]> {
    if (ids.length === 0) return [];
    return this.db.query(`SELECT ${SUMMARY_COLUMNS} FROM tracklists t ${SUMMARY_JOINS} WHERE t.id = ANY($1::uuid[])`, [
      ids,
    ]);
  }

  /** Effective links of some tracklists, each with the present files of its content. */
  async links(tracklistIds: readonly string[]): Promise<LinkRow[]> {
    if (tracklistIds.length === 0) return [];
    return this.db.query(
      `SELECT e.tracklist_id, e.content_hash::text AS content_hash, e.made_by, e.score,
              COALESCE(array_agg(f.id ORDER BY f.path) FILTER (WHERE f.id IS NOT NULL), '{}') AS file_ids
         FROM (${EFFECTIVE_LINKS}) e
         LEFT JOIN files f ON f.content_hash = e.content_hash AND f.missing_since IS NULL
        WHERE e.tracklist_id = ANY($1::uuid[])
        GROUP BY 1, 2, 3, 4`,
      [tracklistIds],
    );
  }

  /** Tracklists linked to a content, by source. */
  async linkedTo(contentHash: string): Promise<string[]> {
    const rows: { tracklist_id: string }[] = await this.db.query(
      `SELECT e.tracklist_id FROM (${EFFECTIVE_LINKS}) e JOIN tracklists t ON t.id = e.tracklist_id
        WHERE e.content_hash = $1 ORDER BY array_position(ARRAY['fingerprint','cue','1001tracklists','manual'], t.source), t.created_at`,
      [contentHash],
    );
    return [...new Set(rows.map((r) => r.tracklist_id))];
  }

  /** A version's tracks with people's edits applied; removed tracks are left out. */
  async tracks(tracklistId: string, version: number): Promise<TrackRow[]> {
    return this.db.query(
      `SELECT tr.id, tr.position, tr.artist, tr.title, tr.remix, tr.label, tr.cue_sec, tr.end_sec, tr.speed, tr.confidence,
              tr.unknown, e.changes
         FROM tracklist_tracks tr LEFT JOIN tracklist_track_edits e ON e.track_id = tr.id
        WHERE tr.tracklist_id = $1 AND tr.version = $2 AND NOT COALESCE(e.deleted, false)
        ORDER BY tr.position, tr.cue_sec NULLS LAST, tr.id`,
      [tracklistId, version],
    );
  }

  async versions(tracklistId: string): Promise<{ version: number; track_count: number; created_at: Date }[]> {
    return this.db.query(
      `SELECT version, track_count, created_at FROM tracklist_versions WHERE tracklist_id = $1 ORDER BY version DESC`,
      [tracklistId],
    );
  }

  async track(
    tracklistId: string,
    trackId: string,
  ): Promise<{ id: string; version: number; confidence: number | null } | null> {
    const rows = await this.db.query(
      `SELECT id, version, confidence FROM tracklist_tracks WHERE id = $1 AND tracklist_id = $2`,
      [trackId, tracklistId],
    );
    return rows[0] ?? null;
  }

  async lookup(contentHash: string): Promise<LookupRow | null> {
    const rows = await this.db.query(
      `SELECT status, query, attempts, next_attempt_at, last_error, candidates FROM tracklist_lookups WHERE content_hash = $1`,
      [contentHash],
    );
    return rows[0] ?? null;
  }

  async file(
    fileId: string,
  ): Promise<{ id: string; name: string; content_hash: string; kind: string; missing: boolean } | null> {
    const rows = await this.db.query(
      `SELECT id, name, content_hash::text AS content_hash, kind, (missing_since IS NOT NULL) AS missing FROM files WHERE id = $1`,
      [fileId],
    );
    return rows[0] ?? null;
  }
}
