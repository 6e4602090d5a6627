/**
 * The WebAssembly SIMD windowedPower (src/fft-simd.ts, src/wasm/fft-simd.wat) must give the power spectrum of
 * the JavaScript RealFft bit for bit: on every frame of the real recordings, and on noise, silence, full scale,
 * subnormal input and signed zeros, at every FFT size it accepts and for every kind of last bin.
 */
import { decodeMonoToArray } from '@crateflow/audio';
import { RealFft, hannWindow } from '../src/fft';
import { SimdRealFft, simdFftAvailable } from '../src/fft-simd';
import { FFT_SIZE, FINGERPRINT_SAMPLE_RATE, HOP_SIZE } from '../src/params';
import { LIBRARY, OUTSIDE_LIBRARY } from './support/fixtures';

/** Number of bins in [1, last] whose bits differ (0 = identical, −0 and NaN payloads included). */
function differingBins(a: Float64Array, b: Float64Array, last: number): number {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let k = 1; k <= last; k++) if (x[k] !== y[k]) n++;
  return n;
}

/** Runs both transforms on `frame` and returns the number of differing bins (and checks the wasm one ran). */
const transforms = new Map<number, { js: RealFft; simd: SimdRealFft }>();
function compare(size: number, frame: Float64Array, window: Float64Array, lastBin: number): number {
  let pair = transforms.get(size);
  if (!pair) transforms.set(size, (pair = { js: new RealFft(size), simd: SimdRealFft.create(size)! }));
  const { js, simd } = pair;
  const expected = new Float64Array(size / 2 + 1).fill(12345);
  const actual = new Float64Array(size / 2 + 1).fill(12345);
  js.windowedPower(frame, window, expected, lastBin);
  simd.windowedPower(frame, window, actual, lastBin);
  return differingBins(actual, expected, size / 2);
}

function noise(n: number, seed: number, scale = 1): Float64Array {
  const x = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return x;
}

describe('SimdRealFft', () => {
  it('is available on this runtime (Node has WebAssembly SIMD)', () => {
    expect(simdFftAvailable()).toBe(true);
  });

  it('rejects sizes it does not handle', () => {
    expect(() => SimdRealFft.create(8)).toThrow(RangeError);
    expect(() => SimdRealFft.create(1000)).toThrow(RangeError);
  });

  it.each([16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384])(
    'equals RealFft.windowedPower bit for bit at size %i, for every kind of last bin',
    (size) => {
      const half = size / 2;
      const window = hannWindow(size);
      for (const lastBin of [0, 1, 2, 3, half / 2 - 1, half / 2, half - 2, half - 1, half, half + 7]) {
        expect(compare(size, noise(size, size + lastBin), window, lastBin)).toBe(0);
      }
      // A window that is not Hann (every product counts, none symmetric).
      expect(compare(size, noise(size, 3), noise(size, 4), half)).toBe(0);
    },
  );

  it('equals it on silence, signed zeros, full scale, subnormals and extremes', () => {
    const n = FFT_SIZE;
    const window = hannWindow(n);
    const frames: Float64Array[] = [
      new Float64Array(n),
      new Float64Array(n).fill(-0),
      Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -0 : 0)),
      new Float64Array(n).fill(1),
      new Float64Array(n).fill(-1),
      Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)),
      Float64Array.from({ length: n }, (_, i) => ((i >> 4) % 2 ? 1 : -1)),
      Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 100 * i) / n)),
      noise(n, 1, 5e-324),
      noise(n, 2, 1e-310),
      noise(n, 3, 1e-160),
      noise(n, 4, 1e150),
      Float64Array.from({ length: n }, (_, i) => (i === 500 ? 1 : 0)),
      Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? Number.MIN_VALUE : -Number.MIN_VALUE)),
    ];
    for (const frame of frames) {
      expect(compare(n, frame, window, n / 2)).toBe(0);
      expect(compare(n, frame, window, 476)).toBe(0);
    }
    // A subnormal window.
    expect(compare(n, noise(n, 5), noise(n, 6, 1e-308), n / 2)).toBe(0);
  });

  it('equals it on random frames at every scale', () => {
    const n = FFT_SIZE;
    const window = hannWindow(n);
    let differing = 0;
    for (let i = 0; i < 2000; i++) differing += compare(n, noise(n, 1000 + i, 10 ** ((i % 40) - 20)), window, 476);
    expect(differing).toBe(0);
  });

  it.each([...LIBRARY.map((t) => t.file), OUTSIDE_LIBRARY])(
    'equals it on every frame of %s (the peak extractor’s frames and last bin)',
    async (file) => {
      const pcm = await decodeMonoToArray(file, { sampleRate: FINGERPRINT_SAMPLE_RATE });
      const window = hannWindow(FFT_SIZE);
      const js = new RealFft(FFT_SIZE);
      const simd = SimdRealFft.create(FFT_SIZE)!;
      simd.setWindow(window);
      const expected = new Float64Array(FFT_SIZE / 2 + 1);
      const frame = new Float64Array(FFT_SIZE);
      let frames = 0;
      let differing = 0;
      for (let start = -FFT_SIZE / 2; start < pcm.length; start += HOP_SIZE) {
        frame.fill(0);
        const from = Math.max(0, start);
        frame.set(pcm.subarray(from, Math.min(pcm.length, start + FFT_SIZE)), from - start);
        js.windowedPower(frame, window, expected, 476);
        simd.input.set(frame);
        simd.compute(476);
        differing += differingBins(simd.power, expected, 476);
        frames++;
      }
      expect(frames).toBeGreaterThan(1000);
      expect(differing).toBe(0);
    },
    60_000,
  );
});
