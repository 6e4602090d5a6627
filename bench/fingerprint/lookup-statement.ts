/**
 * What a long identification asks PostgreSQL (issue 14, point 2): per strategy, the look-up statements sent,
 * the distinct hashes and packed keys they carry, the postings found, and the CPU seconds of our process and
 * of the PostgreSQL backends, with the PCM already in memory (so decoding is not in the figures).
 *
 *   node -r @swc-node/register bench/fingerprint/lookup-statement.ts [--recording=/path/archive.mp3]
 *     [--recording-hours=4] [--synth-hours=5] [--rounds=2]
 *
 * Library: the real recordings + synthetic tracks, packed (as lookup-speed.ts). Recording: the archive MP3 of
 * lookup-speed.ts (made here when not given). Compare two versions of the store by running this bench in each
 * checkout, one after the other, on the same MP3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { decodeForFingerprint, identifyMix, PostgresFingerprintIndex, type Strategy } from '@crateflow/fingerprint';
import type { LookupOptions } from '../../libs/fingerprint/src/store/fingerprint-index';
import { PACKED_KEY_SHIFT } from '../../libs/fingerprint/src/store/packed-postings';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import type { ScratchDatabase } from '../../libs/fingerprint/test/support/pg';
import { packedLibrary } from './packed-library';
import { BackendCpu, loadAverage } from './process-cpu';
import { archiveRecording, archiveTruth } from './scale-queries';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SYNTH_HOURS = arg('synth-hours', 5);
const RECORDING_HOURS = arg('recording-hours', 4);
const ROUNDS = arg('rounds', 2);
const GIVEN_RECORDING = args.find((a) => a.startsWith('--recording='))?.split('=')[1];
interface Asked {
  statements: number;
  hashes: number;
  keys: number;
  postings: number;
}

/** The index with its look-ups counted (the counting itself is outside the CPU figures' hot path: one pass). */
class CountingIndex extends PostgresFingerprintIndex {
  readonly asked: Record<Strategy, Asked> = {
    landmark: { statements: 0, hashes: 0, keys: 0, postings: 0 },
    triplet: { statements: 0, hashes: 0, keys: 0, postings: 0 },
  };

  override async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions) {
    const found = await super.lookup(strategy, hashes, options);
    const a = this.asked[strategy];
    const shift = PACKED_KEY_SHIFT[strategy];
    let keys = 0;
    for (let i = 0; i < hashes.length; i++) if (i === 0 || hashes[i] >> shift !== hashes[i - 1] >> shift) keys++;
    a.statements++;
    a.hashes += hashes.length;
    a.keys += keys;
    a.postings += found.length;
    return found;
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cf-fpstatement-'));
  let db: ScratchDatabase | null = null;
  let pool: Pool | null = null;
  try {
    console.log(`load average at start: ${loadAverage()}`);
    const library = await packedLibrary('fpstatement', SYNTH_HOURS);
    ({ db, pool } = library);
    const { synthTracks } = library;
    console.log(`library: ${LIBRARY.length} recordings + ${synthTracks} synthetic 10-minute tracks, packed`);

    const file = GIVEN_RECORDING ?? archiveRecording(work, RECORDING_HOURS).file;
    const pcm: Float32Array[] = [];
    for await (const chunk of decodeForFingerprint(file)) pcm.push(chunk);
    const truth = archiveTruth(RECORDING_HOURS);
    // Open every pooled connection first, so each backend is there before and after.
    await Promise.all([1, 2, 3, 4].map(() => pool!.query('SELECT pg_sleep(0.05)')));

    for (let r = 0; r < ROUNDS; r++) {
      const index = new CountingIndex(pool);
      const backends = new BackendCpu(pool, db.name);
      const b0 = await backends.sample();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const timeline = await identifyMix(
        index,
        (async function* () {
          yield* pcm;
        })(),
      );
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const backendSec = BackendCpu.used(b0, await backends.sample());
      const found = truth.filter((t) =>
        timeline.entries.some((e) => e.trackId === t.trackId && Math.abs(e.startSec - t.startSec) < 5),
      ).length;
      console.log(
        `round ${r + 1}: wall ${wall.toFixed(1)} s; CPU ours ${((c.user + c.system) / 1e6).toFixed(1)} s, ` +
          `PostgreSQL ${backendSec.toFixed(1)} s; ${found}/${truth.length} found, ${timeline.entries.length} entries; load ${loadAverage()}`,
      );
      for (const [strategy, a] of Object.entries(index.asked)) {
        console.log(
          `  ${strategy}: ${a.statements} statements, ${a.hashes.toLocaleString('en')} hashes, ` +
            `${a.keys.toLocaleString('en')} packed keys, ${a.postings.toLocaleString('en')} postings found`,
        );
      }
    }
  } finally {
    await pool?.end().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
