import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export const BPM_FROM = 60;
export const BPM_TO = 200;
export const BPM_BUCKET = 2;
export const SIZE_BANDS = [1 << 20, 10 << 20, 50 << 20, 200 << 20, 1024 << 20];

type Row = Record<string, string | number | null>;

/** Aggregates over files (ingest), file_analysis (analysis) and same_recording_matches (fingerprint). */
@Injectable()
export class LibraryOverviewRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  totals(): Promise<Row[]> {
    return this.db.query(`SELECT count(*) FILTER (WHERE missing_since IS NULL) AS files,
        coalesce(sum(size) FILTER (WHERE missing_since IS NULL), 0) AS bytes,
        count(*) FILTER (WHERE missing_since IS NOT NULL) AS missing
      FROM files`);
  }

  kinds(): Promise<Row[]> {
    return this.db.query(`SELECT kind, count(*) AS files, coalesce(sum(size), 0) AS bytes
      FROM files WHERE missing_since IS NULL GROUP BY kind ORDER BY kind`);
  }

  formats(): Promise<Row[]> {
    return this.db.query(`SELECT lower(ext) AS ext, count(*) AS files, coalesce(sum(size), 0) AS bytes
      FROM files WHERE missing_since IS NULL GROUP BY lower(ext) ORDER BY bytes DESC, ext`);
  }

  sizes(): Promise<Row[]> {
    return this.db.query(
      `SELECT width_bucket(size, $1::bigint[]) AS band, count(*) AS files
        FROM files WHERE missing_since IS NULL AND kind IN ('music', 'video') GROUP BY band ORDER BY band`,
      [SIZE_BANDS],
    );
  }

  bpm(): Promise<Row[]> {
    return this.db.query(
      `SELECT least(greatest(floor(a.bpm / $1) * $1, $2), $3 - $1) AS bucket, count(*) AS files
        FROM file_analysis a JOIN files f ON f.id = a.file_id AND f.content_hash = a.content_hash
        WHERE a.status = 'done' AND a.bpm IS NOT NULL AND f.missing_since IS NULL
        GROUP BY bucket ORDER BY bucket`,
      [BPM_BUCKET, BPM_FROM, BPM_TO],
    );
  }

  keys(): Promise<Row[]> {
    return this.db.query(`SELECT a.camelot, count(*) AS files
      FROM file_analysis a JOIN files f ON f.id = a.file_id AND f.content_hash = a.content_hash
      WHERE a.status = 'done' AND a.camelot IS NOT NULL AND f.missing_since IS NULL
      GROUP BY a.camelot`);
  }

  exactDuplicates(): Promise<Row[]> {
    return this.db.query(`SELECT count(*) AS groups, coalesce(sum(n - 1), 0) AS copies,
        coalesce(sum((n - 1) * size), 0) AS wasted
      FROM (SELECT content_hash, count(*) AS n, max(size) AS size FROM files
            WHERE missing_since IS NULL AND kind <> 'companion' AND copied_from_file_id IS NULL
            GROUP BY content_hash HAVING count(*) > 1) d`);
  }

  recordingPairs(): Promise<Row[]> {
    return this.db.query(`SELECT count(*) AS pairs FROM same_recording_matches`);
  }
}
