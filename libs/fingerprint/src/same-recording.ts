import { fingerprintPcm, PcmSource, TrackFingerprint } from './fingerprint';
import { appendLandmarks } from './landmark';
import { clusterMatches, collectMatches, MatchSet } from './matcher';
import { FRAME_SEC } from './params';
import { PostingBuffer } from './postings';
import { FingerprintIndex, LookupOptions } from './store/fingerprint-index';

export interface SameRecordingOptions {
  /** The query's own id, so it does not find itself. */
  excludeTrackId?: number;
  /** Both coverages must reach this to report a match. Default 0.8. */
  minCoverage?: number;
  /** Matching window, seconds. Default 10. */
  windowSec?: number;
  lookup?: LookupOptions;
  signal?: AbortSignal;
}

export interface SameRecordingMatch {
  trackId: number;
  /** Fraction of the query's audible windows that match this track with one common alignment. */
  coverage: number;
  /** Matched time as a fraction of the track's own duration (1 when the index does not know it). */
  candidateCoverage: number;
  /** Track time minus query time at the common alignment, seconds (≈ 0 for re-encodes). */
  offsetSec: number;
  /** Agreeing landmarks over all windows. */
  score: number;
}

/** Windows with fewer query landmarks than this are silence or near-silence and do not count. */
const MIN_WINDOW_HASHES = 20;
/** Alignments within this many frames (encoder delays differ by tens of milliseconds) are the same. */
const OFFSET_TOLERANCE = 3;

/**
 * Finds stored tracks that are the same recording as the query (another encoding of it: FLAC, MP3, AAC,
 * Ogg…). Landmarks are matched window by window; a track qualifies when one alignment holds in most of
 * the query's windows AND the matched time covers most of the track — a track inside a DJ mix matches the
 * whole track but only a sliver of the mix, and different songs never hold an alignment for long.
 */
export async function findSameRecordings(
  index: FingerprintIndex,
  source: PcmSource | TrackFingerprint,
  options: SameRecordingOptions = {},
): Promise<SameRecordingMatch[]> {
  const fp =
    'peaks' in source && 'landmark' in source
      ? (source as TrackFingerprint)
      : await fingerprintPcm(source as PcmSource, { signal: options.signal });
  const peaks = fp.peaks;
  const windowFrames = Math.round((options.windowSec ?? 10) / FRAME_SEC);
  const minCoverage = options.minCoverage ?? 0.8;
  if (peaks.length === 0) return [];
  const lastFrame = peaks.frame[peaks.length - 1];
  // Per track: offset (frames) → windows that voted for it, and agreeing landmarks.
  const votes = new Map<number, { offsets: number[]; scores: number[] }>();
  let audibleWindows = 0;
  for (let start = 0; start <= lastFrame; start += windowFrames) {
    options.signal?.throwIfAborted();
    const a0 = peaks.lowerBoundFrame(start);
    const a1 = peaks.lowerBoundFrame(start + windowFrames);
    const query = new PostingBuffer(Math.max(256, (a1 - a0) * 3));
    appendLandmarks(peaks, a0, a1, query);
    if (query.length < MIN_WINDOW_HASHES) continue;
    audibleWindows++;
    const matches = new MatchSet();
    await collectMatches(index, 'landmark', query.batch(), matches, { lookup: options.lookup });
    for (const hit of clusterMatches(matches, 'landmark', start + windowFrames / 2, { minScore: 5 })) {
      if (hit.trackId === options.excludeTrackId) continue;
      const v = votes.get(hit.trackId) ?? { offsets: [], scores: [] };
      v.offsets.push(Math.round(hit.refAtPivot - hit.pivot));
      v.scores.push(hit.score);
      votes.set(hit.trackId, v);
    }
  }
  if (audibleWindows === 0) return [];
  const known = await index.getTracks([...votes.keys()]);
  const out: SameRecordingMatch[] = [];
  for (const [trackId, v] of votes) {
    // The alignment most windows agree on.
    const order = v.offsets.map((_, i) => i).sort((a, b) => v.offsets[a] - v.offsets[b]);
    let best = 0;
    let bestScore = 0;
    let bestOffset = 0;
    for (let i = 0, j = 0; j < order.length; j++) {
      while (v.offsets[order[j]] - v.offsets[order[i]] > 2 * OFFSET_TOLERANCE) i++;
      if (j - i + 1 > best) {
        best = j - i + 1;
        bestOffset = v.offsets[order[(i + j) >> 1]];
        bestScore = 0;
        for (let k = i; k <= j; k++) bestScore += v.scores[order[k]];
      }
    }
    const coverage = Math.min(1, best / audibleWindows);
    const durationSec = known.get(trackId)?.durationSec;
    const matchedSec = best * windowFrames * FRAME_SEC;
    const candidateCoverage = durationSec
      ? Math.min(1, matchedSec / Math.max(durationSec - (options.windowSec ?? 10), options.windowSec ?? 10))
      : 1;
    if (coverage >= minCoverage && candidateCoverage >= minCoverage) {
      out.push({ trackId, coverage, candidateCoverage, offsetSec: bestOffset * FRAME_SEC, score: bestScore });
    }
  }
  return out.sort((a, b) => b.coverage - a.coverage || b.score - a.score);
}

/**
 * Same-recording groups from pairwise matches (union-find): every connected set of two or more ids.
 * Pass the pairs found by findSameRecordings for each file (a → each match's trackId).
 */
export function groupSameRecordings(pairs: readonly (readonly [number, number])[]): number[][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  for (const [a, b] of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const groups = new Map<number, number[]>();
  for (const id of parent.keys()) {
    const r = find(id);
    const g = groups.get(r) ?? [];
    g.push(id);
    groups.set(r, g);
  }
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort((a, b) => a - b))
    .sort((a, b) => a[0] - b[0]);
}
