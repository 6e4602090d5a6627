import { RealFft, hannWindow } from './fft';

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im[k] -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
  }
  return { re, im };
}

describe('RealFft', () => {
  it.each([4, 8, 64, 1024])('matches a direct DFT for size %i', (n) => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.3) + ((i * 7919) % 13) / 13 - 0.5;
    const fft = new RealFft(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    const ref = naiveDft(x);
    for (let k = 0; k <= n / 2; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 8);
      expect(im[k]).toBeCloseTo(ref.im[k], 8);
    }
  });

  it('puts a windowed sine exactly on its bin', () => {
    const n = 1024;
    const fft = new RealFft(n);
    const w = hannWindow(n);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = w[i] * Math.sin((2 * Math.PI * 100 * i) / n);
    const power = new Float64Array(n / 2 + 1);
    fft.power(x, power, new Float64Array(n / 2 + 1), new Float64Array(n / 2 + 1));
    let best = 0;
    for (let k = 1; k <= n / 2; k++) if (power[k] > power[best]) best = k;
    expect(best).toBe(100);
    // A full-scale sine through a Hann window peaks at |X| = N/4.
    expect(Math.sqrt(power[100])).toBeCloseTo(n / 4, 6);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(1000)).toThrow(RangeError);
    expect(() => new RealFft(2)).toThrow(RangeError);
  });
});
