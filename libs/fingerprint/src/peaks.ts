import { RealFft, hannWindow } from './fft';
import { SimdRealFft } from './fft-simd';
import { DEFAULT_PEAK_PARAMS, FFT_SIZE, HOP_SIZE, PeakPickerParams } from './params';
import { grownCopy } from './typed-arrays';

/**
 * Spectral peaks of one recording, in time order (then by bin), as parallel typed arrays.
 * Times are in STFT frames (32 ms), fractional after interpolation; frame 0 is centred on sample 0.
 */
export class PeakList {
  length = 0;
  /** Interpolated time in frames. */
  time: Float64Array;
  /** Frame the peak was found in. */
  frame: Int32Array;
  /** FFT bin the peak was found in. */
  bin: Int32Array;
  /** Interpolated position in bins (fractional). */
  freq: Float32Array;
  /** Strength used for density control (contrast above the local spectral mean plus a loudness term), dB. */
  score: Float32Array;
  /** Level relative to a full-scale sine, dB. */
  level: Float32Array;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.frame = new Int32Array(capacity);
    this.bin = new Int32Array(capacity);
    this.freq = new Float32Array(capacity);
    this.score = new Float32Array(capacity);
    this.level = new Float32Array(capacity);
  }

  push(time: number, frame: number, bin: number, freq: number, score: number, level: number): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.frame[i] = frame;
    this.bin[i] = bin;
    this.freq[i] = freq;
    this.score[i] = score;
    this.level[i] = level;
  }

  /** Appends `count` peaks given column by column (as the front-end thread sends them, see front-end.ts). */
  appendColumns(c: PeakColumns, count: number): void {
    let n = Math.max(16, this.time.length);
    while (n < this.length + count) n *= 2;
    if (n !== this.time.length) this.grow(n);
    const at = this.length;
    this.time.set(c.time.subarray(0, count), at);
    this.frame.set(c.frame.subarray(0, count), at);
    this.bin.set(c.bin.subarray(0, count), at);
    this.freq.set(c.freq.subarray(0, count), at);
    this.score.set(c.score.subarray(0, count), at);
    this.level.set(c.level.subarray(0, count), at);
    this.length += count;
  }

  private grow(n = this.time.length * 2): void {
    this.time = grownCopy(this.time, n);
    this.frame = grownCopy(this.frame, n);
    this.bin = grownCopy(this.bin, n);
    this.freq = grownCopy(this.freq, n);
    this.score = grownCopy(this.score, n);
    this.level = grownCopy(this.level, n);
  }

  /** First peak index with frame ≥ `frame` (binary search; peaks are in frame order). */
  lowerBoundFrame(frame: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frame[mid] < frame) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The columns of a run of peaks (PeakList's arrays, or the copies a front-end thread transfers). */
export interface PeakColumns {
  time: Float64Array;
  frame: Int32Array;
  bin: Int32Array;
  freq: Float32Array;
  score: Float32Array;
  level: Float32Array;
}

export interface PeakExtractionStats {
  /** Frames analysed (one per 32 ms of input). */
  frames: number;
  /** Input samples consumed. */
  samples: number;
  /** Frames whose loudest bin stayed under the level floor (digital silence, very quiet passages). */
  silentFrames: number;
  /** Local maxima that passed the contrast and level tests, before density control. */
  candidates: number;
}

export interface PeakExtractorOptions {
  /** Use the WebAssembly SIMD transform when the runtime has it (default true; false forces RealFft). */
  simd?: boolean;
}

const LN_TO_DB = 10 / Math.LN10;
/**
 * Math.log bound once: under a vm sandbox (Jest) every `Math.x` in a hot loop is a slow global lookup
 * (measured 8× slower peak picking); a module constant is a plain closure variable everywhere.
 */
const ln = Math.log;

/** Ring slot stride: one value per FFT bin up to Nyquist. */
const STRIDE = FFT_SIZE / 2 + 1;

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
export class PeakExtractor {
  readonly peaks = new PeakList();
  readonly stats: PeakExtractionStats = { frames: 0, samples: 0, silentFrames: 0, candidates: 0 };
  private readonly p: PeakPickerParams;
  /**
   * The spectrum's transform: WebAssembly SIMD where the runtime has it (bit-identical, ~3× faster; frameBuf and
   * power are then views of its memory, so nothing is copied per frame), else the JavaScript RealFft.
   */
  private readonly simd: SimdRealFft | null;
  private readonly fft: RealFft | null;
  private readonly window = hannWindow(FFT_SIZE);
  private readonly frameBuf: Float64Array;
  private readonly power: Float64Array;
  private readonly prefix = new Float64Array(FFT_SIZE / 2 + 2);
  /** Samples currently in frameBuf. The buffer starts with half a frame of zeros so frame f is centred on f·hop. */
  private filled = FFT_SIZE / 2;
  private frameIndex = 0;
  /**
   * Ring of the last 2·neighbourFrames+1 frames' log-power, one flat array (slot s at s·STRIDE). The maximum
   * over ± neighbourBins that the peak tests compare with is not kept per bin: it is asked only around the
   * few candidates (`anyAbove`), which costs a fraction of a max filter over every bin of every frame.
   */
  private readonly ringSize: number;
  private readonly ringLog: Float64Array;
  /** Per ring slot: candidate bins (local maxima in frequency that passed contrast/level) and their strength. */
  private readonly ringCandBins: Int32Array;
  private readonly ringCandScore: Float64Array;
  private readonly ringCandCount: Int32Array;
  private readonly levelFloor: number;
  private readonly fullScaleLog: number;
  /** Bins whose loudest value decides a silent frame (the peak band and its neighbourhood). */
  private readonly binLo: number;
  private readonly binHi: number;
  /** Bins whose log-power is computed: the neighbourhood and the contrast band around the peak band. */
  private readonly logLo: number;
  private readonly logHi: number;
  /** Bins the contrast mean reads. */
  private readonly contrastLo: number;
  private readonly contrastHi: number;
  private readonly density: DensitySelector;
  private finished = false;

  /** `options.simd: false` keeps the JavaScript FFT even where WebAssembly SIMD is available (benchmarks). */
  constructor(params: Partial<PeakPickerParams> = {}, options: PeakExtractorOptions = {}) {
    this.p = { ...DEFAULT_PEAK_PARAMS, ...params };
    this.simd = options.simd === false ? null : SimdRealFft.create(FFT_SIZE);
    if (this.simd) {
      this.simd.setWindow(this.window);
      this.fft = null;
      this.frameBuf = this.simd.input;
      this.power = this.simd.power;
    } else {
      this.fft = new RealFft(FFT_SIZE);
      this.frameBuf = new Float64Array(FFT_SIZE);
      this.power = new Float64Array(FFT_SIZE / 2 + 1);
    }
    const p = this.p;
    if (p.minBin - p.neighbourBins < 1 || p.maxBin + p.neighbourBins > FFT_SIZE / 2 - 1) {
      throw new RangeError('peak band too close to DC or Nyquist for the neighbourhood');
    }
    this.ringSize = 2 * p.neighbourFrames + 1;
    this.ringLog = new Float64Array(this.ringSize * STRIDE).fill(-Infinity);
    this.ringCandBins = new Int32Array(this.ringSize * STRIDE);
    this.ringCandScore = new Float64Array(this.ringSize * STRIDE);
    this.ringCandCount = new Int32Array(this.ringSize);
    // A full-scale sine of amplitude 1 through a Hann window of N samples peaks at |X| = N/4.
    const fullScalePower = (FFT_SIZE / 4) ** 2;
    this.fullScaleLog = Math.log(fullScalePower);
    this.levelFloor = this.fullScaleLog + p.minLevelDbfs / LN_TO_DB;
    this.binLo = p.minBin - p.neighbourBins;
    this.binHi = p.maxBin + p.neighbourBins;
    this.logLo = Math.max(1, Math.min(this.binLo, p.minBin - p.contrastBins));
    this.logHi = Math.min(FFT_SIZE / 2 - 1, Math.max(this.binHi, p.maxBin + p.contrastBins));
    this.contrastLo = Math.max(1, p.minBin - p.contrastBins);
    this.contrastHi = Math.min(FFT_SIZE / 2 - 1, p.maxBin + p.contrastBins);
    this.density = new DensitySelector(p.densityFrames, p.densityPeaks, this.peaks);
  }

  /** Consumes mono samples (any chunk size). */
  push(samples: Float32Array | Float64Array): void {
    if (this.finished) throw new Error('PeakExtractor.push after finish');
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
    for (let i = 0; i < this.p.neighbourFrames; i++) this.advanceRing(false);
    this.density.flush();
    return this.peaks;
  }

  private analyseFrame(): void {
    if (this.simd) this.simd.compute(this.logHi);
    else if (this.fft) this.fft.windowedPower(this.frameBuf, this.window, this.power, this.logHi);
    this.stats.frames++;
    this.advanceRing(true);
  }

  /**
   * Writes the newest frame into the ring (from `this.power`, or an empty frame when `audio` is false), then
   * decides the candidates of the frame neighbourFrames back, whose whole time neighbourhood is now known.
   */
  private advanceRing(audio: boolean): void {
    const p = this.p;
    const slot = this.frameIndex % this.ringSize;
    const o = slot * STRIDE;
    const log = this.ringLog;
    let candCount = 0;
    if (audio) {
      const power = this.power;
      const lo = this.binLo;
      const hi = this.binHi;
      // Log-power of the bins read, and the loudest of [binLo, binHi] in the same pass.
      for (let k = this.logLo; k < lo; k++) log[o + k] = ln(power[k] + 1e-12);
      let loudest = -Infinity;
      for (let k = lo; k <= hi; k++) {
        const v = ln(power[k] + 1e-12);
        log[o + k] = v;
        if (v > loudest) loudest = v;
      }
      for (let k = hi + 1, e = this.logHi; k <= e; k++) log[o + k] = ln(power[k] + 1e-12);
      if (loudest < this.levelFloor) this.stats.silentFrames++;
      if (loudest >= this.levelFloor) candCount = this.frameCandidates(o, loudest);
    } else {
      log.fill(-Infinity, o, o + STRIDE);
    }
    this.ringCandCount[slot] = candCount;
    this.frameIndex++;

    // Decide the frame in the middle of the ring.
    const centre = this.frameIndex - 1 - p.neighbourFrames;
    if (centre < 0) return;
    this.density.decideUpTo(centre - p.densityFrames - 1);
    const ringSize = this.ringSize;
    const cSlot = centre % ringSize;
    const n = this.ringCandCount[cSlot];
    if (n === 0) return;
    const c = cSlot * STRIDE;
    const prev = ((centre - 1 + ringSize) % ringSize) * STRIDE;
    const next = ((centre + 1) % ringSize) * STRIDE;
    const reach = p.neighbourFrames;
    const r = p.neighbourBins;
    for (let i = 0; i < n; i++) {
      const k = this.ringCandBins[c + i];
      const v = log[c + k];
      let isPeak = true;
      for (let d = 1; d <= reach && isPeak; d++) {
        // Strictly above later frames, at least as high as earlier ones: a plateau yields one peak.
        if (anyAbove(log, ((centre + d) % ringSize) * STRIDE + k, r, v, true)) isPeak = false;
        else if (centre - d >= 0 && anyAbove(log, ((centre - d) % ringSize) * STRIDE + k, r, v, false)) isPeak = false;
      }
      if (!isPeak) continue;
      this.stats.candidates++;
      const df = parabolicOffset(log[c + k - 1], v, log[c + k + 1]);
      const dt = centre > 0 ? parabolicOffset(log[prev + k], v, log[next + k]) : 0;
      this.density.offer(centre + dt, centre, k, k + df, this.ringCandScore[c + i], (v - this.fullScaleLog) * LN_TO_DB);
    }
  }

  /**
   * Candidates of the frame in ring slot offset `o`: maxima of ± neighbourBins in frequency that rise above
   * the previous bin, clear the level floor and stand minContrastDb above the mean log-power of
   * ± contrastBins. Returns how many were written to the slot's candidate list.
   */
  private frameCandidates(o: number, loudest: number): number {
    const p = this.p;
    const log = this.ringLog;
    const r = p.neighbourBins;
    const candBins = this.ringCandBins;
    const candScore = this.ringCandScore;
    // Prefix sums of log-power for the local mean (the adaptive threshold).
    const pre = this.prefix;
    const c0 = this.contrastLo;
    const c1 = this.contrastHi;
    pre[c0] = 0;
    for (let k = c0; k <= c1; k++) pre[k + 1] = pre[k] + log[o + k];
    const minContrast = p.minContrastDb / LN_TO_DB;
    const floor = this.levelFloor;
    const reach = p.contrastBins;
    const levelWeight = p.levelWeight;
    let count = 0;
    for (let k = p.minBin, e = p.maxBin; k <= e; k++) {
      const v = log[o + k];
      // The maximum of ± neighbourBins in frequency (ties allowed), above the floor, rising from the bin below.
      if (v < floor || !(v > log[o + k - 1]) || anyAbove(log, o + k, r, v, false)) continue;
      const a = k - reach > c0 ? k - reach : c0;
      const b = k + reach < c1 ? k + reach : c1;
      const mean = (pre[b + 1] - pre[a] - v) / (b - a);
      const contrast = v - mean;
      if (contrast < minContrast) continue;
      candBins[o + count] = k;
      candScore[o + count] = (contrast + levelWeight * (v - loudest)) * LN_TO_DB;
      count++;
    }
    return count;
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
 * Whether any of values[at − r … at + r] is above `v` (or equal to it, with `orEqual`): the same answer as
 * comparing `v` with the maximum of that window, exactly, without computing the maximum. The nearest bins are
 * read first (a neighbouring frame's peak sits on or next to the same bin), so most calls end early.
 */
function anyAbove(values: Float64Array, at: number, r: number, v: number, orEqual: boolean): boolean {
  if (orEqual) {
    if (values[at] >= v) return true;
    for (let j = 1; j <= r; j++) if (values[at + j] >= v || values[at - j] >= v) return true;
  } else {
    if (values[at] > v) return true;
    for (let j = 1; j <= r; j++) if (values[at + j] > v || values[at - j] > v) return true;
  }
  return false;
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
    this.time = grownCopy(this.time, n);
    this.frame = grownCopy(this.frame, n);
    this.bin = grownCopy(this.bin, n);
    this.freq = grownCopy(this.freq, n);
    this.score = grownCopy(this.score, n);
    this.level = grownCopy(this.level, n);
  }
}
