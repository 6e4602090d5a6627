import type { BeatSummary, BpmAlternative, BpmMeasurement, Measured } from './types';

/**
 * Tempo, beat grid and octave choice from the beat tracker's output (pure functions; the worker supplies
 * beat times and onset strengths on, between and under the beats).
 */

export interface BeatWindowInput {
  startSec: number;
  endSec: number;
  essentiaBpm: number;
  /** Beat times (s from the file start). */
  beats: ArrayLike<number>;
  onBeat: ArrayLike<number>;
  midBeat: ArrayLike<number>;
  lowAtBeat: ArrayLike<number>;
  lowMidBeat: ArrayLike<number>;
  bodyAtBeat: ArrayLike<number>;
  bodyMidBeat: ArrayLike<number>;
  /** Onsets found in the window. */
  onsetCount: number;
  /** Mean onset-detection value over the window (for pulse clarity). */
  meanFlux: number;
}

export interface GridFit {
  /** Seconds per beat. */
  period: number;
  /** Time of beat index 0 (s). */
  phase: number;
  /** Integer beat index of each input beat (NaN for beats rejected as outliers). */
  indices: number[];
  residualMs: number;
  inlierFraction: number;
}

export function median(values: ArrayLike<number>): number {
  const a = Array.from(values)
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  if (!a.length) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Inter-beat intervals between consecutive beats, ignoring gaps longer than 1.5× the median (window joins, dropouts). */
export function interBeatIntervals(beats: ArrayLike<number>): number[] {
  const raw: number[] = [];
  for (let i = 1; i < beats.length; i++) raw.push(beats[i] - beats[i - 1]);
  const m = median(raw);
  return raw.filter((d) => d > 0 && d < 1.5 * m);
}

/**
 * Fits a straight line beat_time = phase + period × index through the beats. Indices come from rounding
 * each gap to a whole number of periods (so gaps at window joins or missed beats keep the grid), and
 * beats further than 12 % of a period from the line are dropped and the line refitted. On an exact loop
 * this turns Essentia's quantised 128.74 into 128.00.
 */
export function fitGrid(beats: ArrayLike<number>): GridFit | undefined {
  if (beats.length < 4) return undefined;
  const p0 = median(interBeatIntervals(beats));
  if (!(p0 > 0)) return undefined;
  const indices: number[] = [0];
  for (let i = 1; i < beats.length; i++)
    indices.push(indices[i - 1] + Math.max(1, Math.round((beats[i] - beats[i - 1]) / p0)));
  let use = indices.map(() => true);
  let period = p0;
  let phase = beats[0];
  for (let iter = 0; iter < 3; iter++) {
    let n = 0,
      sx = 0,
      sy = 0,
      sxx = 0,
      sxy = 0;
    for (let i = 0; i < beats.length; i++) {
      if (!use[i]) continue;
      n++;
      sx += indices[i];
      sy += beats[i];
      sxx += indices[i] * indices[i];
      sxy += indices[i] * beats[i];
    }
    const den = n * sxx - sx * sx;
    if (n < 4 || den === 0) break;
    period = (n * sxy - sx * sy) / den;
    phase = (sy - period * sx) / n;
    const next = indices.map((k, i) => Math.abs(beats[i] - (phase + period * k)) <= 0.12 * period);
    if (next.every((v, i) => v === use[i])) break;
    if (next.filter(Boolean).length < 4) break;
    use = next;
  }
  let ss = 0;
  let n = 0;
  for (let i = 0; i < beats.length; i++) {
    if (!use[i]) continue;
    const r = beats[i] - (phase + period * indices[i]);
    ss += r * r;
    n++;
  }
  return {
    period,
    phase,
    indices: indices.map((k, i) => (use[i] ? k : NaN)),
    residualMs: n ? Math.sqrt(ss / n) * 1000 : NaN,
    inlierFraction: n / beats.length,
  };
}

/** Evidence about the metrical level, from onset strengths on, between and under the tracked beats. */
export interface OctaveEvidence {
  /**
   * median(onset strength below 2.5 kHz halfway between beats) / median(on the beats): near 1 when kicks or
   * snares fall between the tracked beats. Hi-hats are left out: eighth-note hats sit between the beats at
   * any tempo.
   */
  offbeatRatio: number;
  /** The same in the bass band (a kick between the beats is strong evidence of double time). */
  lowOffbeatRatio: number;
  /** 1 − weaker/stronger of the mean accents of even and odd beats: near 1 when every other beat is weak. */
  alternateContrast: number;
  /** Onsets per tracked beat: 2–3 at a true slow tempo, 4–7 when fast music was tracked at half speed. */
  onsetsPerBeat: number;
}

export function octaveEvidence(windows: BeatWindowInput[]): OctaveEvidence {
  const on: number[] = [];
  const mid: number[] = [];
  const low: number[] = [];
  const lowMid: number[] = [];
  let even = 0,
    odd = 0,
    ne = 0,
    no = 0,
    onsets = 0,
    seconds = 0,
    beatSpan = 0,
    beatCount = 0;
  for (const w of windows) {
    for (let i = 0; i < w.bodyMidBeat.length; i++) {
      on.push(w.bodyAtBeat[i]);
      mid.push(w.bodyMidBeat[i]);
      low.push(w.lowAtBeat[i]);
      lowMid.push(w.lowMidBeat[i]);
    }
    for (let i = 0; i < w.beats.length; i++) {
      const a = w.onBeat[i] + w.lowAtBeat[i];
      if (i % 2) {
        odd += a;
        no++;
      } else {
        even += a;
        ne++;
      }
    }
    onsets += w.onsetCount;
    seconds += w.endSec - w.startSec;
    if (w.beats.length > 1) {
      beatSpan += w.beats[w.beats.length - 1] - w.beats[0];
      beatCount += w.beats.length - 1;
    }
  }
  const safeRatio = (a: number, b: number) => (b > 1e-9 ? a / b : a > 1e-9 ? 2 : 0);
  const e = ne ? even / ne : 0;
  const o = no ? odd / no : 0;
  const period = beatCount ? beatSpan / beatCount : 0;
  return {
    offbeatRatio: safeRatio(median(mid), median(on)),
    lowOffbeatRatio: safeRatio(median(lowMid), median(low)),
    alternateContrast: Math.max(e, o) > 0 ? 1 - Math.min(e, o) / Math.max(e, o) : 0,
    onsetsPerBeat: seconds > 0 ? (onsets / seconds) * period : 0,
  };
}

/**
 * 0..1: how strongly the audio says the real pulse is twice the tracked one. Half from onset density
 * (3 onsets per beat → 0, 5 → 1: hats on the eighths or sixteenths of the fast tempo) and half from
 * kicks/snares between the beats (ratio 0.3 → 0, 0.8 → 1).
 */
export function doubleTimeScore(ev: OctaveEvidence): number {
  const density = clamp01((ev.onsetsPerBeat - 3) / 2);
  const between = clamp01((Math.max(ev.offbeatRatio, 0.8 * ev.lowOffbeatRatio) - 0.3) / 0.5);
  return (density + between) / 2;
}

/** Tempo window DJ software works in by default (Traktor's is 88–175): hip-hop at the bottom, drum & bass at the top. */
export const DJ_RANGE: [number, number] = [88, 176];

export interface OctaveChoice {
  multiplier: 0.5 | 1 | 2;
  bpm: number;
  alternative?: BpmAlternative;
  /** 0..1, see doubleTimeScore. */
  doubleTimeScore: number;
  reason: string;
}

/**
 * Double-time score needed to double the tracked tempo, by how slow the tracked tempo is. The thresholds
 * were set on the generated drum patterns (bench/analysis prints the evidence per file): true 85–100 BPM
 * patterns scored ≤ 0.39, fast patterns tracked at half speed 0.39–0.9.
 */
export const DOUBLE_THRESHOLDS = { belowSeventyEight: 0.2, belowRange: 0.4, slowInRange: 0.55 };

/**
 * Chooses the metrical level. Beat trackers, Essentia's included, mostly err by halving fast music
 * (174 → 87, 140 → 70); doubling is rarer. So a reading below the DJ range is doubled on modest evidence,
 * a slow reading inside it (88–100) only on strong evidence, and one above the range is halved. The other
 * octave is reported as an alternative whenever the primary sits in an ambiguous zone (≤ 100 or ≥ 150) or
 * the evidence for it is strong.
 */
export function chooseOctave(trackerBpm: number, ev: OctaveEvidence): OctaveChoice {
  const score = doubleTimeScore(ev);
  const t = trackerBpm;
  const threshold =
    t < 78
      ? DOUBLE_THRESHOLDS.belowSeventyEight
      : t < DJ_RANGE[0]
        ? DOUBLE_THRESHOLDS.belowRange
        : DOUBLE_THRESHOLDS.slowInRange;
  const evidence = `${round1(ev.onsetsPerBeat)} onsets per beat, kick/snare between beats at ${pct(Math.max(ev.offbeatRatio, 0.8 * ev.lowOffbeatRatio))}`;
  let multiplier: 0.5 | 1 | 2 = 1;
  let reason: string;
  if (t <= 100 && t * 2 <= 200 && score >= threshold) {
    multiplier = 2;
    reason = `double-time evidence ${round2(score)} ≥ ${threshold} for a tracked ${round1(t)} (${evidence})`;
  } else if (t > DJ_RANGE[1] && t / 2 >= 60) {
    multiplier = 0.5;
    reason = `the tracked ${round1(t)} is above the DJ range; half of it is the likelier count`;
  } else if (t <= 100) {
    reason = `double-time evidence ${round2(score)} < ${threshold} for a tracked ${round1(t)} (${evidence})`;
  } else {
    reason = `the tracked ${round1(t)} lies in the DJ range`;
  }
  const bpm = t * multiplier;
  let alternative: BpmAlternative | undefined;
  if (multiplier === 2) {
    alternative = { bpm: round2(t), relation: 'half', plausibility: round2(1 - score) };
  } else if (multiplier === 0.5) {
    alternative = { bpm: round2(t), relation: 'double', plausibility: 0.5 };
  } else if (bpm * 2 <= 200 && (bpm <= 100 || score >= 0.5)) {
    alternative = { bpm: round2(bpm * 2), relation: 'double', plausibility: round2(score) };
  } else if (bpm / 2 >= 60 && (bpm >= 150 || ev.alternateContrast >= 0.35)) {
    alternative = { bpm: round2(bpm / 2), relation: 'half', plausibility: round2(clamp01(1.5 * ev.alternateContrast)) };
  }
  return { multiplier, bpm, alternative, doubleTimeScore: round2(score), reason };
}

export interface RhythmSummaryInput {
  windows: BeatWindowInput[];
  /** Onsets (s from the file start, strengths), for extrapolating the first beat back to where the music starts. */
  onsets: { times: ArrayLike<number>; strengths: ArrayLike<number> };
}

export interface RhythmSummary {
  bpm: Measured<BpmMeasurement>;
  beats: Measured<BeatSummary>;
  /** Tempo per input window, aligned to the chosen octave (null when the window had no reliable beat). */
  windowBpm: (number | null)[];
}

/**
 * Onset strength on the tracked beats relative to the window's average: ~1 means the "beats" are no more
 * eventful than anything else (a pad, a drone, rubato strings), so the tracker's grid is not trusted there.
 */
export const MIN_PULSE_CLARITY = 2.4;

export function pulseClarity(w: BeatWindowInput): number {
  return w.meanFlux > 0 ? median(w.onBeat) / w.meanFlux : 0;
}

/** Per-window tempo from that window's own grid fit; null when the window has no reliable beat. */
export function windowTempo(w: BeatWindowInput): number | null {
  if (w.beats.length < 6 || pulseClarity(w) < MIN_PULSE_CLARITY) return null;
  const fit = fitGrid(w.beats);
  if (!fit || fit.inlierFraction < 0.5) return null;
  return 60 / fit.period;
}

/** Brings `bpm` into the octave nearest `reference` (×2 / ÷2 steps). */
export function alignOctave(bpm: number, reference: number): number {
  let b = bpm;
  while (b / reference > Math.SQRT2) b /= 2;
  while (reference / b > Math.SQRT2) b *= 2;
  return b;
}

function gridHolds(fit: GridFit | undefined): fit is GridFit {
  return !!fit && fit.inlierFraction >= 0.75 && fit.residualMs <= Math.max(25, 0.06 * fit.period * 1000);
}

export function summariseRhythm(input: RhythmSummaryInput): RhythmSummary {
  const rawWindowBpm = input.windows.map(windowTempo);
  const windows = input.windows.filter((_, i) => rawWindowBpm[i] !== null);
  const notMeasurable = (reason: string): RhythmSummary => ({
    bpm: { measurable: false, reason },
    beats: { measurable: false, reason },
    windowBpm: input.windows.map(() => null),
  });
  const allBeats: number[] = [];
  for (const w of windows) for (let i = 0; i < w.beats.length; i++) allBeats.push(w.beats[i]);
  if (allBeats.length < 8)
    return notMeasurable('no steady beat found (the tracked beats are not stronger than the rest of the audio)');

  const known = rawWindowBpm.filter((b): b is number => b !== null);
  const fit = fitGrid(allBeats);
  // One straight grid over the whole file is the most precise tempo when it fits; when it does not
  // (tempo drifts or changes, edits), the median of the window tempos is the honest summary.
  const oneGrid = gridHolds(fit);
  const trackerBpm = oneGrid ? 60 / fit.period : median(known.map((b) => alignOctave(b, median(known))));
  if (!Number.isFinite(trackerBpm) || trackerBpm <= 0)
    return notMeasurable('the beat tracker found no consistent tempo');

  const ev = octaveEvidence(windows);
  const choice = chooseOctave(trackerBpm, ev);
  const bpm = choice.bpm;
  const windowBpm = rawWindowBpm.map((b) => (b === null ? null : round2(alignOctave(b, bpm))));
  const aligned = windowBpm.filter((b): b is number => b !== null);

  // Grid statistics: spread of inter-beat intervals and how well each window's straight grid fits.
  const ibis = windows.flatMap((w) => interBeatIntervals(w.beats));
  const ibiMean = ibis.reduce((a, b) => a + b, 0) / Math.max(1, ibis.length);
  const ibiStd = Math.sqrt(ibis.reduce((a, b) => a + (b - ibiMean) ** 2, 0) / Math.max(1, ibis.length));
  const ibiCv = ibiMean > 0 ? ibiStd / ibiMean : 0;
  const windowFits = windows.map((w) => fitGrid(w.beats)).filter((f): f is GridFit => !!f);
  const residualMs = oneGrid ? fit.residualMs : median(windowFits.map((f) => f.residualMs));
  const spread = aligned.length ? (Math.max(...aligned) - Math.min(...aligned)) / bpm : 0;
  const stability: BeatSummary['grid']['stability'] =
    residualMs <= 15 && spread <= 0.01 && ibiCv < 0.05
      ? 'steady'
      : residualMs <= 40 && ibiCv < 0.15
        ? 'variable'
        : 'unstable';

  // First beat and downbeat from the first run of windows that share one grid (an edit or a tempo
  // change later in the file must not move the start).
  const segment = firstSegment(windows);
  const segmentFit = fitGrid(segment.flatMap((w) => Array.from(w.beats)))!;
  const grid = finalGrid(segment, segmentFit, choice.multiplier);
  const period = 60 / bpm;
  const firstBeat = extrapolateFirstBeat(grid, period, input.onsets);
  const down = downbeatPhase(grid);
  const offset = (((down.phase - firstBeat.index) % 4) + 4) % 4;
  const firstDownbeatSec = firstBeat.time + offset * period;

  // Confidence: does a straight grid fit, do the beats carry the onsets, do the windows agree?
  const fitQuality = (oneGrid ? fit.inlierFraction : 0.8) * Math.exp(-residualMs / 30);
  const clarity = clamp01((median(windows.map(pulseClarity)) - 1) / 2);
  const agreement = aligned.length
    ? aligned.filter((b) => Math.abs(b / bpm - 1) <= 0.03).length / input.windows.length
    : 0;
  const confidence = clamp01(0.4 * fitQuality + 0.3 * clarity + 0.3 * agreement);

  return {
    windowBpm,
    bpm: {
      measurable: true,
      bpm: round2(bpm),
      confidence: round2(confidence),
      ...(choice.alternative ? { alternative: choice.alternative } : {}),
      octaveReason: choice.reason,
      doubleTimeScore: choice.doubleTimeScore,
      trackerBpm: round2(median(windows.map((w) => w.essentiaBpm))),
      windowRange: aligned.length ? [Math.min(...aligned), Math.max(...aligned)] : [round2(bpm), round2(bpm)],
      method: oneGrid
        ? 'Essentia RhythmExtractor2013 (degara) + line fit through the beat times'
        : 'Essentia RhythmExtractor2013 (degara), median of the window tempos',
    },
    beats: {
      measurable: true,
      firstBeatSec: round3(firstBeat.time),
      firstDownbeatSec: round3(firstDownbeatSec),
      downbeatConfidence: round2(down.confidence),
      beatCount: Math.round(allBeats.length * choice.multiplier),
      grid: {
        ibiCv: round3(ibiCv),
        ibiStdMs: round2((ibiStd * 1000) / choice.multiplier),
        fitResidualMs: round2(residualMs / choice.multiplier),
        stability,
      },
    },
  };
}

/** Leading windows (adjacent in time) whose beats still fit one straight grid. */
function firstSegment(windows: BeatWindowInput[]): BeatWindowInput[] {
  const seg = [windows[0]];
  for (let i = 1; i < windows.length; i++) {
    if (Math.abs(windows[i].startSec - seg[seg.length - 1].endSec) > 0.01) break;
    const candidate = [...seg, windows[i]];
    if (!gridHolds(fitGrid(candidate.flatMap((w) => Array.from(w.beats))))) break;
    seg.push(windows[i]);
    if (seg.length >= 4) break; // two minutes are plenty for the start of the grid
  }
  return seg;
}

interface GridBeat {
  time: number;
  index: number;
  on: number;
  low: number;
}

/** The beats at the chosen octave with their grid indices (doubling inserts the half-way points). */
function finalGrid(windows: BeatWindowInput[], fit: GridFit, multiplier: number): GridBeat[] {
  const tracked: GridBeat[] = [];
  const mids: GridBeat[] = [];
  let k = 0;
  for (const w of windows) {
    for (let i = 0; i < w.beats.length; i++, k++) {
      const index = fit.indices[k];
      if (!Number.isFinite(index)) continue;
      // Positions on the fitted line: the tracker's own times wobble (and are late while it locks on).
      tracked.push({ time: fit.phase + fit.period * index, index, on: w.onBeat[i], low: w.lowAtBeat[i] });
      if (i < w.midBeat.length && Number.isFinite(fit.indices[k + 1]) && fit.indices[k + 1] === index + 1) {
        mids.push({
          time: fit.phase + fit.period * (index + 0.5),
          index: index + 0.5,
          on: w.midBeat[i],
          low: w.lowMidBeat[i],
        });
      }
    }
  }
  if (multiplier === 2) {
    return [...tracked, ...mids].map((b) => ({ ...b, index: b.index * 2 })).sort((a, b) => a.time - b.time);
  }
  if (multiplier === 0.5) {
    const accent = (parity: number) => {
      const sel = tracked.filter((b) => ((b.index % 2) + 2) % 2 === parity);
      return sel.reduce((a, b) => a + b.on + b.low, 0) / Math.max(1, sel.length);
    };
    const parity = accent(0) >= accent(1) ? 0 : 1;
    return tracked
      .filter((b) => ((b.index % 2) + 2) % 2 === parity)
      .map((b) => ({ ...b, index: (b.index - parity) / 2 }));
  }
  return tracked;
}

/**
 * Beat trackers start late (Essentia's first beat is often the second or third real one). Walk back along
 * the grid while an onset of at least 30 % of the typical beat strength sits within 40 ms of each grid point.
 */
function extrapolateFirstBeat(
  grid: GridBeat[],
  period: number,
  onsets: { times: ArrayLike<number>; strengths: ArrayLike<number> },
): { time: number; index: number } {
  const first = grid[0];
  const typical = median(grid.slice(0, 64).map((b) => b.on));
  let time = first.time;
  let index = first.index;
  for (;;) {
    const t = time - period;
    if (t < -0.04) break;
    let found = false;
    for (let i = 0; i < onsets.times.length; i++) {
      if (Math.abs(onsets.times[i] - t) <= 0.04 && onsets.strengths[i] >= 0.3 * typical) {
        found = true;
        break;
      }
    }
    if (!found) break;
    time = Math.max(0, t);
    index -= 1;
  }
  return { time, index };
}

/** Which of the four beat phases carries the bar's accent: the mean of bass and broadband onset strength, each normalised. */
function downbeatPhase(grid: GridBeat[]): { phase: number; confidence: number } {
  const lowMed = median(grid.map((b) => b.low)) || 1e-9;
  const onMed = median(grid.map((b) => b.on)) || 1e-9;
  const sum = [0, 0, 0, 0];
  const count = [0, 0, 0, 0];
  for (const b of grid) {
    const p = ((Math.round(b.index) % 4) + 4) % 4;
    sum[p] += b.low / lowMed + b.on / onMed;
    count[p]++;
  }
  const mean = sum.map((s, i) => (count[i] ? s / count[i] : 0));
  const order = [0, 1, 2, 3].sort((a, b) => mean[b] - mean[a]);
  const best = mean[order[0]];
  return { phase: order[0], confidence: best > 0 ? (best - mean[order[1]]) / best : 0 };
}

export const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
export const round2 = (v: number): number => Math.round(v * 100) / 100;
export const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const pct = (v: number) => `${Math.round(v * 100)} %`;
const round1 = (v: number): number => Math.round(v * 10) / 10;
