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
    const tables = fftTables(size);
    this.bitReverse = tables.bitReverse;
    this.cosHalf = tables.cosHalf;
    this.sinHalf = tables.sinHalf;
    this.cosFull = tables.cosFull;
    this.sinFull = tables.sinFull;
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

  /**
   * Power spectrum |X[k]|² of `input`·`window` for k = 1 … `lastBin` into `out` (the fingerprinter's hot path):
   * the windowing is folded into the bit-reversed load, the split pass writes power directly and stops at
   * `lastBin`, and pairs of butterfly stages run in registers (`complexFused`). Every value is computed with
   * exactly the operations of `forward` followed by `power`, so the results are identical to the last bit.
   */
  windowedPower(input: Float64Array, window: Float64Array, out: Float64Array, lastBin: number): void {
    const half = this.half;
    const re = this.re;
    const im = this.im;
    const rev = this.bitReverse;
    if (half < 4) {
      for (let i = 0; i < half; i++) {
        const j = rev[i];
        re[j] = input[2 * i] * window[2 * i];
        im[j] = input[2 * i + 1] * window[2 * i + 1];
      }
      this.complexInPlace(re, im);
    } else {
      // The bit-reversed load (position j holds sample pair rev[j]: the permutation is its own inverse),
      // windowed, straight into the first two stages.
      for (let a = 0; a < half; a += 4) {
        const p0 = 2 * rev[a];
        const p1 = 2 * rev[a + 1];
        const p2 = 2 * rev[a + 2];
        const p3 = 2 * rev[a + 3];
        this.firstStages(
          re,
          im,
          a,
          input[p0] * window[p0],
          input[p0 + 1] * window[p0 + 1],
          input[p1] * window[p1],
          input[p1 + 1] * window[p1 + 1],
          input[p2] * window[p2],
          input[p2 + 1] * window[p2 + 1],
          input[p3] * window[p3],
          input[p3 + 1] * window[p3 + 1],
        );
      }
      this.laterStages(re, im);
    }
    const cos = this.cosFull;
    const sin = this.sinFull;
    const last = lastBin < half ? lastBin : half - 1;
    for (let k = 1; k <= last; k++) {
      const zr = re[k];
      const zi = im[k];
      const wr = re[half - k];
      const wi = -im[half - k];
      const er = 0.5 * (zr + wr);
      const ei = 0.5 * (zi + wi);
      const or = 0.5 * (zi - wi);
      const oi = -0.5 * (zr - wr);
      const c = cos[k];
      const s = sin[k];
      const xr = er + c * or + s * oi;
      const xi = ei + c * oi - s * or;
      out[k] = xr * xr + xi * xi;
    }
    if (lastBin >= half) {
      const x0 = re[0] - im[0];
      out[half] = x0 * x0 + 0 * 0;
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
  /**
   * The butterflies of `complexInPlace` with two stages at a time kept in registers: each group of four
   * values is loaded once, goes through a stage of distance h and the next of distance 2h, and is stored once.
   * The operations on every value, and their order, are those of `complexInPlace` (same twiddles, same
   * expressions), so the output is bit-identical; only the loads and stores between paired stages are gone.
   */
  private complexFused(re: Float64Array, im: Float64Array): void {
    const n = this.half;
    if (n < 4) {
      this.complexInPlace(re, im);
      return;
    }
    for (let a = 0; a < n; a += 4) {
      this.firstStages(re, im, a, re[a], im[a], re[a + 1], im[a + 1], re[a + 2], im[a + 2], re[a + 3], im[a + 3]);
    }
    this.laterStages(re, im);
  }

  /** The stages of size 2 and 4 (twiddles 1 and −i) on four values, written to [a, a + 4). */
  private firstStages(
    re: Float64Array,
    im: Float64Array,
    a: number,
    x0r: number,
    x0i: number,
    x1r: number,
    x1i: number,
    x2r: number,
    x2i: number,
    x3r: number,
    x3i: number,
  ): void {
    const y1r = x0r - x1r;
    const y1i = x0i - x1i;
    const y0r = x0r + x1r;
    const y0i = x0i + x1i;
    const y3r = x2r - x3r;
    const y3i = x2i - x3i;
    const y2r = x2r + x3r;
    const y2i = x2i + x3i;
    re[a + 2] = y0r - y2r;
    im[a + 2] = y0i - y2i;
    re[a] = y0r + y2r;
    im[a] = y0i + y2i;
    // twiddle −i on y3: (tr, ti) = (y3i, −y3r)
    const tr = y3i;
    const ti = -y3r;
    re[a + 3] = y1r - tr;
    im[a + 3] = y1i - ti;
    re[a + 1] = y1r + tr;
    im[a + 1] = y1i + ti;
  }

  /** Every stage after the first two (distance h ≥ 4), in pairs held in registers. */
  private laterStages(re: Float64Array, im: Float64Array): void {
    const n = this.half;
    const cos = this.cosHalf;
    const sin = this.sinHalf;
    let h = 4;
    // Pairs of stages: distance h (size 2h) then 2h (size 4h).
    for (; 4 * h <= n; h *= 4) {
      const step1 = n / (2 * h);
      const step2 = n / (4 * h);
      const quad = 4 * h;
      for (let j = 0; j < h; j++) {
        const c1 = cos[j * step1];
        const s1 = sin[j * step1];
        const c2 = cos[j * step2];
        const s2 = sin[j * step2];
        const c3 = cos[(j + h) * step2];
        const s3 = sin[(j + h) * step2];
        for (let a = j; a < n; a += quad) {
          const b = a + h;
          const c = b + h;
          const d = c + h;
          const ar = re[a];
          const ai = im[a];
          const cr = re[c];
          const ci = im[c];
          // stage 1: (a, b) and (c, d), twiddle (c1, s1)
          let xr = re[b];
          let xi = im[b];
          let br = xr * c1 + xi * s1;
          let bi = xi * c1 - xr * s1;
          const b1r = ar - br;
          const b1i = ai - bi;
          const a1r = ar + br;
          const a1i = ai + bi;
          xr = re[d];
          xi = im[d];
          br = xr * c1 + xi * s1;
          bi = xi * c1 - xr * s1;
          const d1r = cr - br;
          const d1i = ci - bi;
          const c1r = cr + br;
          const c1i = ci + bi;
          // stage 2: (a, c) with (c2, s2), (b, d) with (c3, s3)
          br = c1r * c2 + c1i * s2;
          bi = c1i * c2 - c1r * s2;
          re[c] = a1r - br;
          im[c] = a1i - bi;
          re[a] = a1r + br;
          im[a] = a1i + bi;
          br = d1r * c3 + d1i * s3;
          bi = d1i * c3 - d1r * s3;
          re[d] = b1r - br;
          im[d] = b1i - bi;
          re[b] = b1r + br;
          im[b] = b1i + bi;
        }
      }
    }
    // A last single stage when the number of generic stages is odd.
    if (2 * h <= n) {
      const step = n / (2 * h);
      for (let j = 0; j < h; j++) {
        const c = cos[j * step];
        const s = sin[j * step];
        for (let a = j; a < n; a += 2 * h) {
          const b = a + h;
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

/** The tables of a RealFft of `size` (a power of two ≥ 4); SimdRealFft (fft-simd.ts) copies the same values. */
export function fftTables(size: number): {
  bitReverse: Uint32Array;
  cosHalf: Float64Array;
  sinHalf: Float64Array;
  cosFull: Float64Array;
  sinFull: Float64Array;
} {
  const half = size >> 1;
  const bits = Math.log2(half);
  const bitReverse = new Uint32Array(half);
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitReverse[i] = r;
  }
  const cosHalf = new Float64Array(Math.max(1, half >> 1));
  const sinHalf = new Float64Array(Math.max(1, half >> 1));
  for (let k = 0; k < half >> 1; k++) {
    cosHalf[k] = Math.cos((2 * Math.PI * k) / half);
    sinHalf[k] = Math.sin((2 * Math.PI * k) / half);
  }
  const cosFull = new Float64Array(half + 1);
  const sinFull = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    cosFull[k] = Math.cos((2 * Math.PI * k) / size);
    sinFull[k] = Math.sin((2 * Math.PI * k) / size);
  }
  return { bitReverse, cosHalf, sinHalf, cosFull, sinFull };
}

/** Periodic Hann window (the form that sums to a constant at 75 % overlap). */
export function hannWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}
