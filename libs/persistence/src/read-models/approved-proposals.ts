import type { DataSource, EntityManager } from 'typeorm';

/**
 * The read contract of approved proposals, for the executor's planner (and anyone else who must read what
 * a person approved). It joins `proposals` (proposer) with `proposal_reviews` (gateway) and applies a
 * person's edits over the proposal. A row applies only while the file still has `contentHash`; the planner
 * must compare it with files.content_hash and skip (not move) a file whose content changed since.
 */
export interface ApprovedProposal {
  proposalId: string;
  fileId: string;
  /** The content the proposal and the approval were made for. */
  contentHash: string;
  /** Folder relative to the output root, `/`-separated, already validated; null: the file stays in its folder. */
  folder: string | null;
  /** File name with its original extension, already validated. */
  name: string;
  status: 'approved';
  /** The review's version (the proposal's ETag is `"<proposalId>.<version>"`); a plan records it. */
  version: number;
  approvedAt: Date;
}

export const APPROVED_PROPOSALS_SQL = `
  SELECT p.id AS proposal_id, p.file_id, p.content_hash,
         CASE WHEN r.folder_edited THEN r.edited_folder ELSE p.proposed_folder END AS folder,
         COALESCE(r.edited_name, p.proposed_name) AS name,
         r.version, r.decided_at
    FROM proposals p
    JOIN proposal_reviews r ON r.proposal_id = p.id
   WHERE r.decision = 'approved' AND p.status <> 'superseded'
     AND ($1::uuid IS NULL OR p.id > $1::uuid)
   ORDER BY p.id
   LIMIT $2`;

/** One page of approved proposals in id order (keyset: pass the last proposalId as `after`). */
export async function readApprovedProposals(
  db: DataSource | EntityManager,
  options: { after?: string; limit?: number } = {},
): Promise<ApprovedProposal[]> {
  const rows: {
    proposal_id: string;
    file_id: string;
    content_hash: string;
    folder: string | null;
    name: string;
    version: number;
    decided_at: Date;
  }[] = await db.query(APPROVED_PROPOSALS_SQL, [options.after ?? null, options.limit ?? 1000]);
  return rows.map((r) => ({
    proposalId: r.proposal_id,
    fileId: r.file_id,
    contentHash: r.content_hash.trim(),
    folder: r.folder,
    name: r.name,
    status: 'approved',
    version: r.version,
    approvedAt: r.decided_at,
  }));
}
