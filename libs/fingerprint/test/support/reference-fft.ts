/** The real FFT of FINGERPRINT_ALGORITHM_VERSION 1 before issue 14's front-end work (reference for reference-peaks.ts). */
/**
 * Real-input FFT of a fixed power-of-two size.
 *
 * A real sequence of N samples is packed into N/2 complex values (even samples → real part, odd → imaginary),
 * transformed with an iterative radix-2 decimation-in-time FFT of size N/2, and then split into the spectrum of
 * the real input with one extra pass of twiddles. That halves the work of a plain complex FFT of size N.
 *
 * Everything the transform needs (bit-reversal permutation, twiddles for both passes) is computed once in the
 * constructor; `forward` allocates nothing, which matters because it runs ~31 times per second of audio.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array;
  /** Twiddles of the N/2-point complex FFT: cos/sin(2πk/(N/2)), k < N/4. */
  private readonly cosHalf: Float64Array;
  private readonly sinHalf: Float64Array;
  /** Twiddles of the split pass: cos/sin(2πk/N), k ≤ N/2. */
  private readonly cosFull: Float64Array;
  private readonly sinFull: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    }
    this.size = size;
    const half = size >> 1;
    this.half = half;
    const bits = Math.log2(half);
    this.bitReverse = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.bitReverse[i] = r;
    }
    this.cosHalf = new Float64Array(Math.max(1, half >> 1));
    this.sinHalf = new Float64Array(Math.max(1, half >> 1));
    for (let k = 0; k < half >> 1; k++) {
      this.cosHalf[k] = Math.cos((2 * Math.PI * k) / half);
      this.sinHalf[k] = Math.sin((2 * Math.PI * k) / half);
    }
    this.cosFull = new Float64Array(half + 1);
    this.sinFull = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.cosFull[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinFull[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * Forward transform X[k] = Σ x[n]·e^(−2πikn/N) for k = 0 … N/2 (the rest is the conjugate mirror).
   * `outRe`/`outIm` must hold N/2 + 1 values.
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const half = this.half;
    const re = this.re;
    const im = this.im;
    const rev = this.bitReverse;
    for (let i = 0; i < half; i++) {
      const j = rev[i];
      re[j] = input[2 * i];
      im[j] = input[2 * i + 1];
    }
    this.complexInPlace(re, im);
    // Split: Z = FFT(z), z[n] = x[2n] + i·x[2n+1].
    //   E[k] = (Z[k] + conj(Z[M−k]))/2, O[k] = (Z[k] − conj(Z[M−k]))/(2i), X[k] = E[k] + e^(−2πik/N)·O[k].
    const cos = this.cosFull;
    const sin = this.sinFull;
    outRe[0] = re[0] + im[0];
    outIm[0] = 0;
    outRe[half] = re[0] - im[0];
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const zr = re[k];
      const zi = im[k];
      const wr = re[half - k];
      const wi = -im[half - k];
      const er = 0.5 * (zr + wr);
      const ei = 0.5 * (zi + wi);
      // (Z − conj(Z[M−k])) / (2i) = ((zi − wi) − i(zr − wr)) / 2
      const or = 0.5 * (zi - wi);
      const oi = -0.5 * (zr - wr);
      const c = cos[k];
      const s = sin[k];
      // e^(−iθ)·O = (c − i s)(or + i oi)
      outRe[k] = er + c * or + s * oi;
      outIm[k] = ei + c * oi - s * or;
    }
  }

  /** Power spectrum |X[k]|², k = 0 … N/2, into `out` (N/2 + 1 values). */
  power(input: ArrayLike<number>, out: Float64Array, scratchRe: Float64Array, scratchIm: Float64Array): void {
    this.forward(input, scratchRe, scratchIm);
    for (let k = 0; k <= this.half; k++) out[k] = scratchRe[k] * scratchRe[k] + scratchIm[k] * scratchIm[k];
  }

  /**
   * Iterative radix-2 butterflies on bit-reversed input of length N/2. The first two stages have trivial
   * twiddles (1 and −i) and are done without multiplications; later stages keep one twiddle in registers
   * while walking all blocks that use it.
   */
  private complexInPlace(re: Float64Array, im: Float64Array): void {
    const n = this.half;
    const cos = this.cosHalf;
    const sin = this.sinHalf;
    for (let a = 0; a < n; a += 2) {
      const b = a + 1;
      const tr = re[b];
      const ti = im[b];
      re[b] = re[a] - tr;
      im[b] = im[a] - ti;
      re[a] += tr;
      im[a] += ti;
    }
    if (n >= 4) {
      for (let a0 = 0; a0 < n; a0 += 4) {
        const a1 = a0 + 1;
        const b0 = a0 + 2;
        const b1 = a0 + 3;
        let tr = re[b0];
        let ti = im[b0];
        re[b0] = re[a0] - tr;
        im[b0] = im[a0] - ti;
        re[a0] += tr;
        im[a0] += ti;
        // twiddle −i: (x + iy)(−i) = y − ix
        tr = im[b1];
        ti = -re[b1];
        re[b1] = re[a1] - tr;
        im[b1] = im[a1] - ti;
        re[a1] += tr;
        im[a1] += ti;
      }
    }
    for (let size = 8; size <= n; size <<= 1) {
      const halfSize = size >> 1;
      const step = n / size;
      if (step <= 2) {
        // Few blocks, long blocks: walk each block once, reading twiddles as we go.
        for (let start = 0; start < n; start += size) {
          for (let j = 0; j < halfSize; j++) {
            const a = start + j;
            const b = a + halfSize;
            const c = cos[j * step];
            const s = sin[j * step];
            const xr = re[b];
            const xi = im[b];
            const br = xr * c + xi * s;
            const bi = xi * c - xr * s;
            re[b] = re[a] - br;
            im[b] = im[a] - bi;
            re[a] += br;
            im[a] += bi;
          }
        }
        continue;
      }
      for (let j = 0; j < halfSize; j++) {
        const c = cos[j * step];
        const s = sin[j * step];
        for (let a = j; a < n; a += size) {
          const b = a + halfSize;
          // twiddle e^(−2πi t/n) = c − i s
          const xr = re[b];
          const xi = im[b];
          const br = xr * c + xi * s;
          const bi = xi * c - xr * s;
          re[b] = re[a] - br;
          im[b] = im[a] - bi;
          re[a] += br;
          im[a] += bi;
        }
      }
    }
  }
}

/** Periodic Hann window (the form that sums to a constant at 75 % overlap). */
export function hannWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}
