import { ExtractOptions, fingerprintPcm, PcmSource, TrackFingerprint } from './fingerprint';
import { DEFAULT_LANDMARK_PARAMS } from './landmark';
import { DEFAULT_PEAK_PARAMS, FRAME_SEC, STRATEGIES, Strategy } from './params';
import { PostingBatch } from './postings';
import { FingerprintIndex, StoredCounts } from './store/fingerprint-index';
import { DEFAULT_TRIPLET_PARAMS } from './triplet';

/**
 * Hashes per second of audible music, as measured on the shared recordings (pop, orchestral, jazz, strings,
 * solo trumpet) and on synthetic tone sequences: landmarks 21–39/s, triplets 11–31/s.
 */
export const TYPICAL_HASHES_PER_SECOND: Record<Strategy, number> = { landmark: 37, triplet: 29 };

/**
 * Hard ceiling of the peak density control: a peak survives only if fewer than densityPeaks stronger ones
 * lie within ± densityFrames, so any densityFrames + 1 consecutive frames hold at most densityPeaks peaks.
 */
export function maxPeaksPerSecond(): number {
  return DEFAULT_PEAK_PARAMS.densityPeaks / ((DEFAULT_PEAK_PARAMS.densityFrames + 1) * FRAME_SEC);
}

function maxHashesPerPeak(strategy: Strategy): number {
  if (strategy === 'landmark') return DEFAULT_LANDMARK_PARAMS.fanOut;
  const m = DEFAULT_TRIPLET_PARAMS.candidates;
  return (m * (m - 1)) / 2;
}

export interface HashRange {
  /** Fewer than this for this much audible audio means something went wrong (nothing decoded, nothing stored). */
  min: number;
  /** What music usually gives. */
  typical: number;
  /** More than this is impossible with the density control and means duplicated or foreign postings. */
  max: number;
}

/**
 * The plausible number of postings for `durationSec` seconds of audio. Pass the audible seconds (the
 * fingerprint reports them) when known: silence yields no hashes by design. The floor is deliberately low
 * (a tenth of the typical rate: sparse, slowly changing music such as ambient pads gives few peaks) but far
 * above zero, so "stored nothing" fails; the exact read-back comparisons in indexTrack catch partial loss.
 */
export function expectedHashRange(durationSec: number, strategy: Strategy): HashRange {
  if (!(durationSec >= 0)) throw new RangeError(`duration must be ≥ 0 seconds, got ${durationSec}`);
  const typical = TYPICAL_HASHES_PER_SECOND[strategy] * durationSec;
  return {
    min: Math.floor(typical * 0.1),
    typical: Math.round(typical),
    // The ceiling plus the edge effects of the first and last window.
    max: Math.ceil(maxPeaksPerSecond() * maxHashesPerPeak(strategy) * (durationSec + 2)),
  };
}

export class FingerprintVerificationError extends Error {
  constructor(
    message: string,
    readonly details: { trackId: number; strategy?: Strategy; produced?: number; stored?: number; range?: HashRange },
  ) {
    super(message);
    this.name = 'FingerprintVerificationError';
  }
}

export interface IndexTrackResult {
  trackId: number;
  durationSec: number;
  audibleSec: number;
  /** Postings computed from the audio. */
  produced: Record<Strategy, number>;
  /** Postings read back from the store after writing (equal to produced, or the call fails). */
  stored: StoredCounts;
}

export interface IndexTrackOptions extends ExtractOptions {
  /**
   * Audio shorter than this (audible seconds) is stored without the plausibility floor (a 2-second jingle
   * may legitimately give a handful of hashes). Default 10.
   */
  minCheckedSec?: number;
}

/**
 * Fingerprints a recording and stores it under `trackId`, replacing what was there, then verifies by
 * reading back: the stored count of every strategy must equal what was produced and lie in the plausible
 * range for the audible length, and the last stored frame must be the last produced one (no time horizon).
 * Throws FingerprintVerificationError otherwise (after removing the partial entry), so a failed index
 * never looks like a success.
 */
export async function indexTrack(
  index: FingerprintIndex,
  trackId: number,
  source: PcmSource | TrackFingerprint,
  options: IndexTrackOptions = {},
): Promise<IndexTrackResult> {
  const fp = isFingerprint(source) ? source : await fingerprintPcm(source, options);
  const postings: Record<Strategy, PostingBatch> = { landmark: fp.landmark, triplet: fp.triplet };
  const stored = await index.replaceTrack(trackId, fp.durationSec, postings);
  try {
    for (const strategy of STRATEGIES) {
      const produced = postings[strategy].length;
      const got = stored[strategy];
      if (got !== produced) {
        throw new FingerprintVerificationError(
          `track ${trackId}: ${strategy} postings read back ${got}, produced ${produced}`,
          { trackId, strategy, produced, stored: got },
        );
      }
      const range = expectedHashRange(fp.audibleSec, strategy);
      if (fp.audibleSec >= (options.minCheckedSec ?? 10) && (produced < range.min || produced > range.max)) {
        throw new FingerprintVerificationError(
          `track ${trackId}: ${produced} ${strategy} postings for ${fp.audibleSec.toFixed(1)} s of audible audio is implausible (expected ${range.min}…${range.max})`,
          { trackId, strategy, produced, stored: got, range },
        );
      }
      const readBack = await index.readBack(strategy, trackId);
      const lastProduced = produced ? maxOf(postings[strategy].time) : null;
      if (readBack.count !== produced || readBack.lastFrame !== lastProduced) {
        throw new FingerprintVerificationError(
          `track ${trackId}: ${strategy} postings end at frame ${readBack.lastFrame} in the store but at ${lastProduced} in the audio`,
          { trackId, strategy, produced, stored: readBack.count },
        );
      }
    }
  } catch (e) {
    await index.removeTrack(trackId).catch(() => undefined);
    throw e;
  }
  return {
    trackId,
    durationSec: fp.durationSec,
    audibleSec: fp.audibleSec,
    produced: { landmark: fp.landmark.length, triplet: fp.triplet.length },
    stored,
  };
}

function isFingerprint(x: PcmSource | TrackFingerprint): x is TrackFingerprint {
  return typeof x === 'object' && x !== null && 'landmark' in x && 'triplet' in x && 'peaks' in x;
}

function maxOf(a: Int32Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}
