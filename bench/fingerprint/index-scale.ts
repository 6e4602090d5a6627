/**
 * Fingerprint index at archive scale (issue 14): storage per hour, indexing speed, and look-up speed on a
 * generated 4-hour recording and a 60-minute mix, through PostgreSQL, for the compact (packed) layout and
 * for the previous layout (one row per posting: the row tier never merged), measured in the same run and
 * printed as ratios. Then the scale generator (synthetic-index.ts) fills a packed index to --generated-hours
 * and the same look-ups are timed against it.
 *
 *   node -r @swc-node/register bench/fingerprint/index-scale.ts [--synth-hours=5] [--generated-hours=1000]
 *     [--recording-hours=4] [--only-generated] [--skip-generated-recording] [--skip-before]
 *
 * With OLAF_CORE=/path/to/olaf_core (built by hand from Olaf's public source, see olaf.ts) Olaf indexes the
 * same library and answers the same recording and mix; its figures and our ratios against them are printed.
 *
 * Needs ffmpeg and PostgreSQL on 127.0.0.1 (scratch databases are created and dropped).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  decodeForFingerprint,
  fingerprintFile,
  fingerprintPcm,
  identifyExcerpt,
  identifyMix,
  indexTrack,
  PostgresFingerprintIndex,
  STRATEGIES,
  type MixTimeline,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { buildMix, renderSegment, scoreTimeline } from '../../libs/fingerprint/test/support/mixes';
import {
  adminUrl,
  createScratchDatabase,
  openNamedDatabase,
  type ScratchDatabase,
} from '../../libs/fingerprint/test/support/pg';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';
import { Olaf, type OlafMatch } from './olaf';
import { archiveRecording, djMix, storeLibraryInOlaf, VARIANTS } from './scale-queries';
import {
  generatedSample,
  generatePackedIndex,
  generatePackedIndexFast,
  hashSkew,
  measureMusicStatistics,
} from './synthetic-index';
import { loadAverage } from './process-cpu';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SYNTH_HOURS = arg('synth-hours', 5);
const GENERATED_HOURS = arg('generated-hours', 1000);
const RECORDING_HOURS = arg('recording-hours', 4);
const ONLY_GENERATED = args.includes('--only-generated');
/** Leave out the previous layout's runs (rows, hop by hop): they take most of the bench's time. */
const SKIP_BEFORE = args.includes('--skip-before');
/**
 * Keep the generated index in a database of this name (not dropped at the end), or reuse it when it already
 * exists (generation skipped): the long generation then serves several look-up runs. Drop it by hand.
 */
const GENERATED_DB = args.find((a) => a.startsWith('--generated-db='))?.split('=')[1];
/** Only generate (and keep, with --generated-db) the index: no library, no look-ups. */
const GENERATE_ONLY = args.includes('--generate-only');
/**
 * --generator=keys (default): the key-ordered generator (generateKeyOrdered: one pass, binary COPY);
 * --generator=tracks: the track-by-track generator (generateTrack, a pass per slice of the key space).
 */
const GENERATOR = args.find((a) => a.startsWith('--generator='))?.split('=')[1] ?? 'keys';
/** Length of the generated mix (default 60 minutes). */
const MIX_MINUTES = arg('mix-minutes', 60);
/**
 * Look-up options for the generated index's look-ups: --stop-list=x8 (LookupOptions.popularHashFactor), a
 * number (maxPostingsPerHash), or none; default x8 (DEFAULT_POPULAR_HASH_FACTOR).
 */
const STOP_LIST = args.find((a) => a.startsWith('--stop-list='))?.split('=')[1] ?? 'x8';
const GENERATED_LOOKUP =
  STOP_LIST === 'none'
    ? { popularHashFactor: 0 }
    : STOP_LIST.startsWith('x')
      ? { popularHashFactor: Number(STOP_LIST.slice(1)) }
      : { maxPostingsPerHash: Number(STOP_LIST) };
const now = () => performance.now() / 1000;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const SHARED_AUDIO = path.resolve(__dirname, '../../../shared/audio');
/** Hash skew over all the given postings together. */
const skewOf = (hashes: Int32Array[]) => {
  const all = new Int32Array(hashes.reduce((n, h) => n + h.length, 0));
  let at = 0;
  for (const h of hashes) {
    all.set(h, at);
    at += h.length;
  }
  const s = hashSkew(all);
  return { distinct: +s.distinctPerPosting.toFixed(3), top1pct: +s.top1PercentShare.toFixed(3) };
};
/** The URL of a database on the bench's server (psql runs the generator's COPY). */
const databaseUrl = (name: string) => {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
};
const heading = (s: string) => console.log(`\n== ${s} ${'='.repeat(Math.max(0, 96 - s.length))}`);

function found(timeline: MixTimeline, truth: { trackId: number; startSec: number }[]): string {
  const hits = truth.filter((t) =>
    timeline.entries.some((e) => e.trackId === t.trackId && Math.abs(e.startSec - t.startSec) < 5),
  ).length;
  const wrong = timeline.entries.filter((e) => !truth.some((t) => t.trackId === e.trackId)).length;
  return `${hits}/${truth.length} found, ${wrong} false`;
}

/** Olaf's matches that name a truth track near its start (its query times are seconds into the query). */
function olafFound(matches: OlafMatch[], ids: Map<number, number>, truth: { trackId: number; startSec: number }[]) {
  const hits = truth.filter((t) =>
    matches.some((m) => m.refId === ids.get(t.trackId) && Math.abs(m.queryStartSec - t.startSec) < 30),
  ).length;
  const known = new Set(truth.map((t) => ids.get(t.trackId)));
  const wrong = new Set(matches.filter((m) => !known.has(m.refId)).map((m) => m.refId)).size;
  return `${hits}/${truth.length} found, ${wrong} other tracks named`;
}

/** What an index generated by an earlier run (--generated-db) holds. */
async function generatedIndexIn(db: ScratchDatabase) {
  const { rows } = await db.pool.query(
    `SELECT strategy, count(*)::int AS tracks, sum(postings)::float8 AS postings
       FROM fingerprint_packed_tracks WHERE track_id >= 10000000 GROUP BY strategy`,
  );
  const { rows: d } = await db.pool.query(
    `SELECT coalesce(sum(duration_sec), 0)::float8 AS sec FROM fingerprint_tracks WHERE track_id >= 10000000`,
  );
  const postings = { landmark: 0, triplet: 0 };
  for (const r of rows) postings[r.strategy as 'landmark' | 'triplet'] = Number(r.postings);
  return { tracks: Number(rows[0]?.tracks ?? 0), postings, seconds: 0, hours: Number(d[0].sec) / 3600 };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cf-fpscale-'));
  const dbs: ScratchDatabase[] = [];
  /** Named databases kept for later runs (--generated-db): pools closed, not dropped. */
  const keep: ScratchDatabase[] = [];
  try {
    console.log(`load average at start: ${loadAverage()} (figures are wall time on a shared machine)`);
    heading('Library: the real recordings + synthetic tracks, fingerprinted once');
    const fps = new Map<number, TrackFingerprint>();
    const f0 = now();
    for (const t of LIBRARY) fps.set(t.id, await fingerprintFile(t.file));
    const realSec = LIBRARY.reduce((s, t) => s + t.durationSec, 0);
    const realFpSec = now() - f0;
    const synthTracks = Math.round((SYNTH_HOURS * 3600) / 600);
    for (let i = 0; i < synthTracks; i++) fps.set(1000 + i, await fingerprintPcm(synthChunks(1000 + i, 600, 20)));
    const libraryHours = (realSec + synthTracks * 600) / 3600;
    let postings = 0;
    for (const fp of fps.values()) postings += fp.landmark.length + fp.triplet.length;
    console.log(
      `${fps.size} tracks, ${libraryHours.toFixed(2)} h, ${postings.toLocaleString('en')} postings; decode + fingerprint of the real files ${(realSec / realFpSec).toFixed(0)}× realtime`,
    );

    // Olaf indexes the same library: the real files, and the synthetic tracks as WAV (decode timed apart).
    const olaf = Olaf.fromEnv(work);
    let olafIds = new Map<number, number>();
    let olafIndexSec = 0;
    let olafRealSec = 0;
    if (olaf) {
      heading('Olaf (OLAF_CORE): the same library');
      const stored = storeLibraryInOlaf(olaf, synthTracks, fps.keys());
      olafIds = stored.ids;
      olafRealSec = stored.realSec;
      olafIndexSec = stored.totalSec;
      console.log(
        `Olaf: decode + store of the real files ${(realSec / olafRealSec).toFixed(0)}× realtime (ours, decode + fingerprint only: ${(realSec / realFpSec).toFixed(0)}×); storage ${mb(olaf.storageBytes() / libraryHours)}/h (LMDB, allocated blocks); the whole library stored in ${olafIndexSec.toFixed(1)} s (synthetic tracks: decode not counted)`,
      );
    }

    const spec = djMix(MIX_MINUTES);
    const mix = await buildMix(spec.specs, spec.crossfades);
    const mixFor = async (
      label: string,
      ix: PostgresFingerprintIndex,
      lookupBatchHops?: number,
      lookup?: typeof GENERATED_LOOKUP,
    ) => {
      const t0 = now();
      const c0 = process.cpuUsage();
      const timeline = await identifyMix(ix, mix.pcm, { lookupBatchHops, lookup });
      const sec = now() - t0;
      const c1 = process.cpuUsage(c0);
      console.log(`    our CPU ${((c1.user + c1.system) / 1e6).toFixed(1)} s; load ${loadAverage()}`);
      const score = scoreTimeline(timeline.entries, mix.truth, 2);
      console.log(
        `  ${label}: ${sec.toFixed(1)} s (PCM given) — recall ${score.found}/${score.librarySegments}, precision ${score.correctEntries}/${score.entries}`,
      );
      return sec;
    };
    let rec: ReturnType<typeof archiveRecording> | null = null;
    const audioSec = libraryHours * 3600;
    if (!ONLY_GENERATED) {
      heading('Indexing and storage: previous layout (rows) vs compact (packed)');
      const rowsDb = await createScratchDatabase('fprows');
      dbs.push(rowsDb);
      const packedDb = await createScratchDatabase('fppacked');
      dbs.push(packedDb);
      const rowsIx = new PostgresFingerprintIndex(rowsDb.pool);
      const packedIx = new PostgresFingerprintIndex(packedDb.pool);
      for (const db of [rowsDb, packedDb]) await PostgresFingerprintIndex.createSchema(db.pool);
      let realStoreSec = 0;
      const storeTime = async (ix: PostgresFingerprintIndex) => {
        const t0 = now();
        realStoreSec = 0;
        for (const [id, fp] of fps) {
          const s0 = now();
          await indexTrack(ix, id, fp);
          if (id < 1000) realStoreSec += now() - s0;
        }
        return now() - t0;
      };
      const rowsStore = await storeTime(rowsIx);
      const packedStore = await storeTime(packedIx);
      const m0 = now();
      const merged = await packedIx.mergePending();
      const mergeSec = now() - m0;
      await rowsDb.pool.query('VACUUM ANALYZE');
      await packedDb.pool.query('VACUUM FULL fingerprint_landmark_postings, fingerprint_triplet_postings');
      await packedDb.pool.query('VACUUM ANALYZE');
      const rowsBytes = (await rowsIx.storageBytes()).total;
      const packedBytes = await packedIx.storageBytes();
      console.log(
        `store with verified read-back: rows ${(audioSec / rowsStore).toFixed(0)}× realtime; packed ${(audioSec / (packedStore + mergeSec)).toFixed(0)}× realtime incl. merge (${(merged.postings / mergeSec).toFixed(0)} postings/s merged); ratio ${(rowsStore / (packedStore + mergeSec)).toFixed(2)}`,
      );
      console.log(
        `storage: rows ${mb(rowsBytes / libraryHours)}/h (${(rowsBytes / postings).toFixed(1)} B/posting); packed ${mb(packedBytes.total / libraryHours)}/h (${(packedBytes.total / postings).toFixed(1)} B/posting); ratio ${(rowsBytes / packedBytes.total).toFixed(2)}× smaller at ${libraryHours.toFixed(1)} h (rows fill up as the library grows: see the generated index below)`,
      );

      if (olaf) {
        // Ours for the same real files: decode + fingerprint (above) + store with read-back into the packed db.
        const ourReal = realFpSec + realStoreSec;
        const olafBytes = olaf.storageBytes();
        console.log(
          `vs Olaf: indexing the real files (decode + fingerprint + store) ours ${(realSec / ourReal).toFixed(0)}× realtime, Olaf ${(realSec / olafRealSec).toFixed(0)}× → ratio ${(olafRealSec / ourReal).toFixed(2)}; storage ours ${mb(packedBytes.total / libraryHours)}/h, Olaf ${mb(olafBytes / libraryHours)}/h → ${(packedBytes.total / olafBytes).toFixed(2)}× Olaf's size`,
        );
      }

      heading(`${RECORDING_HOURS}-hour archive recording (64 kbps mono MP3, pink noise, two library songs)`);
      const recording = archiveRecording(work, RECORDING_HOURS);
      rec = recording;
      const recSec = RECORDING_HOURS * 3600;
      console.log(`file: ${mb(statSync(recording.file).size)}`);
      const d0 = now();
      for await (const chunk of decodeForFingerprint(recording.file)) void chunk;
      const decodeSec = now() - d0;
      console.log(
        `decode alone (ffmpeg → 8 kHz mono): ${decodeSec.toFixed(1)} s = ${(recSec / decodeSec).toFixed(0)}× realtime`,
      );
      // "Before" is the previous layout with the previous look-up (one statement per 5-s hop).
      const recFor = async (label: string, ix: PostgresFingerprintIndex, lookupBatchHops?: number) => {
        const t0 = now();
        const timeline = await identifyMix(ix, decodeForFingerprint(recording.file), { lookupBatchHops });
        const sec = now() - t0;
        console.log(
          `  ${label}: ${sec.toFixed(1)} s incl. decode = ${(recSec / sec).toFixed(0)}× realtime — ${found(timeline, recording.truth)}`,
        );
        return sec;
      };
      const recRows = SKIP_BEFORE ? 0 : await recFor('before (rows, hop by hop)', rowsIx, 1);
      const recPacked = await recFor('now (packed, batched)    ', packedIx);
      if (!SKIP_BEFORE) console.log(`  ratio: ${(recRows / recPacked).toFixed(2)}× faster than before`);
      if (olaf) {
        const o0 = now();
        const raw = olaf.decode(recording.file);
        const matches = olaf.query(raw, 'archive.mp3');
        const olafSec = now() - o0;
        console.log(
          `  Olaf (decode + query): ${olafSec.toFixed(1)} s = ${(recSec / olafSec).toFixed(0)}× realtime — ${olafFound(matches, olafIds, recording.truth)}; ours/Olaf time ratio ${(recPacked / olafSec).toFixed(2)}`,
        );
      }

      heading('60-minute mix through PostgreSQL');
      console.log(`${(mix.durationSec / 60).toFixed(1)} min, ${spec.specs.length} segments`);
      const mixRows = SKIP_BEFORE ? 0 : await mixFor('before (rows, hop by hop)', rowsIx, 1);
      const mixRowsBatched = SKIP_BEFORE ? 0 : await mixFor('rows, batched            ', rowsIx);
      const mixPacked = await mixFor('now (packed, batched)    ', packedIx);
      if (!SKIP_BEFORE) {
        console.log(
          `  ratio: ${(mixRows / mixPacked).toFixed(2)}× faster than before (batching alone ${(mixRows / mixRowsBatched).toFixed(2)}×)`,
        );
      }
      if (olaf) {
        const raw = olaf.decode(olaf.writeWav(mix.pcm, 8000));
        const o0 = now();
        const matches = olaf.query(raw, 'mix.wav');
        const olafSec = now() - o0;
        const named = new Set(matches.map((m) => m.refId));
        const inMix = new Set(mix.truth.flatMap((t) => (t.trackId === null ? [] : [olafIds.get(t.trackId)])));
        console.log(
          `  Olaf (PCM given, query only): ${olafSec.toFixed(1)} s, ${matches.length} matches naming ${[...named].filter((id) => inMix.has(id)).length}/${inMix.size} library tracks of the mix and ${[...named].filter((id) => !inMix.has(id)).length} others; ours/Olaf time ratio ${(mixPacked / olafSec).toFixed(2)}`,
        );
      }
    }

    if (GENERATED_HOURS > 0) {
      heading(`Generated index: ${GENERATED_HOURS} h of synthetic postings (real statistics) + the library`);
      const named = GENERATED_DB ? await openNamedDatabase(GENERATED_DB) : null;
      const bigDb = named?.db ?? (await createScratchDatabase('fpscale'));
      if (named) keep.push(bigDb);
      else dbs.push(bigDb);
      const reused = named !== null && !named.created;
      if (!reused) await PostgresFingerprintIndex.createSchema(bigDb.pool);
      const bigIx = new PostgresFingerprintIndex(bigDb.pool);
      // Statistics from every real recording at hand (the library songs and the shared recordings).
      const realFps: TrackFingerprint[] = [];
      for (const f of readdirSync(SHARED_AUDIO).filter((n) => n.endsWith('.ogg')))
        realFps.push(await fingerprintFile(path.join(SHARED_AUDIO, f)));
      const stats = measureMusicStatistics(realFps);
      console.log(
        `real music (${realFps.length} recordings, ${(stats.seconds / 60).toFixed(1)} min): ${STRATEGIES.map((st) => `${st} ${stats.strategies[st].perSec.toFixed(1)}/s, ${(100 * stats.strategies[st].repeatShare).toFixed(1)} % repeated within a track, skew ${JSON.stringify(skewOf(realFps.map((fp) => fp[st].hash.subarray(0, fp[st].length))))}`).join('; ')}`,
      );
      const c0 = process.cpuUsage();
      const progress = (s: string) => console.log(`  ${s} (load ${loadAverage()})`);
      const gen = reused
        ? await generatedIndexIn(bigDb)
        : GENERATOR === 'tracks'
          ? await generatePackedIndex(bigDb.pool, stats, GENERATED_HOURS, 10_000_000, progress)
          : await generatePackedIndexFast(
              bigDb.pool,
              databaseUrl(bigDb.name),
              stats,
              GENERATED_HOURS,
              10_000_000,
              progress,
            );
      const c1 = process.cpuUsage(c0);
      if (!reused)
        console.log(
          `  generator CPU (our process): ${((c1.user + c1.system) / 1e6).toFixed(0)} s; load ${loadAverage()}`,
        );
      else console.log(`  reusing ${GENERATED_DB} (generated earlier)`);
      const genPostings = gen.postings.landmark + gen.postings.triplet;
      console.log(
        `generated ${gen.tracks.toLocaleString('en')} tracks (${gen.hours.toFixed(0)} h), ${genPostings.toLocaleString('en')} postings (${(genPostings / gen.hours / 3600).toFixed(1)}/s of audio) in ${gen.seconds.toFixed(0)} s`,
      );
      console.log(
        `  generated, the same number of seconds as the real music: ${STRATEGIES.map((st) => `${st} skew ${JSON.stringify(skewOf([generatedSample(stats, st, stats.seconds, 10_000_000)]))}`).join('; ')}`,
      );
      if (GENERATE_ONLY) {
        await bigDb.pool.query('VACUUM ANALYZE');
        const bytes = await bigIx.storageBytes();
        console.log(`storage: ${mb(bytes.total)} = ${mb(bytes.total / gen.hours)} per hour (${JSON.stringify(bytes)})`);
        return;
      }
      const libraryIn = reused
        ? Number(
            (
              await bigDb.pool.query(
                `SELECT count(*)::int AS n FROM fingerprint_packed_tracks WHERE track_id < 10000000`,
              )
            ).rows[0].n,
          ) > 0
        : false;
      if (!libraryIn) {
        const s0 = now();
        for (const [id, fp] of fps) await indexTrack(bigIx, id, fp);
        const storeSec = now() - s0;
        const g0 = now();
        const gc0 = process.cpuUsage();
        const m = await bigIx.mergePending();
        const mergeBig = now() - g0;
        const gc1 = process.cpuUsage(gc0);
        console.log(
          `indexing the ${libraryHours.toFixed(1)} h library into it: store ${(audioSec / storeSec).toFixed(0)}× realtime, merge ${mergeBig.toFixed(1)} s wall (${(m.postings / mergeBig).toFixed(0)} postings/s; our CPU ${((gc1.user + gc1.system) / 1e6).toFixed(1)} s; load ${loadAverage()})`,
        );
        await bigDb.pool.query('VACUUM FULL fingerprint_landmark_postings, fingerprint_triplet_postings');
        await bigDb.pool.query('VACUUM ANALYZE');
      } else console.log('  the library is already in it (indexed and merged earlier)');
      const bytes = await bigIx.storageBytes();
      const hours = gen.hours + libraryHours;
      console.log(
        `storage: ${mb(bytes.total)} = ${mb(bytes.total / hours)} per hour of audio, ${(bytes.total / (genPostings + postings)).toFixed(1)} B/posting (${JSON.stringify(bytes)}) → ${(((bytes.total / hours) * 5e5) / 1e12).toFixed(2)} TB for 500,000 h`,
      );
      const times: number[] = [];
      let right = 0;
      for (const [i, t] of LIBRARY.entries()) {
        for (const variant of [VARIANTS[0], VARIANTS[1], VARIANTS[2]]) {
          const pcm = await renderSegment(
            { trackId: t.id, source: { file: t.file }, refStartSec: 10 + i * 7, lengthSec: 12, variant },
            work,
            i,
          );
          const e0 = now();
          const [best] = await identifyExcerpt(bigIx, pcm, { lookup: GENERATED_LOOKUP });
          times.push(now() - e0);
          if (best?.trackId === t.id) right++;
        }
      }
      times.sort((a, b) => a - b);
      console.log(
        `12-s excerpt look-up: median ${(times[times.length >> 1] * 1000).toFixed(0)} ms, max ${(times[times.length - 1] * 1000).toFixed(0)} ms; ${right}/${times.length} right`,
      );
      await mixFor(
        `${MIX_MINUTES}-minute mix at ${hours.toFixed(0)} h, stop-list ${STOP_LIST}`,
        bigIx,
        undefined,
        GENERATED_LOOKUP,
      );
      if (rec && !args.includes('--skip-generated-recording')) {
        const r0 = now();
        const timeline = await identifyMix(bigIx, decodeForFingerprint(rec.file));
        const recSec = now() - r0;
        console.log(
          `  ${RECORDING_HOURS}-hour recording at ${hours.toFixed(0)} h: ${recSec.toFixed(1)} s incl. decode = ${((RECORDING_HOURS * 3600) / recSec).toFixed(0)}× realtime — ${found(timeline, rec.truth)}`,
        );
      }
    }
    console.log(`\nload average at end: ${loadAverage()}`);
  } finally {
    for (const db of dbs) await db.drop().catch(() => undefined);
    for (const db of keep) await db.pool.end().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
