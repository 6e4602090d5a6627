/**
 * The fixed analysis parameters of the fingerprinter. Changing any of them changes every hash, so postings
 * made with one set cannot be matched against another: bump FINGERPRINT_ALGORITHM_VERSION with any change
 * and re-index (the index stores the version per track).
 */

/** Bumped whenever peaks or hashes change; stored with every indexed track. */
export const FINGERPRINT_ALGORITHM_VERSION = 1;

/**
 * Mono PCM rate the fingerprinter reads. 8 kHz keeps everything up to 4 kHz, where the stable tonal
 * structure of music lives, and makes decoding and the FFT cheap.
 */
export const FINGERPRINT_SAMPLE_RATE = 8000;

/** STFT frame: 1024 samples = 128 ms, bins 7.8 Hz apart. */
export const FFT_SIZE = 1024;
/** Hop between frames: 256 samples = 32 ms; all stored times are counted in these frames. */
export const HOP_SIZE = 256;
export const FRAME_SEC = HOP_SIZE / FINGERPRINT_SAMPLE_RATE;
export const BIN_HZ = FINGERPRINT_SAMPLE_RATE / FFT_SIZE;

export type Strategy = 'landmark' | 'triplet';
export const STRATEGIES: readonly Strategy[] = ['landmark', 'triplet'];

export function framesToSec(frames: number): number {
  return frames * FRAME_SEC;
}

export function secToFrames(sec: number): number {
  return sec / FRAME_SEC;
}

export interface PeakPickerParams {
  /** Lowest and highest FFT bin a peak may sit on (≈ 100 Hz … 3.6 kHz). */
  minBin: number;
  maxBin: number;
  /** A peak is the largest value within ± this many bins … */
  neighbourBins: number;
  /** … and ± this many frames. */
  neighbourFrames: number;
  /** Half-width (bins) of the band whose mean log-power is the local reference for contrast. */
  contrastBins: number;
  /** Minimum height above that local mean, in dB. */
  minContrastDb: number;
  /** Absolute floor relative to a full-scale sine, dB: quieter points (dither, fades to silence) never peak. */
  minLevelDbfs: number;
  /**
   * Density control: a peak is kept only if fewer than `densityPeaks` stronger candidates lie within
   * ± `densityFrames` of it. A sliding rule rather than fixed blocks, so an excerpt that starts anywhere
   * selects the same peaks as the full track did.
   */
  densityFrames: number;
  densityPeaks: number;
  /**
   * Weight of loudness in a peak's strength: strength = contrast + levelWeight·(level − loudest level of
   * the frame), in dB. Contrast alone is blind to level, so when two tracks overlap (a crossfade) a quiet
   * but tonal one would take the peak budget from a loud one; with this term the budget follows loudness.
   */
  levelWeight: number;
}

export const DEFAULT_PEAK_PARAMS: PeakPickerParams = {
  minBin: 13,
  maxBin: 460,
  neighbourBins: 8,
  neighbourFrames: 6,
  contrastBins: 16,
  minContrastDb: 6,
  minLevelDbfs: -70,
  densityFrames: 16,
  densityPeaks: 14,
  levelWeight: 1.5,
};
