import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { HostileFiles, recordFilesByBytes } from '../../../test/support/hostile-names';
import { RECORDINGS } from '../../fingerprint/test/audio-files';
import { DEFAULT_METADATA_CONFIG } from './metadata.config';
import { createMetadataService } from './metadata.handler';

/** Issue 9: the metadata stage reads tags and companions whatever the file's name (raw path bytes). */
describe('metadata reads files with hostile names', () => {
  const files = new HostileFiles();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('metahostile');
  });
  afterAll(async () => {
    await db?.drop();
    files.remove();
  });

  it('reads the tags of music and video files and parses companions', async () => {
    const service = createMetadataService(db.dataSource, DEFAULT_METADATA_CONFIG);
    const made = [
      ...files.audio(RECORDINGS.fishin, 'flac', 5),
      ...files.audio(RECORDINGS.fishin, 'mkv', 5),
      ...files.text('Artist - Title [Label 2001]', 'nfo'),
    ];
    const recorded = await recordFilesByBytes(
      db.dataSource,
      made.map((m) => m.path),
    );
    for (const [i, f] of recorded.entries()) {
      const result = await service.process({ fileId: f.id, contentHash: f.contentHash, kind: f.kind });
      expect({ name: made[i].label, result }).toEqual({ name: made[i].label, result: { outcome: 'completed' } });
    }
    const media = await db.dataSource.query(`SELECT status, duration_sec FROM file_metadata ORDER BY file_id`);
    expect(media).toHaveLength(8);
    for (const m of media) {
      expect(m.status).toBe('read');
      expect(Number(m.duration_sec)).toBeGreaterThan(4);
    }
    const companions = await db.dataSource.query(`SELECT status, text FROM companion_contents`);
    expect(companions).toHaveLength(4);
    for (const c of companions) {
      expect(c.status).not.toBe('failed');
      expect(c.text).toContain('Artist - Title');
    }
  });
});
