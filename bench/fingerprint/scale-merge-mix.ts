/**
 * Merge time and mix identification on a kept generated index (issue 14, point 3), bounded so that they fit
 * in an afternoon at 10,000 h: the merge of a stated number of library tracks (the real songs, then
 * --synth-tracks synthetic library tracks, each group merged and timed on its own), then the 60-minute mix
 * of index-scale.ts (scale-queries.ts djMix, PCM given, stop-list ×8 as there) or its first --mix-minutes
 * (djMix draws the same segments in the same order, so a shorter mix is a prefix of the 60-minute one).
 * Printed: wall time, CPU of our process and of the database's PostgreSQL backends (/proc), postings merged
 * or found, recall and precision, load average.
 *
 *   node -r @swc-node/register bench/fingerprint/scale-merge-mix.ts --db=cf_fpscale_10000h \
 *     [--synth-tracks=3] [--mix-minutes=60] [--skip-merge] [--skip-mix]
 *
 * The database is one of index-scale.ts --generated-db (kept, never dropped here). Tracks already in it are
 * not indexed again (a second run measures only the mix).
 */
import { Pool } from 'pg';
import {
  fingerprintFile,
  fingerprintPcm,
  identifyMix,
  indexTrack,
  PostgresFingerprintIndex,
  type LookupOptions,
  type LookupResult,
  type Strategy,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { buildMix, scoreTimeline } from '../../libs/fingerprint/test/support/mixes';
import { adminUrl } from '../../libs/fingerprint/test/support/pg';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';
import { PACKED_KEY_SHIFT } from '../../libs/fingerprint/src/store/packed-postings';
import { BackendCpu, loadAverage, selfCpu } from './process-cpu';
import { djMix } from './scale-queries';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const DB = opt('db') ?? 'cf_fpscale_10000h';
const SYNTH_TRACKS = Number(opt('synth-tracks') ?? 3);
const MIX_MINUTES = Number(opt('mix-minutes') ?? 60);
/** The generated index's look-ups in index-scale.ts (its default --stop-list=x8). */
const LOOKUP: LookupOptions = { popularHashFactor: 8 };
const APP = `crateflow-scale-merge-mix-${process.pid}`;
const now = () => performance.now() / 1000;
class CountingIndex extends PostgresFingerprintIndex {
  found: Record<Strategy, number> = { landmark: 0, triplet: 0 };
  asked: Record<Strategy, number> = { landmark: 0, triplet: 0 };
  mostAsked = 0;
  statements = 0;
  /** Wall seconds inside look-ups (statement + decode; batches overlap with the front-end). */
  lookupWall = 0;
  /** Every statement's hashes, to count afterwards the packed bytes it fetched. */
  asks: { strategy: Strategy; hashes: Int32Array }[] = [];
  override async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult> {
    const t0 = now();
    const r = await super.lookup(strategy, hashes, options);
    this.lookupWall += now() - t0;
    this.found[strategy] += r.length;
    this.asked[strategy] += hashes.length;
    this.mostAsked = Math.max(this.mostAsked, hashes.length);
    this.statements++;
    this.asks.push({ strategy, hashes: hashes.slice() });
    return r;
  }
}

async function main(): Promise<void> {
  const url = new URL(adminUrl());
  url.pathname = `/${DB}`;
  // Connections never idle out, so every backend's CPU can be read from /proc at the end of a step.
  const pool = new Pool({ connectionString: url.toString(), max: 4, idleTimeoutMillis: 0, application_name: APP });
  const index = new CountingIndex(pool);
  const backendCpu = new BackendCpu(pool, DB, APP);
  const backends = () => backendCpu.sample();
  const measure = async <T>(run: () => Promise<T>) => {
    const b0 = await backends();
    const c0 = selfCpu();
    const t0 = now();
    const result = await run();
    const wall = now() - t0;
    const ours = selfCpu() - c0;
    const b1 = await backends();
    let backend = 0;
    for (const [pid, cpu] of b1) backend += cpu - (b0.get(pid) ?? 0);
    return { result, wall, ours, backend };
  };
  try {
    const gen = await pool.query<{ tracks: number; postings: number }>(
      `SELECT count(*)::int AS tracks, coalesce(sum(postings), 0)::float8 AS postings
         FROM fingerprint_packed_tracks WHERE track_id >= 10000000`,
    );
    console.log(
      `load average at start: ${loadAverage()}; database ${DB}: ${gen.rows[0].tracks.toLocaleString('en')} generated track rows (both strategies), ${Number(gen.rows[0].postings).toLocaleString('en')} generated postings`,
    );

    if (!args.includes('--skip-merge')) {
      const present = new Set(
        (
          await pool.query<{ track_id: number }>('SELECT track_id FROM fingerprint_tracks WHERE track_id < 10000000')
        ).rows.map((r) => r.track_id),
      );
      const groups: { label: string; tracks: [number, () => Promise<TrackFingerprint>][] }[] = [
        {
          label: `the ${LIBRARY.length} real songs`,
          tracks: LIBRARY.map((t) => [t.id, () => fingerprintFile(t.file)]),
        },
        {
          label: `${SYNTH_TRACKS} synthetic library tracks (10 min each, as index-scale.ts)`,
          tracks: Array.from({ length: SYNTH_TRACKS }, (_, i) => [
            1000 + i,
            () => fingerprintPcm(synthChunks(1000 + i, 600, 20)),
          ]),
        },
      ];
      for (const group of groups) {
        const todo = group.tracks.filter(([id]) => !present.has(id));
        // Tracks indexed by an earlier run whose merge did not happen (or failed) still wait in the row tier.
        const ids = `{${group.tracks.map(([id]) => id).join(',')}}`;
        const waiting = (
          await pool.query<{ track_id: number }>(
            `SELECT DISTINCT track_id FROM fingerprint_landmark_postings WHERE track_id = ANY($1::int4[])
             UNION SELECT DISTINCT track_id FROM fingerprint_triplet_postings WHERE track_id = ANY($1::int4[])`,
            [ids],
          )
        ).rows.map((r) => r.track_id);
        if (todo.length === 0 && waiting.length === 0) {
          console.log(`merge, ${group.label}: already in the index and merged, skipped`);
          continue;
        }
        if (waiting.length)
          console.log(`merge, ${group.label}: ${waiting.length} indexed earlier, waiting in the row tier`);
        let postings = 0;
        for (const [id, fp] of todo) {
          const f = await fp();
          postings += f.landmark.length + f.triplet.length;
          await indexTrack(index, id, f);
        }
        const pending = await index.pendingWork();
        // The packed rows the merge will read, decode, re-encode and write back: the keys of the waiting postings.
        const touched: string[] = [];
        for (const s of ['landmark', 'triplet'] as const) {
          const { rows } = await pool.query<{ n: number; bytes: number }>(
            `SELECT count(*)::int AS n, coalesce(sum(octet_length(p.postings)), 0)::float8 AS bytes
               FROM fingerprint_${s}_packed p
              WHERE p.hash_key IN (SELECT DISTINCT hash >> ${PACKED_KEY_SHIFT[s]} FROM fingerprint_${s}_postings WHERE track_id = ANY($1::int4[]))`,
            [`{${[...todo.map(([id]) => id), ...waiting].join(',')}}`],
          );
          touched.push(`${s} ${rows[0].n.toLocaleString('en')} rows, ${(rows[0].bytes / 1e6).toFixed(1)} MB`);
        }
        console.log(`  packed rows the merge rewrites (existing keys): ${touched.join('; ')}`);
        const m = await measure(() => index.mergePending());
        console.log(
          `merge, ${group.label}: ${m.result.tracks} tracks, ${m.result.postings.toLocaleString('en')} postings (${postings.toLocaleString('en')} fingerprinted; pending before ${JSON.stringify(pending)}), ${m.result.rowsWritten.toLocaleString('en')} packed rows written: ` +
            `${m.wall.toFixed(1)} s wall (${(m.result.postings / m.wall).toFixed(0)} postings/s, ${(m.wall / m.result.tracks).toFixed(1)} s per track), CPU ours ${m.ours.toFixed(1)} s + backends ${m.backend.toFixed(1)} s (${((m.ours + m.backend) / m.result.tracks).toFixed(1)} CPU s per track); load ${loadAverage()}`,
        );
      }
      const bytes = await index.storageBytes();
      console.log(`storage after the merges: ${(bytes.total / 1e6).toFixed(0)} MB (${JSON.stringify(bytes)})`);
    }

    if (!args.includes('--skip-mix')) {
      const spec = djMix(MIX_MINUTES);
      const mix = await buildMix(spec.specs, spec.crossfades);
      console.log(
        `${MIX_MINUTES}-minute mix (djMix; the first ${spec.specs.length} segments of the 60-minute one): ${(mix.durationSec / 60).toFixed(1)} min, ${mix.truth.filter((t) => t.trackId !== null).length} library segments; load ${loadAverage()}`,
      );
      // Every 5 minutes of the mix read: the figures so far (a prefix of the run, if it must be stopped).
      let nextReport = 300;
      const p0 = { wall: now(), ours: selfCpu(), backends: await backends() };
      const r = await measure(() =>
        identifyMix(index, mix.pcm, {
          lookup: LOOKUP,
          onProgress: (p) => {
            if (p.processedSec < nextReport) return;
            nextReport += 300;
            const wall = now() - p0.wall;
            const ours = selfCpu() - p0.ours;
            const found = index.found.landmark + index.found.triplet;
            void backends().then((b) => {
              let backend = 0;
              for (const [pid, cpu] of b) backend += cpu - (p0.backends.get(pid) ?? 0);
              console.log(
                `  ${p.processedSec.toFixed(0)} s of the mix read (front-end; look-ups lag by up to a batch), ${p.windows} windows: ${wall.toFixed(1)} s wall, CPU ours ${ours.toFixed(1)} s + backends ${backend.toFixed(1)} s, ${(found / 1e6).toFixed(1)} M postings found; load ${loadAverage()}`,
              );
            });
          },
        }),
      );
      const score = scoreTimeline(r.result.entries, mix.truth, 2);
      console.log(
        `mix at ${DB}, stop-list x8: ${r.wall.toFixed(1)} s wall (PCM given), CPU ours ${r.ours.toFixed(1)} s (front-end included) + backends ${r.backend.toFixed(1)} s; recall ${score.found}/${score.librarySegments}, precision ${score.correctEntries}/${score.entries}; postings found: landmark ${index.found.landmark.toLocaleString('en')}, triplet ${index.found.triplet.toLocaleString('en')} in ${index.statements} statements (hashes asked: landmark ${index.asked.landmark.toLocaleString('en')}, triplet ${index.asked.triplet.toLocaleString('en')}, at most ${index.mostAsked.toLocaleString('en')} in one; ${index.lookupWall.toFixed(1)} s wall inside look-ups); load ${loadAverage()}`,
      );
      // The packed rows those statements fetched (a row per key; a triplet key holds 16 hashes, of which the
      // look-up keeps those asked), counted after the timed run: octet_length reads the TOAST pointer only.
      const fetched: Record<Strategy, { rows: number; bytes: number }> = {
        landmark: { rows: 0, bytes: 0 },
        triplet: { rows: 0, bytes: 0 },
      };
      for (const { strategy, hashes } of index.asks) {
        const keys = [...new Set(Array.from(hashes, (h) => h >> PACKED_KEY_SHIFT[strategy]))];
        const { rows } = await pool.query<{ n: number; bytes: number }>(
          `SELECT count(*)::int AS n, coalesce(sum(octet_length(postings)), 0)::float8 AS bytes
             FROM fingerprint_${strategy}_packed WHERE hash_key = ANY($1::int4[])`,
          [`{${keys.join(',')}}`],
        );
        fetched[strategy].rows += rows[0].n;
        fetched[strategy].bytes += rows[0].bytes;
      }
      console.log(
        `  packed rows fetched: ${(['landmark', 'triplet'] as const).map((st) => `${st} ${fetched[st].rows.toLocaleString('en')} rows, ${(fetched[st].bytes / 1e6).toFixed(0)} MB (${(fetched[st].bytes / Math.max(1, index.found[st])).toFixed(1)} B per posting found)`).join('; ')}`,
      );
      for (const d of score.details)
        if (d.truth.trackId !== null && (d.entry === null || d.startErrorSec === null || Math.abs(d.startErrorSec) > 2))
          console.log(
            `  missed: track ${d.truth.trackId} at ${d.truth.startSec.toFixed(1)}–${d.truth.endSec.toFixed(1)} s; entry ${d.entry ? `${d.entry.trackId} at ${d.entry.startSec.toFixed(1)} s` : 'none'}`,
          );
    }
    console.log(`load average at end: ${loadAverage()}`);
  } finally {
    await pool.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
