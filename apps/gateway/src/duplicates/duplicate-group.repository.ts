import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind, FileState } from '@crateflow/contracts';

/** Kinds that form duplicate groups. Companions (the same cover.jpg in every folder) travel with their media instead. */
export const DUPLICATE_FILE_KINDS: FileKind[] = ['music', 'video'];

export interface ExactGroupRow {
  content_hash: string;
  members: number;
  /** bigint as text. */
  size: string;
  redundant: string;
  resolution_id: string | null;
  canonical_file_id: string | null;
  canonical_was_proposed: boolean | null;
  resolved_at: Date | null;
}

export interface MemberRow {
  id: string;
  path: string;
  name: string;
  kind: FileKind;
  size: string;
  state: FileState;
  content_hash: string;
  /** `read` when any copy of this content was read; else this copy's own status; null when none yet. */
  metadata_status: 'read' | 'failed' | null;
  failure_reason: string | null;
  artist: string | null;
  artists: string[] | null;
  title: string | null;
  album: string | null;
  album_artist: string | null;
  track_no: number | null;
  track_of: number | null;
  disc_no: number | null;
  disc_of: number | null;
  year: number | null;
  genre: string | null;
  genres: string[] | null;
  label: string | null;
  isrc: string | null;
  bpm_tag: string | null;
  key_tag: string | null;
  comment: string | null;
  duration_sec: number | null;
  bitrate: number | null;
  sample_rate: number | null;
  channels: number | null;
  bits_per_sample: number | null;
  codec: string | null;
  container: string | null;
  lossless: boolean | null;
  has_cover: boolean | null;
}

export interface GroupFilter {
  status?: 'resolved' | 'unresolved';
}

/** (copies, redundant bytes as text, hash) of the last group of the previous page. */
export type GroupKeyset = readonly [number, string, string];

// Present, non-empty media files; the same conditions everywhere so a group means one thing.
const MEMBER_CONDITIONS = `f.missing_since IS NULL AND f.size > 0 AND f.kind = ANY($1::text[])`;

/**
 * Read model for duplicate groups over `files`, `file_metadata` and `duplicate_resolutions`. Exact groups
 * are computed on the fly from the content-hash index, so they are always what is on disk now.
 */
@Injectable()
export class DuplicateGroupRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /** Largest first: copies, then redundant bytes, then hash; `limit` groups after the keyset. */
  listExact(filter: GroupFilter, after: GroupKeyset | undefined, limit: number): Promise<ExactGroupRow[]> {
    const params: unknown[] = [DUPLICATE_FILE_KINDS];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.status === 'resolved') where.push('r.id IS NOT NULL');
    if (filter.status === 'unresolved') where.push('r.id IS NULL');
    if (after) {
      where.push(
        `(-g.members, -g.redundant, g.content_hash) > (-${param(after[0])}::int, -${param(after[1])}::bigint, ${param(after[2])}::text)`,
      );
    }
    return this.db.query(
      `WITH g AS (
         SELECT f.content_hash::text AS content_hash, count(*)::int AS members, max(f.size) AS size,
                max(f.size) * (count(*) - 1) AS redundant
           FROM files f WHERE ${MEMBER_CONDITIONS}
          GROUP BY f.content_hash HAVING count(*) > 1)
       SELECT g.content_hash, g.members, g.size::text AS size, g.redundant::text AS redundant,
              r.id AS resolution_id, r.canonical_file_id, r.canonical_was_proposed, r.created_at AS resolved_at
         FROM g LEFT JOIN duplicate_resolutions r ON r.group_key = 'exact:' || g.content_hash AND r.undone_at IS NULL
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY g.members DESC, g.redundant DESC, g.content_hash
        LIMIT ${param(limit)}`,
      params,
    );
  }

  async getExact(contentHash: string): Promise<ExactGroupRow | null> {
    const rows: ExactGroupRow[] = await this.db.query(
      `WITH g AS (
         SELECT f.content_hash::text AS content_hash, count(*)::int AS members, max(f.size) AS size,
                max(f.size) * (count(*) - 1) AS redundant
           FROM files f WHERE f.content_hash = $2 AND ${MEMBER_CONDITIONS}
          GROUP BY f.content_hash HAVING count(*) > 1)
       SELECT g.content_hash, g.members, g.size::text AS size, g.redundant::text AS redundant,
              r.id AS resolution_id, r.canonical_file_id, r.canonical_was_proposed, r.created_at AS resolved_at
         FROM g LEFT JOIN duplicate_resolutions r ON r.group_key = 'exact:' || g.content_hash AND r.undone_at IS NULL`,
      [DUPLICATE_FILE_KINDS, contentHash],
    );
    return rows[0] ?? null;
  }

  /**
   * Every member of these exact groups, by path, with the metadata of its content. Copies with the same
   * bytes have the same tags and stream facts, so a copy the stage has not reached yet shows what another
   * copy gave; `metadata_status` is `read` when any copy was read, else this copy's own status.
   */
  membersOfExact(contentHashes: string[]): Promise<MemberRow[]> {
    if (contentHashes.length === 0) return Promise.resolve([]);
    return this.db.query(
      `SELECT f.id, f.path, f.name, f.kind, f.size::text AS size, f.state, f.content_hash::text AS content_hash,
              COALESCE(m.status, own.status) AS metadata_status, own.failure_reason, m.artist, m.artists, m.title, m.album,
              m.album_artist, m.track_no, m.track_of, m.disc_no, m.disc_of, m.year, m.genre, m.genres, m.label, m.isrc,
              m.bpm_tag::text AS bpm_tag, m.key_tag, m.comment, m.duration_sec, m.bitrate, m.sample_rate, m.channels,
              m.bits_per_sample, m.codec, m.container, m.lossless, m.has_cover
         FROM files f
         LEFT JOIN file_metadata own ON own.file_id = f.id AND own.content_hash = f.content_hash
         LEFT JOIN LATERAL (
           SELECT s.* FROM file_metadata s WHERE s.content_hash = f.content_hash AND s.status = 'read'
            ORDER BY (s.file_id = f.id) DESC, s.read_at DESC LIMIT 1) m ON true
        WHERE f.content_hash = ANY($2::bpchar[]) AND ${MEMBER_CONDITIONS}
        ORDER BY f.content_hash, f.path, f.id`,
      [DUPLICATE_FILE_KINDS, contentHashes],
    );
  }

  /** Roles of the files covered by these resolutions. */
  async rolesOf(resolutionIds: string[]): Promise<Map<string, Map<string, 'canonical' | 'duplicate'>>> {
    const out = new Map<string, Map<string, 'canonical' | 'duplicate'>>();
    if (resolutionIds.length === 0) return out;
    const rows: { resolution_id: string; file_id: string; role: 'canonical' | 'duplicate' }[] = await this.db.query(
      `SELECT resolution_id, file_id, role FROM duplicate_resolution_members WHERE resolution_id = ANY($1::uuid[])`,
      [resolutionIds],
    );
    for (const r of rows) {
      const roles = out.get(r.resolution_id) ?? new Map();
      roles.set(r.file_id, r.role);
      out.set(r.resolution_id, roles);
    }
    return out;
  }
}
