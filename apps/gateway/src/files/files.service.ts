import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { compatibleCamelot } from '@crateflow/analysis';
import { PIPELINE_STAGES } from '@crateflow/contracts';
import { cursorCodec, toPage, type Page } from '../http/cursor';
import { ProblemException } from '../http/problem';
import { FILE_DETAIL_PART_SOURCES, type FileDetailPartSource } from '../repositories/file-detail-parts';
import { FileHistoryReadRepository, type FileHistoryRow } from '../repositories/file-history.repository';
import { FileReadRepository, type FileFilter, type FileListRow, type FileRow } from '../repositories/file.repository';
import { FileStageStatusReadRepository, type StageStatusRow } from '../repositories/file-stage-status.repository';
import {
  FileCursorSchema,
  type FileDetail,
  type FileDetailPartName,
  type FileHistoryEntryView,
  type FileListItem,
  type FileSort,
  type FileView,
  type ListFilesQuery,
  type StageStatusView,
} from './file.schemas';

export const HISTORY_LIMIT = 100;

/** The parts that describe a file's content (a copy shows its original's); the others are the file's own. */
const CONTENT_PARTS = new Set<FileDetailPartName>(['tags', 'analysis', 'fingerprint']);

const fileCursor = cursorCodec(FileCursorSchema);
const isUuid = (id: string) => z.uuid().safeParse(id).success;

@Injectable()
export class FilesService {
  constructor(
    private readonly files: FileReadRepository,
    private readonly stageStatuses: FileStageStatusReadRepository,
    private readonly history: FileHistoryReadRepository,
    @Inject(FILE_DETAIL_PART_SOURCES) private readonly parts: FileDetailPartSource[],
  ) {}

  async list(query: ListFilesQuery): Promise<Page<FileListItem>> {
    const after = query.cursor === undefined ? undefined : keysetOf(fileCursor.decode(query.cursor), query.sort);
    const filter: FileFilter = {
      state: query.state,
      kind: query.kind,
      missing: query.missing,
      text: query.q,
      stage: query.stage && query.stageStatus ? { stage: query.stage, status: query.stageStatus } : undefined,
      bpm:
        query.bpmMin !== undefined || query.bpmMax !== undefined ? { min: query.bpmMin, max: query.bpmMax } : undefined,
      camelot:
        query.camelot === undefined
          ? undefined
          : query.camelotCompatible
            ? compatibleCamelot(query.camelot)
            : [query.camelot],
      duplicates: query.duplicates,
      problems: query.problems,
    };
    const rows = await this.files.list(filter, after, query.limit + 1, {
      sort: query.sort,
      descending: query.order === 'desc',
    });
    return toPage(rows, query.limit, fileCursor, (r) => cursorOf(r, query.sort), listRow);
  }

  async get(id: string): Promise<FileDetail> {
    if (!isUuid(id)) throw ProblemException.notFound(`No file with id ${JSON.stringify(id)}.`);
    const row = await this.files.findById(id);
    if (!row) throw ProblemException.notFound(`No file with id ${id}.`);
    // A copy the executor made is not read, fingerprinted or analysed again (its bytes were verified equal to
    // its original's): the facts about its content are its original's, looked up under the original's id and
    // judged against the copy's own content hash. Its companions and proposal are its own.
    const original = row.copied_from_file_id ? await this.files.findById(row.copied_from_file_id) : null;
    const factsOf: FileRow = original ? { ...original, kind: row.kind, content_hash: row.content_hash } : row;
    const [statuses, history, parts] = await Promise.all([
      this.stageStatuses.forFile(factsOf.id),
      this.history.latest(id, HISTORY_LIMIT),
      Promise.all(
        this.parts.map(
          async (source) => [source.part, await source.load(CONTENT_PARTS.has(source.part) ? factsOf : row)] as const,
        ),
      ),
    ]);
    const byPart = Object.fromEntries(parts) as Record<FileDetailPartName, unknown>;
    return {
      file: {
        ...fileView(row),
        copiedFrom: row.copied_from_file_id
          ? {
              id: row.copied_from_file_id,
              path: original?.path ?? null,
              missingSince: original?.missing_since?.toISOString() ?? null,
            }
          : null,
      },
      stages: stageViews(factsOf, statuses),
      history: history.map(historyView),
      tags: byPart.tags ?? null,
      analysis: byPart.analysis ?? null,
      fingerprint: byPart.fingerprint ?? null,
      companions: byPart.companions ?? null,
      proposal: byPart.proposal ?? null,
    };
  }
}

type FileCursor = z.output<typeof FileCursorSchema>;

/** The (value, id) keyset of a cursor; a cursor made for another order is refused. */
function keysetOf(cursor: FileCursor, sort: FileSort): [string | number, string] {
  if (cursor.length === 2 && sort === 'path') return [cursor[0], cursor[1]];
  if (cursor.length === 3 && cursor[0] === sort) return [cursor[1], cursor[2]];
  throw ProblemException.validation([
    { location: 'query', field: 'cursor', message: 'cursor belongs to another sort order; start from the first page' },
  ]);
}

function cursorOf(row: FileListRow, sort: FileSort): FileCursor {
  if (sort === 'path') return [row.path, row.id];
  const key = row.sort_key;
  return [sort, typeof key === 'string' && sort !== 'artist' && sort !== 'title' ? Number(key) : (key ?? ''), row.id];
}

const numberOrNull = (v: string | number | null) => (v === null || v === undefined ? null : Number(v));

function listRow(row: FileListRow): FileListItem {
  return {
    ...listItem(row),
    artist: row.artist,
    title: row.title,
    durationSec: numberOrNull(row.duration_sec),
    bpm: numberOrNull(row.bpm),
    camelot: row.camelot,
    energy: row.energy,
    problems: row.problems ?? [],
  };
}

function listItem(row: FileRow) {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    kind: row.kind,
    size: Number(row.size),
    mtime: new Date(row.mtime_ms).toISOString(),
    state: row.state,
    missingSince: row.missing_since?.toISOString() ?? null,
    pathIsUtf8: row.path_is_utf8,
  };
}

function fileView(row: FileRow): Omit<FileView, 'copiedFrom'> {
  return {
    ...listItem(row),
    root: row.root,
    contentHash: row.content_hash.trim(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** One entry per pipeline stage in order; a stage with no record of the file has it pending. */
export function stageViews(file: Pick<FileRow, 'content_hash'>, rows: StageStatusRow[]): StageStatusView[] {
  const byStage = new Map(rows.map((r) => [r.stage, r]));
  return PIPELINE_STAGES.map((stage) => {
    const row = byStage.get(stage);
    if (!row) return { stage, status: 'pending', reason: null, attempts: 0, updatedAt: null, current: true };
    return {
      stage,
      status: row.status,
      reason: row.reason,
      attempts: row.attempts,
      updatedAt: row.updated_at.toISOString(),
      current: row.content_hash.trim() === file.content_hash.trim(),
    };
  });
}

function historyView(row: FileHistoryRow): FileHistoryEntryView {
  return {
    id: row.id,
    event: row.event,
    fromState: row.from_state,
    toState: row.to_state,
    detail: row.detail,
    at: row.at.toISOString(),
  };
}
