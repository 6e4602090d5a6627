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
  /** Mode 'key': semitones the pitch was shifted by (tempo unchanged); otherwise 0. */
  keySemitones: number;
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
  /**
   * Not part of the timeline: confident entries set aside as lying inside stronger ones and not layered
   * (step 4 of buildTimeline) — mostly a second, chance alignment of the same passage; but when the stronger entry is a library recording that is itself a mix (a recorded set
   * holding the track), the track the query matched directly there. resolveNestedMixes takes them as
   * corroboration: one that names the track the inner timeline puts there, at the same alignment, extends
   * it to where the query's own evidence of it begins and ends (see ResolveNestedOptions.shadowed).
   */
  shadowed?: TimelineEntry[];
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
  /**
   * Consecutive entries this close (seconds) are treated as one transition and get a common boundary, as
   * overlapping ones do: one side of the crossfade left no evidence of its fade. Default 6 (shorter than
   * any entry, so nothing identifiable can lie between).
   */
  maxJoinGapSec?: number;
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
  /** Whether the fades were seen in the gains (false: the estimate is only a bound, see fadeEdges). */
  fadeInSeen: boolean;
  fadeOutSeen: boolean;
  startFrame: number;
  endFrame: number;
  speed: number;
  mode: MatchMode;
  keySemitones: number;
  confidence: number;
  score: number;
  /** Mapping used for refStartSec. */
  pivot: number;
  refAtPivot: number;
  /** Evidence per second at full presence. */
  fullDensity: number;
  /** Matching windows that voted for it. */
  windows: number;
}

const BIN = Math.round(1 / FRAME_SEC); // ≈ 1 s of frames

/**
 * Turns per-window hits into a timeline:
 *  1. chain hits of one track whose alignments agree (same track position at the same mix time, similar
 *     speed) into runs, allowing a missed window or two;
 *  2. place each run's ends at its fade midpoints, estimated from the gains of its matches (mix level minus
 *     stored level of each matched peak: where they cross 6 dB below the run's steady gain is the middle of
 *     a linear fade), noting whether the fade was seen at all or the evidence begins (ends) already loud;
 *     with too few matches for that, or gains too scattered to show a fade (a phone in a room), where its
 *     evidence (agreeing hashes per second) falls below a fraction of its usual density;
 *  3. merge runs of one track that touch with the same alignment (or where one is a short fragment, as
 *     repetitive music produces), then drop short and weak runs; split a run where its evidence has a hole
 *     that another run fills (a DJ returning to a track where it would have been);
 *  4. drop phantoms (a weaker run inside the span of a stronger one, or of two crossfading ones), then
 *     split crossfades: where two runs overlap or leave a gap of a few seconds, the boundary is the mean of
 *     the outgoing run's fade-out midpoint and the incoming run's fade-in midpoint when both fades were
 *     seen, else the one that was (see crossing); the first and last tracks reach the recording's start
 *     and end when they begin (end) within a few seconds of it; a weak run confirmed by several windows is
 *     kept only as a third deck layered inside stronger tracks (weakLayers);
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
  const maxJoinGap = (options.maxJoinGapSec ?? 6) / FRAME_SEC;

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
      if (
        Math.abs(predicted - h.refAtPivot) <= alignTol + Math.abs(h.pivot - run.pivot) * 0.01 &&
        Math.abs(h.speed - run.speed) < 0.03
      ) {
        joined = run;
        break;
      }
    }
    if (!joined) {
      joined = {
        trackId: h.trackId,
        hits: [],
        lastWindowEnd: wh.windowEnd,
        speed: h.speed,
        pivot: h.pivot,
        refAtPivot: h.refAtPivot,
      };
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
  let candidates: Candidate[] = runs
    .map((run) => toCandidate(run, edgeFraction))
    .filter((c): c is Candidate => c !== null);

  // 3. Merge touching runs of one track, then drop short or weak ones.
  candidates = mergeSameTrack(candidates, maxGapFrames);
  const longEnough = (c: Candidate) => (c.endFrame - c.startFrame) * FRAME_SEC >= minEntrySec;
  const isEntry = (c: Candidate) => longEnough(c) && c.confidence >= minConfidence;
  // Below the confidence asked of a track of its own, but confirmed by more than one window: reported only
  // if it turns out to be a third deck layered inside stronger tracks (see weakLayers).
  const weak = candidates.filter((c) => longEnough(c) && c.confidence < minConfidence && c.windows >= 2);
  candidates = candidates.filter(isEntry);
  candidates = splitAtHoles(candidates).filter(isEntry);

  // 4. Phantoms and crossfades.
  candidates.sort((a, b) => a.startFrame - b.startFrame);
  const { kept, layers, shadowed } = dropContained(candidates);
  layers.push(...weakLayers(weak, kept));
  candidates = kept;
  for (let i = 0; i + 1 < candidates.length; i++) {
    const a = candidates[i];
    const b = candidates[i + 1];
    if (b.startFrame - a.endFrame > maxJoinGap) continue;
    const overlap = a.endFrame - b.startFrame;
    if (overlap > maxCrossfade) continue;
    const cut = crossing(a, b);
    a.endFrame = cut;
    b.startFrame = cut;
  }
  candidates = candidates.filter((c) => (c.endFrame - c.startFrame) * FRAME_SEC >= minEntrySec);
  // Likewise at the recording's own start and end: nothing identifiable lies in a few seconds before the first
  // track or after the last one, which was playing from the start (until the end) of the recording — its
  // evidence only began (ended) late, as through a phone in a room, where the first windows' matches were too
  // few to count.
  if (candidates.length > 0) {
    const totalFrames = durationSec / FRAME_SEC;
    if (candidates[0].startFrame <= maxJoinGap) candidates[0].startFrame = 0;
    const last = candidates[candidates.length - 1];
    if (totalFrames - last.endFrame <= maxJoinGap) last.endFrame = Math.ceil(totalFrames);
  }
  candidates = [...candidates, ...layers].sort((a, b) => a.startFrame - b.startFrame);

  const toEntry = (c: Candidate): TimelineEntry => ({
    trackId: c.trackId,
    startSec: round3(c.startFrame * FRAME_SEC),
    endSec: round3(Math.min(durationSec, c.endFrame * FRAME_SEC)),
    refStartSec: round3(Math.max(0, c.refAtPivot + c.speed * (c.startFrame - c.pivot)) * FRAME_SEC),
    speed: Math.round(c.speed * 10000) / 10000,
    mode: c.mode,
    keySemitones: c.mode === 'key' ? Math.round(c.keySemitones * 100) / 100 : 0,
    confidence: Math.round(c.confidence * 1000) / 1000,
    score: c.score,
  });
  const entries = candidates.map(toEntry);

  // 5. Unknown stretches.
  const unknown: TimelineGap[] = [];
  let cursor = 0;
  for (const e of [...entries].sort((x, y) => x.startSec - y.startSec)) {
    if (e.startSec - cursor >= minGapSec) unknown.push({ startSec: round3(cursor), endSec: e.startSec });
    cursor = Math.max(cursor, e.endSec);
  }
  if (durationSec - cursor >= minGapSec) unknown.push({ startSec: round3(cursor), endSec: round3(durationSec) });
  return { durationSec, entries, unknown, shadowed: shadowed.map(toEntry) };
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
  const speedHits = run.hits.some((h) => h.hit.strategy === 'triplet')
    ? run.hits.filter((h) => h.hit.strategy === 'triplet')
    : run.hits;
  const modes = new Map<MatchMode, number>();
  let speedSum = 0;
  let weight = 0;
  for (const wh of speedHits) {
    modes.set(wh.hit.mode, (modes.get(wh.hit.mode) ?? 0) + wh.hit.score);
    speedSum += wh.hit.speed * wh.hit.score;
    weight += wh.hit.score;
  }
  const mode = [...modes.entries()].sort((a, b) => b[1] - a[1])[0][0];
  let keySum = 0;
  let keyWeight = 0;
  for (const wh of speedHits) {
    if (wh.hit.mode !== 'key') continue;
    keySum += wh.hit.keySemitones * wh.hit.score;
    keyWeight += wh.hit.score;
  }
  const bestHit = speedHits.reduce((a, b) => (b.hit.score > a.hit.score ? b : a)).hit;
  const fade = fadeEdges(unique, levels);
  const levelStart = fade.start;
  const levelEnd = fade.end;
  if (!Number.isNaN(levelStart)) startFrame = levelStart;
  if (!Number.isNaN(levelEnd)) endFrame = levelEnd + 1;
  return {
    trackId: run.trackId,
    evidence: unique,
    levels,
    levelStart,
    levelEnd,
    fadeInSeen: fade.startSeen,
    fadeOutSeen: fade.endSeen,
    startFrame,
    endFrame,
    speed: speedSum / weight,
    mode,
    keySemitones: keyWeight ? keySum / keyWeight : 0,
    confidence,
    score: unique.length,
    pivot: bestHit.pivot,
    refAtPivot: bestHit.refAtPivot,
    fullDensity: level,
    windows,
  };
}

/** Gain (dB below the track's steady level) at the middle of a linear crossfade. */
const FADE_MID_DB = -6;

/**
 * Largest spread (standard deviation, dB, from the median absolute deviation) of a candidate's match gains
 * for its fades to be read from them: a third of the FADE_MID_DB step. Through a phone in a room (reverb,
 * noise, a compressor) the gain of one matched peak scatters by 2.6–4.5 dB (10th–90th percentile over the
 * live sets' candidates) against ≤ 0.74 dB in the generated mixes, and a step fit then follows the scatter:
 * such a candidate's ends are where its evidence density falls (edgeFraction), as for one with too few
 * matches. Measured on the phone live sets (seeds 1–48): starts within ±2 s 133 → 136 of 168, median start
 * error 0.90 → 0.74 s; the generated mixes are not affected.
 */
const MAX_GAIN_SPREAD_DB = 2;
/** Median absolute deviation to standard deviation, for normally scattered values. */
const MAD_TO_SIGMA = 1.4826;

/** A fade midpoint and whether the fade was seen (false: the evidence begins or ends already loud). */
interface FadeEdges {
  start: number;
  startSeen: boolean;
  end: number;
  endSeen: boolean;
}

/**
 * Where the track fades in and out, from the gains of its matches (level of the anchor peak in the mix minus
 * its level in the stored track: the DJ's fader, with the track's own dynamics cancelled out): the steady
 * gain is the median over the whole run, and the fade midpoint is where the gains cross FADE_MID_DB below
 * it. Within the first (last) 20 s the crossing is the split of the matches, in time order, into "below"
 * then "above" that disagrees with the fewest of them: a step fit, so it takes no shape of fade for granted,
 * counts an outlier once whatever its value, and does not depend on how sparse the quiet part's matches
 * are. When no match before the split is below the target, the fade itself left no evidence (the incoming
 * track's peaks lost out to the outgoing track's): the first match is then only an upper bound of the
 * midpoint, and `startSeen` says so (likewise at the end). NaN when there are too few matches to say.
 */
function fadeEdges(frames: Int32Array, gains: Float32Array): FadeEdges {
  const n = frames.length;
  if (n < 20) return { start: NaN, startSeen: false, end: NaN, endSeen: false };
  const steady = medianOf(Array.from(gains));
  // Gains scattered by more than a third of the fade step do not show the fade (see MAX_GAIN_SPREAD_DB).
  const spread = MAD_TO_SIGMA * medianOf(Array.from(gains, (g) => Math.abs(g - steady)));
  if (spread > MAX_GAIN_SPREAD_DB) return { start: NaN, startSeen: false, end: NaN, endSeen: false };
  const target = steady + FADE_MID_DB;
  // A lone match far from the others (a chance hash that happens to fit the alignment) is no edge.
  let lo = 0;
  while (lo + 2 < n && frames[lo + 2] - frames[lo] > 3 * BIN) lo++;
  let hi = n - 1;
  while (hi - 2 > lo && frames[hi] - frames[hi - 2] > 3 * BIN) hi--;
  // Fade-in: splits s in [lo, inEnd]; errors = matches before s above the target + matches from s below it.
  const inEnd = lowerBound(frames, frames[lo] + 20 * BIN);
  let err = 0;
  for (let k = lo; k < inEnd; k++) if (gains[k] < target) err++;
  let best = err;
  let ties: number[] = [lo];
  for (let s = lo + 1; s <= inEnd; s++) {
    err += gains[s - 1] < target ? -1 : 1;
    if (err < best) {
      best = err;
      ties = [s];
    } else if (err === best) ties.push(s);
  }
  const sIn = ties[(ties.length - 1) >> 1];
  const start = sIn === lo ? frames[lo] : sIn >= inEnd ? frames[inEnd - 1] : (frames[sIn - 1] + frames[sIn]) / 2;
  // Fade-out, mirrored: splits s in [outStart, hi + 1]; errors = matches before s below + from s above.
  const outStart = Math.max(lo, lowerBound(frames, frames[hi] - 20 * BIN));
  err = 0;
  for (let k = outStart; k <= hi; k++) if (gains[k] >= target) err++;
  best = err;
  ties = [outStart];
  for (let s = outStart + 1; s <= hi + 1; s++) {
    err += gains[s - 1] < target ? 1 : -1;
    if (err < best) {
      best = err;
      ties = [s];
    } else if (err === best) ties.push(s);
  }
  const sOut = ties[ties.length >> 1];
  const end = sOut > hi ? frames[hi] : sOut === outStart ? frames[outStart] : (frames[sOut - 1] + frames[sOut]) / 2;
  const startSeen = sIn > lo;
  const endSeen = sOut <= hi;
  return { start, startSeen, end, endSeen };
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

/**
 * Boundary between an outgoing run a and an incoming run b that overlap or nearly touch (see buildTimeline,
 * step 4). Where both fades were seen, the mean of a's fade-out and b's fade-in midpoints (each alone is
 * pulled by how strongly each track's peaks compete for the peak budget during the fade). Where only one
 * was seen, that one: the other run's edge is where its evidence begins (ends) already loud, only a bound —
 * typically a quiet or percussive incoming track whose peaks lost out to the outgoing one until late in the
 * fade. On generated mixes the unseen side was off by more than 2 s in one case of seven, the seen side
 * never; the bound still holds: the cut stays on the seen side of it.
 */
function crossing(a: Candidate, b: Candidate): number {
  const aEnd = a.levelEnd;
  const bStart = b.levelStart;
  let cut: number;
  if (Number.isNaN(aEnd) && Number.isNaN(bStart)) cut = (b.startFrame + a.endFrame) / 2;
  else if (Number.isNaN(aEnd)) cut = bStart;
  else if (Number.isNaN(bStart)) cut = aEnd;
  else if (a.fadeOutSeen && !b.fadeInSeen) cut = Math.min(aEnd, bStart);
  else if (!a.fadeOutSeen && b.fadeInSeen) cut = Math.max(aEnd, bStart);
  else cut = (aEnd + bStart) / 2;
  // Within the two runs' extents, whether they overlap or leave a short gap.
  return Math.round(Math.min(Math.max(a.endFrame, b.startFrame), Math.max(Math.min(a.endFrame, b.startFrame), cut)));
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
        // The fades are found again on all the evidence: the later run's end is not necessarily the fade-out
        // (a fragment of another alignment can end inside it, or just after it while already faded).
        const fade = fadeEdges(evidence, levels);
        cur = {
          ...stronger,
          evidence,
          levels,
          startFrame: Number.isNaN(fade.start) ? Math.min(cur.startFrame, c.startFrame) : fade.start,
          endFrame: Number.isNaN(fade.end) ? Math.max(cur.endFrame, c.endFrame) : fade.end + 1,
          levelStart: fade.start,
          levelEnd: fade.end,
          fadeInSeen: fade.startSeen,
          fadeOutSeen: fade.endSeen,
          confidence: Math.max(cur.confidence, c.confidence),
          score: cur.score + c.score,
          fullDensity: Math.max(cur.fullDensity, c.fullDensity),
          windows: cur.windows + c.windows,
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

/** Evidence gap (seconds) inside a run where another track may have played in between. */
const HOLE_SEC = 5;

/**
 * Splits a candidate where its evidence has a hole that another candidate mostly fills. Runs bridge a missed
 * window or two, and a DJ who returns to a track where it would have been had it kept playing (or a chance
 * repetition in the arrangement) makes the two passages one alignment: without the split the track would
 * seem to play through the other one, which would then be dropped as contained in it.
 */
function splitAtHoles(cands: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of cands) {
    const ev = c.evidence;
    let from = 0;
    for (let k = 1; k < ev.length; k++) {
      const holeStart = ev[k - 1];
      const holeEnd = ev[k];
      if ((holeEnd - holeStart) * FRAME_SEC < HOLE_SEC) continue;
      const filled = cands.some((d) => {
        if (d === c) return false;
        const inside = Math.min(d.endFrame, holeEnd) - Math.max(d.startFrame, holeStart);
        return inside >= 0.5 * (d.endFrame - d.startFrame);
      });
      if (!filled) continue;
      out.push(...[piece(c, from, k)].filter((p): p is Candidate => p !== null));
      from = k;
    }
    if (from === 0) out.push(c);
    else out.push(...[piece(c, from, ev.length)].filter((p): p is Candidate => p !== null));
  }
  return out;
}

/** The part of a candidate with evidence [from, to), its fades found again. */
function piece(c: Candidate, from: number, to: number): Candidate | null {
  if (to <= from) return null;
  const evidence = c.evidence.slice(from, to);
  const levels = c.levels.slice(from, to);
  const fade = fadeEdges(evidence, levels);
  return {
    ...c,
    evidence,
    levels,
    levelStart: fade.start,
    levelEnd: fade.end,
    fadeInSeen: fade.startSeen,
    fadeOutSeen: fade.endSeen,
    startFrame: Number.isNaN(fade.start) ? evidence[0] : fade.start,
    endFrame: Number.isNaN(fade.end) ? evidence[evidence.length - 1] + 1 : fade.end + 1,
    score: evidence.length,
  };
}

/**
 * The weak candidates (confirmed by two windows or more, each above its chance threshold, but below the
 * confidence asked of a track of its own) that are third decks layered inside the stronger tracks `kept`:
 * lying (almost) entirely inside them and passing isLayered — their own query frames, at a density
 * comparable to the tracks around them. A deck layered at equal level loses most of its peaks to the main
 * track, through a phone in a room more so: one (live set 47) was matched in three windows at one alignment
 * by 10 peaks over 13 s (scores 8–11, confidence 0.49) and was not reported. A chance alignment inside a
 * track re-uses the track's frames or is sparse, and is not reported. A second alignment of a track that
 * plays there is a repetition in the music, not another deck.
 */
function weakLayers(weak: Candidate[], kept: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const w of weak) {
    const around = kept.filter(
      (o) => o.score > w.score && Math.min(o.endFrame, w.endFrame) > Math.max(o.startFrame, w.startFrame),
    );
    if (around.some((o) => o.trackId === w.trackId)) continue;
    if (coveredFrames(w, around) < 0.8 * (w.endFrame - w.startFrame)) continue;
    if (isLayered(w, around)) out.push(w);
  }
  return out;
}

/** Frames of `inner`'s span that lie inside at least one of `outers`. */
function coveredFrames(inner: Candidate, outers: Candidate[]): number {
  const spans: [number, number][] = [];
  for (const outer of outers) {
    const from = Math.max(inner.startFrame, outer.startFrame);
    const to = Math.min(inner.endFrame, outer.endFrame);
    if (to > from) spans.push([from, to]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = -Infinity;
  for (const [from, to] of spans) {
    if (to <= reach) continue;
    covered += to - Math.max(from, reach);
    reach = to;
  }
  return covered;
}

/** Largest share of a layered track's evidence frames that the tracks around it may also have matched. */
const LAYER_MAX_SHARED = 0.4;
/** Smallest evidence density of a layered track, as a fraction of the density of the tracks around it. */
const LAYER_MIN_DENSITY = 0.4;

/**
 * Whether a candidate inside stronger ones is a track of its own played at the same time (a third deck
 * layered under the main track) rather than a phantom: its evidence comes from other query frames than
 * theirs, and is about as dense as theirs over the same time. A phantom (a chance alignment of the same
 * passage, or of two crossfading tracks with some third one) re-uses their frames and is sparse: on generated
 * mixes phantoms shared 67–90 % of their frames with the tracks around them at 20–35 % of their density;
 * layered tracks at equal level 0–12 % and 64–120 %, through a phone in a room too.
 */
function isLayered(inner: Candidate, others: Candidate[]): boolean {
  const around = others.filter((o) => Math.min(o.endFrame, inner.endFrame) > Math.max(o.startFrame, inner.startFrame));
  if (around.length === 0) return false;
  const frames = new Set<number>();
  let evidence = 0;
  let span = 0;
  for (const o of around) {
    const from = Math.max(o.startFrame, inner.startFrame);
    const to = Math.min(o.endFrame, inner.endFrame);
    for (const f of o.evidence) {
      frames.add(f);
      if (f >= from && f < to) evidence++;
    }
    span += to - from;
  }
  let shared = 0;
  for (const f of inner.evidence) if (frames.has(f)) shared++;
  const density = inner.evidence.length / Math.max(1, inner.endFrame - inner.startFrame);
  return (
    shared <= LAYER_MAX_SHARED * inner.evidence.length && density >= LAYER_MIN_DENSITY * (evidence / Math.max(1, span))
  );
}

/**
 * Drops a candidate lying (almost) entirely inside stronger ones' spans — one of them, or two that overlap
 * (a crossfade): two tracks crossfading can make a short, weak alignment with some third track, and a track
 * does not play inside another — unless it was layered on top (a third deck at equal level, see isLayered):
 * those are returned apart, to be reported as they are without taking part in crossfade boundaries; the
 * others are returned as `shadowed` (MixTimeline.shadowed: never reported, only corroboration). The
 * stronger of two (nearly) coinciding candidates wins even when it is a little shorter: the other is a
 * second, chance alignment of the same passage, not a track of its own.
 */
function dropContained(cands: Candidate[]): { kept: Candidate[]; layers: Candidate[]; shadowed: Candidate[] } {
  const keep = cands.map(() => true);
  const layer = cands.map(() => false);
  for (let i = 0; i < cands.length; i++) {
    const inner = cands[i];
    const stronger = cands.filter((outer, j) => i !== j && keep[j] && outer.score > inner.score);
    if (coveredFrames(inner, stronger) < 0.8 * (inner.endFrame - inner.startFrame)) continue;
    keep[i] = false;
    if (isLayered(inner, stronger)) layer[i] = true;
  }
  return {
    kept: cands.filter((_, i) => keep[i]),
    layers: cands.filter((_, i) => layer[i]),
    shadowed: cands.filter((_, i) => !keep[i] && !layer[i]),
  };
}
