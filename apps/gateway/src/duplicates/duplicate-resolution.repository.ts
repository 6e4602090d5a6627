import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export interface ResolutionMember {
  fileId: string;
  role: 'canonical' | 'duplicate';
  /** The content the member had when the decision was made. */
  contentHash: string;
}

export interface NewResolution {
  id: string;
  groupKey: string;
  kind: 'exact' | 'recording';
  canonicalFileId: string;
  canonicalWasProposed: boolean;
  reasons: unknown[];
  members: ResolutionMember[];
}

export interface StoredResolution {
  id: string;
  groupKey: string;
  canonicalFileId: string;
  canonicalWasProposed: boolean;
  createdAt: Date;
}

/** A duplicate member whose file still carries the content it was resolved with, to announce again. */
export interface Announcement {
  resolutionId: string;
  canonicalFileId: string;
  fileId: string;
  contentHash: string;
}

export class ActiveResolutionExistsError extends Error {
  constructor(readonly groupKey: string) {
    super(`group ${groupKey} already has a resolution in force`);
  }
}

interface ResolutionRow {
  id: string;
  group_key: string;
  canonical_file_id: string;
  canonical_was_proposed: boolean;
  created_at: Date;
}

const toStored = (r: ResolutionRow): StoredResolution => ({
  id: r.id,
  groupKey: r.group_key,
  canonicalFileId: r.canonical_file_id,
  canonicalWasProposed: r.canonical_was_proposed,
  createdAt: r.created_at,
});

/**
 * `duplicate_resolutions` and `duplicate_resolution_members`, written only by the gateway (the writer of
 * review decisions). At most one resolution per group is in force (a partial unique index); undoing keeps
 * the row with `undone_at` set.
 */
@Injectable()
export class DuplicateResolutionRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async active(groupKey: string): Promise<StoredResolution | null> {
    const rows: ResolutionRow[] = await this.db.query(
      `SELECT id, group_key, canonical_file_id, canonical_was_proposed, created_at FROM duplicate_resolutions
        WHERE group_key = $1 AND undone_at IS NULL`,
      [groupKey],
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** Records a decision with its members. Throws ActiveResolutionExistsError when the group has one in force. */
  async create(resolution: NewResolution): Promise<StoredResolution> {
    const [created] = await this.createMany([resolution]);
    if (!created) throw new ActiveResolutionExistsError(resolution.groupKey);
    return created;
  }

  /**
   * Records many decisions in one transaction; a group that already has a resolution in force is left as
   * it is and missing from the result.
   */
  async createMany(resolutions: NewResolution[]): Promise<StoredResolution[]> {
    if (resolutions.length === 0) return [];
    return this.db.transaction(async (m) => {
      const rows: ResolutionRow[] = await m.query(
        `INSERT INTO duplicate_resolutions (id, group_key, kind, canonical_file_id, canonical_was_proposed, reasons)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::boolean[], $6::jsonb[])
         ON CONFLICT (group_key) WHERE undone_at IS NULL DO NOTHING
         RETURNING id, group_key, canonical_file_id, canonical_was_proposed, created_at`,
        [
          resolutions.map((r) => r.id),
          resolutions.map((r) => r.groupKey),
          resolutions.map((r) => r.kind),
          resolutions.map((r) => r.canonicalFileId),
          resolutions.map((r) => r.canonicalWasProposed),
          resolutions.map((r) => JSON.stringify(r.reasons)),
        ],
      );
      const created = new Set(rows.map((r) => r.id));
      const members = resolutions
        .filter((r) => created.has(r.id))
        .flatMap((r) => r.members.map((x) => ({ ...x, resolutionId: r.id })));
      if (members.length > 0) {
        await m.query(
          `INSERT INTO duplicate_resolution_members (resolution_id, file_id, role, content_hash)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
          [
            members.map((x) => x.resolutionId),
            members.map((x) => x.fileId),
            members.map((x) => x.role),
            members.map((x) => x.contentHash),
          ],
        );
      }
      return rows.map(toStored);
    });
  }

  /** The duplicate members of a resolution, as recorded. */
  async duplicatesOf(resolutionIds: string[]): Promise<Announcement[]> {
    if (resolutionIds.length === 0) return [];
    const rows: { resolution_id: string; canonical_file_id: string; file_id: string; content_hash: string }[] =
      await this.db.query(
        `SELECT m.resolution_id, r.canonical_file_id, m.file_id, m.content_hash::text AS content_hash
         FROM duplicate_resolution_members m JOIN duplicate_resolutions r ON r.id = m.resolution_id
        WHERE m.resolution_id = ANY($1::uuid[]) AND m.role = 'duplicate'
        ORDER BY m.resolution_id, m.file_id`,
        [resolutionIds],
      );
    return rows.map((r) => ({
      resolutionId: r.resolution_id,
      canonicalFileId: r.canonical_file_id,
      fileId: r.file_id,
      contentHash: r.content_hash,
    }));
  }

  /** Marks resolutions undone; returns how many were still in force. */
  async markUndone(resolutionIds: string[]): Promise<number> {
    if (resolutionIds.length === 0) return 0;
    const rows: { id: string }[] = await this.db.query(
      `UPDATE duplicate_resolutions SET undone_at = now() WHERE id = ANY($1::uuid[]) AND undone_at IS NULL RETURNING id`,
      [resolutionIds],
    );
    return firstRows(rows).length;
  }

  /** Resolutions in force, oldest first, `limit` after the given id order (for bulk undo in batches). */
  async activeBatch(afterId: string | null, limit: number): Promise<StoredResolution[]> {
    const rows: ResolutionRow[] = await this.db.query(
      `SELECT id, group_key, canonical_file_id, canonical_was_proposed, created_at FROM duplicate_resolutions
        WHERE undone_at IS NULL AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toStored);
  }

  /**
   * Duplicate members of resolutions in force whose file still has the resolved content but is not marked
   * DUPLICATE_RESOLVED (nor executed): their event was lost (the bus failed mid-way), or is still on its way.
   */
  async unannounced(limit: number): Promise<Announcement[]> {
    const rows: { resolution_id: string; canonical_file_id: string; file_id: string; content_hash: string }[] =
      await this.db.query(
        `SELECT m.resolution_id, r.canonical_file_id, m.file_id, m.content_hash::text AS content_hash
         FROM duplicate_resolutions r
         JOIN duplicate_resolution_members m ON m.resolution_id = r.id AND m.role = 'duplicate'
         JOIN files f ON f.id = m.file_id AND f.content_hash = m.content_hash
        WHERE r.undone_at IS NULL AND f.state NOT IN ('DUPLICATE_RESOLVED', 'EXECUTED')
        LIMIT $1`,
        [limit],
      );
    return rows.map((r) => ({
      resolutionId: r.resolution_id,
      canonicalFileId: r.canonical_file_id,
      fileId: r.file_id,
      contentHash: r.content_hash,
    }));
  }
}

/** TypeORM returns [rows, affected] for UPDATE … RETURNING on PostgreSQL, and plain rows for SELECT. */
function firstRows<T>(result: T[] | [T[], number]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
