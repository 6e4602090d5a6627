/**
 * Look-up speed (issue 14, point 2): where the time of a mix identification goes — decoding (ffmpeg), the
 * front-end (FFT, peaks, hashing), our matching, and the PostgreSQL backends — measured as CPU seconds of each
 * process (the machine is shared, so wall time alone says little), with wall time and the load average beside
 * them, and Olaf on the same files in the same run when OLAF_CORE is set.
 *
 *   node -r @swc-node/register bench/fingerprint/lookup-speed.ts [--synth-hours=5] [--recording-hours=4]
 *     [--recording=/path/to/existing.mp3] [--skip-recording] [--skip-mix] [--rounds=2]
 *     [--front-end=both|thread|inline|auto]
 *
 * 1. Front-end alone on the 60-minute mix's PCM: the frozen reference front-end (test/support/reference-peaks.ts,
 *    the algorithm-version-1 code as it was before this work) against src/peaks.ts, alternating, peaks compared.
 * 2. A generated archive recording (pink noise, two library songs 3 hours apart, 64 kbps mono MP3), identified
 *    through PostgreSQL from the file (decode included), against Olaf's decode + query of the same file.
 * 3. A 60-minute mix (95 segments, PCM given) identified through PostgreSQL, against Olaf's query.
 *
 * 2 and 3 run identifyMix with its front-end (FFT, peaks) in a thread of its own and inline, alternating (the
 * order flipped every round, so that neither always runs first), every round (--front-end=both, the default; timelines compared), or one way only (MixOptions.frontEnd).
 *
 * Needs ffmpeg and PostgreSQL on 127.0.0.1 (a scratch database is created and dropped).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import {
  decodeForFingerprint,
  identifyMix,
  PostgresFingerprintIndex,
  type MixOptions,
  type MixTimeline,
} from '@crateflow/fingerprint';
import { buildMix, scoreTimeline } from '../../libs/fingerprint/test/support/mixes';
import type { ScratchDatabase } from '../../libs/fingerprint/test/support/pg';
import { PeakExtractor } from '../../libs/fingerprint/src/peaks';
import { ReferencePeakExtractor } from '../../libs/fingerprint/test/support/reference-peaks';
import { Olaf, type OlafMatch } from './olaf';
import { packedLibrary } from './packed-library';
import { BackendCpu, loadAverage, procCpu, selfCpu } from './process-cpu';
import { archiveRecording, archiveTruth, djMix, storeLibraryInOlaf } from './scale-queries';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SYNTH_HOURS = arg('synth-hours', 5);
const RECORDING_HOURS = arg('recording-hours', 4);
const ROUNDS = arg('rounds', 2);
const GIVEN_RECORDING = args.find((a) => a.startsWith('--recording='))?.split('=')[1];
const FRONT_END = args.find((a) => a.startsWith('--front-end='))?.split('=')[1] ?? 'both';
if (!['both', 'thread', 'inline', 'auto'].includes(FRONT_END)) throw new Error(`--front-end=${FRONT_END}?`);
const FRONT_ENDS = (FRONT_END === 'both' ? ['thread', 'inline'] : [FRONT_END]) as NonNullable<MixOptions['frontEnd']>[];
/** Whether two timelines are the same, entry by entry (the thread must not change anything). */
const sameTimeline = (a: MixTimeline, b: MixTimeline) => JSON.stringify(a) === JSON.stringify(b);

const now = () => performance.now() / 1000;
const heading = (s: string) => console.log(`\n== ${s} ${'='.repeat(Math.max(0, 96 - s.length))}`);
const f1 = (v: number) => v.toFixed(1);

/** CPU seconds of this process's main thread alone (/proc/self/task/<pid>: not the front-end thread, GC helpers). */
function mainThreadCpu(): number {
  return procCpu(`self/task/${process.pid}`);
}

interface Measured {
  wall: number;
  ours: number;
  /** Of `ours`, the main thread's. */
  main: number;
  children: number;
  backends: number;
}

async function measure<T>(backends: BackendCpu, work: () => Promise<T>): Promise<{ result: T; m: Measured }> {
  const b0 = await backends.sample();
  const c0 = selfCpu();
  const m0 = mainThreadCpu();
  const k0 = procCpu('self', true);
  const t0 = now();
  const result = await work();
  const wall = now() - t0;
  const ours = selfCpu() - c0;
  const main = mainThreadCpu() - m0;
  const children = procCpu('self', true) - k0;
  const backendsUsed = BackendCpu.used(b0, await backends.sample());
  return { result, m: { wall, ours, main, children, backends: backendsUsed } };
}

function describe(m: Measured, audioSec: number): string {
  const total = m.ours + m.children + m.backends;
  return (
    `wall ${f1(m.wall)} s (${(audioSec / m.wall).toFixed(0)}× realtime); CPU: ours ${f1(m.ours)} s (main thread ${f1(m.main)} s), ffmpeg ${f1(m.children)} s, ` +
    `PostgreSQL ${f1(m.backends)} s, total ${f1(total)} s = ${(audioSec / total).toFixed(0)}× realtime per CPU second`
  );
}

function found(timeline: MixTimeline, truth: { trackId: number; startSec: number }[]): string {
  const hits = truth.filter((t) =>
    timeline.entries.some((e) => e.trackId === t.trackId && Math.abs(e.startSec - t.startSec) < 5),
  ).length;
  const wrong = timeline.entries.filter((e) => !truth.some((t) => t.trackId === e.trackId)).length;
  return `${hits}/${truth.length} found, ${wrong} false`;
}

function olafFound(matches: OlafMatch[], ids: Map<number, number>, truth: { trackId: number; startSec: number }[]) {
  const hits = truth.filter((t) =>
    matches.some((m) => m.refId === ids.get(t.trackId) && Math.abs(m.queryStartSec - t.startSec) < 30),
  ).length;
  const known = new Set(truth.map((t) => ids.get(t.trackId)));
  const wrong = new Set(matches.filter((m) => !known.has(m.refId)).map((m) => m.refId)).size;
  return `${hits}/${truth.length} found, ${wrong} other tracks named`;
}

/** Front-end CPU seconds of one extractor over `pcm`, fed in one-second chunks. */
function frontEnd(make: () => { push(c: Float32Array): void; finish(): unknown }, pcm: Float32Array) {
  const c0 = selfCpu();
  const e = make();
  for (let i = 0; i < pcm.length; i += 8000) e.push(pcm.subarray(i, Math.min(pcm.length, i + 8000)));
  const peaks = e.finish() as {
    length: number;
    frame: Int32Array;
    bin: Int32Array;
    time: Float64Array;
    freq: Float32Array;
  };
  return { cpu: selfCpu() - c0, peaks };
}

function samePeaks(
  a: { length: number; frame: Int32Array; bin: Int32Array; time: Float64Array; freq: Float32Array },
  b: typeof a,
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a.frame[i] !== b.frame[i] || a.bin[i] !== b.bin[i] || a.time[i] !== b.time[i] || a.freq[i] !== b.freq[i])
      return false;
  }
  return true;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cf-fplookup-'));
  let db: ScratchDatabase | null = null;
  let pool: Pool | null = null;
  try {
    console.log(`load average at start: ${loadAverage()}; ${execFileSync('nproc').toString().trim()} cores`);
    heading('Library: the real recordings + synthetic tracks');
    const library = await packedLibrary('fplookup', SYNTH_HOURS);
    ({ db, pool } = library);
    const { fingerprints: fps, synthTracks, hours: libraryHours } = library;
    const index = new PostgresFingerprintIndex(pool);
    const backends = new BackendCpu(pool, db.name);
    console.log(`${fps.size} tracks, ${libraryHours.toFixed(2)} h, packed (merged) in PostgreSQL`);

    const olaf = Olaf.fromEnv(work);
    const olafIds = olaf ? storeLibraryInOlaf(olaf, synthTracks, fps.keys()).ids : new Map<number, number>();
    if (olaf) console.log('Olaf (OLAF_CORE) stored the same library');

    const spec = djMix(60);
    const mix = await buildMix(spec.specs, spec.crossfades);

    heading(`Front-end alone (FFT + peaks), the 60-minute mix's PCM, ${ROUNDS} rounds alternating`);
    const ref: number[] = [];
    const ours: number[] = [];
    let identical = true;
    for (let r = 0; r < ROUNDS; r++) {
      const a = frontEnd(() => new ReferencePeakExtractor(), mix.pcm);
      const b = frontEnd(() => new PeakExtractor(), mix.pcm);
      ref.push(a.cpu);
      ours.push(b.cpu);
      identical &&= samePeaks(a.peaks, b.peaks);
    }
    const best = (xs: number[]) => Math.min(...xs);
    console.log(
      `reference (before): ${ref.map(f1).join(', ')} CPU s; now: ${ours.map((v) => v.toFixed(2)).join(', ')} CPU s → ` +
        `${(best(ref) / best(ours)).toFixed(2)}× faster (best of each); ${(mix.durationSec / best(ours)).toFixed(0)}× realtime per CPU second; ` +
        `peaks ${identical ? 'identical (frame, bin, time, frequency)' : 'DIFFERENT'}; load ${loadAverage()}`,
    );

    if (!args.includes('--skip-recording')) {
      heading(`${RECORDING_HOURS}-hour archive recording (64 kbps mono MP3, pink noise, two library songs)`);
      const file = GIVEN_RECORDING ?? archiveRecording(work, RECORDING_HOURS).file;
      const recSec = RECORDING_HOURS * 3600;
      const truth = archiveTruth(RECORDING_HOURS);
      console.log(`file: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
      const decode = await measure(backends, async () => {
        for await (const chunk of decodeForFingerprint(file)) void chunk;
      });
      console.log(`decode alone (ffmpeg → 8 kHz mono): ${describe(decode.m, recSec)}`);
      let first: MixTimeline | null = null;
      for (let r = 0; r < ROUNDS; r++) {
        let run!: { result: MixTimeline; m: Measured };
        for (const frontEnd of r % 2 ? [...FRONT_ENDS].reverse() : FRONT_ENDS) {
          run = await measure(backends, () => identifyMix(index, decodeForFingerprint(file), { frontEnd }));
          first ??= run.result;
          console.log(
            `  ours (front-end ${frontEnd}), identifyMix through PostgreSQL: ${describe(run.m, recSec)} — ${found(run.result, truth)}` +
              `${sameTimeline(run.result, first) ? '' : ', TIMELINE DIFFERS'}; load ${loadAverage()}`,
          );
        }
        if (olaf) {
          const o = await measure(backends, async () => olaf.query(olaf.decode(file), 'archive.mp3'));
          const oCpu = o.m.children;
          const usCpu = run.m.ours + run.m.children + run.m.backends;
          console.log(
            `  Olaf, decode + query: wall ${f1(o.m.wall)} s (${(recSec / o.m.wall).toFixed(0)}× realtime), CPU ${f1(oCpu)} s = ` +
              `${(recSec / oCpu).toFixed(0)}× realtime per CPU second — ${olafFound(o.result, olafIds, truth)}; ` +
              `ours/Olaf: CPU ${(usCpu / oCpu).toFixed(2)}, wall ${(run.m.wall / o.m.wall).toFixed(2)}`,
          );
        }
      }
    }

    if (!args.includes('--skip-mix')) {
      heading('60-minute mix through PostgreSQL (PCM given)');
      console.log(`${(mix.durationSec / 60).toFixed(1)} min, ${spec.specs.length} segments`);
      let olafRaw: string | null = null;
      let first: MixTimeline | null = null;
      for (let r = 0; r < ROUNDS; r++) {
        let run!: { result: MixTimeline; m: Measured };
        for (const frontEnd of r % 2 ? [...FRONT_ENDS].reverse() : FRONT_ENDS) {
          run = await measure(backends, () => identifyMix(index, mix.pcm, { frontEnd }));
          first ??= run.result;
          const score = scoreTimeline(run.result.entries, mix.truth, 2);
          console.log(
            `  ours (front-end ${frontEnd}): ${describe(run.m, mix.durationSec)} — recall ${score.found}/${score.librarySegments}, ` +
              `precision ${score.correctEntries}/${score.entries}${sameTimeline(run.result, first) ? '' : ', TIMELINE DIFFERS'}; load ${loadAverage()}`,
          );
        }
        if (olaf) {
          olafRaw ??= olaf.decode(olaf.writeWav(mix.pcm, 8000));
          const raw = olafRaw;
          const o = await measure(backends, async () => olaf.query(raw, 'mix.wav'));
          const named = new Set(o.result.map((m) => m.refId));
          const inMix = new Set(mix.truth.flatMap((t) => (t.trackId === null ? [] : [olafIds.get(t.trackId)])));
          const usCpu = run.m.ours + run.m.backends;
          console.log(
            `  Olaf, query only: wall ${f1(o.m.wall)} s, CPU ${f1(o.m.children)} s — ${o.result.length} matches naming ` +
              `${[...named].filter((id) => inMix.has(id)).length}/${inMix.size} library tracks of the mix and ` +
              `${[...named].filter((id) => !inMix.has(id)).length} others; ours/Olaf: CPU ${(usCpu / o.m.children).toFixed(2)}, wall ${(run.m.wall / o.m.wall).toFixed(2)}`,
          );
        }
      }
    }
    console.log(`\nload average at end: ${loadAverage()}`);
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
