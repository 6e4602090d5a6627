/**
 * `files.stage_flags`: the file list's read model of a file's stage statuses (migration 1796500000000). One
 * `stage:status` entry per stage whose recorded status is failed or skipped, whatever content it was recorded
 * for; empty for the other files. Ingest writes both tables and keeps the flags with every status it records
 * (in the same transaction); the gateway's file list walks only flagged files (files_stage_flags_path_idx)
 * for the stage and "problems" filters, and still checks the statuses themselves.
 */
const FLAGS = `coalesce((SELECT array_agg(s.stage || ':' || s.status ORDER BY s.stage, s.status)
    FROM file_stage_statuses s WHERE s.file_id = f.id AND s.status IN ('failed', 'skipped')), '{}')`;

/**
 * Sets the flags of the files `where` selects (a condition on `files f`) from their statuses; a file whose
 * flags are already right is not written, so running it again changes nothing.
 */
export function refreshStageFlagsSql(where: string): string {
  return `UPDATE files f SET stage_flags = ${FLAGS} WHERE (${where}) AND f.stage_flags IS DISTINCT FROM ${FLAGS}`;
}
