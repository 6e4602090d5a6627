/**
 * Fingerprint index at archive scale (issue 14): storage per hour, indexing speed, and look-up speed on a
 * generated 4-hour recording and a 60-minute mix, through PostgreSQL, for the compact (packed) layout and
 * for the previous layout (one row per posting: the row tier never merged), measured in the same run and
 * printed as ratios. Then the scale generator (synthetic-index.ts) fills a packed index to --generated-hours
 * and the same look-ups are timed against it.
 *
 *   node -r @swc-node/register bench/fingerprint/index-scale.ts [--synth-hours=5] [--generated-hours=1000]
 *     [--recording-hours=4] [--only-generated] [--skip-generated-recording]
 *
 * Needs ffmpeg and PostgreSQL on 127.0.0.1 (scratch databases are created and dropped).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  type MixTimeline,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import {
  buildMix,
  mulberry32,
  renderSegment,
  scoreTimeline,
  type SegmentSpec,
  type Variant,
} from '../../libs/fingerprint/test/support/mixes';
import { createScratchDatabase, type ScratchDatabase } from '../../libs/fingerprint/test/support/pg';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';
import { generatePackedIndex } from './synthetic-index';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SYNTH_HOURS = arg('synth-hours', 5);
const GENERATED_HOURS = arg('generated-hours', 1000);
const RECORDING_HOURS = arg('recording-hours', 4);
const ONLY_GENERATED = args.includes('--only-generated');
const now = () => performance.now() / 1000;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const heading = (s: string) => console.log(`\n== ${s} ${'='.repeat(Math.max(0, 96 - s.length))}`);

const VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'vinyl', speed: 1.06 },
  { kind: 'tempo', speed: 0.95 },
  { kind: 'vinyl', speed: 0.97 },
  { kind: 'noise', snrDb: 10 },
  { kind: 'tempo', speed: 1.04 },
  { kind: 'mp3' },
];

/** ~60 minutes of 30–60 s segments of the library tracks in every variant, a fifth of them outside music. */
function sixtyMinuteMix(): { specs: SegmentSpec[]; crossfades: number[] } {
  const rnd = mulberry32(60);
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  let total = 0;
  for (let s = 0; total < 3600; s++) {
    const len = 30 + Math.floor(rnd() * 31);
    if (rnd() < 0.2) {
      specs.push({
        trackId: null,
        source: { synthSeed: 900_000 + s },
        refStartSec: 0,
        lengthSec: len,
        variant: { kind: 'clean' },
      });
    } else {
      const track = LIBRARY[s % LIBRARY.length];
      const lengthSec = Math.min(len, Math.floor((track.durationSec - 3) / 1.1));
      const refStartSec = Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
      specs.push({
        trackId: track.id,
        source: { file: track.file },
        refStartSec,
        lengthSec,
        variant: VARIANTS[s % VARIANTS.length],
      });
    }
    const fade = 6 + Math.floor(rnd() * 5);
    crossfades.push(fade);
    total += specs[specs.length - 1].lengthSec - fade;
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1) };
}

/**
 * An archive recording (4 hours by default): quiet pink noise, two library songs at 1/8 and 7/8 of it (3 hours
 * apart in 4 hours), 64 kbps mono MP3.
 */
function archiveRecording(dir: string): { file: string; truth: { trackId: number; startSec: number }[] } {
  const file = path.join(dir, 'archive.mp3');
  const total = RECORDING_HOURS * 3600;
  const starts = [total / 8, (total * 7) / 8].map(Math.round);
  execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `anoisesrc=colour=pink:amplitude=0.02:sample_rate=44100:duration=${total}`],
      ...['-i', LIBRARY[0].file, '-i', LIBRARY[1].file],
      '-filter_complex',
      `[1:a]aformat=channel_layouts=mono,adelay=${starts[0] * 1000}:all=1[a];` +
        `[2:a]aformat=channel_layouts=mono,adelay=${starts[1] * 1000}:all=1[b];` +
        `[0:a][a][b]amix=inputs=3:duration=first:normalize=0[out]`,
      ...['-map', '[out]', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', file],
    ],
    { stdio: 'inherit' },
  );
  return { file, truth: [LIBRARY[0].id, LIBRARY[1].id].map((trackId, i) => ({ trackId, startSec: starts[i] })) };
}

function found(timeline: MixTimeline, truth: { trackId: number; startSec: number }[]): string {
  const hits = truth.filter((t) =>
    timeline.entries.some((e) => e.trackId === t.trackId && Math.abs(e.startSec - t.startSec) < 5),
  ).length;
  const wrong = timeline.entries.filter((e) => !truth.some((t) => t.trackId === e.trackId)).length;
  return `${hits}/${truth.length} found, ${wrong} false`;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cf-fpscale-'));
  const dbs: ScratchDatabase[] = [];
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

    const spec = sixtyMinuteMix();
    const mix = await buildMix(spec.specs, spec.crossfades);
    const mixFor = async (label: string, ix: PostgresFingerprintIndex, lookupBatchHops?: number) => {
      const t0 = now();
      const timeline = await identifyMix(ix, mix.pcm, { lookupBatchHops });
      const sec = now() - t0;
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
      const storeTime = async (ix: PostgresFingerprintIndex) => {
        const t0 = now();
        for (const [id, fp] of fps) await indexTrack(ix, id, fp);
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

      heading(`${RECORDING_HOURS}-hour archive recording (64 kbps mono MP3, pink noise, two library songs)`);
      const recording = archiveRecording(work);
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
      const recRows = await recFor('before (rows, hop by hop)', rowsIx, 1);
      const recPacked = await recFor('now (packed, batched)    ', packedIx);
      console.log(`  ratio: ${(recRows / recPacked).toFixed(2)}× faster than before`);

      heading('60-minute mix through PostgreSQL');
      console.log(`${(mix.durationSec / 60).toFixed(1)} min, ${spec.specs.length} segments`);
      const mixRows = await mixFor('before (rows, hop by hop)', rowsIx, 1);
      const mixRowsBatched = await mixFor('rows, batched            ', rowsIx);
      const mixPacked = await mixFor('now (packed, batched)    ', packedIx);
      console.log(
        `  ratio: ${(mixRows / mixPacked).toFixed(2)}× faster than before (batching alone ${(mixRows / mixRowsBatched).toFixed(2)}×)`,
      );
    }

    if (GENERATED_HOURS > 0) {
      heading(`Generated index: ${GENERATED_HOURS} h of synthetic postings (real statistics) + the library`);
      const bigDb = await createScratchDatabase('fpscale');
      dbs.push(bigDb);
      await PostgresFingerprintIndex.createSchema(bigDb.pool);
      const bigIx = new PostgresFingerprintIndex(bigDb.pool);
      const gen = await generatePackedIndex(
        bigDb.pool,
        LIBRARY.map((t) => fps.get(t.id)!),
        GENERATED_HOURS,
        10_000_000,
        (s) => console.log(`  ${s}`),
      );
      const genPostings = gen.postings.landmark + gen.postings.triplet;
      console.log(
        `generated ${gen.tracks.toLocaleString('en')} tracks, ${genPostings.toLocaleString('en')} postings (${(genPostings / GENERATED_HOURS / 3600) | 0}/s of audio) in ${gen.seconds.toFixed(0)} s`,
      );
      const s0 = now();
      for (const [id, fp] of fps) await indexTrack(bigIx, id, fp);
      const storeSec = now() - s0;
      const g0 = now();
      const m = await bigIx.mergePending();
      const mergeBig = now() - g0;
      console.log(
        `indexing the ${libraryHours.toFixed(1)} h library into it: store ${(audioSec / storeSec).toFixed(0)}× realtime, merge ${mergeBig.toFixed(1)} s (${(m.postings / mergeBig).toFixed(0)} postings/s)`,
      );
      await bigDb.pool.query('VACUUM FULL fingerprint_landmark_postings, fingerprint_triplet_postings');
      await bigDb.pool.query('VACUUM ANALYZE');
      const bytes = await bigIx.storageBytes();
      const hours = GENERATED_HOURS + libraryHours;
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
          const [best] = await identifyExcerpt(bigIx, pcm);
          times.push(now() - e0);
          if (best?.trackId === t.id) right++;
        }
      }
      times.sort((a, b) => a - b);
      console.log(
        `12-s excerpt look-up: median ${(times[times.length >> 1] * 1000).toFixed(0)} ms, max ${(times[times.length - 1] * 1000).toFixed(0)} ms; ${right}/${times.length} right`,
      );
      await mixFor(`60-minute mix at ${hours.toFixed(0)} h`, bigIx);
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
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
