import { BIN_HZ, FINGERPRINT_SAMPLE_RATE, FRAME_SEC } from './params';
import { PeakExtractor, PeakList } from './peaks';

const SR = FINGERPRINT_SAMPLE_RATE;

/** Tone bursts: [startSec, durSec, freqHz] with short fades, over a quiet noise floor. */
function bursts(spec: [number, number, number][], totalSec: number): Float32Array {
  const x = new Float32Array(Math.round(totalSec * SR));
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x[i] = (seed / 2 ** 32 - 0.5) * 1e-3;
  }
  for (const [start, dur, f] of spec) {
    const a = Math.round(start * SR);
    const n = Math.round(dur * SR);
    for (let i = 0; i < n && a + i < x.length; i++) {
      const env = Math.min(1, i / (0.01 * SR), (n - i) / (0.01 * SR)) * Math.exp(-i / (0.3 * SR));
      x[a + i] += 0.3 * env * Math.sin((2 * Math.PI * f * i) / SR);
    }
  }
  return x;
}

function run(pcm: Float32Array, chunk: number): PeakList {
  const e = new PeakExtractor();
  for (let i = 0; i < pcm.length; i += chunk) e.push(pcm.subarray(i, Math.min(pcm.length, i + chunk)));
  return e.finish();
}

describe('PeakExtractor', () => {
  const spec: [number, number, number][] = [
    [0.5, 0.4, 440],
    [1.2, 0.4, 1000],
    [2.0, 0.4, 2500],
    [3.1, 0.4, 300],
  ];
  const pcm = bursts(spec, 4);

  it('finds a peak at the time and frequency of each tone burst', () => {
    const peaks = run(pcm, pcm.length);
    for (const [start, , f] of spec) {
      const near = [...Array(peaks.length).keys()].filter(
        (i) =>
          Math.abs(peaks.freq[i] * BIN_HZ - f) < 2 * BIN_HZ &&
          peaks.time[i] * FRAME_SEC >= start - 0.05 &&
          peaks.time[i] * FRAME_SEC <= start + 0.4,
      );
      expect(near.length).toBeGreaterThan(0);
      // Interpolation lands within a quarter of a bin of the true frequency.
      const best = near.reduce((a, b) => (peaks.score[b] > peaks.score[a] ? b : a));
      expect(Math.abs(peaks.freq[best] * BIN_HZ - f)).toBeLessThan(BIN_HZ / 4);
    }
  });

  it('gives the same peaks whatever the chunk size (streaming is exact)', () => {
    const whole = run(pcm, pcm.length);
    for (const chunk of [1, 257, 4096]) {
      const parts = run(pcm, chunk);
      expect(parts.length).toBe(whole.length);
      expect(Array.from(parts.frame.subarray(0, parts.length))).toEqual(
        Array.from(whole.frame.subarray(0, whole.length)),
      );
      expect(Array.from(parts.bin.subarray(0, parts.length))).toEqual(Array.from(whole.bin.subarray(0, whole.length)));
    }
  });

  it('finds nothing in digital silence and counts it as silent', () => {
    const e = new PeakExtractor();
    e.push(new Float32Array(SR * 3));
    const peaks = e.finish();
    expect(peaks.length).toBe(0);
    expect(e.stats.silentFrames).toBe(e.stats.frames);
  });

  it('keeps peak density under its ceiling even for white noise', () => {
    const noise = new Float32Array(SR * 20);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      noise[i] = seed / 2 ** 32 - 0.5;
    }
    const peaks = run(noise, 8000);
    // densityPeaks (14) per densityFrames + 1 (17) frames = 25.7 peaks/s at most.
    expect(peaks.length / 20).toBeLessThanOrEqual(25.8);
    for (let i = 1; i < peaks.length; i++) expect(peaks.frame[i]).toBeGreaterThanOrEqual(peaks.frame[i - 1]);
  });
});
