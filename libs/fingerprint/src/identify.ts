import { extractPeaks, ExtractOptions, PcmSource } from './fingerprint';
import { appendLandmarks, DEFAULT_LANDMARK_PARAMS } from './landmark';
import { ClusterHit, clusterMatches, collectMatches, MatchMode, MatchSet, withDefaultStopList } from './matcher';
import { FRAME_SEC, STRATEGIES, Strategy } from './params';
import { PeakList } from './peaks';
import { PostingBuffer } from './postings';
import { FingerprintIndex, LookupOptions } from './store/fingerprint-index';
import {
  appendTripletProbes,
  DEFAULT_SPEED_RANGE,
  DEFAULT_TRIPLET_PARAMS,
  semitonesOfPeaks,
  SpeedRange,
} from './triplet';

export interface IdentifyOptions {
  /** Strategies to query (default both). */
  strategies?: readonly Strategy[];
  /** Speed range searched by the triplet strategy (default ±8 % vinyl, ±6 % key-locked, with headroom). */
  speeds?: SpeedRange;
  /** Lowest score reported, per strategy (defaults in DEFAULT_MIN_SCORE). */
  minScore?: Partial<Record<Strategy, number>>;
  lookup?: LookupOptions;
  signal?: AbortSignal;
}

export interface ExcerptMatch {
  trackId: number;
  /** Where in the excerpt the matched part starts (first agreeing hash), seconds. */
  queryOffsetSec: number;
  /** The track's position at that moment, seconds. */
  refOffsetSec: number;
  /** Track seconds per excerpt second (1.05: the excerpt plays the track 5 % fast). */
  speed: number;
  mode: MatchMode;
  /** Mode 'key': semitones the pitch was shifted by with the tempo unchanged; otherwise 0. */
  keySemitones: number;
  /** Agreeing hashes. */
  score: number;
  /** 0 … 1; 0.5 and above is a confident identification. */
  confidence: number;
  /** Length of the matched part of the excerpt, seconds. */
  matchedSec: number;
  strategy: Strategy;
}

/**
 * How many partners per anchor a query pairs with, per strategy. The index stores each anchor with its first
 * few partners as the track alone had them; where another track's peaks are interleaved (a crossfade, a
 * voice-over) the stored partners are no longer the first ones, and a query that pairs with more of the
 * partners that follow still forms the stored pairs. Query side only: the stored hashes do not change.
 */
export interface QueryFanOut {
  /** Landmark pairs per anchor (the index stores DEFAULT_LANDMARK_PARAMS.fanOut). */
  landmark: number;
  /** Triplet partner candidates per anchor, all pairs of them (the index stores DEFAULT_TRIPLET_PARAMS.candidates). */
  triplet: number;
}

export const STORED_FAN_OUT: QueryFanOut = {
  landmark: DEFAULT_LANDMARK_PARAMS.fanOut,
  triplet: DEFAULT_TRIPLET_PARAMS.candidates,
};

/** Query postings of peaks anchored in [anchorStart, anchorEnd) for one strategy. */
export function queryPostings(
  peaks: PeakList,
  strategy: Strategy,
  anchorStart: number,
  anchorEnd: number,
  lf: Float64Array | undefined,
  speeds: SpeedRange = DEFAULT_SPEED_RANGE,
  fanOut: QueryFanOut = STORED_FAN_OUT,
): PostingBuffer {
  const out = new PostingBuffer(
    Math.max(1024, (anchorEnd - anchorStart) * (strategy === 'landmark' ? fanOut.landmark : 13 * fanOut.triplet)),
  );
  if (strategy === 'landmark')
    appendLandmarks(peaks, anchorStart, anchorEnd, out, { ...DEFAULT_LANDMARK_PARAMS, fanOut: fanOut.landmark });
  else {
    const params = { ...DEFAULT_TRIPLET_PARAMS, candidates: fanOut.triplet };
    appendTripletProbes(
      peaks,
      lf ?? semitonesOfPeaks(peaks, 0, peaks.length),
      anchorStart,
      anchorEnd,
      out,
      speeds,
      undefined,
      params,
    );
  }
  return out;
}

/**
 * One hit per track over strategies. Confidence decides first; among confident hits the one whose
 * agreeing hashes span more of the query wins (a landmark hit on a stretched excerpt only fits a few
 * seconds of it); when both span about as much, the exact-speed landmark alignment is preferred if the
 * triplet one also says "same speed".
 */
export function mergeHits(hits: ClusterHit[]): ClusterHit[] {
  const byTrack = new Map<number, ClusterHit[]>();
  for (const h of hits) byTrack.set(h.trackId, [...(byTrack.get(h.trackId) ?? []), h]);
  const out: ClusterHit[] = [];
  for (const list of byTrack.values()) {
    const top = Math.max(...list.map((h) => h.confidence));
    const confident = list.filter((h) => h.confidence >= Math.min(0.5, top) && h.confidence >= top - 0.3);
    confident.sort((a, b) => span(b) - span(a));
    let best = confident[0];
    const landmark = confident.find((h) => h.strategy === 'landmark');
    if (landmark && landmark !== best && span(landmark) >= 0.9 * span(best) && Math.abs(best.speed - 1) < 0.005)
      best = landmark;
    out.push(best);
  }
  return out.sort((a, b) => b.confidence - a.confidence || b.score - a.score);
}

function span(h: ClusterHit): number {
  return h.inlierFrames.length ? h.inlierFrames[h.inlierFrames.length - 1] - h.inlierFrames[0] : 0;
}

/** Runs the look-up and vote for peaks [anchorStart, anchorEnd) of every requested strategy. */
export async function matchPeaks(
  index: FingerprintIndex,
  peaks: PeakList,
  anchorStart: number,
  anchorEnd: number,
  pivot: number,
  options: IdentifyOptions = {},
  lf?: Float64Array,
): Promise<ClusterHit[]> {
  const hits: ClusterHit[] = [];
  for (const strategy of options.strategies ?? STRATEGIES) {
    options.signal?.throwIfAborted();
    const query = queryPostings(peaks, strategy, anchorStart, anchorEnd, lf, options.speeds);
    const matches = new MatchSet();
    await collectMatches(index, strategy, query.batch(), matches, {
      speeds: options.speeds,
      lookup: withDefaultStopList(options.lookup),
    });
    hits.push(
      ...clusterMatches(matches, strategy, pivot, { speeds: options.speeds, minScore: options.minScore?.[strategy] }),
    );
  }
  return hits;
}

export function toExcerptMatch(h: ClusterHit): ExcerptMatch {
  const first = h.inlierFrames[0];
  const last = h.inlierFrames[h.inlierFrames.length - 1];
  return {
    trackId: h.trackId,
    queryOffsetSec: first * FRAME_SEC,
    refOffsetSec: (h.refAtPivot + h.speed * (first - h.pivot)) * FRAME_SEC,
    speed: h.speed,
    mode: h.mode,
    keySemitones: h.keySemitones,
    score: h.score,
    confidence: h.confidence,
    matchedSec: (last - first) * FRAME_SEC,
    strategy: h.strategy,
  };
}

/**
 * Identifies a short recording (a few seconds to a few minutes): every stored track that plays in it,
 * with where it starts in the excerpt, the track position there, and the speed. One alignment per track
 * is assumed (an excerpt does not change speed half-way); a longer recording with several tracks in a row
 * should go through identifyMix instead.
 */
export async function identifyExcerpt(
  index: FingerprintIndex,
  source: PcmSource,
  options: IdentifyOptions & Pick<ExtractOptions, 'onProgress'> = {},
): Promise<ExcerptMatch[]> {
  const { peaks } = await extractPeaks(source, { signal: options.signal, onProgress: options.onProgress });
  if (peaks.length === 0) return [];
  const pivot = (peaks.frame[0] + peaks.frame[peaks.length - 1]) / 2;
  const hits = await matchPeaks(index, peaks, 0, peaks.length, pivot, options);
  return mergeHits(hits).map(toExcerptMatch);
}
