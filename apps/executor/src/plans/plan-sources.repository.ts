import type { DataSource } from 'typeorm';
import { readApprovedProposals, type ApprovedProposal } from '@crateflow/persistence';

export interface KnownFile {
  id: string;
  root: string;
  pathKey: Buffer;
  size: number;
  mtimeMs: number;
  contentHash: string;
  missing: boolean;
  kind: string;
}

/**
 * What a plan is made from, read through other services' read contracts: approved proposals (proposer +
 * gateway), files (ingest) and companion links (metadata). The executor never writes these tables.
 */
export class PlanSourcesRepository {
  constructor(private readonly db: DataSource) {}

  async approvedProposals(only?: ReadonlySet<string>): Promise<ApprovedProposal[]> {
    const out: ApprovedProposal[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await readApprovedProposals(this.db, { after, limit: 1000 });
      out.push(...page.filter((p) => !only || only.has(p.proposalId)));
      if (page.length < 1000) return out;
      after = page[page.length - 1].proposalId;
    }
  }

  async files(ids: string[]): Promise<Map<string, KnownFile>> {
    const rows: Record<string, unknown>[] = ids.length
      ? await this.db.query(
          `SELECT id, root, path_key, size, mtime_ms, content_hash, missing_since, kind FROM files WHERE id = ANY($1::uuid[])`,
          [ids],
        )
      : [];
    return new Map(
      rows.map((r) => [
        r.id as string,
        {
          id: r.id as string,
          root: r.root as string,
          pathKey: r.path_key as Buffer,
          size: Number(r.size),
          mtimeMs: Number(r.mtime_ms),
          contentHash: (r.content_hash as string).trim(),
          missing: r.missing_since !== null,
          kind: r.kind as string,
        },
      ]),
    );
  }

  /** Companions of the given media files, with how many media files each companion belongs to. */
  async companionsOf(
    mediaIds: string[],
  ): Promise<{ mediaFileId: string; companionFileId: string; reason: string; sharedWith: number }[]> {
    if (!mediaIds.length) return [];
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT l.media_file_id, l.companion_file_id, l.reason,
              (SELECT count(*)::int FROM companion_links o WHERE o.companion_file_id = l.companion_file_id) AS links
         FROM companion_links l WHERE l.media_file_id = ANY($1::uuid[])`,
      [mediaIds],
    );
    return rows.map((r) => ({
      mediaFileId: r.media_file_id as string,
      companionFileId: r.companion_file_id as string,
      reason: r.reason as string,
      sharedWith: r.links as number,
    }));
  }
}
