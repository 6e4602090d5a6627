import { decodeMono, DecodeOptions } from '@crateflow/audio';
import { appendLandmarks, DEFAULT_LANDMARK_PARAMS } from './landmark';
import { FINGERPRINT_SAMPLE_RATE, FRAME_SEC, PeakPickerParams } from './params';
import { PeakExtractor, PeakList } from './peaks';
import { PostingBatch, PostingBuffer } from './postings';
import { appendTriplets, DEFAULT_TRIPLET_PARAMS, semitonesOfPeaks } from './triplet';

/**
 * Mono PCM at FINGERPRINT_SAMPLE_RATE: one array, or chunks from any (async) iterable — for example
 * `decodeForFingerprint(path)`, or a generator that synthesises audio.
 */
export type PcmSource = Float32Array | Iterable<Float32Array> | AsyncIterable<Float32Array>;

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Called after every chunk with the seconds of audio read so far. */
  onProgress?: (processedSec: number) => void;
  peakParams?: Partial<PeakPickerParams>;
}

/** Everything the index needs from one recording. */
export interface TrackFingerprint {
  durationSec: number;
  /** Seconds whose spectrum rose above the level floor (music, not silence). */
  audibleSec: number;
  peaks: PeakList;
  landmark: PostingBatch;
  triplet: PostingBatch;
}

/** Decodes any file ffmpeg reads to mono PCM at the fingerprint rate, in 4-second chunks (streaming). */
export function decodeForFingerprint(
  filePath: string | Buffer,
  options: Omit<DecodeOptions, 'sampleRate'> = {},
): AsyncGenerator<Float32Array> {
  return decodeMono(filePath, { chunkSamples: FINGERPRINT_SAMPLE_RATE * 4, ...options, sampleRate: FINGERPRINT_SAMPLE_RATE });
}

/** Iterates a PcmSource as chunks, honouring an abort signal between chunks. */
export async function* pcmChunks(source: PcmSource, signal?: AbortSignal): AsyncGenerator<Float32Array> {
  if (source instanceof Float32Array) {
    // Large arrays are handed over in pieces so progress and abort work for them too.
    const step = FINGERPRINT_SAMPLE_RATE * 60;
    for (let i = 0; i < source.length; i += step) {
      signal?.throwIfAborted();
      yield source.subarray(i, Math.min(source.length, i + step));
    }
    return;
  }
  for await (const chunk of source as AsyncIterable<Float32Array>) {
    signal?.throwIfAborted();
    if (!(chunk instanceof Float32Array)) throw new TypeError('PCM chunks must be Float32Array');
    yield chunk;
  }
}

/** Streams PCM through the peak picker. Only the peak list is kept, never the PCM. */
export async function extractPeaks(source: PcmSource, options: ExtractOptions = {}): Promise<{ peaks: PeakList; durationSec: number; audibleSec: number }> {
  const extractor = new PeakExtractor(options.peakParams);
  for await (const chunk of pcmChunks(source, options.signal)) {
    extractor.push(chunk);
    options.onProgress?.(extractor.stats.samples / FINGERPRINT_SAMPLE_RATE);
  }
  const peaks = extractor.finish();
  const durationSec = extractor.stats.samples / FINGERPRINT_SAMPLE_RATE;
  const audibleSec = Math.min(durationSec, (extractor.stats.frames - extractor.stats.silentFrames) * FRAME_SEC);
  return { peaks, durationSec, audibleSec };
}

/** Both strategies' reference postings of a peak list. */
export function postingsOfPeaks(peaks: PeakList): { landmark: PostingBatch; triplet: PostingBatch } {
  const landmark = new PostingBuffer(Math.max(1024, peaks.length * DEFAULT_LANDMARK_PARAMS.fanOut));
  appendLandmarks(peaks, 0, peaks.length, landmark);
  const lf = semitonesOfPeaks(peaks, 0, peaks.length);
  const triplet = new PostingBuffer(Math.max(1024, peaks.length * 3));
  appendTriplets(peaks, lf, 0, peaks.length, triplet, DEFAULT_TRIPLET_PARAMS);
  return { landmark: landmark.batch(), triplet: triplet.batch() };
}

/** Fingerprints a whole recording for the index (streaming over the PCM). */
export async function fingerprintPcm(source: PcmSource, options: ExtractOptions = {}): Promise<TrackFingerprint> {
  const { peaks, durationSec, audibleSec } = await extractPeaks(source, options);
  return { durationSec, audibleSec, peaks, ...postingsOfPeaks(peaks) };
}

/** Decodes and fingerprints a file. */
export async function fingerprintFile(
  filePath: string | Buffer,
  options: ExtractOptions & Pick<DecodeOptions, 'timeoutMs'> = {},
): Promise<TrackFingerprint> {
  return fingerprintPcm(decodeForFingerprint(filePath, { signal: options.signal, timeoutMs: options.timeoutMs }), options);
}
