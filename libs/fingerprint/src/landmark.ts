import { PeakList } from './peaks';
import { packLevel, PostingBuffer } from './postings';

/**
 * Strategy A, "landmarks" (after Wang 2003, "An Industrial-Strength Audio Search Algorithm"): each peak is
 * an anchor paired with the first few peaks that follow it inside a target zone; the pair's
 * (anchor bin, bin difference, frame difference) is the hash and the anchor's frame the posting time.
 * Exact speed only: a 2 % speed change already moves frame differences of long pairs by a frame.
 *
 * Hash layout (22 bits used): bits 13–21 anchor bin (0–511), bits 6–12 bin difference + 64 (1–127),
 * bits 0–5 frame difference (1–63). aux: the anchor's level (packLevel).
 */
export interface LandmarkParams {
  /** Target zone in frames after the anchor (≥ 1: pairs within one frame say little about time). */
  minDt: number;
  maxDt: number;
  /** Target zone half-height in bins. */
  maxDf: number;
  /** Pairs per anchor. */
  fanOut: number;
}

export const DEFAULT_LANDMARK_PARAMS: LandmarkParams = { minDt: 1, maxDt: 63, maxDf: 63, fanOut: 3 };

export function landmarkHash(anchorBin: number, df: number, dt: number): number {
  return ((anchorBin & 0x1ff) << 13) | ((df + 64) << 6) | dt;
}

/**
 * Appends the landmark postings of anchors [anchorStart, anchorEnd) to `out`. Targets may lie beyond
 * anchorEnd, so peaks up to maxDt frames after the last anchor must already be in `peaks`.
 * Returns the number of postings appended.
 */
export function appendLandmarks(
  peaks: PeakList,
  anchorStart: number,
  anchorEnd: number,
  out: PostingBuffer,
  params: LandmarkParams = DEFAULT_LANDMARK_PARAMS,
): number {
  const before = out.length;
  const { minDt, maxDt, maxDf, fanOut } = params;
  const frame = peaks.frame;
  const bin = peaks.bin;
  const n = peaks.length;
  for (let i = anchorStart; i < anchorEnd; i++) {
    const t1 = frame[i];
    const f1 = bin[i];
    const level = packLevel(peaks.level[i]);
    let made = 0;
    for (let j = i + 1; j < n && made < fanOut; j++) {
      const dt = frame[j] - t1;
      if (dt < minDt) continue;
      if (dt > maxDt) break;
      const df = bin[j] - f1;
      if (df > maxDf || df < -maxDf) continue;
      out.push(landmarkHash(f1, df, dt), t1, level, i);
      made++;
    }
  }
  return out.length - before;
}
