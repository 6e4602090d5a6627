import { Strategy } from './params';
import { PostingBatch, unpackLevel } from './postings';
import { argsortInt32 } from './sort';
import { grownCopy } from './typed-arrays';
import { FingerprintIndex, keepPostings, LookupOptions, LookupResult } from './store/fingerprint-index';
import { auxLf, auxSpan, DEFAULT_SPEED_RANGE, SpeedRange } from './triplet';

// Bound once: under a vm sandbox (Jest) a global lookup inside a hot loop is slow (see peaks.ts).
const { abs, ceil, exp, log, round, sqrt } = Math;

/**
 * Matching = look the query's hashes up, join them back to the query postings, and vote per track for a
 * consistent time alignment. Everything here works on typed arrays: a window of a mix yields tens of
 * thousands of candidate matches, most of them chance collisions.
 */

/**
 * How the query relates to the reference in time and pitch: same speed, vinyl (pitch follows tempo),
 * key-locked stretch (tempo only), or key shift (pitch only, tempo unchanged).
 */
export type MatchMode = 'exact' | 'vinyl' | 'stretch' | 'key';

const MODE_VINYL = 1;
const MODE_STRETCH = 2;
const MODE_KEY = 4;

/** Candidate matches (query posting × stored posting with the same hash) as parallel arrays. */
export class MatchSet {
  length = 0;
  track: Int32Array;
  /** Query anchor frame. */
  q: Int32Array;
  /** Reference anchor frame. */
  r: Int32Array;
  /**
   * Speed this match alone suggests (reference frames per query frame) if it is a vinyl change (from its
   * pitch shift, precise) and if it is a key-locked stretch (from its time scale, with tolerance `tol`).
   */
  est: Float32Array;
  estStretch: Float32Array;
  tol: Float32Array;
  /** Bit set of the modes the match is consistent with (MODE_VINYL | MODE_STRETCH | MODE_KEY). */
  mode: Uint8Array;
  /** Query anchor peak index (−1 when unknown). */
  peak: Int32Array;
  /** Query anchor level minus reference anchor level, dB: how loud the track plays in the query. */
  gain: Float32Array;

  /** `capacity`: matches it holds before growing (a caller that knows the count allocates once). */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.track = new Int32Array(n);
    this.q = new Int32Array(n);
    this.r = new Int32Array(n);
    this.est = new Float32Array(n);
    this.estStretch = new Float32Array(n);
    this.tol = new Float32Array(n);
    this.mode = new Uint8Array(n);
    this.peak = new Int32Array(n);
    this.gain = new Float32Array(n);
  }

  push(
    track: number,
    q: number,
    r: number,
    est: number,
    estStretch: number,
    tol: number,
    mode: number,
    peak: number,
    gain: number,
  ): void {
    if (this.length === this.track.length) this.reserve(this.length * 2);
    const i = this.length++;
    this.track[i] = track;
    this.q[i] = q;
    this.r[i] = r;
    this.est[i] = est;
    this.estStretch[i] = estStretch;
    this.tol[i] = tol;
    this.mode[i] = mode;
    this.peak[i] = peak;
    this.gain[i] = gain;
  }

  /** Appends match `i` of `other`. */
  pushFrom(other: MatchSet, i: number): void {
    this.push(
      other.track[i],
      other.q[i],
      other.r[i],
      other.est[i],
      other.estStretch[i],
      other.tol[i],
      other.mode[i],
      other.peak[i],
      other.gain[i],
    );
  }

  append(other: MatchSet): void {
    this.reserve(this.length + other.length);
    const n = other.length;
    this.track.set(other.track.subarray(0, n), this.length);
    this.q.set(other.q.subarray(0, n), this.length);
    this.r.set(other.r.subarray(0, n), this.length);
    this.est.set(other.est.subarray(0, n), this.length);
    this.estStretch.set(other.estStretch.subarray(0, n), this.length);
    this.tol.set(other.tol.subarray(0, n), this.length);
    this.mode.set(other.mode.subarray(0, n), this.length);
    this.peak.set(other.peak.subarray(0, n), this.length);
    this.gain.set(other.gain.subarray(0, n), this.length);
    this.length += n;
  }

  private reserve(n: number): void {
    if (n <= this.track.length) return;
    let cap = this.track.length;
    while (cap < n) cap *= 2;
    this.track = grownCopy(this.track, cap);
    this.q = grownCopy(this.q, cap);
    this.r = grownCopy(this.r, cap);
    this.peak = grownCopy(this.peak, cap);
    this.est = grownCopy(this.est, cap);
    this.estStretch = grownCopy(this.estStretch, cap);
    this.tol = grownCopy(this.tol, cap);
    this.gain = grownCopy(this.gain, cap);
    this.mode = grownCopy(this.mode, cap);
  }
}

/** Query postings sorted by hash, with their distinct hashes (what the index is asked for). */
interface PreparedQuery {
  order: Int32Array;
  unique: Int32Array;
  /** Query postings with hash unique[u] are order[groupStart[u] … groupStart[u+1]). */
  groupStart: Int32Array;
}

function prepareQuery(query: PostingBatch): PreparedQuery {
  const n = query.length;
  const order = argsortInt32(query.hash, n);
  const unique = new Int32Array(n);
  const groupStart = new Int32Array(n + 1);
  let u = 0;
  for (let k = 0; k < n; k++) {
    const h = query.hash[order[k]];
    if (k === 0 || h !== unique[u - 1]) {
      unique[u] = h;
      groupStart[u] = k;
      u++;
    }
  }
  groupStart[u] = n;
  return { order, unique: unique.subarray(0, u), groupStart: groupStart.subarray(0, u + 1) };
}

export interface MatchOptions {
  speeds?: SpeedRange;
  lookup?: LookupOptions;
}

/** Largest pitch difference (semitones) still called "same key" for key-locked stretch. */
const STRETCH_PITCH_TOL = 0.2;
/** Precision of a single vinyl match's speed (from its pitch shift, ~0.1 semitone). */
const VINYL_EST_TOL = 0.007;
/** Smallest key shift (semitones) told apart from none: below it a match is a plain or stretched one. */
const MIN_KEY_SHIFT = 0.3;
/** Time scale a key-shifted match may show (tempo unchanged; a pitch shifter moves peaks by a few ms). */
const KEY_LN_SCALE_TOL = 0.02;

/**
 * Looks the query postings up and appends every candidate match to `out`. For triplets each match is
 * checked on its own first: its pitch shift (query lf1 − reference lf1) and time scale (span ratio) must fit
 * a vinyl change (pitch shift = 12·log2 of the time scale) or a key-locked stretch (no pitch shift) within
 * the speed range; anything else is a chance collision and is dropped before voting.
 */
export async function collectMatches(
  index: FingerprintIndex,
  strategy: Strategy,
  query: PostingBatch,
  out: MatchSet,
  options: MatchOptions = {},
): Promise<number> {
  if (query.length === 0) return 0;
  const prepared = prepareQuery(query);
  const found = withoutPopularHashes(
    await index.lookup(strategy, prepared.unique, options.lookup),
    prepared.unique.length,
    options.lookup,
  );
  const before = out.length;
  const { order, groupStart } = prepared;
  if (strategy === 'landmark') {
    for (let i = 0; i < found.length; i++) {
      const u = found.hashIndex[i];
      for (let k = groupStart[u]; k < groupStart[u + 1]; k++) {
        const qi = order[k];
        const gain = unpackLevel(query.aux[qi]) - unpackLevel(found.aux[i]);
        out.push(
          found.trackId[i],
          query.time[qi],
          found.time[i],
          1,
          1,
          0,
          MODE_VINYL | MODE_STRETCH,
          query.peak ? query.peak[qi] : -1,
          gain,
        );
      }
    }
    return out.length - before;
  }
  const speeds = options.speeds ?? DEFAULT_SPEED_RANGE;
  const lnVinylMin = log(speeds.vinylMin);
  const lnVinylMax = log(speeds.vinylMax);
  const lnStretchMin = log(speeds.stretchMin);
  const lnStretchMax = log(speeds.stretchMax);
  const maxKey = speeds.keySemitones ?? 0;
  for (let i = 0; i < found.length; i++) {
    const u = found.hashIndex[i];
    const refAux = found.aux[i];
    const lfR = auxLf(refAux);
    const spanR = auxSpan(refAux);
    for (let k = groupStart[u]; k < groupStart[u + 1]; k++) {
      const qi = order[k];
      const qAux = query.aux[qi];
      const spanQ = auxSpan(qAux);
      const pitch = auxLf(qAux) - lfR;
      const lnScale = log(spanR / spanQ);
      // Both spans are measured to ~0.7 frame.
      const lnTol = 0.8 / spanQ + 0.8 / spanR + 0.01;
      let mode = 0;
      const lnPitchSpeed = (pitch / 12) * Math.LN2;
      if (lnPitchSpeed >= lnVinylMin && lnPitchSpeed <= lnVinylMax && abs(lnScale - lnPitchSpeed) <= lnTol)
        mode |= MODE_VINYL;
      if (abs(pitch) <= STRETCH_PITCH_TOL && lnScale >= lnStretchMin - lnTol && lnScale <= lnStretchMax + lnTol)
        mode |= MODE_STRETCH;
      const absPitch = abs(pitch);
      if (
        absPitch >= MIN_KEY_SHIFT - STRETCH_PITCH_TOL &&
        absPitch <= maxKey &&
        abs(lnScale) <= lnTol + KEY_LN_SCALE_TOL
      )
        mode |= MODE_KEY;
      if (mode) {
        const scale = exp(lnScale);
        const gain = unpackLevel(qAux) - unpackLevel(refAux);
        out.push(
          found.trackId[i],
          query.time[qi],
          found.time[i],
          exp(lnPitchSpeed),
          scale,
          scale * lnTol,
          mode,
          query.peak ? query.peak[qi] : -1,
          gain,
        );
      }
    }
  }
  return out.length - before;
}

const DEFAULT_POPULAR_HASH_FLOOR = 64;
/**
 * popularHashFactor used by identifyMix and identifyExcerpt unless told otherwise (issue 14): 8× the
 * look-up's median. Measured in memory (bench/fingerprint/lookup-scale.ts, an 8-minute mix): at 30 h it
 * leaves out 13 % of the postings found, at 150 h 19 %, recall and precision unchanged.
 */
export const DEFAULT_POPULAR_HASH_FACTOR = 8;

/** Look-up options with the default relative stop-list unless the caller chose one (0 = off). */
export function withDefaultStopList(lookup: LookupOptions | undefined): LookupOptions {
  return { popularHashFactor: DEFAULT_POPULAR_HASH_FACTOR, ...lookup };
}

/**
 * The look-up result without the postings of hashes found far more often than the typical hash of the same
 * look-up (LookupOptions.popularHashFactor): the acoustic stop words, relative to the library's size.
 */
export function withoutPopularHashes(
  found: LookupResult,
  hashCount: number,
  options: LookupOptions | undefined,
): LookupResult {
  const factor = options?.popularHashFactor ?? 0;
  if (!(factor > 0) || found.length === 0) return found;
  const perHash = new Int32Array(hashCount);
  for (let i = 0; i < found.length; i++) perHash[found.hashIndex[i]]++;
  const hit = perHash.filter((n) => n > 0).sort();
  const cap = Math.max(options?.popularHashFloor ?? DEFAULT_POPULAR_HASH_FLOOR, factor * hit[hit.length >> 1]);
  if (hit[hit.length - 1] <= cap) return found;
  let kept = 0;
  for (let i = 0; i < found.length; i++) if (perHash[found.hashIndex[i]] <= cap) kept++;
  return keepPostings(found, kept, (i) => perHash[found.hashIndex[i]] <= cap);
}

/** A consistent alignment of the query (or a window of it) with one stored track. */
export interface ClusterHit {
  trackId: number;
  strategy: Strategy;
  mode: MatchMode;
  /** Reference frames per query frame: 1.05 means the query plays the track 5 % fast. */
  speed: number;
  /** Key shift in semitones (mode 'key': the pitch moved without the tempo), else 0. */
  keySemitones: number;
  /** refFrame(q) = refAtPivot + speed · (q − pivot), q in query frames. */
  pivot: number;
  refAtPivot: number;
  /** Matches that agree with the alignment. */
  score: number;
  /** Score a track needs in this window to count (grows with the chance collisions seen). */
  threshold: number;
  confidence: number;
  /** Query frames of the agreeing matches, ascending. */
  inlierFrames: Int32Array;
  /** Query anchor peak of each agreeing match (same order as inlierFrames; −1 when unknown). */
  inlierPeaks: Int32Array;
  /** Gain (query level − reference level, dB) of each agreeing match, same order. */
  inlierGains: Float32Array;
}

export interface ClusterOptions {
  speeds?: SpeedRange;
  /** Lowest score reported (chance alignments of a few matches are common). */
  minScore?: number;
  /** Largest distance (frames) of a match from the alignment line to count as agreeing. */
  tolerance?: number;
}

export const DEFAULT_MIN_SCORE: Record<Strategy, number> = { landmark: 8, triplet: 8 };

/**
 * Votes per track. Landmarks: exact speed, so the vote is over the offset r − q alone. Triplets: for each
 * speed on a grid along the vinyl and key-locked paths, matches consistent with that speed vote for the
 * offset r − s·(q − pivot); the best (speed, offset) wins and is then refined by a least-squares line
 * through its inliers. Sort-and-scan throughout (no hash maps, no per-match objects).
 */
export function clusterMatches(
  matches: MatchSet,
  strategy: Strategy,
  pivot: number,
  options: ClusterOptions = {},
): ClusterHit[] {
  const n = matches.length;
  if (n === 0) return [];
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE[strategy];
  const order = argsortInt32(matches.track, n);
  const hits: ClusterHit[] = [];
  const scratch = new Float64Array(n);
  const idx = new Int32Array(n);
  let start = 0;
  while (start < n) {
    const track = matches.track[order[start]];
    let end = start + 1;
    while (end < n && matches.track[order[end]] === track) end++;
    const count = end - start;
    if (count >= minScore) {
      for (let k = 0; k < count; k++) idx[k] = order[start + k];
      const hit =
        strategy === 'landmark'
          ? clusterExact(matches, idx, count, pivot, minScore, options.tolerance ?? 1, scratch)
          : clusterVariable(
              matches,
              idx,
              count,
              pivot,
              minScore,
              options.tolerance ?? 2.5,
              options.speeds ?? DEFAULT_SPEED_RANGE,
              scratch,
            );
      if (hit) hits.push({ ...hit, trackId: track, strategy });
    }
    start = end;
  }
  hits.sort((a, b) => b.score - a.score);
  return hits;
}

type TrackCluster = Omit<ClusterHit, 'trackId' | 'strategy'>;

/** Densest run of sorted values within `width`: [count, index of first]. */
function densest(sorted: Float64Array, m: number, width: number): [number, number] {
  let best = 0;
  let bestAt = 0;
  let i = 0;
  for (let j = 0; j < m; j++) {
    while (sorted[j] - sorted[i] > width) i++;
    if (j - i + 1 > best) {
      best = j - i + 1;
      bestAt = i;
    }
  }
  return [best, bestAt];
}

/**
 * The score a chance alignment could reach: `count` matches spread over `spreadFrames` of offsets land
 * about count·binWidth/spread in each offset bin; over the `tries` bins (and speeds) examined, the best
 * one gets roughly that plus a few standard deviations. The reported threshold is the larger of this and
 * minScore, so a large library (more collisions) raises the bar automatically.
 */
function chanceThreshold(
  count: number,
  spreadFrames: number,
  binWidth: number,
  tries: number,
  minScore: number,
): number {
  const lambda = (count * binWidth) / Math.max(spreadFrames, binWidth);
  const z = sqrt(2 * log(Math.max(2, tries)));
  return Math.max(minScore, ceil(lambda + z * sqrt(lambda) + 3));
}

function confidenceOf(score: number, threshold: number): number {
  if (score < threshold) return 0;
  return 1 - exp(-(score - threshold + 1) / 6);
}

function clusterExact(
  m: MatchSet,
  idx: Int32Array,
  count: number,
  pivot: number,
  minScore: number,
  tolerance: number,
  scratch: Float64Array,
): TrackCluster | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < count; k++) {
    const b = m.r[idx[k]] - m.q[idx[k]];
    scratch[k] = b;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  const sorted = scratch.subarray(0, count).sort();
  const width = 2 * tolerance;
  const [best, at] = densest(sorted, count, width);
  const threshold = chanceThreshold(count - best, hi - lo, width + 1, (hi - lo) / (width + 1), minScore);
  if (best < threshold) return null;
  const offset = sorted[at + (best >> 1)];
  const inliers: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    if (abs(m.r[i] - m.q[i] - offset) <= tolerance) inliers.push(i);
  }
  const { inlierFrames, inlierPeaks, inlierGains } = inlierArrays(m, inliers);
  return {
    mode: 'exact',
    speed: 1,
    keySemitones: 0,
    pivot,
    refAtPivot: offset + pivot,
    score: inlierFrames.length,
    threshold,
    confidence: confidenceOf(inlierFrames.length, threshold),
    inlierFrames,
    inlierPeaks,
    inlierGains,
  };
}

/** Least-squares line r = a + slope·(q − pivot) through the matches within `tolerance` of the given line. */
function fitLine(
  m: MatchSet,
  idx: Int32Array,
  count: number,
  mode: number,
  pivot: number,
  refAtPivot: number,
  speed: number,
  tolerance: number,
  pitchRatio = 0,
): { slope: number; slopeError: number; meanX: number; meanR: number; span: number } | null {
  let sx = 0;
  let sr = 0;
  let sxx = 0;
  let sxr = 0;
  let srr = 0;
  let c = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    if (!(m.mode[i] & mode)) continue;
    if (pitchRatio > 0 && abs(m.est[i] - pitchRatio) > KEY_PITCH_TOL) continue;
    const x = m.q[i] - pivot;
    const r = m.r[i];
    if (abs(r - (refAtPivot + speed * x)) > tolerance) continue;
    sx += x;
    sr += r;
    sxx += x * x;
    sxr += x * r;
    srr += r * r;
    c++;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (c < 3) return null;
  const varX = sxx - (sx * sx) / c;
  const covXR = sxr - (sx * sr) / c;
  const varR = srr - (sr * sr) / c;
  const slope = varX > 0 ? covXR / varX : speed;
  const residual = Math.max(0, varR - slope * covXR) / Math.max(1, c - 2);
  const slopeError = varX > 0 ? sqrt(residual / varX) : Infinity;
  return { slope, slopeError, meanX: sx / c, meanR: sr / c, span: hi - lo };
}

/** Query frames and anchor peaks of the given matches, ordered by frame. */
function inlierArrays(
  m: MatchSet,
  matchIdx: number[],
): { inlierFrames: Int32Array; inlierPeaks: Int32Array; inlierGains: Float32Array } {
  matchIdx.sort((a, b) => m.q[a] - m.q[b] || m.peak[a] - m.peak[b]);
  const inlierFrames = new Int32Array(matchIdx.length);
  const inlierPeaks = new Int32Array(matchIdx.length);
  const inlierGains = new Float32Array(matchIdx.length);
  for (let k = 0; k < matchIdx.length; k++) {
    inlierFrames[k] = m.q[matchIdx[k]];
    inlierPeaks[k] = m.peak[matchIdx[k]];
    inlierGains[k] = m.gain[matchIdx[k]];
  }
  return { inlierFrames, inlierPeaks, inlierGains };
}

const SPEED_STEP = 0.004;

function grid(min: number, max: number): Float64Array {
  const n = Math.max(1, round((max - min) / SPEED_STEP));
  const g = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) g[i] = min + ((max - min) * i) / n;
  return g;
}

function clusterVariable(
  m: MatchSet,
  idx: Int32Array,
  count: number,
  pivot: number,
  minScore: number,
  tolerance: number,
  speeds: SpeedRange,
  scratch: Float64Array,
): TrackCluster | null {
  let rLo = Infinity;
  let rHi = -Infinity;
  let qLo = Infinity;
  let qHi = -Infinity;
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    const r = m.r[i];
    if (r < rLo) rLo = r;
    if (r > rHi) rHi = r;
    if (m.q[i] < qLo) qLo = m.q[i];
    if (m.q[i] > qHi) qHi = m.q[i];
    scratch[k] = r - (m.q[i] - pivot);
  }
  const width = 2 * tolerance;
  // Most tracks of a large library hold only chance matches (at 1,000 h ~40 per track and excerpt), and the
  // grid vote below costs a pass per mode and speed. A cheap necessary condition first: matches that agree
  // within `width` at any speed s of the grid lie within width + |s − 1|·(query span) of each other at speed
  // 1, so if no window of that reach holds minScore matches, no grid cell can, and there is no hit.
  const maxDev = Math.max(
    abs(speeds.vinylMin - 1),
    abs(speeds.vinylMax - 1),
    abs(speeds.stretchMin - 1),
    abs(speeds.stretchMax - 1),
  );
  const reach = width + maxDev * (qHi - qLo) + 1e-3;
  if (densest(scratch.subarray(0, count).sort(), count, reach)[0] < minScore) return null;
  // Vote: for every (mode, speed) of the grid, the densest offset. Keep the best few as candidates.
  const candidates: { score: number; speed: number; mode: number; offset: number }[] = [];
  let tries = 0;
  let floor = minScore - 1;
  const maxKey = speeds.keySemitones ?? 0;
  const keyRatios = maxKey > 0 ? grid(2 ** (-maxKey / 12), 2 ** (maxKey / 12)) : new Float64Array(0);
  for (const mode of [MODE_VINYL, MODE_STRETCH, MODE_KEY]) {
    // For a key shift the grid is over the pitch ratio (the tempo is 1), for the others over the speed.
    const speedsToTry =
      mode === MODE_VINYL
        ? grid(speeds.vinylMin, speeds.vinylMax)
        : mode === MODE_STRETCH
          ? grid(speeds.stretchMin, speeds.stretchMax)
          : keyRatios;
    if (speedsToTry.length === 0) continue;
    const lists = speedLists(m, idx, count, mode, speedsToTry);
    const keyShift = mode === MODE_KEY;
    for (let g = 0; g < speedsToTry.length; g++) {
      const s = speedsToTry[g];
      if (keyShift && abs(s - 1) < MIN_KEY_SHIFT / 17.3) continue; // no shift: the exact/stretch vote
      let c = 0;
      const timeScale = keyShift ? 1 : s;
      for (let p = lists.start[g]; p < lists.start[g + 1]; p++) {
        const i = lists.items[p];
        scratch[c++] = m.r[i] - timeScale * (m.q[i] - pivot);
      }
      tries++;
      if (c <= floor) continue;
      const sorted = scratch.subarray(0, c).sort();
      const [best, at] = densest(sorted, c, width);
      if (best <= floor) continue;
      candidates.push({ score: best, speed: s, mode, offset: sorted[at + (best >> 1)] });
      candidates.sort((x, y) => y.score - x.score);
      if (candidates.length > MAX_CANDIDATES) candidates.length = MAX_CANDIDATES;
      if (candidates.length === MAX_CANDIDATES) floor = Math.max(floor, candidates[MAX_CANDIDATES - 1].score);
    }
  }
  if (candidates.length === 0) return null;
  const spread = rHi - rLo + 1;
  const threshold = chanceThreshold(
    count - candidates[0].score,
    spread,
    width + 1,
    (tries * spread) / (width + 1),
    minScore,
  );
  let best: TrackCluster | null = null;
  for (const c of candidates) {
    if (c.score < threshold) break;
    const refined = refineAlignment(m, idx, count, pivot, tolerance, speeds, c.mode, c.speed, c.offset, threshold);
    if (refined && (!best || refined.score > best.score)) best = refined;
  }
  return best;
}

/** Whether match `i` votes at grid speed `s` in `mode` (its own speed estimate is within tolerance of s). */
function votesAt(m: MatchSet, i: number, mode: number, s: number): boolean {
  // A key shift's estimate is its pitch ratio, as a vinyl change's is its speed.
  return mode === MODE_STRETCH
    ? !(abs(m.estStretch[i] - s) > m.tol[i] + SPEED_STEP / 2)
    : !(abs(m.est[i] - s) > VINYL_EST_TOL + SPEED_STEP / 2);
}

/**
 * For each speed of `g`, the matches (in idx order) that vote at it: lists.items[start[j] … start[j+1]).
 * A match's estimate is within a small tolerance of only a few grid speeds, so finding them from the estimate
 * (then checking each with votesAt, the exact test) costs a few steps per match instead of one per speed.
 */
function speedLists(
  m: MatchSet,
  idx: Int32Array,
  count: number,
  mode: number,
  g: Float64Array,
): { start: Int32Array; items: Int32Array } {
  const last = g.length - 1;
  const step = last > 0 ? (g[last] - g[0]) / last : 1;
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const start = new Int32Array(g.length + 1);
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    lo[k] = 0;
    hi[k] = -1;
    if (!(m.mode[i] & mode)) continue;
    const est = mode === MODE_STRETCH ? m.estStretch[i] : m.est[i];
    const tol = (mode === MODE_STRETCH ? m.tol[i] : VINYL_EST_TOL) + SPEED_STEP / 2;
    // One grid step of margin each side, then the exact test decides.
    const a = Math.max(0, Math.floor((est - tol - g[0]) / step) - 1);
    const b = Math.min(last, Math.ceil((est + tol - g[0]) / step) + 1);
    if (!(a <= b)) continue;
    lo[k] = a;
    hi[k] = b;
    for (let j = a; j <= b; j++) if (votesAt(m, i, mode, g[j])) start[j + 1]++;
  }
  for (let j = 0; j < g.length; j++) start[j + 1] += start[j];
  const items = new Int32Array(start[g.length]);
  const fill = start.slice(0, g.length);
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    for (let j = lo[k]; j <= hi[k]; j++) if (votesAt(m, i, mode, g[j])) items[fill[j]++] = i;
  }
  return { start, items };
}

/** Pitch-ratio tolerance of a key-shifted match around its alignment's shift (~0.2 semitone). */
const KEY_PITCH_TOL = 0.012;

/** Alignments refined per track (the best grid cells can be near-duplicates or a chance fit). */
const MAX_CANDIDATES = 4;

/**
 * Least-squares refinement of one voted alignment, with the check that time and pitch agree: a vinyl match's
 * speed comes from its pitch shift, so its time slope must equal it; if it does not but the matches are also
 * key-locked-compatible (no pitch shift), it is a stretch and is refined as one; otherwise it is a pitch
 * shift without the matching tempo change, or a wrong speed that fits a few seconds by accident: rejected.
 */
function refineAlignment(
  m: MatchSet,
  idx: Int32Array,
  count: number,
  pivot: number,
  tolerance: number,
  speeds: SpeedRange,
  startMode: number,
  startSpeed: number,
  startOffset: number,
  threshold: number,
): TrackCluster | null {
  let mode = startMode;
  // A key shift keeps the tempo: its grid value is the pitch ratio, and the time slope stays 1.
  const pitchRatio = mode === MODE_KEY ? startSpeed : 0;
  let speed = mode === MODE_KEY ? 1 : startSpeed;
  let refAtPivot = startOffset;
  for (let pass = 0; pass < 3; pass++) {
    const fit = fitLine(m, idx, count, mode, pivot, refAtPivot, speed, tolerance, pitchRatio);
    if (!fit) break;
    // A key shift keeps the tempo: a slope away from 1 is a tempo change this mode does not cover (key shift
    // plus stretch is not searched), fitting only a few seconds by accident.
    if (mode === MODE_KEY && fit.span >= 60 && abs(fit.slope - 1) > Math.max(0.012, 4 * fit.slopeError)) return null;
    if (mode !== MODE_KEY && fit.span >= 60) {
      const slopeTol = Math.max(0.012, 4 * fit.slopeError);
      if (mode === MODE_VINYL && abs(fit.slope - startSpeed) > slopeTol) {
        if (abs(startSpeed - 1) > 0.012 || fit.slope < speeds.stretchMin - 0.01 || fit.slope > speeds.stretchMax + 0.01)
          return null;
        mode = MODE_STRETCH;
      }
      // Over a long enough stretch of query the slope is the most precise speed there is.
      if (
        fit.span >= 150 &&
        fit.slope >= Math.min(speeds.vinylMin, speeds.stretchMin) - 0.01 &&
        fit.slope <= Math.max(speeds.vinylMax, speeds.stretchMax) + 0.01
      ) {
        speed = fit.slope;
      }
    }
    refAtPivot = fit.meanR - speed * fit.meanX;
  }
  const inliers: number[] = [];
  let pitchSum = 0;
  for (let k = 0; k < count; k++) {
    const i = idx[k];
    if (!(m.mode[i] & mode)) continue;
    if (pitchRatio > 0 && abs(m.est[i] - pitchRatio) > KEY_PITCH_TOL) continue;
    if (abs(m.r[i] - (refAtPivot + speed * (m.q[i] - pivot))) <= tolerance) {
      inliers.push(i);
      pitchSum += log(m.est[i]);
    }
  }
  const { inlierFrames, inlierPeaks, inlierGains } = inlierArrays(m, inliers);
  const score = inlierFrames.length;
  if (score < threshold) return null;
  const matchMode: MatchMode =
    mode === MODE_KEY ? 'key' : abs(speed - 1) < 0.004 ? 'exact' : mode === MODE_VINYL ? 'vinyl' : 'stretch';
  return {
    mode: matchMode,
    speed,
    keySemitones: mode === MODE_KEY ? round(((12 * pitchSum) / score / Math.LN2) * 100) / 100 : 0,
    pivot,
    refAtPivot,
    score,
    threshold,
    confidence: confidenceOf(score, threshold),
    inlierFrames,
    inlierPeaks,
    inlierGains,
  };
}
