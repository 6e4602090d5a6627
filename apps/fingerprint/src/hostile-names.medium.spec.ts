import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { HostileFiles, recordFilesByBytes } from '../../../test/support/hostile-names';
import { RECORDINGS } from '../test/audio-files';
import { fingerprintConfigShape, type FingerprintConfig } from './fingerprint.config';
import { createFingerprintServices } from './fingerprint.handler';
import { z } from 'zod';

/** Issue 9: the fingerprint stage and mix identification read every file whatever its name (raw bytes to ffmpeg). */
describe('fingerprint reads files with hostile names', () => {
  const files = new HostileFiles();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('fphostile');
  });
  afterAll(async () => {
    await db?.drop();
    files.remove();
  });

  it('fingerprints each, and identifies a mix named like them', async () => {
    const config = z.object(fingerprintConfigShape).parse({}) as FingerprintConfig;
    const finished: string[] = [];
    const { stage, mixes } = createFingerprintServices(db.dataSource, config, {
      events: { progressed: async () => undefined, finished: async (_job, o) => void finished.push(o.status) },
    });
    const made = files.audio(RECORDINGS.sugarPlum, 'flac');
    const recorded = await recordFilesByBytes(
      db.dataSource,
      made.map((m) => m.path),
    );
    for (const [i, f] of recorded.entries()) {
      const result = await stage.process({ fileId: f.id, contentHash: f.contentHash, generation: 1 });
      expect({ name: made[i].label, result }).toEqual({ name: made[i].label, result: { outcome: 'completed' } });
    }
    const rows = await db.dataSource.query(`SELECT status FROM file_fingerprints`);
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['done', 'done', 'done', 'done']);

    const jobId = randomUUID();
    await mixes.identify({ jobId, fileId: recorded[0].id, requestedAt: new Date().toISOString() });
    const [job] = await db.dataSource.query(`SELECT status, failure_reason FROM mix_identifications WHERE id = $1`, [
      jobId,
    ]);
    expect(job).toEqual({ status: 'done', failure_reason: null });
  });
});
