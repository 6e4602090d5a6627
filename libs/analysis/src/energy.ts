import { clamp01, round2 } from './rhythm';
import type { Cue, EnergyRating, Outline, Section } from './types';

/**
 * Energy: a 1–10 rating for the whole file and a relative energy curve over time, from which a coarse
 * intro / breakdown / drop / outro outline is read. The formula and its reasons are in README.md.
 */

export interface EnergyInputs {
  /** Integrated loudness (LUFS) from EBU R128; when missing, the mean RMS level stands in (dBFS − 3). */
  integratedLufs: number | null;
  meanRmsDbfs: number;
  /** Energy-weighted spectral centroid over the non-silent audio (Hz). */
  centroidHz: number;
  /** Onsets per second over the non-silent audio. */
  onsetRate: number;
  /** Median onset strength on the beats / mean onset strength (1 = beats no stronger than anything else). */
  beatStrength: number | null;
}

/** Weights of the rating; they sum to 1. */
export const ENERGY_WEIGHTS = { loudness: 0.4, onsetDensity: 0.25, beatStrength: 0.2, brightness: 0.15 };

export function energyRating(x: EnergyInputs): EnergyRating {
  const lufs = x.integratedLufs ?? x.meanRmsDbfs - 3;
  // −30 LUFS (quiet classical, ambient) … −6 LUFS (a loud club master).
  const loudness = clamp01((lufs + 30) / 24);
  // 300 Hz (dull, bass-heavy) … 6 kHz (bright, hi-hat/noise-heavy), on a log scale as pitch is perceived.
  const brightness = clamp01(Math.log2(Math.max(1, x.centroidHz) / 300) / Math.log2(20));
  // 0 … 8 onsets per second (16th-note hats at 120 BPM are 8/s).
  const onsetDensity = clamp01(x.onsetRate / 8);
  // Onsets on the beat 1× … 4× the average: a driving, clearly marked pulse.
  const beatStrength = x.beatStrength === null ? 0 : clamp01((x.beatStrength - 1) / 3);
  const score =
    ENERGY_WEIGHTS.loudness * loudness +
    ENERGY_WEIGHTS.onsetDensity * onsetDensity +
    ENERGY_WEIGHTS.beatStrength * beatStrength +
    ENERGY_WEIGHTS.brightness * brightness;
  return {
    rating: Math.min(10, Math.max(1, 1 + Math.round(9 * score))),
    score: round2(score),
    components: {
      loudness: { value: round2(loudness), raw: round2(lufs), unit: 'LUFS' },
      brightness: { value: round2(brightness), raw: Math.round(x.centroidHz), unit: 'Hz' },
      onsetDensity: { value: round2(onsetDensity), raw: round2(x.onsetRate), unit: 'onsets/s' },
      beatStrength: { value: round2(beatStrength), raw: round2(x.beatStrength ?? 0), unit: 'ratio' },
    },
  };
}

/**
 * Relative energy per second (0..1 within this file): level in dB (60 %) and onset activity (40 %),
 * each scaled between the file's 5th and 95th percentiles, then smoothed over `smoothSec` so single hits
 * do not count as sections. Silent seconds are 0.
 */
export function energyCurve(secMeanSquare: ArrayLike<number>, secFlux: ArrayLike<number>, smoothSec = 8): Float32Array {
  return energyCurves(secMeanSquare, secFlux, smoothSec).smooth;
}

/** The per-second curve before (`raw`) and after (`smooth`) smoothing. */
export function energyCurves(
  secMeanSquare: ArrayLike<number>,
  secFlux: ArrayLike<number>,
  smoothSec = 8,
): { raw: Float32Array; smooth: Float32Array } {
  const n = secMeanSquare.length;
  const db = new Float32Array(n);
  for (let i = 0; i < n; i++) db[i] = secMeanSquare[i] > 1e-10 ? 10 * Math.log10(secMeanSquare[i]) : -100;
  const scale = (v: ArrayLike<number>, valid: (i: number) => boolean) => {
    const sorted = Array.from(v)
      .filter((_, i) => valid(i))
      .sort((a, b) => a - b);
    const lo = sorted[Math.floor(0.05 * (sorted.length - 1))] ?? 0;
    const hi = sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 1;
    return (x: number) => (hi > lo ? clamp01((x - lo) / (hi - lo)) : 0.5);
  };
  const audible = (i: number) => db[i] > -60;
  const sDb = scale(db, audible);
  const sFlux = scale(secFlux, audible);
  const raw = new Float32Array(n);
  for (let i = 0; i < n; i++) raw[i] = audible(i) ? 0.6 * sDb(db[i]) + 0.4 * sFlux(secFlux[i]) : 0;
  const out = new Float32Array(n);
  const half = Math.floor(smoothSec / 2);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) {
      s += raw[j];
      c++;
    }
    out[i] = s / c;
  }
  return { raw, smooth: out };
}

export interface OutlineOptions {
  /** The unsmoothed per-second curve: section boundaries found on the smoothed one are moved to the steepest
   * change in it nearby (smoothing blurs an edge by several seconds, more than a bar). */
  raw?: Float32Array;
  /** Snap cue times to this grid (downbeat of each bar) when the beat grid is steady. */
  bar?: { firstDownbeatSec: number; barSec: number };
  /** Shortest section worth reporting (s). */
  minSectionSec?: number;
  /** Most values in the returned curve. */
  maxCurvePoints?: number;
}

/**
 * Reads a coarse outline from the energy curve. The "main level" is the 75th percentile of the curve (where
 * the track spends its full-energy time). The intro lasts until the curve first reaches 90 % of it, the outro
 * from the last time it falls below that for good; inside, a stretch of at least `minSectionSec` under it
 * that also dips below 70 % is a breakdown (the depth keeps ordinary variation out), and the point where the
 * curve climbs back is the drop. Thresholds are relative, so a quiet track and a loud one are outlined alike.
 */
export function outlineFromCurve(curve: Float32Array, options: OutlineOptions = {}): Outline {
  const n = curve.length;
  const minSec = options.minSectionSec ?? 8;
  const sorted = Array.from(curve).sort((a, b) => a - b);
  const main = sorted[Math.floor(0.75 * (n - 1))] ?? 0;
  const high = 0.9 * main;
  const deep = 0.7 * main;
  /** Moves an edge to the steepest rise (or fall) of the raw curve within ±6 s, comparing 3 s either side. */
  const sharpen = (t: number, rising: boolean) => {
    const raw = options.raw;
    if (!raw || raw.length !== n) return t;
    const span = 3;
    let best = t;
    let bestStep = -Infinity;
    for (let k = Math.max(span, Math.round(t) - 6); k <= Math.min(n - span, Math.round(t) + 6); k++) {
      let before = 0;
      let after = 0;
      for (let j = 0; j < span; j++) {
        before += raw[k - 1 - j];
        after += raw[k + j];
      }
      const step = (rising ? after - before : before - after) / span;
      if (step > bestStep) {
        bestStep = step;
        best = k;
      }
    }
    return best;
  };
  const snap = (t: number) => {
    if (!options.bar || !(options.bar.barSec > 0)) return t;
    const { firstDownbeatSec, barSec } = options.bar;
    const k = Math.round((t - firstDownbeatSec) / barSec);
    const s = firstDownbeatSec + k * barSec;
    return s >= 0 && s <= n ? s : t;
  };
  const meanOf = (a: number, b: number) => {
    let s = 0;
    for (let i = Math.max(0, Math.floor(a)); i < Math.min(n, Math.ceil(b)); i++) s += curve[i];
    return b > a ? s / Math.max(1, Math.min(n, Math.ceil(b)) - Math.max(0, Math.floor(a))) : 0;
  };

  let introEnd = 0;
  while (introEnd < n && curve[introEnd] < high) introEnd++;
  let outroStart = n;
  while (outroStart > introEnd && curve[outroStart - 1] < high) outroStart--;
  const cues: Cue[] = [];
  const sections: Section[] = [];
  const hasIntro = introEnd >= minSec && introEnd < n;
  const hasOutro = n - outroStart >= minSec && outroStart > introEnd;
  const bodyStart = hasIntro ? round2(snap(sharpen(introEnd, true))) : 0;
  const bodyEnd = hasOutro ? round2(snap(sharpen(outroStart, false))) : n;
  if (hasIntro) {
    sections.push({ kind: 'intro', startSec: 0, endSec: bodyStart, energy: round2(meanOf(0, bodyStart)) });
    cues.push({
      kind: 'intro-end',
      timeSec: round2(bodyStart),
      energy: round2(curve[Math.min(n - 1, Math.round(bodyStart))]),
    });
  }
  // Breakdowns inside the body.
  let cursor = bodyStart;
  let i = Math.ceil(bodyStart);
  while (i < Math.floor(bodyEnd)) {
    if (curve[i] >= high) {
      i++;
      continue;
    }
    let j = i;
    let lowest = Infinity;
    while (j < Math.floor(bodyEnd) && curve[j] < high) lowest = Math.min(lowest, curve[j++]);
    if (j - i >= minSec && lowest < deep && j < Math.floor(bodyEnd)) {
      const start = round2(snap(sharpen(i, false)));
      const drop = round2(snap(sharpen(j, true)));
      if (start > cursor)
        sections.push({
          kind: 'body',
          startSec: round2(cursor),
          endSec: round2(start),
          energy: round2(meanOf(cursor, start)),
        });
      sections.push({
        kind: 'breakdown',
        startSec: round2(start),
        endSec: round2(drop),
        energy: round2(meanOf(start, drop)),
      });
      cues.push({
        kind: 'breakdown',
        timeSec: round2(start),
        energy: round2(curve[Math.min(n - 1, Math.round(start))]),
      });
      cues.push({ kind: 'drop', timeSec: round2(drop), energy: round2(curve[Math.min(n - 1, Math.round(drop))]) });
      cursor = drop;
    }
    i = Math.max(j, i + 1);
  }
  if (bodyEnd > cursor)
    sections.push({
      kind: 'body',
      startSec: round2(cursor),
      endSec: round2(bodyEnd),
      energy: round2(meanOf(cursor, bodyEnd)),
    });
  if (hasOutro) {
    sections.push({ kind: 'outro', startSec: round2(bodyEnd), endSec: n, energy: round2(meanOf(bodyEnd, n)) });
    cues.push({
      kind: 'outro-start',
      timeSec: round2(bodyEnd),
      energy: round2(curve[Math.min(n - 1, Math.round(bodyEnd))]),
    });
  }

  const maxPoints = options.maxCurvePoints ?? 720;
  const hop = Math.max(1, Math.ceil(n / maxPoints));
  const values: number[] = [];
  for (let a = 0; a < n; a += hop) values.push(round2(meanOf(a, Math.min(n, a + hop))));
  return { sections, cues, curve: { hopSec: hop, values } };
}
