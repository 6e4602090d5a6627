import { chooseCanonical, tagCompleteness, type CanonicalChoice, type TagCompleteness } from '@crateflow/duplicates';
import type { ActiveResolutionRow, GroupIndexEntry, MemberRow } from './duplicate-group.repository';
import type { DuplicateComparisonView, DuplicateGroupView } from './duplicates.schemas';

type Roles = ReadonlyMap<string, 'canonical' | 'duplicate'>;

export interface RankedGroup {
  entry: GroupIndexEntry;
  /** The resolution in force, if any. */
  resolution: ActiveResolutionRow | null;
  /** The present copies, read now. */
  members: MemberRow[];
  completeness: Map<string, TagCompleteness>;
  choice: CanonicalChoice;
}

const bpm = (m: MemberRow) => (m.bpm_tag === null ? null : Number(m.bpm_tag));

export function completenessOf(m: MemberRow): TagCompleteness {
  return tagCompleteness({
    artist: m.artist,
    title: m.title,
    album: m.album,
    albumArtist: m.album_artist,
    trackNo: m.track_no,
    year: m.year,
    genres: m.genres ?? (m.genre ? [m.genre] : []),
    label: m.label,
    isrc: m.isrc,
    bpm: bpm(m),
    initialKey: m.key_tag,
    hasCoverArt: m.has_cover,
  });
}

/** The canonical proposal for a group by the shared rules (lossless, bitrate, tags, shorter path). */
export function rankGroup(
  entry: GroupIndexEntry,
  resolution: ActiveResolutionRow | null,
  members: MemberRow[],
): RankedGroup {
  const completeness = new Map(members.map((m) => [m.id, completenessOf(m)]));
  const choice = chooseCanonical(
    members.map((m) => ({
      id: m.id,
      path: m.path,
      lossless: m.lossless,
      bitrate: m.bitrate,
      tagCompleteness: completeness.get(m.id)!.score,
      codec: m.codec,
    })),
  );
  return { entry, resolution, members, completeness, choice };
}

export function groupView(group: RankedGroup, roles: Roles | undefined): DuplicateGroupView {
  const { entry, resolution, choice } = group;
  const order = new Map(choice.ranking.map((id, i) => [id, i]));
  const members = [...group.members].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return {
    key: entry.key,
    kind: entry.kind,
    contentHash: entry.contentHash,
    memberCount: members.length,
    size: entry.kind === 'exact' ? entry.size : Math.max(0, ...members.map((m) => Number(m.size))),
    // What setting the others aside would free: every member but the proposed canonical one.
    redundantBytes:
      entry.kind === 'exact'
        ? entry.size * (members.length - 1)
        : members.reduce((sum, m) => sum + (m.id === choice.canonicalId ? 0 : Number(m.size)), 0),
    status: resolution ? 'resolved' : 'unresolved',
    members: members.map((m) => ({
      fileId: m.id,
      path: m.path,
      name: m.name,
      kind: m.kind,
      size: Number(m.size),
      state: m.state,
      metadata: m.metadata_status ?? 'pending',
      lossless: m.lossless,
      bitrate: m.bitrate,
      codec: m.codec,
      tagCompleteness: group.completeness.get(m.id)!,
      role: roles?.get(m.id) ?? null,
    })),
    proposal: {
      canonicalFileId: choice.canonicalId,
      ranking: choice.ranking,
      reasons: choice.comparisons.map((c) => ({ fileId: c.otherId, decidedBy: c.decidedBy, reason: c.reason })),
    },
    resolution: resolution
      ? {
          id: resolution.id,
          canonicalFileId: resolution.canonical_file_id,
          canonicalWasProposed: resolution.canonical_was_proposed,
          resolvedAt: resolution.created_at.toISOString(),
        }
      : null,
  };
}

function comparedTags(m: MemberRow) {
  return {
    artist: m.artist,
    artists: m.artists ?? [],
    title: m.title,
    album: m.album,
    albumArtist: m.album_artist,
    trackNo: m.track_no,
    trackOf: m.track_of,
    discNo: m.disc_no,
    discOf: m.disc_of,
    year: m.year,
    genre: m.genre,
    label: m.label,
    isrc: m.isrc,
    bpm: bpm(m),
    key: m.key_tag,
    comment: m.comment,
  };
}

function comparedStream(m: MemberRow) {
  return {
    durationSec: m.duration_sec,
    bitrate: m.bitrate,
    sampleRate: m.sample_rate,
    channels: m.channels,
    bitsPerSample: m.bits_per_sample,
    codec: m.codec,
    container: m.container,
    lossless: m.lossless,
    hasCover: m.has_cover,
  };
}

/** Side by side: every member's tags and stream facts, and which fields differ among the members that were read. */
export function comparisonView(group: RankedGroup, roles: Roles | undefined): DuplicateComparisonView {
  const base = groupView(group, roles);
  const byId = new Map(group.members.map((m) => [m.id, m]));
  const members = base.members.map((member) => {
    const row = byId.get(member.fileId)!;
    const read = row.metadata_status === 'read';
    return {
      ...member,
      tags: read ? comparedTags(row) : null,
      stream: read ? comparedStream(row) : null,
      failureReason: row.metadata_status === 'failed' ? row.failure_reason : null,
    };
  });
  const read = members.filter((m) => m.tags !== null);
  const differences: string[] = [];
  for (const part of ['tags', 'stream'] as const) {
    const fields = Object.keys(read[0]?.[part] ?? {});
    for (const field of fields) {
      const values = new Set(read.map((m) => JSON.stringify((m[part] as Record<string, unknown>)[field])));
      if (values.size > 1) differences.push(`${part}.${field}`);
    }
  }
  return { ...base, members, differences };
}
