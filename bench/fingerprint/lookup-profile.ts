/**
 * Where a look-up's time goes on a large generated index (issue 14, point 2): for 12-s excerpts of the
 * library songs (clean, vinyl +6 %, key-locked −5 %) against a kept database of index-scale.ts
 * (--generated-db), per strategy: hashes asked, packed keys fetched, bytes and postings returned, and the
 * CPU seconds of the PostgreSQL backend (from /proc) and of our process for the statement, the decoding, the
 * join with the query and the vote, with wall time and the load average.
 *
 *   node -r @swc-node/register bench/fingerprint/lookup-profile.ts --db=cf_fpscale_1000h [--rounds=1]
 *
 * The library songs are looked for in the database (index-scale.ts indexes and merges them on its first
 * look-up run); when they are missing (a database from --generate-only) they are indexed into the row tier
 * here and left unmerged (look-ups read both tiers; the generated postings are all packed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import {
  fingerprintFile,
  indexTrack,
  PostgresFingerprintIndex,
  STRATEGIES,
  type Strategy,
} from '@crateflow/fingerprint';
import { extractPeaks } from '../../libs/fingerprint/src/fingerprint';
import { queryPostings, mergeHits } from '../../libs/fingerprint/src/identify';
import { clusterMatches, collectMatches, MatchSet, withDefaultStopList } from '../../libs/fingerprint/src/matcher';
import { semitonesOfPeaks } from '../../libs/fingerprint/src/triplet';
import type { FingerprintIndex, LookupOptions, LookupResult } from '../../libs/fingerprint/src/store/fingerprint-index';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { renderSegment } from '../../libs/fingerprint/test/support/mixes';
import { adminUrl } from '../../libs/fingerprint/test/support/pg';
import { VARIANTS } from './scale-queries';
import { loadAverage, procCpu, selfCpu } from './process-cpu';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const DB = opt('db') ?? 'cf_fpscale_1000h';
const ROUNDS = Number(opt('rounds') ?? 1);
const now = () => performance.now() / 1000;

interface Tally {
  wall: number;
  ours: number;
  backend: number;
  hashes: number;
  postings: number;
  kept: number;
  matches: number;
  lookupWall: number;
  lookupOurs: number;
}
const zero = (): Tally => ({
  wall: 0,
  ours: 0,
  backend: 0,
  hashes: 0,
  postings: 0,
  kept: 0,
  matches: 0,
  lookupWall: 0,
  lookupOurs: 0,
});

/** Times each look-up (wall and our CPU) and counts what it returns. */
class TimedIndex {
  lookupWall = 0;
  lookupOurs = 0;
  postings = 0;
  constructor(readonly inner: PostgresFingerprintIndex) {}
  async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult> {
    const t0 = now();
    const c0 = selfCpu();
    const r = await this.inner.lookup(strategy, hashes, options);
    this.lookupWall += now() - t0;
    this.lookupOurs += selfCpu() - c0;
    this.postings += r.length;
    return r;
  }
}

async function main(): Promise<void> {
  const url = new URL(adminUrl());
  url.pathname = `/${DB}`;
  // One connection that never idles out, so its backend's CPU can be read from /proc.
  const pool = new Pool({ connectionString: url.toString(), max: 1, idleTimeoutMillis: 0 });
  const work = mkdtempSync(path.join(tmpdir(), 'cf-lkprof-'));
  try {
    const backendPid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const index = new PostgresFingerprintIndex(pool);
    console.log(`load average at start: ${loadAverage()}; database ${DB}`);
    const library = await pool.query('SELECT 1 FROM fingerprint_tracks WHERE track_id < 10000000 LIMIT 1');
    if (!library.rowCount) {
      for (const t of LIBRARY) await indexTrack(index, t.id, await fingerprintFile(t.file));
      console.log(`the ${LIBRARY.length} library songs were missing: indexed into the row tier (not merged)`);
    }
    const excerpts: { trackId: number; variant: string; pcm: Float32Array }[] = [];
    for (const [i, t] of LIBRARY.entries()) {
      for (const variant of [VARIANTS[0], VARIANTS[1], VARIANTS[2]]) {
        const pcm = await renderSegment(
          { trackId: t.id, source: { file: t.file }, refStartSec: 10 + i * 7, lengthSec: 12, variant },
          work,
          i,
        );
        excerpts.push({ trackId: t.id, variant: JSON.stringify(variant), pcm });
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const total: Record<Strategy, Tally> = { landmark: zero(), triplet: zero() };
      let right = 0;
      const walls: number[] = [];
      for (const ex of excerpts) {
        const e0 = now();
        const { peaks } = await extractPeaks(ex.pcm);
        const pivot = (peaks.frame[0] + peaks.frame[peaks.length - 1]) / 2;
        const lf = semitonesOfPeaks(peaks, 0, peaks.length);
        const hits = [];
        for (const strategy of STRATEGIES) {
          const t = total[strategy];
          const query = queryPostings(peaks, strategy, 0, peaks.length, lf);
          const timed = new TimedIndex(index);
          const matches = new MatchSet();
          const b0 = procCpu(backendPid);
          const c0 = selfCpu();
          const t0 = now();
          await collectMatches(timed as unknown as FingerprintIndex, strategy, query.batch(), matches, {
            lookup: withDefaultStopList(undefined),
          });
          const found = clusterMatches(matches, strategy, pivot);
          hits.push(...found);
          t.wall += now() - t0;
          t.ours += selfCpu() - c0;
          t.backend += procCpu(backendPid) - b0;
          t.lookupWall += timed.lookupWall;
          t.lookupOurs += timed.lookupOurs;
          t.postings += timed.postings;
          t.matches += matches.length;
          const unique = new Set(query.hash.subarray(0, query.length)).size;
          t.hashes += unique;
        }
        const [best] = mergeHits(hits);
        if (best?.trackId === ex.trackId) right++;
        walls.push(now() - e0);
      }
      walls.sort((a, b) => a - b);
      console.log(
        `round ${round + 1}: ${excerpts.length} excerpts, ${right}/${excerpts.length} right; median ${(walls[walls.length >> 1] * 1000).toFixed(0)} ms wall, max ${(walls[walls.length - 1] * 1000).toFixed(0)} ms; load ${loadAverage()}`,
      );
      for (const s of STRATEGIES) {
        const t = total[s];
        const n = excerpts.length;
        console.log(
          `  ${s.padEnd(8)} per excerpt: ${(t.hashes / n).toFixed(0)} hashes asked, ${(t.postings / n / 1e3).toFixed(1)} k postings returned, ${(t.matches / n / 1e3).toFixed(1)} k matches; ` +
            `wall ${((t.wall / n) * 1000).toFixed(0)} ms (look-up ${((t.lookupWall / n) * 1000).toFixed(0)} ms); CPU: backend ${((t.backend / n) * 1000).toFixed(0)} ms, ours ${((t.ours / n) * 1000).toFixed(0)} ms (in look-up ${((t.lookupOurs / n) * 1000).toFixed(0)} ms, join + vote ${(((t.ours - t.lookupOurs) / n) * 1000).toFixed(0)} ms)`,
        );
      }
    }
  } finally {
    await pool.end();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
