import { PcmSource } from './fingerprint';
import { FrontEndMode, FrontEndState, runFrontEnd } from './front-end';
import { queryPostings, IdentifyOptions, QueryFanOut, STORED_FAN_OUT } from './identify';
import { DEFAULT_LANDMARK_PARAMS } from './landmark';
import { clusterMatches, collectMatches, MatchSet, withDefaultStopList } from './matcher';
import { FINGERPRINT_SAMPLE_RATE, FRAME_SEC, STRATEGIES, Strategy } from './params';
import { FingerprintIndex } from './store/fingerprint-index';
import { buildTimeline, MixTimeline, TimelineOptions, WindowHit } from './timeline';
import { DEFAULT_TRIPLET_PARAMS, semitonesOfPeaks } from './triplet';

export interface MixProgress {
  /** Seconds of the mix read so far. */
  processedSec: number;
  /** Windows matched so far. */
  windows: number;
}

export interface MixOptions extends IdentifyOptions {
  onProgress?: (progress: MixProgress) => void;
  /** Length of a matching window, seconds (default 15). Must be a multiple of hopSec. */
  windowSec?: number;
  /** Step between windows, seconds (default 5). */
  hopSec?: number;
  timeline?: TimelineOptions;
  /** Partners per anchor the mix query pairs with (default DEFAULT_MIX_FAN_OUT; never below what is stored). */
  queryFanOut?: Partial<QueryFanOut>;
  /**
   * Hops looked up together (default 12: one minute). One statement per strategy for the whole batch
   * instead of one per hop, with repeated hashes asked once; the next batch is decoded and hashed while the
   * index answers the previous one. The timeline does not depend on it.
   */
  lookupBatchHops?: number;
  /**
   * Where the FFT and peak picking run (default 'auto': a worker thread of their own for recordings of 3
   * minutes or more, so they overlap the look-ups and votes; see front-end.ts). The timeline is the same.
   */
  frontEnd?: FrontEndMode;
}

/** Frames a target can lie after its anchor, over both strategies. */
const LOOKAHEAD_FRAMES = Math.max(DEFAULT_LANDMARK_PARAMS.maxDt, DEFAULT_TRIPLET_PARAMS.maxSpan) + 1;

/**
 * Query fan-out in mixes: during a crossfade half the peaks belong to the other track, so the stored pairs
 * and triplets of the incoming (outgoing) track are found only when the query pairs each anchor with more of
 * its followers. Landmarks 3 → 6 pairs costs little (22-bit hashes, no probing); triplets from 4 partner
 * candidates (6 triplets per anchor instead of 3, each multi-probed) found a few more fades but made the
 * look-ups ~2.7× slower through PostgreSQL, so they stay at the stored 3 unless asked (see README).
 */
export const DEFAULT_MIX_FAN_OUT: QueryFanOut = { landmark: 6, triplet: DEFAULT_TRIPLET_PARAMS.candidates };

/**
 * Identifies which stored tracks play when in a long recording (a DJ mix of any length), streaming:
 * PCM is read chunk by chunk, peaks are kept (≈ 30 bytes each, ~13 per second), hashes are looked up one
 * hop at a time, and each window of `windowSec` is voted on as soon as its last hop is in. Memory stays
 * bounded by the peak list and three hops of matches, whatever the length of the mix.
 */
export async function identifyMix(
  index: FingerprintIndex,
  source: PcmSource,
  options: MixOptions = {},
): Promise<MixTimeline> {
  const windowSec = options.windowSec ?? 15;
  const hopSec = options.hopSec ?? 5;
  const blocksPerWindow = Math.max(1, Math.round(windowSec / hopSec));
  const blockFrames = Math.max(16, Math.round(hopSec / FRAME_SEC));
  const strategies = options.strategies ?? STRATEGIES;
  const fanOut: QueryFanOut = {
    landmark: Math.max(STORED_FAN_OUT.landmark, options.queryFanOut?.landmark ?? DEFAULT_MIX_FAN_OUT.landmark),
    triplet: Math.max(STORED_FAN_OUT.triplet, options.queryFanOut?.triplet ?? DEFAULT_MIX_FAN_OUT.triplet),
  };

  const frontEnd = runFrontEnd(source, { mode: options.frontEnd, signal: options.signal });
  /** The front-end's peaks and how far they are final, as of its latest step. */
  let state!: FrontEndState;
  let lf = new Float64Array(1024);
  let lfDone = 0;
  let nextBlock = 0;
  const recent: { start: number; end: number; matches: Map<Strategy, MatchSet> }[] = [];
  const hits: WindowHit[] = [];
  let windows = 0;

  const batchHops = Math.max(1, Math.round(options.lookupBatchHops ?? 12));
  /** Looks up the hops [first, first + count) at once and returns each hop's matches. */
  const lookUpBlocks = async (first: number, count: number) => {
    const peaks = state.peaks;
    if (lfDone < peaks.length) {
      lf = semitonesOfPeaks(peaks, lfDone, peaks.length, lf);
      lfDone = peaks.length;
    }
    const start = first * blockFrames;
    const a0 = peaks.lowerBoundFrame(start);
    const a1 = peaks.lowerBoundFrame(start + count * blockFrames);
    const perBlock = Array.from({ length: count }, () => new Map<Strategy, MatchSet>());
    const queries = strategies.map((strategy) =>
      a1 > a0 ? queryPostings(peaks, strategy, a0, a1, lf, options.speeds, fanOut) : null,
    );
    await Promise.all(
      strategies.map(async (strategy, i) => {
        options.signal?.throwIfAborted();
        const all = new MatchSet();
        const query = queries[i];
        if (query) {
          await collectMatches(index, strategy, query.batch(), all, {
            speeds: options.speeds,
            lookup: withDefaultStopList(options.lookup),
          });
        }
        // Split by hop, each hop's set allocated at its final size (no growing, less garbage).
        const blockOf = new Int32Array(all.length);
        const sizes = new Int32Array(count);
        for (let k = 0; k < all.length; k++) sizes[(blockOf[k] = Math.floor((all.q[k] - start) / blockFrames))]++;
        const sets = perBlock.map((m, b) => {
          const set = new MatchSet(sizes[b]);
          m.set(strategy, set);
          return set;
        });
        for (let k = 0; k < all.length; k++) sets[blockOf[k]].pushFrom(all, k);
      }),
    );
    return perBlock.map((matches, k) => ({
      start: start + k * blockFrames,
      end: start + (k + 1) * blockFrames,
      matches,
    }));
  };

  const voteWindow = () => {
    if (recent.length === 0) return;
    const windowStart = recent[0].start;
    const windowEnd = recent[recent.length - 1].end;
    const pivot = (windowStart + windowEnd) / 2;
    for (const strategy of strategies) {
      let size = 0;
      for (const b of recent) size += b.matches.get(strategy)!.length;
      const all = new MatchSet(size);
      for (const b of recent) all.append(b.matches.get(strategy)!);
      for (const hit of clusterMatches(all, strategy, pivot, {
        speeds: options.speeds,
        minScore: options.minScore?.[strategy],
      })) {
        hits.push({ windowStart, windowEnd, hit });
      }
    }
    windows++;
  };

  let blocksDone = 0;
  // One batch in flight: its look-ups run in the database while the next batch is decoded and hashed.
  let inFlight: Promise<Awaited<ReturnType<typeof lookUpBlocks>>> | null = null;
  const settle = async () => {
    if (!inFlight) return;
    const done = await inFlight;
    inFlight = null;
    for (const block of done) {
      recent.push(block);
      if (recent.length > blocksPerWindow) recent.shift();
      blocksDone++;
      if (blocksDone >= blocksPerWindow) voteWindow();
    }
  };
  const launch = async (count: number) => {
    await settle();
    inFlight = lookUpBlocks(nextBlock, count);
    inFlight.catch(() => undefined); // awaited by settle(); an early abort must not be an unhandled rejection
    nextBlock += count;
  };
  try {
    for (;;) {
      const step = await frontEnd.next();
      state = step.value;
      if (step.done) break;
      // A hop can be hashed once its peaks and every target after them are final.
      while ((nextBlock + batchHops) * blockFrames + LOOKAHEAD_FRAMES <= state.finalFrame) await launch(batchHops);
      options.onProgress?.({ processedSec: state.stats.samples / FINGERPRINT_SAMPLE_RATE, windows });
    }
  } finally {
    await frontEnd.return(state); // an error here ends the front-end (and its thread) too
  }
  const totalFrames = state.stats.frames;
  const firstPending = nextBlock;
  const remaining = Math.max(0, Math.ceil(totalFrames / blockFrames) - nextBlock);
  for (let left = remaining; left > 0; left -= batchHops) await launch(Math.min(batchHops, left));
  await settle();
  // A recording shorter than one window still gets voted on once.
  if (blocksDone < blocksPerWindow || (firstPending === nextBlock && windows === 0)) voteWindow();
  const durationSec = state.stats.samples / FINGERPRINT_SAMPLE_RATE;
  options.onProgress?.({ processedSec: durationSec, windows });
  return buildTimeline(hits, durationSec, options.timeline);
}
