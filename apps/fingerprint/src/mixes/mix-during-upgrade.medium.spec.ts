import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PermanentError } from '@crateflow/messaging';
import {
  FINGERPRINT_ALGORITHM_VERSION,
  FINGERPRINT_LAYOUT_VERSION,
  GenerationalFingerprintIndex,
} from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { recordFiles } from '../../../metadata/test/file-rows';
import { FingerprintAudioFiles, RECORDINGS } from '../../test/audio-files';
import { fingerprintConfigShape, type FingerprintConfig } from '../fingerprint.config';
import { createFingerprintServices } from '../fingerprint.handler';

/**
 * A mix job while the index is rebuilt for hashes the active generation does not hold: it fails at once with
 * the reason (a rebuild lasts hours; retrying for a minute would only delay the same answer), and the stage
 * still indexes new files into the generation being built.
 */
describe('mix identification during an index upgrade that changes the hashes', () => {
  const audio = new FingerprintAudioFiles();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('fpmixupgrade');
  });
  afterAll(async () => {
    await db?.drop();
    audio.remove();
  });

  it('fails the job with the reason, and the stage writes the new generation', async () => {
    const config = z.object(fingerprintConfigShape).parse({}) as FingerprintConfig;
    const index = new GenerationalFingerprintIndex(pgPoolOf(db.dataSource), {
      version: { algorithmVersion: FINGERPRINT_ALGORITHM_VERSION + 1, layoutVersion: FINGERPRINT_LAYOUT_VERSION },
      queryCompatible: [FINGERPRINT_ALGORITHM_VERSION + 1],
    });
    expect(await index.generations.startBuilding(index.version)).toMatchObject({ generation: 2, slot: 'b' });
    const finished: string[] = [];
    const { stage, mixes } = createFingerprintServices(db.dataSource, config, {
      index,
      events: { progressed: async () => undefined, finished: async (_job, o) => void finished.push(o.status) },
    });
    const [file] = await recordFiles(db.dataSource, [audio.copy(RECORDINGS.vibeAce, 'vibe.ogg')]);

    expect(await stage.process({ fileId: file.id, contentHash: file.contentHash, generation: 1 })).toEqual({
      outcome: 'completed',
    });
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM fingerprint_b_tracks`);
    expect(n).toBe(1);

    const err = await mixes
      .identify({ jobId: randomUUID(), fileId: file.id, requestedAt: new Date().toISOString() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/being rebuilt .*identify the mix again once the upgrade is complete/);
  });
});
