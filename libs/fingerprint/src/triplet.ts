import { PeakList } from './peaks';
import { packLevel, PostingBuffer } from './postings';
import { BIN_HZ } from './params';

// Bound once: under a vm sandbox (Jest) a global lookup inside a hot loop is slow (see peaks.ts).
const { ceil, floor, log, log1p, log2, round } = Math;

/**
 * Strategy B, "triplets": robust to a DJ's speed changes. The idea follows Six & Leman (2014, Panako):
 * combine three spectral peaks and hash only quantities that survive the change, on a log-frequency axis.
 *
 *  - Vinyl-style speed change by s (resampling) multiplies every frequency by s and divides every time by s:
 *    on a log-frequency axis (semitones) all peaks shift by 12·log2(s), so frequency DIFFERENCES are unchanged,
 *    and RATIOS of time differences are unchanged.
 *  - Key-locked time-stretch by k changes times only: again differences of log-frequency and ratios of time
 *    differences are unchanged.
 *
 * For an anchor peak p1 the triplet partners are taken from the first `candidates` peaks that follow it in
 * time within ±maxSemitones (time order and semitone distance are themselves invariant); every pair of them
 * makes a triplet. Its hash is
 *
 *   invariant part:  d2 = lf2 − lf1, d3 = lf3 − lf1 (half-semitone cells), r = (t2 − t1)/(t3 − t1) (eighths),
 *                    cells centred on whole steps (musical intervals and rhythmic ratios sit on them);
 *   coarse part:     v = lf1 (3-semitone cells), unchanged by a key-locked stretch, and
 *                    u = lf1 + (12/ln 2)·ln(span/2) (4-semitone cells), unchanged by a vinyl change (which adds
 *                    exactly to the pitch what it takes from the log-duration).
 *
 * The coarse part is NOT invariant under both changes, but each change moves it along a short, known path
 * (vinyl: v by at most ±1.5 semitones; stretch: u by at most ±1.2), so a query looks up every cell that path
 * can reach (query-side multi-probing) instead of giving those bits up; the index stores one hash per
 * triplet. The stored posting keeps the reference's exact lf1, span and anchor level in `aux`; with the
 * query's own values they give each match its pitch shift and time scale, so matches are checked for being
 * vinyl-like (pitch shift = 12·log2 speed) or key-locked (pitch shift 0) before the time-offset vote.
 *
 * Hash layout (26 bits used): u 5 bits << 21 | v 5 << 16 | d2 6 << 10 | d3 6 << 4 | r 4.
 */
export interface TripletParams {
  /** Minimum frames between consecutive peaks of a triplet. */
  minGap: number;
  /** Maximum t3 − t1 in frames. */
  maxSpan: number;
  /** Partners lie within ± this many semitones of the anchor. */
  maxSemitones: number;
  /** Partners are chosen among the first this-many peaks of the zone (all pairs of them). */
  candidates: number;
}

export const DEFAULT_TRIPLET_PARAMS: TripletParams = { minGap: 2, maxSpan: 48, maxSemitones: 12, candidates: 3 };

/** Log-frequency axis: semitones above 100 Hz. */
const LF_REF_HZ = 100;
/** Semitones per natural-log unit of time: a speed change by s moves lf by SEMI_PER_LN·ln s. */
const SEMI_PER_LN = 12 / Math.LN2;
const V_CELL = 3;
const V_CELLS = 32;
const SPAN_BASE = 2;
const U_CELL = 4;
const U_CELLS = 32;
const DIFF_STEP = 0.5;
const DIFF_OFFSET = 24;
const RATIO_LEVELS = 8;

/** Range of speed factors a query is probed for, with vinyl and key-locked kept apart. */
export interface SpeedRange {
  /** Vinyl-style (resampling): pitch follows tempo. */
  vinylMin: number;
  vinylMax: number;
  /** Key-locked time-stretch: tempo only. */
  stretchMin: number;
  stretchMax: number;
  /**
   * DJ software's key shift: pitch moved by up to ± this many semitones with the tempo unchanged (key lock
   * with a key change). Every peak moves by the same number of semitones and no time changes, so only the
   * coarse cells move (u and v together, along a diagonal); 0 or absent: not searched.
   */
  keySemitones?: number;
}

/** ±8 % vinyl and ±6 % key-locked, each with a little headroom, and key shifts of up to ±2 semitones. */
export const DEFAULT_SPEED_RANGE: SpeedRange = {
  vinylMin: 0.91,
  vinylMax: 1.09,
  stretchMin: 0.93,
  stretchMax: 1.07,
  keySemitones: 2.2,
};

export function semitonesOfBin(freqBin: number): number {
  return 12 * log2((freqBin * BIN_HZ) / LF_REF_HZ);
}

/** v: the anchor's pitch, unchanged by key-locked stretching. */
function vOf(lf1: number): number {
  return lf1;
}

/**
 * u: pitch plus log-duration, unchanged by vinyl-style speed change (which raises pitch by
 * SEMI_PER_LN·ln s and shortens every duration by 1/s).
 */
function uOf(lf1: number, span: number): number {
  return lf1 + SEMI_PER_LN * log(span / SPAN_BASE);
}

export function tripletHash(uCell: number, vCell: number, d2Cell: number, d3Cell: number, rCell: number): number {
  return (uCell << 21) | (vCell << 16) | (d2Cell << 10) | (d3Cell << 4) | rCell;
}

/**
 * aux = lf1 in 1/64 semitone (bits 20–31, up to 63.98) | span in 1/64 frame (bits 8–19, up to 63.98) |
 * anchor level (bits 0–7, packLevel).
 */
export function packTripletAux(lf1: number, span: number, levelDb: number): number {
  const l = Math.max(0, Math.min(0xfff, round(lf1 * 64)));
  const s = Math.max(0, Math.min(0xfff, round(span * 64)));
  return (l << 20) | (s << 8) | packLevel(levelDb);
}

export function auxLf(aux: number): number {
  return (aux >>> 20) / 64;
}

export function auxSpan(aux: number): number {
  return ((aux >>> 8) & 0xfff) / 64;
}

/**
 * Calls `emit(p1, p2, p3)` for every triplet anchored in [anchorStart, anchorEnd). Peaks up to maxSpan
 * frames after the last anchor must be present. `lf` holds semitonesOfBin(freq) for every peak.
 */
function forEachTriplet(
  peaks: PeakList,
  lf: Float64Array,
  anchorStart: number,
  anchorEnd: number,
  params: TripletParams,
  emit: (a: number, b: number, c: number) => void,
): void {
  const { minGap, maxSpan, maxSemitones, candidates } = params;
  const frame = peaks.frame;
  const n = peaks.length;
  const cand = new Int32Array(candidates);
  for (let i = anchorStart; i < anchorEnd; i++) {
    const t1 = frame[i];
    const l1 = lf[i];
    let m = 0;
    for (let j = i + 1; j < n && m < candidates; j++) {
      const dt = frame[j] - t1;
      if (dt < minGap) continue;
      if (dt > maxSpan) break;
      const d = lf[j] - l1;
      if (d > maxSemitones || d < -maxSemitones) continue;
      cand[m++] = j;
    }
    for (let a = 0; a < m; a++) {
      for (let b = a + 1; b < m; b++) {
        if (frame[cand[b]] - frame[cand[a]] < minGap) continue;
        emit(i, cand[a], cand[b]);
      }
    }
  }
}

/** log-frequencies of peaks [start, end) into `out` (grown as needed); returns the array to use. */
export function semitonesOfPeaks(
  peaks: PeakList,
  start: number,
  end: number,
  out?: Float64Array<ArrayBuffer>,
): Float64Array<ArrayBuffer> {
  const lf = out && out.length >= peaks.length ? out : new Float64Array(Math.max(peaks.length * 2, 1024));
  if (out && lf !== out) lf.set(out.subarray(0, start));
  for (let i = start; i < end; i++) lf[i] = semitonesOfBin(peaks.freq[i]);
  return lf;
}

/**
 * Appends the reference postings (one per triplet) of anchors [anchorStart, anchorEnd).
 * Returns the number appended.
 */
export function appendTriplets(
  peaks: PeakList,
  lf: Float64Array,
  anchorStart: number,
  anchorEnd: number,
  out: PostingBuffer,
  params: TripletParams = DEFAULT_TRIPLET_PARAMS,
): number {
  const before = out.length;
  const time = peaks.time;
  forEachTriplet(peaks, lf, anchorStart, anchorEnd, params, (a, b, c) => {
    const span = time[c] - time[a];
    const r = (time[b] - time[a]) / span;
    const uCell = floor(uOf(lf[a], span) / U_CELL);
    const vCell = floor(vOf(lf[a]) / V_CELL);
    if (uCell < 0 || uCell >= U_CELLS || vCell < 0 || vCell >= V_CELLS) return;
    const d2 = round((lf[b] - lf[a]) / DIFF_STEP) + DIFF_OFFSET;
    const d3 = round((lf[c] - lf[a]) / DIFF_STEP) + DIFF_OFFSET;
    const rc = round(r * RATIO_LEVELS);
    out.push(tripletHash(uCell, vCell, d2, d3, rc), peaks.frame[a], packTripletAux(lf[a], span, peaks.level[a]), a);
  });
  return out.length - before;
}

/** Tolerances used when probing: how far a measured value may be from the reference's. */
export interface ProbeTolerance {
  /** Semitones, for the anchor's pitch. */
  semitones: number;
  /** Semitones, for a difference of two pitches (measured in one spectrum, so more precise). */
  differenceSemitones: number;
  /** Frames, for each peak time. */
  frames: number;
}

export const DEFAULT_PROBE_TOLERANCE: ProbeTolerance = { semitones: 0.1, differenceSemitones: 0.06, frames: 0.5 };

/**
 * Query postings: for every triplet, every hash a reference triplet could have had if the query is the
 * reference played at a speed inside `speeds` (see the class comment). `aux` carries the query's own lf1
 * and span (same packing as the reference), `time` the anchor frame. Returns the number of probes appended.
 */
export function appendTripletProbes(
  peaks: PeakList,
  lf: Float64Array,
  anchorStart: number,
  anchorEnd: number,
  out: PostingBuffer,
  speeds: SpeedRange = DEFAULT_SPEED_RANGE,
  tolerance: ProbeTolerance = DEFAULT_PROBE_TOLERANCE,
  params: TripletParams = DEFAULT_TRIPLET_PARAMS,
): number {
  const before = out.length;
  const time = peaks.time;
  const coarse = new Int32Array(64);
  const d2s = new Int32Array(2);
  const d3s = new Int32Array(2);
  const rs = new Int32Array(3);
  const tolSemi = tolerance.semitones;
  const tolFrames = tolerance.frames;
  // Speed grid along the vinyl and key-locked paths; fine enough that no cell is skipped between steps.
  const vinylSteps = speedGrid(speeds.vinylMin, speeds.vinylMax);
  const stretchSteps = speedGrid(speeds.stretchMin, speeds.stretchMax);
  const keySteps = keyGrid(speeds.keySemitones ?? 0, tolSemi);
  // The (u, v) offsets of every box of the speed search, in the order they are probed: the vinyl grid moves
  // only v, the key-locked stretch grid only u, a key shift of k semitones both by −k. Computed once per call
  // (the same expressions as per triplet, so the same values; x + (−y) is x − y exactly in IEEE arithmetic).
  const vinylOffsets = vinylSteps.map((s) => 12 * log2(s));
  const stretchOffsets = stretchSteps.map((k) => SEMI_PER_LN * log(k));
  const boxCount = vinylOffsets.length + stretchOffsets.length + keySteps.length;
  const boxU = new Float64Array(boxCount);
  const boxV = new Float64Array(boxCount);
  let nb = 0;
  for (const o of vinylOffsets) boxV[nb++] = -o;
  for (const o of stretchOffsets) boxU[nb++] = o;
  for (const k of keySteps) {
    boxU[nb] = -k;
    boxV[nb++] = -k;
  }
  // Coarse cells (uCell, vCell) the reference can be in, as packed pairs in first-seen order; `seen` marks
  // the cells of the current triplet (stamp) so a repeated cell costs one look-up.
  const seen = new Int32Array(U_CELLS * V_CELLS);
  let stamp = 0;
  forEachTriplet(peaks, lf, anchorStart, anchorEnd, params, (a, b, c) => {
    const span = time[c] - time[a];
    const r = (time[b] - time[a]) / span;
    const l1 = lf[a];
    // Vinyl moves only v, key-locked stretch moves only u; the tolerance box around each point is smaller
    // than a cell, so its corners find every cell it touches. Everything here is a local of this function:
    // doubles kept in variables that a nested closure shares are boxed on every write (measured: hundreds of
    // MB of garbage per 4-hour recording whenever V8 did not inline that closure).
    let nc = 0;
    stamp++;
    const uq = uOf(l1, span);
    const tolU = Math.min(U_CELL * 0.45, tolSemi + SEMI_PER_LN * log1p((2 * tolFrames) / span));
    const tolV = tolSemi;
    // The corner cells of the previous box of this triplet: neighbouring grid steps are ~0.07 semitones apart
    // and cells 3–4 semitones wide, so most boxes fall on the cells of the one before, whose four adds would
    // all be repeats (or refused again): skipped, which leaves the cells and their order as they were.
    let pu0 = -1;
    let pu1 = -1;
    let pv0 = -1;
    let pv1 = -1;
    for (let i = 0; i < boxCount; i++) {
      const ur = uq + boxU[i];
      const vr = l1 + boxV[i];
      const u0 = floor((ur - tolU) / U_CELL);
      const u1 = floor((ur + tolU) / U_CELL);
      const v0 = floor((vr - tolV) / V_CELL);
      const v1 = floor((vr + tolV) / V_CELL);
      if (i > 0 && u0 === pu0 && u1 === pu1 && v0 === pv0 && v1 === pv1) continue;
      pu0 = u0;
      pu1 = u1;
      pv0 = v0;
      pv1 = v1;
      // The four corners, each kept if inside the grid, not yet seen for this triplet, and while there is room.
      for (let corner = 0; corner < 4; corner++) {
        const uc = corner & 1 ? u1 : u0;
        const vc = corner & 2 ? v1 : v0;
        if (uc < 0 || uc >= U_CELLS || vc < 0 || vc >= V_CELLS) continue;
        const key = (uc << 5) | vc;
        if (seen[key] === stamp) continue;
        if (nc < coarse.length) {
          seen[key] = stamp;
          coarse[nc++] = key;
        }
      }
    }
    if (nc === 0) return;
    // Difference and ratio cells are centred on whole steps (round, not floor): musical intervals and
    // rhythmic ratios (1/2, 1/4, 3/4) are common, and a cell edge on them would split them at random.
    const n2 = cellsWithin(
      (lf[b] - l1) / DIFF_STEP + 0.5,
      tolerance.differenceSemitones / DIFF_STEP,
      d2s,
      DIFF_OFFSET,
      2 * DIFF_OFFSET,
    );
    const n3 = cellsWithin(
      (lf[c] - l1) / DIFF_STEP + 0.5,
      tolerance.differenceSemitones / DIFF_STEP,
      d3s,
      DIFF_OFFSET,
      2 * DIFF_OFFSET,
    );
    // r error from time errors: |δr| ≤ (|δt2| + r·|δt3|)/span with each |δt| ≤ 2·tolFrames (two peaks each).
    const rTol = ((1 + r) * 2 * tolFrames) / span;
    const nr = cellsWithin(r * RATIO_LEVELS + 0.5, rTol * RATIO_LEVELS, rs, 0, RATIO_LEVELS);
    const aux = packTripletAux(l1, span, peaks.level[a]);
    const t1 = peaks.frame[a];
    for (let ci = 0; ci < nc; ci++) {
      const uc = coarse[ci] >> 5;
      const vc = coarse[ci] & 31;
      for (let i2 = 0; i2 < n2; i2++) {
        for (let i3 = 0; i3 < n3; i3++) {
          for (let ir = 0; ir < nr; ir++) out.push(tripletHash(uc, vc, d2s[i2], d3s[i3], rs[ir]), t1, aux, a);
        }
      }
    }
  });
  return out.length - before;
}

/** Key shifts (semitones) spaced by less than twice the probe tolerance, so no cell is skipped between steps. */
function keyGrid(maxSemitones: number, tolSemi: number): number[] {
  if (!(maxSemitones > 0)) return [];
  const n = Math.max(1, ceil((2 * maxSemitones) / (1.5 * tolSemi)));
  const steps: number[] = [];
  for (let i = 0; i <= n; i++) steps.push(-maxSemitones + (2 * maxSemitones * i) / n);
  return steps;
}

function speedGrid(min: number, max: number): number[] {
  const steps: number[] = [];
  const n = Math.max(1, ceil((max - min) / 0.004));
  for (let i = 0; i <= n; i++) steps.push(min + ((max - min) * i) / n);
  return steps;
}

/**
 * Cells floor(v') for v' in [v − tol, v + tol] (in cell units), shifted by `offset` and kept within
 * [0, maxCell]; writes them into `out` and returns how many (at most out.length).
 */
function cellsWithin(v: number, tol: number, out: Int32Array, offset: number, maxCell: number): number {
  let lo = Math.max(0, floor(v - tol) + offset);
  let hi = Math.min(maxCell, floor(v + tol) + offset);
  // Too many cells for `out`: drop the ends farthest from v.
  while (hi - lo + 1 > out.length) {
    if (v + offset - lo > hi + 1 - (v + offset)) lo++;
    else hi--;
  }
  let n = 0;
  for (let c = lo; c <= hi; c++) out[n++] = c;
  return n;
}
