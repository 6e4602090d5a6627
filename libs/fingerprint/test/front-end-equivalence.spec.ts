/**
 * The faster front-end (src/fft.ts windowedPower, src/peaks.ts) must give exactly the peaks — and so the
 * postings — of the front-end every existing index was built with (FINGERPRINT_ALGORITHM_VERSION 1), kept
 * frozen in support/reference-peaks.ts. Compared on real recordings (the fixtures, and every recording in
 * ../shared/audio when that directory is present), on synthetic music and on noise, at several chunk sizes:
 * every field of every peak, and every stored posting (hash, time, aux), bit for bit.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { decodeMonoToArray } from '@crateflow/audio';
import { postingsOfPeaks } from '../src/fingerprint';
import { FINGERPRINT_SAMPLE_RATE } from '../src/params';
import { PeakExtractor, PeakList } from '../src/peaks';
import { LIBRARY, OUTSIDE_LIBRARY } from './support/fixtures';
import { ReferencePeakExtractor } from './support/reference-peaks';
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
    }
  });
});
