/**
 * The peak picker of FINGERPRINT_ALGORITHM_VERSION 1 as it was before the front-end was made faster (issue 14),
 * kept unchanged as the reference the equivalence tests compare src/peaks.ts against: every index built with
 * it must keep matching, so the new front-end must give the same peaks and the same hashes.
 * Not used by the library itself.
 */
import { DEFAULT_PEAK_PARAMS, FFT_SIZE, HOP_SIZE, PeakPickerParams } from '../../src/params';
import { PeakList } from '../../src/peaks';
import { RealFft, hannWindow } from './reference-fft';

interface PeakExtractionStats {
  frames: number;
  samples: number;
  silentFrames: number;
  candidates: number;
}

const LN_TO_DB = 10 / Math.LN10;
/**
 * Math.log bound once: under a vm sandbox (Jest) every `Math.x` in a hot loop is a slow global lookup
 * (measured 8× slower peak picking); a module constant is a plain closure variable everywhere.
 */
const ln = Math.log;

/**
 * Streaming spectral peak picker. Feed mono PCM at FINGERPRINT_SAMPLE_RATE in chunks of any size with
 * `push`; call `finish` once. Memory is bounded by a few frames of spectra plus the (small) peak list,
 * whatever the length of the input.
 *
 * A peak is a time-frequency point that (1) is the maximum of log-power within ± neighbourBins and
 * ± neighbourFrames, (2) rises at least minContrastDb above the mean log-power of the surrounding
 * ± contrastBins (an adaptive threshold that follows the spectral envelope, so EQ and overall level do
 * not matter), (3) is louder than an absolute floor, and (4) survives density control (see params).
 */
export class ReferencePeakExtractor {
  readonly peaks = new PeakList();
  readonly stats: PeakExtractionStats = { frames: 0, samples: 0, silentFrames: 0, candidates: 0 };
  private readonly p: PeakPickerParams;
  private readonly fft = new RealFft(FFT_SIZE);
  private readonly window = hannWindow(FFT_SIZE);
  private readonly frameBuf = new Float64Array(FFT_SIZE);
  private readonly windowed = new Float64Array(FFT_SIZE);
  private readonly specRe = new Float64Array(FFT_SIZE / 2 + 1);
  private readonly specIm = new Float64Array(FFT_SIZE / 2 + 1);
  private readonly power = new Float64Array(FFT_SIZE / 2 + 1);
  private readonly prefix = new Float64Array(FFT_SIZE / 2 + 2);
  /** Samples currently in frameBuf. The buffer starts with half a frame of zeros so frame f is centred on f·hop. */
  private filled = FFT_SIZE / 2;
  private frameIndex = 0;
  /** Ring of the last 2·neighbourFrames+1 frames: log-power and its max over ± neighbourBins. */
  private readonly ringSize: number;
  private readonly ringLog: Float64Array[];
  private readonly ringMax: Float64Array[];
  /** Per ring slot: candidate bins (local maxima in frequency that passed contrast/level) and their contrast. */
  private readonly ringCandBins: Int32Array[];
  private readonly ringCandScore: Float64Array[];
  private readonly ringCandCount: Int32Array;
  private readonly levelFloor: number;
  private readonly fullScaleLog: number;
  private readonly binLo: number;
  private readonly binHi: number;
  private readonly scratchMax: Float64Array;
  private readonly density: DensitySelector;
  private finished = false;

  constructor(params: Partial<PeakPickerParams> = {}) {
    this.p = { ...DEFAULT_PEAK_PARAMS, ...params };
    const p = this.p;
    if (p.minBin - p.neighbourBins < 1 || p.maxBin + p.neighbourBins > FFT_SIZE / 2 - 1) {
      throw new RangeError('peak band too close to DC or Nyquist for the neighbourhood');
    }
    this.ringSize = 2 * p.neighbourFrames + 1;
    this.ringLog = [];
    this.ringMax = [];
    this.ringCandBins = [];
    this.ringCandScore = [];
    const maxCands = FFT_SIZE / 2;
    for (let i = 0; i < this.ringSize; i++) {
      this.ringLog.push(new Float64Array(FFT_SIZE / 2 + 1).fill(-Infinity));
      this.ringMax.push(new Float64Array(FFT_SIZE / 2 + 1).fill(-Infinity));
      this.ringCandBins.push(new Int32Array(maxCands));
      this.ringCandScore.push(new Float64Array(maxCands));
    }
    this.ringCandCount = new Int32Array(this.ringSize);
    // A full-scale sine of amplitude 1 through a Hann window of N samples peaks at |X| = N/4.
    const fullScalePower = (FFT_SIZE / 4) ** 2;
    this.fullScaleLog = Math.log(fullScalePower);
    this.levelFloor = this.fullScaleLog + p.minLevelDbfs / LN_TO_DB;
    this.binLo = p.minBin - p.neighbourBins;
    this.binHi = p.maxBin + p.neighbourBins;
    this.scratchMax = new Float64Array(FFT_SIZE + 2);
    this.density = new DensitySelector(p.densityFrames, p.densityPeaks, this.peaks);
  }

  /** Consumes mono samples (any chunk size). */
  push(samples: Float32Array | Float64Array): void {
    if (this.finished) throw new Error('push after finish');
    this.stats.samples += samples.length;
    let offset = 0;
    const buf = this.frameBuf;
    while (offset < samples.length) {
      const take = Math.min(FFT_SIZE - this.filled, samples.length - offset);
      buf.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === FFT_SIZE) {
        this.analyseFrame();
        buf.copyWithin(0, HOP_SIZE);
        this.filled = FFT_SIZE - HOP_SIZE;
      }
    }
  }

  /**
   * Peaks are final below this frame: no peak with a smaller frame will be added any more, so hashes
   * anchored there (and their targets) can be computed while the rest of the file is still being read.
   */
  get finalFrame(): number {
    return this.finished ? Number.MAX_SAFE_INTEGER : this.density.finalFrame;
  }

  /** Flushes the tail (zero-padded) and the delayed decisions; returns the peak list. */
  finish(): PeakList {
    if (this.finished) return this.peaks;
    this.finished = true;
    // Analyse the frames whose centres still lie inside the input: pad with zeros.
    const totalFrames = Math.ceil(this.stats.samples / HOP_SIZE);
    while (this.frameIndex < totalFrames) {
      this.frameBuf.fill(0, this.filled);
      this.filled = FFT_SIZE;
      this.analyseFrame();
      this.frameBuf.copyWithin(0, HOP_SIZE);
      this.filled = FFT_SIZE - HOP_SIZE;
    }
    // Push silent frames through the ring so the last real frames get their time-neighbourhood test.
    for (let i = 0; i < this.p.neighbourFrames; i++) this.advanceRing(null);
    this.density.flush();
    return this.peaks;
  }

  private analyseFrame(): void {
    const w = this.window;
    const x = this.windowed;
    const buf = this.frameBuf;
    for (let i = 0; i < FFT_SIZE; i++) x[i] = buf[i] * w[i];
    this.fft.power(x, this.power, this.specRe, this.specIm);
    this.stats.frames++;
    this.advanceRing(this.power);
  }

  /**
   * Writes the newest frame into the ring (or an empty frame when `power` is null), then decides the
   * candidates of the frame neighbourFrames back, whose whole time neighbourhood is now known.
   */
  private advanceRing(power: Float64Array | null): void {
    const p = this.p;
    const slot = this.frameIndex % this.ringSize;
    const log = this.ringLog[slot];
    const max = this.ringMax[slot];
    const candBins = this.ringCandBins[slot];
    const candScore = this.ringCandScore[slot];
    let candCount = 0;
    if (power) {
      const lo = this.binLo;
      const hi = this.binHi;
      let loudest = -Infinity;
      const logLo = Math.max(1, Math.min(lo, p.minBin - p.contrastBins));
      const logHi = Math.min(FFT_SIZE / 2 - 1, Math.max(hi, p.maxBin + p.contrastBins));
      for (let k = logLo; k <= logHi; k++) log[k] = ln(power[k] + 1e-12);
      for (let k = lo; k <= hi; k++) if (log[k] > loudest) loudest = log[k];
      if (loudest < this.levelFloor) this.stats.silentFrames++;
      slidingMax(log, lo, hi, p.neighbourBins, max, this.scratchMax);
      if (loudest >= this.levelFloor) {
        // Prefix sums of log-power for the local mean (the adaptive threshold).
        const pre = this.prefix;
        const c0 = Math.max(1, p.minBin - p.contrastBins);
        const c1 = Math.min(FFT_SIZE / 2 - 1, p.maxBin + p.contrastBins);
        pre[c0] = 0;
        for (let k = c0; k <= c1; k++) pre[k + 1] = pre[k] + log[k];
        const minContrast = p.minContrastDb / LN_TO_DB;
        for (let k = p.minBin; k <= p.maxBin; k++) {
          const v = log[k];
          if (v < max[k] || v < this.levelFloor || !(v > log[k - 1])) continue;
          const a = k - p.contrastBins > c0 ? k - p.contrastBins : c0;
          const b = k + p.contrastBins < c1 ? k + p.contrastBins : c1;
          const mean = (pre[b + 1] - pre[a] - v) / (b - a);
          const contrast = v - mean;
          if (contrast < minContrast) continue;
          candBins[candCount] = k;
          candScore[candCount] = (contrast + p.levelWeight * (v - loudest)) * LN_TO_DB;
          candCount++;
        }
      }
    } else {
      log.fill(-Infinity);
      max.fill(-Infinity);
    }
    this.ringCandCount[slot] = candCount;
    this.frameIndex++;

    // Decide the frame in the middle of the ring.
    const centre = this.frameIndex - 1 - p.neighbourFrames;
    if (centre < 0) return;
    this.density.decideUpTo(centre - p.densityFrames - 1);
    const cSlot = centre % this.ringSize;
    const n = this.ringCandCount[cSlot];
    if (n === 0) return;
    const cLog = this.ringLog[cSlot];
    const cBins = this.ringCandBins[cSlot];
    const cScore = this.ringCandScore[cSlot];
    const prevLog = this.ringLog[(centre - 1 + this.ringSize) % this.ringSize];
    const nextLog = this.ringLog[(centre + 1) % this.ringSize];
    for (let i = 0; i < n; i++) {
      const k = cBins[i];
      const v = cLog[k];
      let isPeak = true;
      for (let d = 1; d <= p.neighbourFrames && isPeak; d++) {
        // Strictly above later frames, at least as high as earlier ones: a plateau yields one peak.
        if (this.ringMax[(centre + d) % this.ringSize][k] >= v) isPeak = false;
        else if (centre - d >= 0 && this.ringMax[(centre - d) % this.ringSize][k] > v) isPeak = false;
      }
      if (!isPeak) continue;
      this.stats.candidates++;
      const df = parabolicOffset(cLog[k - 1], v, cLog[k + 1]);
      const dt = centre > 0 ? parabolicOffset(prevLog[k], v, nextLog[k]) : 0;
      this.density.offer(centre + dt, centre, k, k + df, cScore[i], (v - this.fullScaleLog) * LN_TO_DB);
    }
  }
}

/** Vertex offset (−0.5 … 0.5) of the parabola through three equally spaced values around a maximum. */
function parabolicOffset(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(c)) return 0;
  const denom = a - 2 * b + c;
  if (denom >= 0) return 0;
  const d = (0.5 * (a - c)) / denom;
  return d > 0.5 ? 0.5 : d < -0.5 ? -0.5 : d;
}

/**
 * out[k] = max(src[k−r … k+r]) for k in [lo, hi] (src must be defined on [lo−r, hi+r]), in O(n) with
 * the van Herk / Gil-Werman block scheme: running maxima from the left and from the right inside
 * blocks of 2r+1, so every window is covered by one right-run and one left-run.
 */
function slidingMax(
  src: Float64Array,
  lo: number,
  hi: number,
  r: number,
  out: Float64Array,
  scratch: Float64Array,
): void {
  const w = 2 * r + 1;
  const start = lo - r;
  const n = hi + r - start + 1;
  // scratch[0, n): maxima from each block start; scratch[n, 2n): maxima to each block end.
  for (let i = 0; i < n; i++) {
    const v = src[start + i];
    const prev = scratch[i - 1];
    scratch[i] = i % w === 0 || v > prev ? v : prev;
  }
  for (let i = n - 1; i >= 0; i--) {
    const v = src[start + i];
    const next = scratch[n + i + 1];
    scratch[n + i] = i === n - 1 || (i + 1) % w === 0 || v > next ? v : next;
  }
  for (let i = 0; i + w <= n; i++) {
    const a = scratch[n + i];
    const b = scratch[i + w - 1];
    out[start + i + r] = a > b ? a : b;
  }
}

/**
 * Keeps a candidate only if fewer than `maxPeaks` stronger candidates lie within ± `radius` frames.
 * Candidates arrive in frame order; each is decided once every candidate up to radius frames later is known.
 */
class DensitySelector {
  private time = new Float64Array(256);
  private frame = new Int32Array(256);
  private bin = new Int32Array(256);
  private freq = new Float64Array(256);
  private score = new Float64Array(256);
  private level = new Float64Array(256);
  /** Buffered candidates are [head, tail) in a growable array compacted from the front. */
  private head = 0;
  private tail = 0;
  /** Index of the first candidate not yet decided. */
  private next = 0;
  private decidedThrough = -1;

  constructor(
    private readonly radius: number,
    private readonly maxPeaks: number,
    private readonly out: PeakList,
  ) {}

  offer(time: number, frame: number, bin: number, freq: number, score: number, level: number): void {
    // Everything at least `radius` frames before this candidate has its full window now.
    this.decideUpTo(frame - this.radius - 1);
    if (this.tail === this.time.length) this.makeRoom();
    const i = this.tail++;
    this.time[i] = time;
    this.frame[i] = frame;
    this.bin[i] = bin;
    this.freq[i] = freq;
    this.score[i] = score;
    this.level[i] = level;
  }

  flush(): void {
    this.decideUpTo(Number.MAX_SAFE_INTEGER);
  }

  /** Frames below this will receive no more peaks. */
  get finalFrame(): number {
    return this.decidedThrough + 1;
  }

  decideUpTo(lastFrame: number): void {
    if (lastFrame > this.decidedThrough) this.decidedThrough = lastFrame;
    const r = this.radius;
    while (this.next < this.tail && this.frame[this.next] <= lastFrame) {
      const i = this.next++;
      const f = this.frame[i];
      const s = this.score[i];
      // Drop buffered candidates that can no longer be inside anyone's window.
      while (this.head < i && this.frame[this.head] < f - r) this.head++;
      let stronger = 0;
      for (let j = this.head; j < this.tail && this.frame[j] <= f + r; j++) {
        if (this.score[j] > s || (this.score[j] === s && j < i)) {
          if (++stronger >= this.maxPeaks) break;
        }
      }
      if (stronger < this.maxPeaks) this.out.push(this.time[i], f, this.bin[i], this.freq[i], s, this.level[i]);
    }
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    if (this.head > 0 && live < this.time.length / 2) {
      this.time.copyWithin(0, this.head, this.tail);
      this.frame.copyWithin(0, this.head, this.tail);
      this.bin.copyWithin(0, this.head, this.tail);
      this.freq.copyWithin(0, this.head, this.tail);
      this.score.copyWithin(0, this.head, this.tail);
      this.level.copyWithin(0, this.head, this.tail);
      this.next -= this.head;
      this.tail = live;
      this.head = 0;
      return;
    }
    const n = this.time.length * 2;
    this.time = grow(this.time, n);
    this.frame = grow(this.frame, n);
    this.bin = grow(this.bin, n);
    this.freq = grow(this.freq, n);
    this.score = grow(this.score, n);
    this.level = grow(this.level, n);
  }
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
