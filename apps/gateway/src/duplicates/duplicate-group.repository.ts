import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind, FileState } from '@crateflow/contracts';
import { groupSameRecordings } from '@crateflow/fingerprint';
import { exactGroupKey, recordingGroupKey } from './group-key';

/** Kinds that form duplicate groups. Companions (the same cover.jpg in every folder) travel with their media instead. */
export const DUPLICATE_FILE_KINDS: FileKind[] = ['music', 'video'];

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

/**
 * One group as the index lists it: exact (one content, several copies) or recording (several contents that
 * are the same recording, e.g. a FLAC and an MP3), how many present files, and the bytes they take.
 */
export interface GroupIndexEntry {
  key: string;
  kind: 'exact' | 'recording';
  /** The content every member has (exact groups); null for recording groups. */
  contentHash: string | null;
  /** Every content of the group (one for exact groups). */
  contentHashes: string[];
  members: number;
  /** Bytes of one copy (exact) or of the largest member (recording). */
  size: number;
  /** Bytes the other members take besides the largest one. */
  redundant: number;
}

export interface ActiveResolutionRow {
  group_key: string;
  id: string;
  canonical_file_id: string;
  canonical_was_proposed: boolean;
  created_at: Date;
}

// Present, non-empty media files; the same conditions everywhere so a group means one thing.
// A copy the executor made into the output root (copy mode) is the organised library, not clutter.
const MEMBER_CONDITIONS = `f.missing_since IS NULL AND f.size > 0 AND f.kind = ANY($1::text[]) AND f.copied_from_file_id IS NULL`;

/** Largest first: more copies, then more redundant bytes, then by key. */
export function compareIndexEntries(
  a: Pick<GroupIndexEntry, 'members' | 'redundant' | 'key'>,
  b: Pick<GroupIndexEntry, 'members' | 'redundant' | 'key'>,
): number {
  return b.members - a.members || b.redundant - a.redundant || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function exactEntry(contentHash: string, members: number, size: number): GroupIndexEntry {
  return {
    key: exactGroupKey(contentHash),
    kind: 'exact',
    contentHash,
    contentHashes: [contentHash],
    members,
    size,
    redundant: size * (members - 1),
  };
}

/**
 * Read model for duplicate groups over `files`, `file_metadata` and `duplicate_resolutions`. Exact groups
 * come from grouping every present file by its content hash: one pass over `files`, which the service
 * caches briefly; members and decisions are always read fresh.
 */
@Injectable()
export class DuplicateGroupRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /** Every exact group, largest first. One aggregate over `files` (about a second per million files). */
  async exactGroupIndex(): Promise<GroupIndexEntry[]> {
    const rows: { content_hash: string; members: number; size: string }[] = await this.db.transaction(async (m) => {
      // Enough memory for the hash aggregate of a million files to stay off disk.
      await m.query(`SET LOCAL work_mem = '64MB'`);
      return m.query(
        `SELECT f.content_hash::text AS content_hash, count(*)::int AS members, max(f.size)::text AS size
           FROM files f WHERE ${MEMBER_CONDITIONS}
          GROUP BY f.content_hash HAVING count(*) > 1`,
        [DUPLICATE_FILE_KINDS],
      );
    });
    return rows.map((r) => exactEntry(r.content_hash.trim(), r.members, Number(r.size))).sort(compareIndexEntries);
  }

  /**
   * Every same-recording group with present files of at least two contents, largest first. The pairs the
   * fingerprint stage found are joined into groups; a group is named by its smallest fingerprint track id,
   * which stays its name as new encodings join (ids only grow).
   */
  async recordingGroupIndex(): Promise<GroupIndexEntry[]> {
    const pairs: { a: string; b: string; ta: number; tb: number }[] = await this.db.query(
      `SELECT content_hash::text AS a, other_content_hash::text AS b, track_id AS ta, other_track_id AS tb
         FROM same_recording_matches`,
    );
    if (pairs.length === 0) return [];
    // A track is one distinct content, so grouping the track pairs groups the contents.
    const contentOfTrack = new Map<number, string>();
    for (const p of pairs) {
      contentOfTrack.set(p.ta, p.a.trim());
      contentOfTrack.set(p.tb, p.b.trim());
    }
    const trackGroups = groupSameRecordings(pairs.map((p) => [p.ta, p.tb] as const));
    const stats: { content_hash: string; members: number; total: string; largest: string }[] = await this.db.query(
      `SELECT f.content_hash::text AS content_hash, count(*)::int AS members, sum(f.size)::text AS total,
              max(f.size)::text AS largest
         FROM files f WHERE ${MEMBER_CONDITIONS} AND f.content_hash = ANY($2::bpchar[])
        GROUP BY f.content_hash`,
      [DUPLICATE_FILE_KINDS, [...contentOfTrack.values()]],
    );
    const present = new Map(stats.map((r) => [r.content_hash.trim(), r]));
    const groups = trackGroups.map((tracks) => {
      // Named by every content ever grouped (present or not), so the name stays when a copy goes.
      const g = { hashes: [] as string[], members: 0, total: 0, largest: 0, id: Math.min(...tracks) };
      for (const t of tracks) {
        const hash = contentOfTrack.get(t)!;
        const r = present.get(hash);
        if (!r) continue;
        g.hashes.push(hash);
        g.members += r.members;
        g.total += Number(r.total);
        g.largest = Math.max(g.largest, Number(r.largest));
      }
      return g;
    });
    return groups
      .filter((g) => g.hashes.length >= 2)
      .map((g): GroupIndexEntry => ({
        key: recordingGroupKey(g.id),
        kind: 'recording',
        contentHash: null,
        contentHashes: g.hashes.sort(),
        members: g.members,
        size: g.largest,
        redundant: g.total - g.largest,
      }))
      .sort(compareIndexEntries);
  }

  /** One recording group by its id (its smallest track id); null when it has fewer than two present contents. */
  async recordingGroup(recordingId: string): Promise<GroupIndexEntry | null> {
    const key = recordingGroupKey(Number(recordingId));
    return (await this.recordingGroupIndex()).find((e) => e.key === key) ?? null;
  }

  /** One exact group, from the content-hash index; null when fewer than two present copies remain. */
  async exactGroup(contentHash: string): Promise<GroupIndexEntry | null> {
    const [row]: { members: number; size: string | null }[] = await this.db.query(
      `SELECT count(*)::int AS members, max(f.size)::text AS size FROM files f
        WHERE f.content_hash = $2::bpchar AND ${MEMBER_CONDITIONS}`,
      [DUPLICATE_FILE_KINDS, contentHash],
    );
    if (!row || row.members < 2) return null;
    return exactEntry(contentHash, row.members, Number(row.size));
  }

  /** Keys of every group with a resolution in force. */
  async activeGroupKeys(): Promise<Set<string>> {
    const rows: { group_key: string }[] = await this.db.query(
      `SELECT group_key FROM duplicate_resolutions WHERE undone_at IS NULL`,
    );
    return new Set(rows.map((r) => r.group_key));
  }

  /** The resolutions in force for these groups, by group key. */
  async activeResolutions(groupKeys: string[]): Promise<Map<string, ActiveResolutionRow>> {
    if (groupKeys.length === 0) return new Map();
    const rows: ActiveResolutionRow[] = await this.db.query(
      `SELECT group_key, id, canonical_file_id, canonical_was_proposed, created_at FROM duplicate_resolutions
        WHERE group_key = ANY($1::text[]) AND undone_at IS NULL`,
      [groupKeys],
    );
    return new Map(rows.map((r) => [r.group_key, r]));
  }

  /**
   * Every present file with one of these contents, by path, with the metadata of its content. Copies with the same
   * bytes have the same tags and stream facts, so a copy the stage has not reached yet shows what another
   * copy gave; `metadata_status` is `read` when any copy was read, else this copy's own status.
   */
  membersOfContents(contentHashes: string[]): Promise<MemberRow[]> {
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
