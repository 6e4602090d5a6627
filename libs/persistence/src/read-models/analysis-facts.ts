/**
 * `files.bpm` and `files.camelot`: the file list's read model of the analysis of a file's current content
 * (migration 1796500001000): the file_analysis row with the file's content hash and status `done`, else null.
 * Ingest keeps them whenever it hears of an analysis outcome (repeats included: a retried analysis announces
 * the same outcome again) and when a file enters a new round (new content has no analysis yet). The gateway's
 * file list walks the (path, id) index, which carries them, for its BPM and key filters, and still checks
 * file_analysis itself.
 */
/**
 * Sets the analysis facts of the files `where` selects (a condition on `files f`) from file_analysis; a file
 * whose facts are already right is not written, so running it again changes nothing.
 */
export function refreshAnalysisFactsSql(where: string): string {
  return `UPDATE files t SET bpm = x.bpm, camelot = x.camelot
      FROM (SELECT f.id, a.bpm, a.camelot FROM files f
              LEFT JOIN file_analysis a ON a.file_id = f.id AND a.content_hash = f.content_hash AND a.status = 'done'
             WHERE (${where})) x
     WHERE t.id = x.id AND (t.bpm, t.camelot) IS DISTINCT FROM (x.bpm, x.camelot)`;
}
