import { randomBytes, randomUUID } from 'node:crypto';
import { ANALYSIS_VERSION } from '@crateflow/analysis';
import { refreshAnalysisFactsSql } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { gatewayService } from '../main';
import type { FileAnalysisView } from './analysis.schemas';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';

/** The analysis part of GET /api/v1/files/{id} and the BPM/Camelot filters of GET /api/v1/files, through the real gateway and database. */
describe('file analysis in the API', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let gateway: RunningService;
  const H = (c: string) => c.repeat(64);
  // name → [bpm, camelot] of the stored analysis (null: not analysed)
  const tracks: [string, number | null, string | null][] = [
    ['a-roller.flac', 174, '11A'],
    ['b-techno.flac', 128, '8A'],
    ['c-house.flac', 124, '7A'],
    ['d-house.flac', 126, '9A'],
    ['e-pop.flac', 120, '8B'],
    ['f-deep.flac', 122, '3A'],
    ['g-slow.flac', 87, '8A'],
    ['h-unanalysed.flac', null, null],
    ['i-failed.flac', null, null],
    ['j-changed.flac', 127, '8A'],
  ];
  const ids = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase('analysisapi');
    for (const [name, bpm, camelot] of tracks) {
      const id = randomUUID();
      ids.set(name, id);
      const path = `/lib/Tracks/${name}`;
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
         VALUES ($1, '/lib', $2, convert_to($2, 'UTF8'), convert_to('/lib/Tracks', 'UTF8'), $3, 'flac', 'music', 10, 1, $4, $5, $5)`,
        [id, path, name, H('a'), randomUUID()],
      );
      if (bpm !== null) {
        // j-changed was analysed for content the file no longer has: it matches no filter.
        const hash = name === 'j-changed.flac' ? H('9') : H('a');
        const result = {
          analysisVersion: ANALYSIS_VERSION,
          bpm: { measurable: true, bpm, confidence: 0.9 },
          key: { measurable: true, camelot },
          tags: name === 'b-techno.flac' ? bpmKeyTags : undefined,
        };
        await db.dataSource.query(
          `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot, key, lufs, energy, tags_disagree, result)
           VALUES ($1, $2, $3, 'done', $4, $5, 'some key', -8.5, 8, $6, $7)`,
          [id, hash, ANALYSIS_VERSION, bpm, camelot, name === 'b-techno.flac', JSON.stringify(result)],
        );
      }
    }
    await db.dataSource.query(
      `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, failure_reason)
       VALUES ($1, $2, $3, 'failed', 'undecodable: Invalid data found when processing input')`,
      [ids.get('i-failed.flac'), H('a'), ANALYSIS_VERSION],
    );
    // Ingest keeps files.bpm and camelot with every analysis outcome; these rows were written directly.
    await db.dataSource.query(refreshAnalysisFactsSql('TRUE'));
    gateway = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
      CRATEFLOW_API_TOKEN: randomBytes(24).toString('hex'),
      CRATEFLOW_UI_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  const bpmKeyTags = {
    bpm: { tag: 64, measured: 128, verdict: 'octave', differencePercent: -50 },
    key: { tag: 'Dm', tagCamelot: '7A', measuredCamelot: '8A', verdict: 'fifth' },
    disagreement: true,
  };

  const analysisOf = async (name: string): Promise<FileAnalysisView | null> => {
    const res = await fetch(`${gateway.url}/api/v1/files/${ids.get(name)}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { analysis: FileAnalysisView | null }).analysis;
  };

  /** Every page of the list for a query, `limit` at a time: the names in order. */
  const listAll = async (query: string, limit = 2): Promise<string[]> => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const url = `${gateway.url}/api/v1/files?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { name: string }[]; nextCursor: string | null };
      names.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor;
    } while (cursor);
    return names;
  };

  it('shows the stored analysis with the measured-vs-tags disagreement', async () => {
    const a = await analysisOf('b-techno.flac');
    expect(a).toMatchObject({
      current: true,
      status: 'done',
      failureReason: null,
      analysisVersion: ANALYSIS_VERSION,
      bpm: 128,
      camelot: '8A',
      lufs: -8.5,
      energy: 8,
      tags: { disagreement: true, bpm: bpmKeyTags.bpm, key: bpmKeyTags.key },
    });
    expect(a!.result).toMatchObject({ bpm: { bpm: 128, confidence: 0.9 } });
    expect((await analysisOf('a-roller.flac'))?.tags).toBeNull();
    expect(await analysisOf('i-failed.flac')).toMatchObject({
      status: 'failed',
      failureReason: 'undecodable: Invalid data found when processing input',
      bpm: null,
      result: null,
    });
    expect((await analysisOf('j-changed.flac'))?.current).toBe(false);
    expect(await analysisOf('h-unanalysed.flac')).toBeNull();
  });

  it('filters by BPM range and Camelot key, page by page', async () => {
    expect(await listAll('bpmMin=122&bpmMax=128')).toEqual([
      'b-techno.flac',
      'c-house.flac',
      'd-house.flac',
      'f-deep.flac',
    ]);
    expect(await listAll('bpmMin=170')).toEqual(['a-roller.flac']);
    expect(await listAll('bpmMax=100')).toEqual(['g-slow.flac']);
    expect(await listAll('camelot=8A')).toEqual(['b-techno.flac', 'g-slow.flac']);
    expect(await listAll('camelot=08a', 1)).toEqual(['b-techno.flac', 'g-slow.flac']);
    // 8A mixes with 7A, 9A and its relative major 8B.
    expect(await listAll('camelot=8A&camelotCompatible=true', 1)).toEqual([
      'b-techno.flac',
      'c-house.flac',
      'd-house.flac',
      'e-pop.flac',
      'g-slow.flac',
    ]);
    expect(await listAll('camelot=8A&camelotCompatible=true&bpmMin=125&bpmMax=130')).toEqual([
      'b-techno.flac',
      'd-house.flac',
    ]);
    // 12A's neighbours wrap around the wheel to 1A.
    expect(await listAll('camelot=12A&camelotCompatible=true')).toEqual(['a-roller.flac']);
    // Without analysis filters the unanalysed files are listed too.
    expect(await listAll('q=Tracks', 3)).toHaveLength(tracks.length);
  });

  it('refuses filters that make no sense', async () => {
    for (const query of [
      'camelot=13A',
      'camelot=8C',
      'bpmMin=130&bpmMax=120',
      'camelotCompatible=true',
      'bpmMin=fast',
    ]) {
      const res = await fetch(`${gateway.url}/api/v1/files?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });
});
