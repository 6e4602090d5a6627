import { RealFft, hann } from './fft';

/**
 * Frame-level features computed in plain TypeScript (cheaper than one Essentia call per frame, whose
 * vector copies cost more than the maths): an onset detection function (spectral flux), a low-band
 * flux for kick/bass accents, spectral centroid and frame energy, then summarised per second.
 */

export const FRAME_SIZE = 1024;
export const HOP_SIZE = 512;

export interface FrameFeatures {
  /** Frames per second of `odf` and `lowOdf`. */
  frameRate: number;
  /** Spectral flux (half-wave rectified increase of log-compressed magnitude), one value per hop. */
  odf: Float32Array;
  /** The same flux restricted to the bass (≤ 170 Hz): kicks and bass notes. */
  lowOdf: Float32Array;
  /** Flux below 2.5 kHz: kicks, snares, bass and chords without the hi-hats (for the half/double-time evidence). */
  bodyOdf: Float32Array;
  /** Per whole second of the window: mean square of the samples. */
  secMeanSquare: Float32Array;
  /** Per second: energy-weighted spectral centroid in Hz (0 when the second is silent). */
  secCentroid: Float32Array;
  /** Per second: mean spectral flux. */
  secFlux: Float32Array;
  /** Per second: onsets found by peak picking the ODF. */
  secOnsets: Uint16Array;
  /** Onset times in seconds from the window start. */
  onsetTimes: Float32Array;
  /** Mean square of the whole window. */
  meanSquare: number;
}

const LOG_GAMMA = 1e4; // log(1 + γ·power) compression: flux then follows relative, not absolute, level changes
const BANDS_PER_OCTAVE = 3;
const LOWEST_HZ = 30;
const HIGHEST_HZ = 16_000;
const LOW_BAND_TOP_HZ = 170;
const BODY_BAND_TOP_HZ = 2500;

let cachedFft: RealFft | undefined;
let cachedWindow: Float32Array | undefined;
interface Bands {
  bandOfBin: Int16Array;
  bandWidth: Float32Array;
  /** Bands [0, lowBands) lie below LOW_BAND_TOP_HZ, [0, bodyBands) below BODY_BAND_TOP_HZ. */
  lowBands: number;
  bodyBands: number;
}
const bandCache = new Map<number, Bands>();

/**
 * Groups FFT bins into bands a third of an octave wide (at least one bin each). Flux summed over bands
 * instead of bins keeps the many high-frequency bins of a hi-hat from outweighing a kick or a snare, which
 * matters for the half/double-tempo evidence (what happens on and between the beats).
 */
function bandsFor(sampleRate: number): Bands {
  const cached = bandCache.get(sampleRate);
  if (cached) return cached;
  const bins = FRAME_SIZE / 2 + 1;
  const binHz = sampleRate / FRAME_SIZE;
  const bandOfBin = new Int16Array(bins).fill(-1);
  const widths: number[] = [];
  let band = -1;
  let bandTopHz = 0;
  let lowBands = 0;
  let bodyBands = 0;
  for (let k = 1; k < bins; k++) {
    const hz = k * binHz;
    if (hz < LOWEST_HZ || hz > HIGHEST_HZ) continue;
    if (band < 0 || hz > bandTopHz) {
      band++;
      widths.push(0);
      bandTopHz = Math.max(hz * Math.pow(2, 1 / BANDS_PER_OCTAVE), hz + binHz / 2);
      if (hz <= LOW_BAND_TOP_HZ) lowBands = band + 1;
      if (hz <= BODY_BAND_TOP_HZ) bodyBands = band + 1;
    }
    bandOfBin[k] = band;
    widths[band]++;
  }
  const entry = { bandOfBin, bandWidth: Float32Array.from(widths), lowBands, bodyBands };
  bandCache.set(sampleRate, entry);
  return entry;
}

export function computeFrameFeatures(samples: Float32Array, sampleRate: number): FrameFeatures {
  const fft = (cachedFft ??= new RealFft(FRAME_SIZE));
  const win = (cachedWindow ??= hann(FRAME_SIZE));
  const { bandOfBin, bandWidth, lowBands, bodyBands } = bandsFor(sampleRate);
  const bandCount = bandWidth.length;
  const bins = FRAME_SIZE / 2 + 1;
  const frames = Math.max(0, Math.floor((samples.length - FRAME_SIZE) / HOP_SIZE) + 1);
  const frameRate = sampleRate / HOP_SIZE;
  const seconds = Math.ceil(samples.length / sampleRate);

  const odf = new Float32Array(frames);
  const lowOdf = new Float32Array(frames);
  const bodyOdf = new Float32Array(frames);
  const secMeanSquare = new Float32Array(seconds);
  const secCentroid = new Float32Array(seconds);
  const secFlux = new Float32Array(seconds);
  const secOnsets = new Uint16Array(seconds);
  const secCentroidWeight = new Float64Array(seconds);
  const secFrames = new Uint16Array(seconds);

  const frame = new Float32Array(FRAME_SIZE);
  const power = new Float32Array(bins);
  const bandPower = new Float64Array(bandCount);
  let prevLog = new Float32Array(bandCount);
  let curLog = new Float32Array(bandCount);
  const binHz = sampleRate / FRAME_SIZE;

  for (let f = 0; f < frames; f++) {
    const start = f * HOP_SIZE;
    for (let i = 0; i < FRAME_SIZE; i++) frame[i] = samples[start + i] * win[i];
    fft.powerSpectrum(frame, power);
    bandPower.fill(0);
    let magSum = 0;
    let weighted = 0;
    for (let k = 1; k < bins; k++) {
      const p = power[k];
      const b = bandOfBin[k];
      if (b >= 0) bandPower[b] += p;
      const mag = Math.sqrt(p);
      magSum += mag;
      weighted += mag * k * binHz;
    }
    let flux = 0;
    let low = 0;
    let body = 0;
    for (let b = 0; b < bandCount; b++) {
      const l = Math.log1p((LOG_GAMMA * bandPower[b]) / bandWidth[b]);
      curLog[b] = l;
      const d = l - prevLog[b];
      if (d > 0) {
        flux += d;
        if (b < lowBands) low += d;
        if (b < bodyBands) body += d;
      }
    }
    if (f === 0) {
      flux = 0; // no previous frame: the first difference would be the whole spectrum
      low = 0;
      body = 0;
    }
    odf[f] = flux;
    lowOdf[f] = low;
    bodyOdf[f] = body;
    const t = prevLog;
    prevLog = curLog;
    curLog = t;

    const sec = Math.min(seconds - 1, Math.floor((start + FRAME_SIZE / 2) / sampleRate));
    secFlux[sec] += flux;
    secFrames[sec]++;
    if (magSum > 1e-6) {
      secCentroid[sec] += weighted;
      secCentroidWeight[sec] += magSum;
    }
  }

  let total = 0;
  for (let s = 0; s < seconds; s++) {
    const a = s * sampleRate;
    const b = Math.min(samples.length, a + sampleRate);
    let sum = 0;
    for (let i = a; i < b; i++) sum += samples[i] * samples[i];
    total += sum;
    secMeanSquare[s] = b > a ? sum / (b - a) : 0;
    secCentroid[s] = secCentroidWeight[s] > 0 ? secCentroid[s] / secCentroidWeight[s] : 0;
    secFlux[s] = secFrames[s] ? secFlux[s] / secFrames[s] : 0;
  }

  const onsetFrames = pickOnsets(odf);
  const onsetTimes = new Float32Array(onsetFrames.length);
  onsetFrames.forEach((f, i) => {
    const t = (f * HOP_SIZE + FRAME_SIZE / 2) / sampleRate;
    onsetTimes[i] = t;
    const sec = Math.min(seconds - 1, Math.floor(t));
    secOnsets[sec]++;
  });

  return {
    frameRate,
    odf,
    lowOdf,
    bodyOdf,
    secMeanSquare,
    secCentroid,
    secFlux,
    secOnsets,
    onsetTimes,
    meanSquare: samples.length ? total / samples.length : 0,
  };
}

/**
 * Peak picking with an adaptive threshold: a frame is an onset when it is the maximum within ±3 frames
 * (±35 ms, shorter than any two real onsets) and exceeds the local mean over ±0.25 s by a margin tied to
 * the window's overall flux, so a steady noise floor does not produce onsets. It must also reach an absolute
 * flux of 9 (the flux is a sum of log-power increases, so 9 is roughly 40 dB of increase summed over the
 * bands): beating partials of a sustained pad reach 5–10 and made 6–7 "onsets" per second without it,
 * while drum hits reach 20–170 and the note onsets of the real recordings mostly pass.
 */
const MIN_ONSET_FLUX = 9;
export function pickOnsets(odf: Float32Array): number[] {
  const n = odf.length;
  if (n < 8) return [];
  let mean = 0;
  for (let i = 0; i < n; i++) mean += odf[i];
  mean /= n;
  const out: number[] = [];
  const r = 21;
  // Running sum for the local mean.
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + odf[i];
  let last = -100;
  for (let i = 1; i < n - 1; i++) {
    const v = odf[i];
    if (v <= 0) continue;
    let isMax = true;
    for (let j = Math.max(0, i - 3); j <= Math.min(n - 1, i + 3); j++) {
      if (odf[j] > v || (odf[j] === v && j < i)) {
        isMax = false;
        break;
      }
    }
    if (!isMax) continue;
    const a = Math.max(0, i - r);
    const b = Math.min(n, i + r + 1);
    const local = (prefix[b] - prefix[a]) / (b - a);
    if (v > local * 1.4 + mean * 0.3 && v >= MIN_ONSET_FLUX && i - last > 3) {
      out.push(i);
      last = i;
    }
  }
  return out;
}

/** Largest ODF value within ±`radius` frames of time `t` (seconds from the window start). */
export function odfAround(odf: Float32Array, frameRate: number, t: number, radius = 2): number {
  // Frame f is centred at (f * hop + frame/2) / sr = f / frameRate + FRAME_SIZE / (2 * sr).
  const centreOffset = FRAME_SIZE / 2 / (frameRate * HOP_SIZE);
  const f = Math.round((t - centreOffset) * frameRate);
  let best = 0;
  for (let j = Math.max(0, f - radius); j <= Math.min(odf.length - 1, f + radius); j++)
    if (odf[j] > best) best = odf[j];
  return best;
}
