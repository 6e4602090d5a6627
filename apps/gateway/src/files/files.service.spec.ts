import type { FileDetailPartSource } from '../repositories/file-detail-parts';
import { detailPartSources } from '../repositories/file-detail-parts';
import type { FileHistoryReadRepository } from '../repositories/file-history.repository';
import type { FileReadRepository, FileRow } from '../repositories/file.repository';
import type { FileStageStatusReadRepository } from '../repositories/file-stage-status.repository';
import { ProblemException } from '../http/problem';
import { FilesService, stageViews } from './files.service';

const ID = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';
const HASH = 'ab'.repeat(32);

const row: FileRow = {
  id: ID,
  root: '/music',
  path: '/music/a.flac',
  name: 'a.flac',
  kind: 'music',
  size: '1234',
  mtime_ms: 1700000000000.5,
  content_hash: HASH,
  state: 'METADATA_EXTRACTED',
  missing_since: null,
  path_is_utf8: true,
  created_at: new Date(0),
  updated_at: new Date(0),
};

function service(parts: FileDetailPartSource[], found: FileRow | null = row) {
  const files = { findById: jest.fn().mockResolvedValue(found) } as unknown as FileReadRepository;
  const statuses = { forFile: jest.fn().mockResolvedValue([]) } as unknown as FileStageStatusReadRepository;
  const history = { latest: jest.fn().mockResolvedValue([]) } as unknown as FileHistoryReadRepository;
  return new FilesService(files, statuses, history, detailPartSources(parts));
}

describe('FilesService.get', () => {
  it('fills each part from its source and leaves the rest null', async () => {
    const tags: FileDetailPartSource = { part: 'tags', load: async (f) => ({ title: `tags of ${f.name}` }) };
    const detail = await service([tags]).get(ID);
    expect(detail.tags).toEqual({ title: 'tags of a.flac' });
    expect([detail.analysis, detail.fingerprint, detail.companions, detail.proposal]).toEqual([null, null, null, null]);
    expect(detail.file).toMatchObject({ id: ID, size: 1234, mtime: '2023-11-14T22:13:20.000Z', contentHash: HASH });
  });

  it("shows a copy the executor made with its original's tags, analysis, fingerprint and stages, and its own companions", async () => {
    const COPY = '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const copy: FileRow = { ...row, id: COPY, root: '/out', path: '/out/A/a.flac', copied_from_file_id: ID };
    const byId = new Map([
      [ID, row],
      [COPY, copy],
    ]);
    const files = {
      findById: jest.fn(async (id: string) => byId.get(id) ?? null),
    } as unknown as FileReadRepository;
    const forFile = jest
      .fn()
      .mockResolvedValue([
        { stage: 'metadata', status: 'done', content_hash: HASH, reason: null, attempts: 1, updated_at: new Date(0) },
      ]);
    const statuses = { forFile } as unknown as FileStageStatusReadRepository;
    const history = { latest: jest.fn().mockResolvedValue([]) } as unknown as FileHistoryReadRepository;
    const load = (part: FileDetailPartSource['part']): FileDetailPartSource => ({
      part,
      load: async (f) => ({ of: f.id, hash: f.content_hash }),
    });
    const s = new FilesService(
      files,
      statuses,
      history,
      detailPartSources(['tags', 'analysis', 'fingerprint', 'companions', 'proposal'].map((p) => load(p as never))),
    );
    const detail = await s.get(COPY);
    expect(detail.file).toMatchObject({
      id: COPY,
      path: '/out/A/a.flac',
      copiedFrom: { id: ID, path: '/music/a.flac' },
    });
    for (const part of [detail.tags, detail.analysis, detail.fingerprint]) expect(part).toEqual({ of: ID, hash: HASH });
    expect([detail.companions, detail.proposal]).toEqual([
      { of: COPY, hash: HASH },
      { of: COPY, hash: HASH },
    ]);
    expect(forFile).toHaveBeenCalledWith(ID);
    expect(detail.stages[0]).toMatchObject({ stage: 'metadata', status: 'done', current: true });

    // A file that is no copy has copiedFrom null; a copy whose original left the catalogue keeps its own (empty) facts.
    expect((await s.get(ID)).file.copiedFrom).toBeNull();
    byId.delete(ID);
    const orphan = await s.get(COPY);
    expect(orphan.file.copiedFrom).toEqual({ id: ID, path: null, missingSince: null });
    expect(orphan.tags).toEqual({ of: COPY, hash: HASH });
  });

  it('answers 404 for an unknown or malformed id without asking the database about the malformed one', async () => {
    await expect(service([], null).get(ID)).rejects.toBeInstanceOf(ProblemException);
    const s = service([]);
    await expect(s.get("1' OR '1'='1")).rejects.toMatchObject({ detail: expect.stringContaining('No file') });
  });
});

describe('stageViews', () => {
  it('lists every stage in order, pending without a record, and flags statuses about older content', () => {
    const views = stageViews({ content_hash: HASH }, [
      {
        stage: 'analysis',
        status: 'failed',
        content_hash: 'cd'.repeat(32),
        reason: 'decoder crashed',
        attempts: 3,
        updated_at: new Date(0),
      },
      { stage: 'metadata', status: 'done', content_hash: HASH, reason: null, attempts: 1, updated_at: new Date(0) },
    ]);
    expect(views.map((v) => [v.stage, v.status, v.current])).toEqual([
      ['metadata', 'done', true],
      ['fingerprint', 'pending', true],
      ['analysis', 'failed', false],
      ['proposer', 'pending', true],
    ]);
  });
});
