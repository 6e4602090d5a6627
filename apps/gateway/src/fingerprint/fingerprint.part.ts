import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { FINGERPRINT_ALGORITHM_VERSION } from '@crateflow/fingerprint';
import type { FileDetailPartSource } from '../repositories/file-detail-parts';
import type { FileRow } from '../repositories/file.repository';
import { recordingFileView, type FileFingerprintView } from './fingerprint.schemas';
import { RecordingFilesRepository } from './recording-files.repository';

interface FileFingerprintRow {
  content_hash: string;
  algorithm_version: number;
  status: 'done' | 'failed';
  failure_reason: string | null;
  duration_sec: number | null;
  landmark_postings: number | null;
  triplet_postings: number | null;
  fingerprinted_at: Date;
}

/** The `fingerprint` part of the file detail: a read model over `file_fingerprints` and `same_recording_matches`. */
@Injectable()
export class FingerprintPartSource implements FileDetailPartSource {
  readonly part = 'fingerprint' as const;

  constructor(
    @Inject('DataSource') private readonly db: DataSource,
    private readonly recordings: RecordingFilesRepository,
  ) {}

  async load(file: FileRow): Promise<FileFingerprintView | null> {
    if (file.kind === 'companion') return null;
    const rows: FileFingerprintRow[] = await this.db.query(
      `SELECT content_hash, algorithm_version, status, failure_reason, duration_sec, landmark_postings, triplet_postings,
              fingerprinted_at FROM file_fingerprints WHERE file_id = $1`,
      [file.id],
    );
    const row = rows[0];
    if (!row) return null;
    const hash = file.content_hash.trim();
    const others: { other: string; coverage: number }[] = await this.db.query(
      `SELECT other_content_hash AS other, coverage FROM same_recording_matches WHERE content_hash = $1
       UNION ALL
       SELECT content_hash, other_coverage FROM same_recording_matches WHERE other_content_hash = $1`,
      [hash],
    );
    const coverage = new Map(others.map((o) => [o.other.trim(), o.coverage]));
    const files = await this.recordings.bestFileOfContents([...coverage.keys()]);
    return {
      current: row.content_hash.trim() === hash && row.algorithm_version === FINGERPRINT_ALGORITHM_VERSION,
      status: row.status,
      failureReason: row.failure_reason,
      algorithmVersion: row.algorithm_version,
      fingerprintedAt: row.fingerprinted_at.toISOString(),
      durationSec: row.duration_sec,
      postings:
        row.landmark_postings === null || row.triplet_postings === null
          ? null
          : { landmark: row.landmark_postings, triplet: row.triplet_postings },
      sameRecording: [...coverage].flatMap(([h, c]) => {
        const f = files.get(h);
        return f && f.id !== file.id ? [{ ...recordingFileView(f), coverage: Math.round(c * 1000) / 1000 }] : [];
      }),
    };
  }
}
