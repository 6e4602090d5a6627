import { RealFft, hann } from './fft';
import { computeFrameFeatures, pickOnsets } from './frame-features';

describe('RealFft', () => {
  it('matches a direct DFT', () => {
    const n = 64;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) * 0.1);
    const out = new Float32Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, out);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        re += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        im -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(out[k]).toBeCloseTo(re * re + im * im, 2);
    }
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(1000)).toThrow(/power of two/);
  });

  it('puts a sine in its bin', () => {
    const n = 1024;
    const w = hann(n);
    const frame = Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 100 * i) / n) * w[i]);
    const out = new Float32Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(frame, out);
    expect(out.indexOf(Math.max(...out))).toBe(100);
  });
});

describe('frame features', () => {
  it('finds one onset per click and a centroid near the click pitch', () => {
    const sr = 44100;
    const x = new Float32Array(sr * 4);
    for (let c = 0; c < 8; c++) {
      const at = Math.round((0.25 + c * 0.5) * sr);
      for (let i = 0; i < 1000; i++) x[at + i] = Math.sin((2 * Math.PI * 2000 * i) / sr) * Math.exp(-i / 300);
    }
    const f = computeFrameFeatures(x, sr);
    expect(f.onsetTimes.length).toBe(8);
    f.onsetTimes.forEach((t, i) => expect(Math.abs(t - (0.25 + i * 0.5))).toBeLessThan(0.03));
    expect(f.secOnsets.reduce((a, b) => a + b, 0)).toBe(8);
    expect(f.secCentroid[1]).toBeGreaterThan(1500);
    expect(f.secCentroid[1]).toBeLessThan(3000);
  });

  it('finds no onsets in steady noise-free silence', () => {
    expect(pickOnsets(new Float32Array(1000))).toEqual([]);
    expect(computeFrameFeatures(new Float32Array(44100), 44100).onsetTimes.length).toBe(0);
  });
});
