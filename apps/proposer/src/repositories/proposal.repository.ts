import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ProposalGenerationCounts, ProposalSource } from '@crateflow/contracts';
import { MARK_SHARED_DESTINATION_SQL } from '@crateflow/persistence';

export interface NewProposal {
  fileId: string;
  contentHash: string;
  generationId: string | null;
  status: 'pending' | 'invalid';
  source: ProposalSource;
  model: string | null;
  originalPath: string;
  proposedFolder: string | null;
  proposedName: string;
  destinationKey: string;
  confidence: number;
  facts: Record<string, unknown>;
  reason: string;
  context: Record<string, unknown>;
  invalidReason: string | null;
  diskCollision: string | null;
}

export interface LiveProposal {
  id: string;
  contentHash: string;
  /** A person approved or rejected it (then a generation never replaces it). */
  decided: boolean;
}

export interface Occupant {
  fileId: string;
  contentHash: string;
  path: string;
}

/** JSON for a jsonb column: Postgres refuses \u0000 in jsonb, and the context holds untrusted text. */
const json = (v: unknown) => JSON.stringify(v).replace(/\\u0000/g, '');

/**
 * `proposals` and `proposal_generations`, written only by the proposer. Reads `proposal_reviews` (the
 * gateway's) to know which proposals a person has decided, and which destinations are taken.
 */
export class ProposalRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(fn: (tx: ProposalRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(new ProposalRepository(m as unknown as DataSource)));
  }

  private get q(): DataSource | EntityManager {
    return this.db;
  }

  /**
   * When `fileId` has a tagged artist: the other files of its recording (another encoding, or the same
   * bytes) whose pending proposal named no artist and that no person has touched. They were proposed
   * before this tagged copy was known and can be named after it now. At most 20.
   */
  async namelessSiblingsOf(fileId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.q.query(
      `WITH me AS (
              SELECT f.content_hash FROM files f
                JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash AND m.status = 'read'
               WHERE f.id = $1 AND m.artist IS NOT NULL),
            hashes AS (
              SELECT s.other_content_hash AS hash FROM me JOIN same_recording_matches s ON s.content_hash = me.content_hash
              UNION
              SELECT s.content_hash FROM me JOIN same_recording_matches s ON s.other_content_hash = me.content_hash
              UNION
              SELECT content_hash FROM me)
       SELECT f.id FROM hashes h
         JOIN files f ON f.content_hash = h.hash AND f.id <> $1 AND f.missing_since IS NULL
         JOIN proposals p ON p.file_id = f.id AND p.content_hash = f.content_hash AND p.status = 'pending'
        WHERE p.facts->>'artist' IS NULL
          AND NOT EXISTS (SELECT 1 FROM proposal_reviews r WHERE r.proposal_id = p.id)
        ORDER BY f.id
        LIMIT 20`,
      [fileId],
    );
    return rows.map((r) => r.id);
  }

  async liveFor(fileId: string): Promise<LiveProposal | null> {
    const rows: { id: string; content_hash: string; decision: string | null }[] = await this.q.query(
      `SELECT p.id, p.content_hash, r.decision FROM proposals p
         LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
        WHERE p.file_id = $1 AND p.status <> 'superseded'`,
      [fileId],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          contentHash: r.content_hash.trim(),
          decided: r.decision === 'approved' || r.decision === 'rejected',
        }
      : null;
  }

  /**
   * Who else is headed for this destination key: live proposals of other files that are pending or
   * approved (a person's edited destination counts instead of the proposed one).
   */
  async occupantsOf(key: string, exceptFileId: string): Promise<Occupant[]> {
    // Two indexed look-ups: proposals headed there unedited, and edits headed there (an invalid proposal a
    // person edited into a valid one counts too).
    const rows: { file_id: string; content_hash: string; original_path: string }[] = await this.q.query(
      `SELECT p.file_id, p.content_hash, p.original_path FROM proposals p
         LEFT JOIN proposal_reviews r ON r.proposal_id = p.id
        WHERE p.destination_key = $1 AND p.status = 'pending' AND p.file_id <> $2
          AND r.destination_key IS NULL AND COALESCE(r.decision, 'pending') <> 'rejected'
       UNION ALL
       SELECT p.file_id, p.content_hash, p.original_path FROM proposal_reviews r
         JOIN proposals p ON p.id = r.proposal_id
        WHERE r.destination_key = $1 AND p.status <> 'superseded' AND p.file_id <> $2 AND r.decision <> 'rejected'
       LIMIT 5`,
      [key, exceptFileId],
    );
    return rows.map((r) => ({ fileId: r.file_id, contentHash: r.content_hash.trim(), path: r.original_path }));
  }

  /**
   * Serialises proposals headed for one destination until the transaction ends, so two files handled at
   * the same moment (two messages, two replicas) cannot both claim it unseen.
   */
  async lockDestination(key: string): Promise<void> {
    await this.q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 11))`, [key]);
  }

  /** Marks the file's live proposal superseded (a newer one follows in the same transaction). */
  async supersede(proposalId: string): Promise<void> {
    await this.q.query(`UPDATE proposals SET status = 'superseded' WHERE id = $1 AND status <> 'superseded'`, [
      proposalId,
    ]);
  }

  async insert(p: NewProposal): Promise<string> {
    const id = randomUUID();
    await this.q.query(
      `INSERT INTO proposals (id, file_id, content_hash, generation_id, status, source, model, original_path,
                              proposed_folder, proposed_name, destination_key, confidence, facts, reason, context,
                              invalid_reason, disk_collision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        id,
        p.fileId,
        p.contentHash,
        p.generationId,
        p.status,
        p.source,
        p.model,
        p.originalPath,
        p.proposedFolder,
        p.proposedName,
        p.destinationKey,
        p.confidence,
        json(p.facts),
        p.reason.slice(0, 2000),
        json(p.context),
        p.invalidReason,
        p.diskCollision,
      ],
    );
    if (p.status === 'pending') {
      // The review list's read model of shared destinations (proposals.destination_shared), under the key's
      // lock: the store may have moved a copy to a key it did not lock, and two proposals written with one key
      // at once must not both miss each other.
      await this.lockDestination(p.destinationKey);
      await this.q.query(MARK_SHARED_DESTINATION_SQL, [p.destinationKey]);
    }
    return id;
  }

  /** Eligible files for "every eligible file", in id order (keyset), current content only. */
  async eligibleFileIds(after: string | null, limit: number, regenerate: boolean): Promise<string[]> {
    const rows: { id: string }[] = await this.q.query(
      `SELECT f.id FROM files f
        WHERE f.kind IN ('music', 'video') AND f.missing_since IS NULL
          AND f.state IN ('ANALYZED', 'PROPOSAL_GENERATED')
          AND ($1::uuid IS NULL OR f.id > $1::uuid)
          AND ($3::boolean OR NOT EXISTS (
                SELECT 1 FROM proposals p WHERE p.file_id = f.id AND p.status <> 'superseded'
                   AND p.content_hash = f.content_hash))
        ORDER BY f.id LIMIT $2`,
      [after, limit, regenerate],
    );
    return rows.map((r) => r.id);
  }

  async generationStarted(id: string, requestedFiles: number | null): Promise<void> {
    await this.q.query(
      `INSERT INTO proposal_generations (id, status, requested_files, counts, started_at)
       VALUES ($1, 'running', $2, $3, now())
       ON CONFLICT (id) DO UPDATE SET status = 'running', updated_at = now()
       WHERE proposal_generations.status = 'running'`,
      [id, requestedFiles, json({ eligible: 0, generated: 0, unchanged: 0, skipped: 0, failed: 0 })],
    );
  }

  async generationStatus(id: string): Promise<string | null> {
    const rows: { status: string }[] = await this.q.query(`SELECT status FROM proposal_generations WHERE id = $1`, [
      id,
    ]);
    return rows[0]?.status ?? null;
  }

  async generationProgress(id: string, counts: ProposalGenerationCounts): Promise<void> {
    await this.q.query(`UPDATE proposal_generations SET counts = $2, updated_at = now() WHERE id = $1`, [
      id,
      json(counts),
    ]);
  }

  async generationFinished(
    id: string,
    status: 'completed' | 'failed',
    counts: ProposalGenerationCounts,
    error?: string,
  ): Promise<void> {
    await this.q.query(
      `UPDATE proposal_generations SET status = $2, counts = $3, error = $4, finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, status, json(counts), error?.slice(0, 2000) ?? null],
    );
  }
}
