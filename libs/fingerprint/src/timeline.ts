import { ClusterHit, MatchMode } from './matcher';
import { FRAME_SEC } from './params';

/** One window's vote for one track, as the timeline builder sees it. */
export interface WindowHit {
  /** The window, in query frames [start, end). */
  windowStart: number;
  windowEnd: number;
  hit: ClusterHit;
}

export interface TimelineEntry {
  trackId: number;
  /** Where the track is heard in the mix, seconds (crossfades split at the point of equal presence). */
  startSec: number;
  endSec: number;
  /** Position in the track at startSec, seconds. */
  refStartSec: number;
  /** Track seconds per mix second (1.05: played 5 % fast). */
  speed: number;
  mode: MatchMode;
  /** 0 … 1. */
  confidence: number;
  /** Agreeing hashes over the whole entry. */
  score: number;
}

export interface TimelineGap {
  startSec: number;
  endSec: number;
}

export interface MixTimeline {
  durationSec: number;
  entries: TimelineEntry[];
  /** Stretches where no library track was identified (left unknown on purpose). */
  unknown: TimelineGap[];
}

export interface TimelineOptions {
  /** Entries shorter than this are dropped (a real track in a mix plays longer), seconds. Default 8. */
  minEntrySec?: number;
  /** Entries below this confidence are dropped. Default 0.5. */
  minConfidence?: number;
  /** A run is continued across at most this much time without a confirming window, seconds. Default 12. */
  maxSilentGapSec?: number;
  /** Mapping disagreement still treated as the same run, seconds of track time. Default 1.5. */
  alignmentToleranceSec?: number;
  /**
   * Fallback presence threshold for an entry's ends (when peak levels are unknown), as a fraction of the
   * entry's typical evidence density. Default 0.3.
   */
  edgeFraction?: number;
  /** Overlaps longer than this are kept as layered tracks rather than split as a crossfade, seconds. Default 30. */
  maxCrossfadeSec?: number;
  /** Unknown stretches shorter than this are not reported, seconds. Default 2. */
  minGapSec?: number;
}

interface Run {
  trackId: number;
  hits: WindowHit[];
  lastWindowEnd: number;
  /** Mapping of the most recent hit. */
  speed: number;
  pivot: number;
  refAtPivot: number;
}

interface Candidate {
  trackId: number;
  evidence: Int32Array;
  /** Gain (mix level − track level, dB) of each evidence match. */
  levels: Float32Array;
  /** Estimated fade midpoints from the gains (NaN when no estimate). */
  levelStart: number;
  levelEnd: number;
  startFrame: number;
  endFrame: number;
  speed: number;
  mode: MatchMode;
  confidence: number;
  score: number;
  /** Mapping used for refStartSec. */
  pivot: number;
  refAtPivot: number;
  /** Evidence per second at full presence. */
  fullDensity: number;
}

const BIN = Math.round(1 / FRAME_SEC); // ≈ 1 s of frames

/**
 * Turns per-window hits into a timeline:
 *  1. chain hits of one track whose alignments agree (same track position at the same mix time, similar
 *     speed) into runs, allowing a missed window or two;
 *  2. place each run's ends at its fade midpoints, estimated from the gains of its matches (mix level minus
 *     stored level of each matched peak: where they come within 6 dB of the run's steady gain is the middle
 *     of a linear fade); with too few matches for that, where its evidence (agreeing hashes per second)
 *     falls below a fraction of its usual density;
 *  3. merge runs of one track that touch with the same alignment (or where one is a short fragment, as
 *     repetitive music produces), then drop short and weak runs;
 *  4. drop phantoms (a weaker run inside a stronger one's span), then split crossfades: where two runs
 *     overlap, the boundary is the mean of the outgoing run's fade-out midpoint and the incoming run's
 *     fade-in midpoint (each alone is pulled by how strongly each track's peaks compete for the peak
 *     budget during the fade; the mean was the most accurate on generated mixes);
 *  5. report what is left uncovered as unknown.
 */
export function buildTimeline(hits: WindowHit[], durationSec: number, options: TimelineOptions = {}): MixTimeline {
  const minEntrySec = options.minEntrySec ?? 8;
  const minConfidence = options.minConfidence ?? 0.5;
  const maxGapFrames = (options.maxSilentGapSec ?? 12) / FRAME_SEC;
  const alignTol = (options.alignmentToleranceSec ?? 1.5) / FRAME_SEC;
  const edgeFraction = options.edgeFraction ?? 0.3;
  const maxCrossfade = (options.maxCrossfadeSec ?? 30) / FRAME_SEC;
  const minGapSec = options.minGapSec ?? 2;

  // 1. Chain.
  const sorted = [...hits].sort((a, b) => a.windowStart - b.windowStart || b.hit.score - a.hit.score);
  const runs: Run[] = [];
  const open = new Map<number, Run[]>();
  for (const wh of sorted) {
    const h = wh.hit;
    const candidates = open.get(h.trackId) ?? [];
    let joined: Run | undefined;
    for (const run of candidates) {
      if (wh.windowStart - run.lastWindowEnd > maxGapFrames) continue;
      const predicted = run.refAtPivot + run.speed * (h.pivot - run.pivot);
      if (Math.abs(predicted - h.refAtPivot) <= alignTol + Math.abs(h.pivot - run.pivot) * 0.01 && Math.abs(h.speed - run.speed) < 0.03) {
        joined = run;
        break;
      }
    }
    if (!joined) {
      joined = { trackId: h.trackId, hits: [], lastWindowEnd: wh.windowEnd, speed: h.speed, pivot: h.pivot, refAtPivot: h.refAtPivot };
      runs.push(joined);
      candidates.push(joined);
      open.set(h.trackId, candidates);
    }
    joined.hits.push(wh);
    joined.lastWindowEnd = Math.max(joined.lastWindowEnd, wh.windowEnd);
    // Follow the latest alignment, so a slowly drifting one (a DJ nudging the pitch) stays one run.
    joined.speed = h.speed;
    joined.pivot = h.pivot;
    joined.refAtPivot = h.refAtPivot;
  }

  // 2. Extents from evidence density.
  let candidates: Candidate[] = runs.map((run) => toCandidate(run, edgeFraction)).filter((c): c is Candidate => c !== null);

  // 3. Merge touching runs of one track, then drop short or weak ones.
  candidates = mergeSameTrack(candidates, maxGapFrames);
  candidates = candidates.filter((c) => (c.endFrame - c.startFrame) * FRAME_SEC >= minEntrySec && c.confidence >= minConfidence);

  // 4. Phantoms and crossfades.
  candidates.sort((a, b) => a.startFrame - b.startFrame);
  candidates = dropContained(candidates);
  for (let i = 0; i + 1 < candidates.length; i++) {
    const a = candidates[i];
    const b = candidates[i + 1];
    if (b.startFrame >= a.endFrame) continue;
    const overlap = a.endFrame - b.startFrame;
    if (overlap > maxCrossfade) continue;
    const cut = crossing(a, b);
    a.endFrame = cut;
    b.startFrame = cut;
  }
  candidates = candidates.filter((c) => (c.endFrame - c.startFrame) * FRAME_SEC >= minEntrySec);

  const entries: TimelineEntry[] = candidates.map((c) => ({
    trackId: c.trackId,
    startSec: round3(c.startFrame * FRAME_SEC),
    endSec: round3(Math.min(durationSec, c.endFrame * FRAME_SEC)),
    refStartSec: round3(Math.max(0, c.refAtPivot + c.speed * (c.startFrame - c.pivot)) * FRAME_SEC),
    speed: Math.round(c.speed * 10000) / 10000,
    mode: c.mode,
    confidence: Math.round(c.confidence * 1000) / 1000,
    score: c.score,
  }));

  // 5. Unknown stretches.
  const unknown: TimelineGap[] = [];
  let cursor = 0;
  for (const e of [...entries].sort((x, y) => x.startSec - y.startSec)) {
    if (e.startSec - cursor >= minGapSec) unknown.push({ startSec: round3(cursor), endSec: e.startSec });
    cursor = Math.max(cursor, e.endSec);
  }
  if (durationSec - cursor >= minGapSec) unknown.push({ startSec: round3(cursor), endSec: round3(durationSec) });
  return { durationSec, entries, unknown };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function toCandidate(run: Run, edgeFraction: number): Candidate | null {
  // Evidence: one entry per distinct query peak (or frame, when peaks are unknown), in time order.
  const frameOf = new Map<number, number>();
  const gainOf = new Map<number, number>();
  for (const wh of run.hits) {
    const { inlierFrames, inlierPeaks, inlierGains } = wh.hit;
    for (let k = 0; k < inlierFrames.length; k++) {
      const key = inlierPeaks[k] >= 0 ? inlierPeaks[k] : -1 - inlierFrames[k];
      frameOf.set(key, inlierFrames[k]);
      gainOf.set(key, inlierGains[k]);
    }
  }
  if (frameOf.size === 0) return null;
  const keys = [...frameOf.keys()].sort((a, b) => frameOf.get(a)! - frameOf.get(b)! || a - b);
  const unique = Int32Array.from(keys, (k) => frameOf.get(k)!);
  const levels = Float32Array.from(keys, (k) => gainOf.get(k)!);
  const first = unique[0];
  const last = unique[unique.length - 1];
  const density = smoothedDensity(unique, first, last);
  const level = typicalLevel(density);
  const threshold = level * edgeFraction;
  let startBin = 0;
  while (startBin < density.length - 1 && density[startBin] < threshold) startBin++;
  let endBin = density.length - 1;
  while (endBin > startBin && density[endBin] < threshold) endBin--;
  let startFrame = Math.max(first, first + startBin * BIN - BIN / 2);
  let endFrame = Math.min(last + 1, first + (endBin + 1) * BIN + BIN / 2);

  const windows = new Set(run.hits.map((h) => h.windowStart)).size;
  const maxConfidence = Math.max(...run.hits.map((h) => h.hit.confidence));
  // A track heard in one window only is less certain than one confirmed by its neighbours.
  const confidence = windows >= 2 ? maxConfidence : maxConfidence * 0.7;
  // Speed and mode from the speed-aware (triplet) hits when there are any: a landmark hit assumes speed 1
  // and on a slightly stretched track fits only part of its window.
  const speedHits = run.hits.some((h) => h.hit.strategy === 'triplet') ? run.hits.filter((h) => h.hit.strategy === 'triplet') : run.hits;
  const modes = new Map<MatchMode, number>();
  let speedSum = 0;
  let weight = 0;
  for (const wh of speedHits) {
    modes.set(wh.hit.mode, (modes.get(wh.hit.mode) ?? 0) + wh.hit.score);
    speedSum += wh.hit.speed * wh.hit.score;
    weight += wh.hit.score;
  }
  const mode = [...modes.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const bestHit = speedHits.reduce((a, b) => (b.hit.score > a.hit.score ? b : a)).hit;
  const [levelStart, levelEnd] = fadeMidpoints(unique, levels);
  if (!Number.isNaN(levelStart)) startFrame = levelStart;
  if (!Number.isNaN(levelEnd)) endFrame = levelEnd + 1;
  return {
    trackId: run.trackId,
    evidence: unique,
    levels,
    levelStart,
    levelEnd,
    startFrame,
    endFrame,
    speed: speedSum / weight,
    mode,
    confidence,
    score: unique.length,
    pivot: bestHit.pivot,
    refAtPivot: bestHit.refAtPivot,
    fullDensity: level,
  };
}

/** Gain (dB below the track's steady level) at the middle of a linear crossfade. */
const FADE_MID_DB = -6;

/**
 * Where the track fades in and out, from the gains of its matches (level of the anchor peak in the mix minus
 * its level in the stored track: the DJ's fader, with the track's own dynamics cancelled out): the steady
 * gain is the median over the whole run; the fade midpoint is where the running median (over ±1 s) first
 * comes within FADE_MID_DB of it (from the start) and last does (at the end). Only the first and last 20 s
 * are searched. NaN when there are too few matches to say.
 */
function fadeMidpoints(frames: Int32Array, gains: Float32Array): [number, number] {
  if (frames.length < 20) return [NaN, NaN];
  const first = frames[0];
  const last = frames[frames.length - 1];
  const all: number[] = Array.from(gains);
  const target = medianOf(all) + FADE_MID_DB;
  // Median gain around frame f: the matches within ±1 s, widened to the nearest MIN_POINTS (but never
  // beyond ±3 s) where matches are sparse — a quiet or masked stretch must not simply be skipped.
  const MIN_POINTS = 5;
  const around = (f: number) => {
    let lo = lowerBound(frames, f - BIN);
    let hi = lowerBound(frames, f + BIN);
    while (hi - lo < MIN_POINTS && (lo > 0 || hi < frames.length)) {
      const left = lo > 0 ? f - frames[lo - 1] : Infinity;
      const right = hi < frames.length ? frames[hi] - f : Infinity;
      if (Math.min(left, right) > 3 * BIN) break;
      if (left <= right) lo--;
      else hi++;
    }
    if (hi - lo < 3) return NaN;
    return medianOf(all.slice(lo, hi));
  };
  const step = Math.max(1, Math.round(BIN / 4));
  let start = NaN;
  for (let f = first; f <= Math.min(last, first + 20 * BIN); f += step) {
    const v = around(f);
    if (!Number.isNaN(v) && v >= target) {
      start = f;
      break;
    }
  }
  let end = NaN;
  for (let f = last; f >= Math.max(first, last - 20 * BIN); f -= step) {
    const v = around(f);
    if (!Number.isNaN(v) && v >= target) {
      end = f;
      break;
    }
  }
  return [start, end];
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Evidence frames per 1-s bin from `first`, smoothed over 3 bins. */
function smoothedDensity(evidence: Int32Array, first: number, last: number): Float64Array {
  const bins = Math.floor((last - first) / BIN) + 1;
  const raw = new Float64Array(bins);
  for (const f of evidence) raw[Math.floor((f - first) / BIN)]++;
  const out = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    let s = 0;
    let c = 0;
    for (let j = i - 1; j <= i + 1; j++) {
      if (j < 0 || j >= bins) continue;
      s += raw[j];
      c++;
    }
    out[i] = s / c;
  }
  return out;
}

/** The density of full presence: the upper-middle of the bins (the 75th percentile resists fades and gaps). */
function typicalLevel(density: Float64Array): number {
  const s = Float64Array.from(density).sort();
  return s[Math.floor((s.length - 1) * 0.75)];
}

function lowerBound(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Boundary between an outgoing run a and an incoming run b that overlap (see buildTimeline, step 4). */
function crossing(a: Candidate, b: Candidate): number {
  const estimates = [a.levelEnd, b.levelStart].filter((x) => !Number.isNaN(x));
  if (estimates.length === 0) estimates.push((b.startFrame + a.endFrame) / 2);
  const cut = estimates.reduce((p, q) => p + q, 0) / estimates.length;
  return Math.round(Math.min(a.endFrame, Math.max(b.startFrame, cut)));
}

function mergeSameTrack(cands: Candidate[], maxGapFrames: number): Candidate[] {
  const byTrack = new Map<number, Candidate[]>();
  for (const c of cands) {
    const list = byTrack.get(c.trackId) ?? [];
    list.push(c);
    byTrack.set(c.trackId, list);
  }
  const out: Candidate[] = [];
  for (const list of byTrack.values()) {
    list.sort((a, b) => a.startFrame - b.startFrame);
    let cur = list[0];
    for (let i = 1; i < list.length; i++) {
      const c = list[i];
      const touching = c.startFrame <= cur.endFrame + Math.min(maxGapFrames, 3 * BIN);
      const predicted = cur.refAtPivot + cur.speed * (c.pivot - cur.pivot);
      const sameAlignment = Math.abs(predicted - c.refAtPivot) <= 2 * BIN && Math.abs(cur.speed - c.speed) < 0.02;
      const fragment = Math.min(cur.endFrame - cur.startFrame, c.endFrame - c.startFrame) < 20 * BIN;
      if (touching && (sameAlignment || fragment)) {
        const stronger = c.score > cur.score ? c : cur;
        const { evidence, levels } = mergeEvidence(cur, c);
        cur = {
          ...stronger,
          evidence,
          levels,
          startFrame: Math.min(cur.startFrame, c.startFrame),
          endFrame: Math.max(cur.endFrame, c.endFrame),
          levelStart: cur.levelStart,
          levelEnd: c.levelEnd,
          confidence: Math.max(cur.confidence, c.confidence),
          score: cur.score + c.score,
          fullDensity: Math.max(cur.fullDensity, c.fullDensity),
        };
      } else {
        out.push(cur);
        cur = c;
      }
    }
    out.push(cur);
  }
  return out;
}

function mergeEvidence(a: Candidate, b: Candidate): { evidence: Int32Array; levels: Float32Array } {
  const n = a.evidence.length + b.evidence.length;
  const evidence = new Int32Array(n);
  const levels = new Float32Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (j >= b.evidence.length || (i < a.evidence.length && a.evidence[i] <= b.evidence[j])) {
      evidence[k] = a.evidence[i];
      levels[k] = a.levels[i++];
    } else {
      evidence[k] = b.evidence[j];
      levels[k] = b.levels[j++];
    }
  }
  return { evidence, levels };
}

/**
 * Drops a candidate lying (almost) entirely inside a stronger one's span: two tracks crossfading can
 * make a short, weak alignment with some third track, and a track does not play inside another.
 */
function dropContained(cands: Candidate[]): Candidate[] {
  const keep = cands.map(() => true);
  for (let i = 0; i < cands.length; i++) {
    for (let j = 0; j < cands.length; j++) {
      if (i === j || !keep[j]) continue;
      const inner = cands[i];
      const outer = cands[j];
      const overlap = Math.min(inner.endFrame, outer.endFrame) - Math.max(inner.startFrame, outer.startFrame);
      const len = inner.endFrame - inner.startFrame;
      if (overlap >= 0.8 * len && outer.score > inner.score && outer.endFrame - outer.startFrame > len) {
        keep[i] = false;
        break;
      }
    }
  }
  return cands.filter((_, i) => keep[i]);
}
