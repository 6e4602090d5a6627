/**
 * The library the look-up benches identify against: the real recordings plus `synthHours` of synthetic
 * 10-minute tracks (ids 1000 + i), fingerprinted, indexed into a scratch database and merged into the packed
 * tier, with a pool whose connections never idle out (so the backends' CPU can be read from /proc).
 */
import { Pool } from 'pg';
import {
  fingerprintFile,
  fingerprintPcm,
  indexTrack,
  PostgresFingerprintIndex,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { adminUrl, createScratchDatabase, type ScratchDatabase } from '../../libs/fingerprint/test/support/pg';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';

export interface PackedLibrary {
  db: ScratchDatabase;
  pool: Pool;
  fingerprints: Map<number, TrackFingerprint>;
  synthTracks: number;
  hours: number;
}

/** Builds the library in a new scratch database named after `prefix`; the caller ends the pool and drops db. */
export async function packedLibrary(prefix: string, synthHours: number): Promise<PackedLibrary> {
  const fingerprints = new Map<number, TrackFingerprint>();
  for (const t of LIBRARY) fingerprints.set(t.id, await fingerprintFile(t.file));
  const synthTracks = Math.round((synthHours * 3600) / 600);
  for (let i = 0; i < synthTracks; i++) {
    fingerprints.set(1000 + i, await fingerprintPcm(synthChunks(1000 + i, 600, 20)));
  }
  const hours = (LIBRARY.reduce((s, t) => s + t.durationSec, 0) + synthTracks * 600) / 3600;
  const db = await createScratchDatabase(prefix);
  const url = new URL(adminUrl());
  url.pathname = `/${db.name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4, idleTimeoutMillis: 0 });
  try {
    await PostgresFingerprintIndex.createSchema(pool);
    const index = new PostgresFingerprintIndex(pool);
    for (const [id, fp] of fingerprints) await indexTrack(index, id, fp);
    await index.mergePending();
    await pool.query('VACUUM ANALYZE');
  } catch (e) {
    await pool.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw e;
  }
  return { db, pool, fingerprints, synthTracks, hours };
}
