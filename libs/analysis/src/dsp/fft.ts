/**
 * Power spectrum of real frames with a radix-2 FFT. A real frame of N samples is packed into N/2 complex
 * values (even samples real, odd samples imaginary), transformed at half size and then split into the N/2+1
 * bins of the real spectrum, which halves the work of a plain complex FFT.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitrev: Uint32Array;
  private readonly cosTable: Float64Array; // twiddles of the half-size complex FFT
  private readonly sinTable: Float64Array;
  private readonly splitCos: Float64Array; // twiddles of the final split step
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new Error(`FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    const m = size / 2;
    this.half = m;
    this.bitrev = new Uint32Array(m);
    const bits = Math.log2(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    this.cosTable = new Float64Array(m / 2);
    this.sinTable = new Float64Array(m / 2);
    for (let i = 0; i < m / 2; i++) {
      this.cosTable[i] = Math.cos((2 * Math.PI * i) / m);
      this.sinTable[i] = Math.sin((2 * Math.PI * i) / m);
    }
    this.splitCos = new Float64Array(m + 1);
    this.splitSin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** Writes |X[k]|² for k = 0..N/2 into `out` (length ≥ N/2 + 1). `frame` has N samples (already windowed). */
  powerSpectrum(frame: ArrayLike<number>, out: Float32Array): void {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    for (let i = 0; i < m; i++) {
      const j = this.bitrev[i];
      re[j] = frame[2 * i];
      im[j] = frame[2 * i + 1];
    }
    // Iterative radix-2 decimation in time.
    for (let len = 2; len <= m; len <<= 1) {
      const halfLen = len >> 1;
      const step = m / len;
      for (let start = 0; start < m; start += len) {
        for (let k = 0; k < halfLen; k++) {
          const c = this.cosTable[k * step];
          const s = this.sinTable[k * step];
          const a = start + k;
          const b = a + halfLen;
          const tr = re[b] * c + im[b] * s;
          const ti = im[b] * c - re[b] * s;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    // Split: X[k] = E[k] + W^k O[k], with E/O the spectra of the even/odd samples recovered from Z.
    for (let k = 0; k <= m; k++) {
      const zr = re[k % m];
      const zi = im[k % m];
      const wr = re[(m - k) % m];
      const wi = im[(m - k) % m];
      const er = (zr + wr) / 2;
      const ei = (zi - wi) / 2;
      const or = (zi + wi) / 2;
      const oi = -(zr - wr) / 2;
      const c = this.splitCos[k];
      const s = this.splitSin[k];
      const xr = er + c * or + s * oi;
      const xi = ei + c * oi - s * or;
      out[k] = xr * xr + xi * xi;
    }
  }
}

/** Periodic Hann window of length n. */
export function hann(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}
