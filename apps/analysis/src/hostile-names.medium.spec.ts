import { closeSharedPool } from '@crateflow/analysis';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { HostileFiles, recordFilesByBytes } from '../../../test/support/hostile-names';
import { RECORDINGS } from '../../fingerprint/test/audio-files';
import { DEFAULT_ANALYSIS_CONFIG } from './analysis.config';
import { createAnalysisService } from './analysis.handler';

/** Issue 9: the analysis stage measures every file whatever its name (raw path bytes to ffmpeg, no skip). */
describe('analysis reads files with hostile names', () => {
  const files = new HostileFiles();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('anhostile');
  });
  afterAll(async () => {
    await closeSharedPool();
    await db?.drop();
    files.remove();
  });

  it('analyses each', async () => {
    const service = createAnalysisService(db.dataSource, DEFAULT_ANALYSIS_CONFIG);
    const made = files.audio(RECORDINGS.vibeAce, 'mp3', 12);
    const recorded = await recordFilesByBytes(
      db.dataSource,
      made.map((m) => m.path),
    );
    for (const [i, f] of recorded.entries()) {
      const result = await service.process({ fileId: f.id, contentHash: f.contentHash });
      expect({ name: made[i].label, result }).toEqual({ name: made[i].label, result: { outcome: 'completed' } });
    }
    const rows = await db.dataSource.query(`SELECT status, bpm, lufs FROM file_analysis`);
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r.status).toBe('done');
      expect(r.lufs).not.toBeNull();
    }
  });
});
