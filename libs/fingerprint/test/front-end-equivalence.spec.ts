/**
 * The faster front-end (src/fft.ts windowedPower, src/peaks.ts) must give exactly the peaks — and so the
 * postings — of the front-end every existing index was built with (FINGERPRINT_ALGORITHM_VERSION 1), kept
 * frozen in support/reference-peaks.ts. Compared on real recordings (the fixtures, and every recording in
 * ../shared/audio when that directory is present), on synthetic music and on noise, at several chunk sizes:
 * every field of every peak, and every stored posting (hash, time, aux), bit for bit. PeakExtractor runs its
 * WebAssembly SIMD FFT here (Node has SIMD); the JavaScript FFT it falls back to is compared too.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { decodeMonoToArray } from '@crateflow/audio';
import { postingsOfPeaks } from '../src/fingerprint';
import { FINGERPRINT_SAMPLE_RATE } from '../src/params';
import { PeakExtractor, PeakList } from '../src/peaks';
import { PostingBuffer } from '../src/postings';
import { appendTripletProbes, DEFAULT_SPEED_RANGE, DEFAULT_TRIPLET_PARAMS, semitonesOfPeaks } from '../src/triplet';
import { LIBRARY, OUTSIDE_LIBRARY } from './support/fixtures';
import { ReferencePeakExtractor } from './support/reference-peaks';
import { referenceTripletProbes } from './support/reference-triplet-probes';
import { renderSynth } from './support/synth';

const SR = FINGERPRINT_SAMPLE_RATE;
/** The shared recordings sit beside the checkout (../shared/audio) or beside the worktrees' parent. */
const SHARED_AUDIO = ['../../../../shared/audio', '../../../../../shared/audio']
  .map((p) => path.resolve(__dirname, p))
  .find((p) => existsSync(p));

function run(make: () => { push(c: Float32Array): void; finish(): PeakList }, pcm: Float32Array, chunk: number) {
  const e = make();
  for (let i = 0; i < pcm.length; i += chunk) e.push(pcm.subarray(i, Math.min(pcm.length, i + chunk)));
  return e.finish();
}

function expectSamePeaks(actual: PeakList, expected: PeakList): void {
  expect(actual.length).toBe(expected.length);
  const n = expected.length;
  for (const field of ['time', 'frame', 'bin', 'freq', 'score', 'level'] as const) {
    // Typed arrays compared element by element with Object.is semantics: bit for bit, −0 and NaN included.
    expect(actual[field].subarray(0, n)).toEqual(expected[field].subarray(0, n));
  }
}

function expectSamePostings(actual: PeakList, expected: PeakList): void {
  const a = postingsOfPeaks(actual);
  const b = postingsOfPeaks(expected);
  for (const strategy of ['landmark', 'triplet'] as const) {
    expect(a[strategy].length).toBe(b[strategy].length);
    expect(a[strategy].hash).toEqual(b[strategy].hash);
    expect(a[strategy].time).toEqual(b[strategy].time);
    expect(a[strategy].aux).toEqual(b[strategy].aux);
  }
}

const recordings = [
  ...LIBRARY.map((t) => t.file),
  OUTSIDE_LIBRARY,
  ...(SHARED_AUDIO
    ? readdirSync(SHARED_AUDIO)
        .filter((f) => f.endsWith('.ogg'))
        .map((f) => path.join(SHARED_AUDIO, f))
    : []),
];

describe('front-end equivalence with algorithm version 1', () => {
  it.each(recordings.map((f) => [path.basename(f), f]))(
    'gives the same peaks and postings on %s',
    async (_name, file) => {
      const pcm = await decodeMonoToArray(file, { sampleRate: SR });
      const expected = run(() => new ReferencePeakExtractor(), pcm, SR);
      expect(expected.length).toBeGreaterThan(20);
      const actual = run(() => new PeakExtractor(), pcm, SR);
      expectSamePeaks(actual, expected);
      expectSamePostings(actual, expected);
      // The JavaScript FFT (the fallback where WebAssembly SIMD is missing) gives them too.
      expectSamePeaks(
        run(() => new PeakExtractor({}, { simd: false }), pcm, SR),
        expected,
      );
    },
    60_000,
  );

  it('gives the same peaks at any chunk size, on synthetic music, noise and silence', () => {
    const noise = new Float32Array(SR * 20);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      noise[i] = (seed / 2 ** 32 - 0.5) * (i < SR * 10 ? 1 : 0.001);
    }
    const synth = renderSynth(11, 0, 120 * SR);
    // Music, a stretch of digital silence, then music again (silent frames inside the ring).
    const withSilence = new Float32Array(synth.length + 3 * SR);
    withSilence.set(synth.subarray(0, 60 * SR));
    withSilence.set(synth.subarray(60 * SR), 63 * SR);
    for (const pcm of [synth, noise, withSilence, new Float32Array(SR * 2)]) {
      const expected = run(() => new ReferencePeakExtractor(), pcm, pcm.length || 1);
      for (const chunk of [1, 255, SR, pcm.length || 1]) {
        expectSamePeaks(
          run(() => new PeakExtractor(), pcm, chunk),
          expected,
        );
      }
      expectSamePostings(
        run(() => new PeakExtractor(), pcm, SR),
        expected,
      );
      expectSamePeaks(
        run(() => new PeakExtractor({}, { simd: false }), pcm, 255),
        expected,
      );
    }
  });

  it('gives the same triplet query probes, in the same order, at the stored and a wider fan-out', async () => {
    const pcm = await decodeMonoToArray(LIBRARY[0].file, { sampleRate: SR });
    const synth = renderSynth(5, 0, 60 * SR);
    for (const source of [pcm, synth]) {
      const peaks = run(() => new PeakExtractor(), source, SR);
      const lf = semitonesOfPeaks(peaks, 0, peaks.length);
      for (const candidates of [DEFAULT_TRIPLET_PARAMS.candidates, 4]) {
        const params = { ...DEFAULT_TRIPLET_PARAMS, candidates };
        // The default search, one without the key-shift probes (speeds only), one at exact speed (a single box
        // per triplet, so the skip of repeated boxes never applies) and a lopsided wide one with a small key shift.
        for (const speeds of [
          DEFAULT_SPEED_RANGE,
          { ...DEFAULT_SPEED_RANGE, keySemitones: 0 },
          { vinylMin: 1, vinylMax: 1, stretchMin: 1, stretchMax: 1, keySemitones: 0 },
          { vinylMin: 0.85, vinylMax: 1.02, stretchMin: 0.97, stretchMax: 1.12, keySemitones: 1 },
        ]) {
          const expected = new PostingBuffer(1024);
          referenceTripletProbes(peaks, lf, 0, peaks.length, expected, speeds, undefined, params);
          const actual = new PostingBuffer(1024);
          appendTripletProbes(peaks, lf, 0, peaks.length, actual, speeds, undefined, params);
          const a = actual.batch();
          const b = expected.batch();
          expect(b.length).toBeGreaterThan(1000);
          expect(a.length).toBe(b.length);
          // First differing probe (−1: none); toEqual on ~10⁵-element arrays takes seconds each.
          for (const field of ['hash', 'time', 'aux', 'peak'] as const) {
            const got = a[field]!; // `peak` is optional in a PostingBatch; a query buffer always fills it
            const want = b[field]!;
            expect([field, got.findIndex((v, i) => v !== want[i])]).toEqual([field, -1]);
          }
        }
      }
    }
  }, 60_000);
});
