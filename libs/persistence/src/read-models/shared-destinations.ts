/**
 * `proposals.destination_shared` (migration 1796600000000): the review list's read model of which pending
 * proposals head for a destination key that a pending proposal of another file has too. The list's collision
 * look-up for a pending, unedited proposal (another pending, unedited proposal with its key) can only find
 * something when the flag is set, so the list skips that look-up for the rest; it still runs the look-up
 * itself, so the flag only narrows. It is set, never cleared: a proposal that stops sharing its key (the other
 * one superseded) keeps it, which costs a look-up and changes no result.
 *
 * The proposer keeps it when it inserts a pending proposal, holding the key's advisory lock, so two proposals
 * with one key written at the same moment by two replicas are flagged by whichever commits second.
 */

/** Flags the pending proposals with key `$1` when two files' pending proposals have it; repeats change nothing. */
export const MARK_SHARED_DESTINATION_SQL = `UPDATE proposals SET destination_shared = true
   WHERE destination_key = $1 AND status = 'pending' AND NOT destination_shared
     AND (SELECT count(DISTINCT file_id) FROM proposals WHERE destination_key = $1 AND status = 'pending') > 1`;

/** Flags every pending proposal whose key another file's pending proposal has (a backfill, tests, benches). */
export const MARK_ALL_SHARED_DESTINATIONS_SQL = `UPDATE proposals SET destination_shared = true
   WHERE status = 'pending' AND NOT destination_shared AND destination_key IN (
     SELECT destination_key FROM proposals WHERE status = 'pending'
      GROUP BY destination_key HAVING count(DISTINCT file_id) > 1)`;
