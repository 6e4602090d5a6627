/**
 * Fingerprint benchmark: indexing speed, identification accuracy on generated DJ mixes, time to identify a
 * 60-minute mix, index size per hour of audio (in memory and in PostgreSQL), and query time as the library
 * grows from 10 to 200 hours. Prints ratios against a reference measured in the same run (ffmpeg decoding
 * the same audio; audfprint when it can be run here).
 *
 *   node -r @swc-node/register bench/fingerprint/run.ts [--quick] [--max-hours=200] [--mixes=6] [--skip-pg]
 *
 * --quick: smaller everything (a few minutes). Synthetic audio stands in for library bulk (it is generated,
 * not stored). Everything it writes goes to a temporary directory (and a scratch database) removed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FINGERPRINT_SAMPLE_RATE,
  fingerprintFile,
  fingerprintPcm,
  identifyExcerpt,
  identifyMix,
  indexTrack,
  MemoryFingerprintIndex,
  PostgresFingerprintIndex,
  type FingerprintIndex,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY, OUTSIDE_LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import {
  buildMix,
  median,
  mulberry32,
  renderSegment,
  scoreTimeline,
  speedOf,
  type SegmentSpec,
  type Variant,
  variantName,
} from '../../libs/fingerprint/test/support/mixes';
import { createScratchDatabase } from '../../libs/fingerprint/test/support/pg';
import { renderSynth, synthChunks } from '../../libs/fingerprint/test/support/synth';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const skipPg = args.includes('--skip-pg');
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const MAX_HOURS = arg('max-hours', quick ? 25 : 200);
const MIXES = arg('mixes', quick ? 2 : 6);
const SR = FINGERPRINT_SAMPLE_RATE;
const SHARED_AUDIO = path.resolve(__dirname, '../../../shared/audio');

const VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'vinyl', speed: 1.08 },
  { kind: 'vinyl', speed: 0.92 },
  { kind: 'vinyl', speed: 1.04 },
  { kind: 'vinyl', speed: 0.97 },
  { kind: 'tempo', speed: 1.06 },
  { kind: 'tempo', speed: 0.94 },
  { kind: 'tempo', speed: 1.03 },
  { kind: 'bass' },
  { kind: 'noise', snrDb: 10 },
  { kind: 'mp3' },
];

// ------------------------------------------------------------------------------------------- helpers
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
/** CPU seconds of this process and of its finished child processes (ffmpeg), from /proc. */
function cpu(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: (Number(f[11]) + Number(f[12])) / TICKS, children: (Number(f[13]) + Number(f[14])) / TICKS };
}
const now = () => performance.now() / 1000;
const x = (v: number) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×`;
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : 'n/a');
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
function heading(s: string): void {
  console.log(`\n== ${s} ${'='.repeat(Math.max(0, 96 - s.length))}`);
}
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

async function indexSynthetic(
  index: FingerprintIndex,
  firstId: number,
  hours: number,
  trackSec: number,
  keep?: Map<number, TrackFingerprint>,
): Promise<{ ids: number[]; cpuSec: number }> {
  const ids: number[] = [];
  const c0 = cpu().self;
  const n = Math.round((hours * 3600) / trackSec);
  for (let i = 0; i < n; i++) {
    const id = firstId + i;
    const fp = await fingerprintPcm(synthChunks(id, trackSec, 20));
    await indexTrack(index, id, fp);
    keep?.set(id, fp);
    ids.push(id);
  }
  return { ids, cpuSec: cpu().self - c0 };
}

function randomMixSpec(rnd: () => number, segments: number): { specs: SegmentSpec[]; crossfades: number[] } {
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  let v = Math.floor(rnd() * VARIANTS.length);
  for (let s = 0; s < segments; s++) {
    const len = 30 + Math.floor(rnd() * 31);
    const r = rnd();
    if (r < 0.12)
      specs.push({
        trackId: null,
        source: { file: OUTSIDE_LIBRARY },
        refStartSec: Math.floor(rnd() * 5),
        lengthSec: Math.min(len, 40),
        variant: { kind: 'clean' },
      });
    else if (r < 0.22)
      specs.push({
        trackId: null,
        source: { synthSeed: 900_000 + Math.floor(rnd() * 1e5) },
        refStartSec: 0,
        lengthSec: len,
        variant: { kind: 'clean' },
      });
    else {
      let t = Math.floor(rnd() * LIBRARY.length);
      if (specs.length && specs[specs.length - 1].trackId === LIBRARY[t].id) t = (t + 1) % LIBRARY.length;
      const track = LIBRARY[t];
      const variant = VARIANTS[v++ % VARIANTS.length];
      const lengthSec = Math.min(len, Math.floor((track.durationSec - 3) / 1.1));
      const refStartSec = Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
      specs.push({ trackId: track.id, source: { file: track.file }, refStartSec, lengthSec, variant });
    }
    crossfades.push(6 + Math.floor(rnd() * 5));
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1) };
}

// ---------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cf-bench-fp-'));
  console.log(
    `Crateflow fingerprint benchmark${quick ? ' (quick)' : ''} — load average ${loadAverage()}, node ${process.version}`,
  );
  try {
    // ---------------------------------------------------------------------------- 1. indexing speed
    heading('1. Indexing speed (decode + fingerprint, one Node process; ffmpeg decodes in a child process)');
    const list = path.join(work, 'list.txt');
    const sources = [...LIBRARY.map((t) => t.file), OUTSIDE_LIBRARY];
    const repeats = quick ? 1 : 4;
    writeFileSync(
      list,
      Array.from({ length: repeats }, () => sources.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n')).join(
        '\n',
      ),
    );
    const longFile = path.join(work, 'real-music.flac');
    execFileSync('ffmpeg', [
      '-y',
      '-v',
      'fatal',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-map',
      '0:a:0',
      '-vn',
      '-ar',
      '44100',
      '-ac',
      '2',
      '-c:a',
      'flac',
      longFile,
    ]);
    // Reference: ffmpeg alone, decoding the same file to the same 8 kHz mono float stream.
    const refT0 = now();
    const refC0 = cpu().children;
    spawnSync('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-i',
      longFile,
      '-af',
      'pan=mono|c0=0.5*c0+0.5*c1',
      '-ac',
      '1',
      '-ar',
      String(SR),
      '-f',
      'f32le',
      '-y',
      '/dev/null',
    ]);
    const refWall = now() - refT0;
    const refCpu = cpu().children - refC0;
    const t0 = now();
    const c0 = cpu();
    const fp = await fingerprintFile(longFile);
    const wall = now() - t0;
    const c1 = cpu();
    const audio = fp.durationSec;
    const pcm = renderSynth(1, 0, 600 * SR);
    const c2 = cpu().self;
    await fingerprintPcm(pcm);
    const synthCpu = cpu().self - c2;
    console.log(
      `audio: ${(audio / 60).toFixed(1)} min of real music (the shared recordings, ${repeats}× over, FLAC 44.1 kHz stereo)`,
    );
    console.log(
      `ffmpeg decode only (reference)        : ${x(audio / refWall)} realtime wall, ${x(audio / refCpu)} per CPU second`,
    );
    console.log(
      `Crateflow decode + fingerprint        : ${x(audio / wall)} realtime wall; our process ${x(audio / (c1.self - c0.self))} per CPU second (+ ffmpeg ${x(audio / (c1.children - c0.children))})`,
    );
    console.log(`Crateflow fingerprint only (PCM given) : ${x(600 / synthCpu)} per CPU second`);
    console.log(
      `ratio ours (wall, incl. decoding) / ffmpeg decode alone: ${(audio / wall / (audio / refWall)).toFixed(2)}`,
    );
    console.log(
      `hashes: ${(fp.landmark.length / audio).toFixed(1)} landmarks/s, ${(fp.triplet.length / audio).toFixed(1)} triplets/s, ${(fp.peaks.length / audio).toFixed(1)} peaks/s of real music`,
    );
    const realRate = (fp.landmark.length + fp.triplet.length) / audio;

    // ------------------------------------------------------------------- library for what follows
    const memory = new MemoryFingerprintIndex();
    for (const t of LIBRARY) await indexTrack(memory, t.id, await fingerprintFile(t.file));
    const baseHours = quick ? 2 : 10;
    const synthKeep = new Map<number, TrackFingerprint>();
    const synthT0 = now();
    const { ids: synthIds, cpuSec: synthIndexCpu } = await indexSynthetic(
      memory,
      1_000_000,
      baseHours,
      600,
      skipPg ? undefined : synthKeep,
    );
    console.log(
      `\nlibrary: the 3 real recordings + ${baseHours} h of synthetic music (${synthIds.length} tracks of 10 min) indexed in ${(now() - synthT0).toFixed(0)} s (${x((baseHours * 3600) / synthIndexCpu)} per CPU second)`,
    );

    // ------------------------------------------------------------------ 2. accuracy on generated mixes
    heading(`2. Identification on ${MIXES} generated mixes of 10 segments (30–60 s, crossfades 6–10 s, level-matched)`);
    const rnd = mulberry32(20_241_121);
    const errors: number[] = [];
    let found = 0;
    let librarySegments = 0;
    let correct = 0;
    let entries = 0;
    const perVariant = new Map<string, [number, number]>();
    for (let m = 0; m < MIXES; m++) {
      const { specs, crossfades } = randomMixSpec(rnd, 10);
      const mix = await buildMix(specs, crossfades);
      const timeline = await identifyMix(memory, mix.pcm);
      const score = scoreTimeline(timeline.entries, mix.truth, 2);
      found += score.found;
      librarySegments += score.librarySegments;
      correct += score.correctEntries;
      entries += score.entries;
      errors.push(...score.startErrorsSec);
      for (const d of score.details) {
        const k = variantName(d.truth.variant);
        const v = perVariant.get(k) ?? [0, 0];
        v[1]++;
        if (d.startErrorSec !== null && d.startErrorSec <= 2) v[0]++;
        perVariant.set(k, v);
      }
    }
    console.log(
      `recall (track found, start within ±2 s): ${found}/${librarySegments} = ${pct(found, librarySegments)}`,
    );
    console.log(`precision (entries naming the track that plays): ${correct}/${entries} = ${pct(correct, entries)}`);
    const sortedErr = [...errors].sort((a, b) => a - b);
    console.log(
      `start-time error: median ${median(errors).toFixed(2)} s, 90th percentile ${(sortedErr[Math.floor(0.9 * (sortedErr.length - 1))] ?? NaN).toFixed(2)} s`,
    );
    console.log(`per variant: ${[...perVariant].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(', ')}`);

    // Excerpts: every library track × every variant, 12 s from a few positions.
    let excerptOk = 0;
    let excerptTotal = 0;
    const speedErrors: number[] = [];
    for (const track of LIBRARY) {
      for (const [vi, variant] of VARIANTS.entries()) {
        const startSec = 5 + ((vi * 13) % Math.floor(track.durationSec - 25));
        const q = await renderSegment(
          { trackId: track.id, source: { file: track.file }, refStartSec: startSec, lengthSec: 12, variant },
          work,
          vi,
        );
        const [best] = await identifyExcerpt(memory, q);
        excerptTotal++;
        if (
          best &&
          best.trackId === track.id &&
          Math.abs(best.refOffsetSec - best.speed * best.queryOffsetSec - startSec) < 1
        ) {
          excerptOk++;
          speedErrors.push(Math.abs(best.speed - speedOf(variant)));
        }
      }
    }
    let falseExcerpts = 0;
    let outsideQueries = 0;
    for (let s = 0; s < 6; s++) {
      outsideQueries++;
      if ((await identifyExcerpt(memory, renderSynth(800_000 + s, 0, 15 * SR))).length) falseExcerpts++;
    }
    console.log(
      `12-s excerpts: ${excerptOk}/${excerptTotal} identified at the right position (±1 s), median speed error ${(median(speedErrors) * 100).toFixed(2)} %; ${falseExcerpts}/${outsideQueries} excerpts of unindexed music matched something`,
    );

    // ---------------------------------------------------------------------------- 3. 60-minute mix
    heading('3. Identifying a 60-minute mix');
    const big = randomMixSpec(mulberry32(7), 140);
    while (big.specs.reduce((s, x2) => s + x2.lengthSec, 0) - big.crossfades.reduce((s, c) => s + c, 0) > 3600) {
      big.specs.pop();
      big.crossfades.pop();
    }
    big.crossfades.length = big.specs.length - 1;
    const bigMix = await buildMix(big.specs, big.crossfades);
    const m0 = now();
    const mc0 = cpu().self;
    const bigTimeline = await identifyMix(memory, bigMix.pcm);
    const mixWall = now() - m0;
    const mixCpu = cpu().self - mc0;
    const bigScore = scoreTimeline(bigTimeline.entries, bigMix.truth, 2);
    console.log(
      `${(bigMix.durationSec / 60).toFixed(1)} min mix, ${big.specs.length} segments, in-memory index (${baseHours} h + 3 tracks): ${mixWall.toFixed(1)} s wall, ${mixCpu.toFixed(1)} CPU s (aim < 30 s) — recall ${pct(bigScore.found, bigScore.librarySegments)}, precision ${pct(bigScore.correctEntries, bigScore.entries)}`,
    );

    // ------------------------------------------------------------------------- 4. bytes per hour
    heading('4. Index size per hour of audio');
    const memStats = memory.memoryStats();
    const memPostings = memStats.landmark.postings + memStats.triplet.postings;
    const memBytes = memStats.landmark.bytes + memStats.triplet.bytes;
    console.log(
      `in memory: ${memPostings.toLocaleString('en')} postings in ${mb(memBytes)} of typed arrays = ${(memBytes / memPostings).toFixed(1)} bytes/posting (arrays grow by doubling)`,
    );
    console.log(
      `real music gives ${realRate.toFixed(1)} postings/s = ${((realRate * 3600) / 1000).toFixed(0)}k postings per hour of audio`,
    );
    let pgBytesPerPosting: number | null = null;
    if (!skipPg) {
      let db;
      try {
        db = await createScratchDatabase('benchfp');
      } catch (e) {
        console.log(`PostgreSQL: not reachable (${(e as Error).message}); skipped`);
      }
      if (db) {
        try {
          await PostgresFingerprintIndex.createSchema(db.pool);
          const pg = new PostgresFingerprintIndex(db.pool);
          const i0 = now();
          let rows = 0;
          for (const t of LIBRARY) rows += sum((await indexTrack(pg, t.id, await fingerprintFile(t.file))).stored);
          for (const [id, f] of synthKeep) rows += sum((await indexTrack(pg, id, f)).stored);
          const insertSec = now() - i0;
          // The previous layout (one row per posting) is the row tier before any merge: measured first.
          await db.pool.query('VACUUM ANALYZE fingerprint_landmark_postings, fingerprint_triplet_postings');
          const rowBytes = (await pg.storageBytes()).total;
          const r0 = now();
          const rowTimeline = await identifyMix(pg, bigMix.pcm);
          const rowMixSec = now() - r0;
          const m0 = now();
          const merged = await pg.mergePending();
          const mergeSec = now() - m0;
          await db.pool.query('VACUUM FULL fingerprint_landmark_postings, fingerprint_triplet_postings');
          await db.pool.query('VACUUM ANALYZE fingerprint_landmark_packed, fingerprint_triplet_packed');
          const bytes = await pg.storageBytes();
          const total = bytes.total;
          pgBytesPerPosting = total / rows;
          console.log(
            `PostgreSQL: ${rows.toLocaleString('en')} postings stored in ${insertSec.toFixed(1)} s (${Math.round(rows / insertSec).toLocaleString('en')} rows/s, verified read-back included); merged into packed rows in ${mergeSec.toFixed(1)} s (${Math.round(merged.postings / mergeSec).toLocaleString('en')} postings/s, ${merged.rowsWritten.toLocaleString('en')} rows)`,
          );
          console.log(
            `  previous layout (rows): ${mb(rowBytes)} = ${(rowBytes / rows).toFixed(1)} bytes/posting; packed: ${mb(total)} = ${pgBytesPerPosting.toFixed(1)} bytes/posting (${JSON.stringify(bytes)}); ratio ${(rowBytes / total).toFixed(2)}× smaller`,
          );
          const perHourReal = pgBytesPerPosting * realRate * 3600;
          console.log(
            `  = ${mb(perHourReal)} per hour of real music at this library size (${(rows / realRate / 3600).toFixed(1)} h; rows grow denser with the library: bench/fingerprint/index-scale.ts)`,
          );
          // The 60-minute mix through the database, both layouts.
          const p0 = now();
          const pgTimeline = await identifyMix(pg, bigMix.pcm);
          const packedMixSec = now() - p0;
          const pgScore = scoreTimeline(pgTimeline.entries, bigMix.truth, 2);
          const rowScore = scoreTimeline(rowTimeline.entries, bigMix.truth, 2);
          console.log(
            `  60-minute mix through PostgreSQL: packed ${packedMixSec.toFixed(1)} s wall (recall ${pct(pgScore.found, pgScore.librarySegments)}, precision ${pct(pgScore.correctEntries, pgScore.entries)}); previous layout ${rowMixSec.toFixed(1)} s (recall ${pct(rowScore.found, rowScore.librarySegments)}); ratio ${(rowMixSec / packedMixSec).toFixed(2)}× faster`,
          );
        } finally {
          await db.drop();
        }
      }
    }
    synthKeep.clear();

    // ---------------------------------------------------------------- 5. query time vs library size
    heading(`5. Query time as the library grows (in memory, synthetic 10-min tracks, up to ${MAX_HOURS} h)`);
    const queries: { pcm: Float32Array; trackId: number; refStartSec: number }[] = [];
    for (const [i, track] of LIBRARY.entries()) {
      for (const variant of [VARIANTS[0], VARIANTS[1], VARIANTS[6], VARIANTS[9]]) {
        const refStartSec = 10 + i * 7;
        queries.push({
          pcm: await renderSegment(
            { trackId: track.id, source: { file: track.file }, refStartSec, lengthSec: 12, variant },
            work,
            i,
          ),
          trackId: track.id,
          refStartSec,
        });
      }
    }
    for (let k = 0; k < 8; k++) {
      const id = synthIds[(k * 7) % synthIds.length];
      queries.push({ pcm: renderSynth(id, 100 * SR, 112 * SR), trackId: id, refStartSec: 100 });
    }
    let hours = baseHours;
    let nextId = 1_000_000 + synthIds.length;
    console.log('library h | postings   | memory    | median query (12 s excerpt) | p90     | found');
    for (const target of [10, 25, 50, 100, 200, 400].filter((h) => h <= MAX_HOURS && h >= baseHours)) {
      if (target > hours) {
        const { ids } = await indexSynthetic(memory, nextId, target - hours, 600);
        nextId += ids.length;
        hours = target;
        synthIds.push(...ids);
      }
      // Queries from tracks added last, too.
      queries.push({
        pcm: renderSynth(synthIds[synthIds.length - 1], 50 * SR, 62 * SR),
        trackId: synthIds[synthIds.length - 1],
        refStartSec: 50,
      });
      const times: number[] = [];
      let ok = 0;
      for (const q of queries) {
        const q0 = now();
        const [best] = await identifyExcerpt(memory, q.pcm);
        times.push((now() - q0) * 1000);
        if (
          best &&
          best.trackId === q.trackId &&
          Math.abs(best.refOffsetSec - best.speed * best.queryOffsetSec - q.refStartSec) < 1
        )
          ok++;
      }
      const st = memory.memoryStats();
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `${String(hours).padStart(9)} | ${(st.landmark.postings + st.triplet.postings).toLocaleString('en').padStart(10)} | ${mb(st.landmark.bytes + st.triplet.bytes).padStart(9)} | ${median(times).toFixed(1).padStart(24)} ms | ${sorted[Math.floor(0.9 * (sorted.length - 1))].toFixed(1).padStart(4)} ms | ${ok}/${queries.length}`,
      );
    }
    if (pgBytesPerPosting)
      console.log(
        `(PostgreSQL needs ${pgBytesPerPosting.toFixed(0)} bytes per posting; see README for the capacity arithmetic)`,
      );

    // -------------------------------------------------------------------------------- 6. audfprint
    heading('6. Reference implementations');
    const audfprint = spawnSync('audfprint', ['--help'], { encoding: 'utf8' });
    if (audfprint.error) {
      console.log(
        'audfprint: not available here (not on npm, not in Debian; it must not become a project dependency).',
      );
      console.log(
        `Ratios are against ffmpeg decoding the same audio in this run (section 1). For orientation only, DESIGN.md`,
      );
      console.log(
        `recorded audfprint at ~154× realtime indexing on this machine, failing at ≥ 2 % speed change: ours / that = ${(audio / wall / 154).toFixed(1)} (wall, incl. decoding).`,
      );
    } else {
      console.log('audfprint is installed; comparing it is not implemented in this run.');
    }
    console.log(`\nshared recordings used: ${SHARED_AUDIO}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function sum(c: { landmark: number; triplet: number }): number {
  return c.landmark + c.triplet;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
