import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { hasAudio } from '@crateflow/contracts';
import { recordingFileView } from '../fingerprint/fingerprint.schemas';
import { RecordingFilesRepository } from '../fingerprint/recording-files.repository';
import { ProblemException } from '../http/problem';
import { FileReadRepository } from '../repositories/file.repository';
import { renderCueSheet } from './cue-sheet';
import { MixCandidateRepository, type MixCandidateRow } from './mix-candidates.repository';
import { MixIdentificationReadRepository, type MixIdentificationRow } from './mix-identification.repository';
import { MixRequestsRepository } from './mix-requests.repository';
import type { BulkIdentifyBody, MixIdentificationView } from './mixes.schemas';

/** Bulk requests without a list: files at least this long count as mixes. */
export const DEFAULT_MIX_MIN_DURATION_SEC = 20 * 60;
/** Bulk requests without a list take at most this many files. */
export const BULK_IDENTIFY_LIMIT = 1000;
/** Unknown stretches at least this long become their own `ID` track in a CUE sheet. */
const CUE_UNKNOWN_MIN_SEC = 30;

/** Mix identification: asks the fingerprint service for jobs and shows their stored timelines. */
@Injectable()
export class MixesService {
  constructor(
    private readonly candidates: MixCandidateRepository,
    private readonly identifications: MixIdentificationReadRepository,
    private readonly requests: MixRequestsRepository,
    private readonly recordings: RecordingFilesRepository,
    private readonly files: FileReadRepository,
  ) {}

  async identify(fileId: string): Promise<{ jobId: string; fileId: string; status: 'queued' }> {
    assertFileId(fileId);
    const [file] = await this.candidates.byIds([fileId]);
    if (!file) throw ProblemException.notFound(`No file ${fileId}.`);
    assertIdentifiable(file);
    return this.request(file.id);
  }

  async identifyMany(body: BulkIdentifyBody) {
    let ids: string[];
    if (body.fileIds) {
      const found = await this.candidates.byIds(body.fileIds);
      const byId = new Map(found.map((f) => [f.id, f]));
      const missing = body.fileIds.filter((id) => !byId.has(id));
      if (missing.length) {
        throw ProblemException.validation(
          missing.slice(0, 20).map((id) => ({ location: 'body', field: 'fileIds', message: `no file ${id}` })),
        );
      }
      for (const f of found) assertIdentifiable(f);
      ids = [...byId.keys()];
    } else {
      ids = await this.candidates.longerThan(body.minDurationSec ?? DEFAULT_MIX_MIN_DURATION_SEC, BULK_IDENTIFY_LIMIT);
    }
    const jobs = [];
    for (const id of ids) jobs.push(await this.request(id));
    return { jobs, count: jobs.length };
  }

  async identification(fileId: string): Promise<MixIdentificationView> {
    assertFileId(fileId);
    const row = await this.identifications.latest(fileId);
    if (!row) throw noIdentification(fileId);
    return this.view(row);
  }

  /**
   * Stops an identification: the given job (also one still queued, by the id its POST returned), or else the
   * newest running one of the mix. A finished job cannot be cancelled (409).
   */
  async cancel(fileId: string, jobId?: string): Promise<{ jobId: string; fileId: string; status: 'cancelling' }> {
    assertFileId(fileId);
    if (jobId !== undefined && !z.uuid().safeParse(jobId).success) {
      throw ProblemException.validation([{ location: 'query', field: 'jobId', message: 'must be a uuid' }]);
    }
    const [file] = await this.candidates.byIds([fileId]);
    if (!file) throw ProblemException.notFound(`No file ${fileId}.`);
    const row = jobId ? await this.identifications.job(fileId, jobId) : await this.identifications.latest(fileId);
    if (!jobId && !row) throw noIdentification(fileId);
    if (row && row.status !== 'running') {
      throw new ProblemException({
        status: HttpStatus.CONFLICT,
        detail: `The identification ${row.id} is ${row.status} and cannot be cancelled.`,
      });
    }
    const id = row?.id ?? jobId!;
    try {
      await this.requests.cancel(id, fileId);
    } catch {
      throw ProblemException.unavailable('The message bus did not accept the request; try again.');
    }
    return { jobId: id, fileId, status: 'cancelling' as const };
  }

  /** The newest finished timeline as a CUE sheet for the mix file. */
  async cueSheet(fileId: string): Promise<{ fileName: string; sheet: string }> {
    assertFileId(fileId);
    const row = await this.identifications.latestDone(fileId);
    if (!row) throw noIdentification(fileId);
    const [mix] = await this.candidates.byIds([fileId]);
    const view = await this.view(row);
    const tracks = view.entries.map((e) => ({
      startSec: e.startSec,
      performer: e.file?.artist ?? null,
      title: e.file?.title ?? null,
    }));
    for (const gap of view.unknown) {
      if (gap.endSec - gap.startSec >= CUE_UNKNOWN_MIN_SEC)
        tracks.push({ startSec: gap.startSec, performer: null, title: null });
    }
    const name = mix?.name ?? 'mix';
    return {
      fileName: name.replace(/\.[^.]*$/, '') + '.cue',
      sheet: renderCueSheet({
        fileName: name,
        performer: mix?.artist ?? null,
        title: mix?.title ?? null,
        tracks,
        comment: 'Tracks identified by Crateflow from audio fingerprints',
      }),
    };
  }

  private async request(fileId: string) {
    const jobId = randomUUID();
    try {
      await this.requests.request(jobId, fileId);
    } catch {
      throw ProblemException.unavailable('The message bus did not accept the request; try again.');
    }
    return { jobId, fileId, status: 'queued' as const };
  }

  private async view(row: MixIdentificationRow): Promise<MixIdentificationView> {
    const entries = row.entries ?? [];
    const files = await this.recordings.bestFileOfContents(
      entries.flatMap((e) => (e.via ? [e.contentHash, e.via.contentHash] : [e.contentHash])),
    );
    const file = await this.files.findById(row.file_id);
    return {
      jobId: row.id,
      fileId: row.file_id,
      status: row.status,
      current: !!file && file.content_hash.trim() === row.content_hash.trim(),
      processedSec: row.processed_sec,
      durationSec: row.duration_sec,
      failureReason: row.failure_reason,
      requestedAt: row.requested_at.toISOString(),
      startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      entries: entries.map((e, i) => {
        const f = files.get(e.contentHash);
        return {
          position: i + 1,
          startSec: e.startSec,
          endSec: e.endSec,
          start: clock(e.startSec),
          refStartSec: e.refStartSec,
          speed: e.speed,
          mode: e.mode,
          keySemitones: e.keySemitones ?? 0,
          confidence: e.confidence,
          contentHash: e.contentHash,
          file: f ? recordingFileView(f) : null,
          via: e.via
            ? {
                contentHash: e.via.contentHash,
                refStartSec: e.via.refStartSec,
                file: files.has(e.via.contentHash) ? recordingFileView(files.get(e.via.contentHash)!) : null,
              }
            : null,
        };
      }),
      unknown: row.unknown ?? [],
    };
  }
}

function assertFileId(id: string): void {
  if (!z.uuid().safeParse(id).success) throw ProblemException.notFound(`No file with id ${JSON.stringify(id)}.`);
}

function assertIdentifiable(file: MixCandidateRow): void {
  if (!hasAudio(file.kind)) {
    throw new ProblemException({
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      detail: `File ${file.id} is a ${file.kind} file; only music and video files have audio to identify.`,
    });
  }
  if (file.missing) {
    throw new ProblemException({
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      detail: `File ${file.id} is gone from disk; it cannot be identified until it is back.`,
    });
  }
}

function noIdentification(fileId: string): ProblemException {
  return ProblemException.notFound(
    `File ${fileId} has no finished identification yet; POST /api/v1/mixes/${fileId}/identify starts one.`,
  );
}

/** h:mm:ss (or m:ss under an hour), the way tracklists write times. */
export function clock(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
