/**
 * The triplet query probes of FINGERPRINT_ALGORITHM_VERSION 1 as they were before the coarse-cell search was
 * made cheaper (issue 14), kept unchanged as the reference test/front-end-equivalence.spec.ts compares
 * src/triplet.ts appendTripletProbes against: the same probes, in the same order. Only the probe code and what
 * it calls are kept; the hash layout and packing come from src/triplet.ts (the stored hashes are compared to
 * the reference peak picker's elsewhere). Not used by the library itself.
 */
import { PeakList } from '../../src/peaks';
import { PostingBuffer } from '../../src/postings';
import {
  DEFAULT_PROBE_TOLERANCE,
  DEFAULT_SPEED_RANGE,
  DEFAULT_TRIPLET_PARAMS,
  packTripletAux,
  ProbeTolerance,
  SpeedRange,
  tripletHash,
  TripletParams,
} from '../../src/triplet';

const { ceil, floor, log, log1p, log2 } = Math;
const SEMI_PER_LN = 12 / Math.LN2;
const V_CELL = 3;
const V_CELLS = 32;
const SPAN_BASE = 2;
const U_CELL = 4;
const U_CELLS = 32;
const DIFF_STEP = 0.5;
const DIFF_OFFSET = 24;
const RATIO_LEVELS = 8;

function uOf(lf1: number, span: number): number {
  return lf1 + SEMI_PER_LN * log(span / SPAN_BASE);
}
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

export function referenceTripletProbes(
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
  // The pitch offsets of the vinyl and stretch grids, computed once per call instead of once per triplet
  // (the same expressions, so the same values).
  const vinylOffsets = vinylSteps.map((s) => 12 * log2(s));
  const stretchOffsets = stretchSteps.map((k) => SEMI_PER_LN * log(k));
  // Coarse cells (uCell, vCell) the reference can be in, as packed pairs in first-seen order; `seen` marks
  // the cells of the current triplet (stamp) so a repeated cell costs one look-up.
  const seen = new Int32Array(U_CELLS * V_CELLS);
  let stamp = 0;
  let nc = 0;
  let tolU = 0;
  let tolV = 0;
  const add = (ur: number, vr: number) => {
    const uc = floor(ur / U_CELL);
    const vc = floor(vr / V_CELL);
    if (uc < 0 || uc >= U_CELLS || vc < 0 || vc >= V_CELLS) return;
    const key = (uc << 5) | vc;
    if (seen[key] === stamp) return;
    if (nc < coarse.length) {
      seen[key] = stamp;
      coarse[nc++] = key;
    }
  };
  const box = (ur: number, vr: number) => {
    add(ur - tolU, vr - tolV);
    add(ur + tolU, vr - tolV);
    add(ur - tolU, vr + tolV);
    add(ur + tolU, vr + tolV);
  };
  forEachTriplet(peaks, lf, anchorStart, anchorEnd, params, (a, b, c) => {
    const span = time[c] - time[a];
    const r = (time[b] - time[a]) / span;
    const l1 = lf[a];
    // Vinyl moves only v, key-locked stretch moves only u; the tolerance box around each point is smaller
    // than a cell, so its corners find every cell it touches.
    nc = 0;
    stamp++;
    const uq = uOf(l1, span);
    tolU = Math.min(U_CELL * 0.45, tolSemi + SEMI_PER_LN * log1p((2 * tolFrames) / span));
    tolV = tolSemi;
    for (let i = 0; i < vinylOffsets.length; i++) box(uq, l1 - vinylOffsets[i]);
    for (let i = 0; i < stretchOffsets.length; i++) box(uq + stretchOffsets[i], l1);
    // A key shift by k semitones raised every pitch by k and left every time alone: the reference's u and v
    // were both k lower.
    for (let i = 0; i < keySteps.length; i++) box(uq - keySteps[i], l1 - keySteps[i]);
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
