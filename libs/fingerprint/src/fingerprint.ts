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

/**
 * Decodes any file ffmpeg reads to mono PCM at the fingerprint rate, in 4-second chunks (streaming).
 *
 * Cheaper than the general decode, for what the fingerprint reads of it: 16-bit samples through the pipe
 * (half the bytes; their quantisation noise lies ~30 dB under the peak picker's -70 dBFS floor) and a
 * resampler of 16 taps instead of 32 (its wider transition band lies above the highest bin used, 3.7 kHz).
 * On a 4-hour 64 kbps MP3 ffmpeg's resampler costs half as much: ~1 CPU s less of ~10 (docs/fingerprint.md).
 * The postings stay 96-100 % the same as with the general decode, far closer than two encodings of a song,
 * so indexes built before still answer.
 */
export function decodeForFingerprint(
  filePath: string | Buffer,
  options: Omit<DecodeOptions, 'sampleRate'> = {},
): AsyncGenerator<Float32Array> {
  return decodeMono(filePath, {
    chunkSamples: FINGERPRINT_SAMPLE_RATE * 4,
    pcmFormat: 's16',
    resamplerTaps: 16,
    ...options,
    sampleRate: FINGERPRINT_SAMPLE_RATE,
  });
}

/** Audio read ahead of the fingerprinter: one minute (1.9 MB of floats). */
const PREFETCH_SAMPLES = FINGERPRINT_SAMPLE_RATE * 60;
/** Largest piece handed to the fingerprinter between two turns of the event loop: one second. */
const SLICE_SAMPLES = FINGERPRINT_SAMPLE_RATE;

/**
 * Iterates a PcmSource as chunks of at most one second, honouring an abort signal.
 *
 * An async source (ffmpeg through a pipe) is read ahead by up to a minute of audio, and the event loop gets
 * a turn after every second of audio handed out. Without both, decoding and fingerprinting take turns: the
 * pipe holds only ~2 s of audio, so ffmpeg stops as soon as the fingerprinter is busy, and the fingerprinter
 * waits while ffmpeg decodes. With them the two run at the same time on two cores.
 */
export async function* pcmChunks(source: PcmSource, signal?: AbortSignal): AsyncGenerator<Float32Array> {
  if (source instanceof Float32Array) {
    for (let i = 0; i < source.length; i += SLICE_SAMPLES) {
      signal?.throwIfAborted();
      yield source.subarray(i, Math.min(source.length, i + SLICE_SAMPLES));
    }
    return;
  }
  const chunks =
    Symbol.asyncIterator in source
      ? prefetch(source as AsyncIterable<Float32Array>, PREFETCH_SAMPLES)
      : (source as Iterable<Float32Array>);
  for await (const chunk of chunks) {
    if (!(chunk instanceof Float32Array)) throw new TypeError('PCM chunks must be Float32Array');
    for (let i = 0; i < chunk.length; i += SLICE_SAMPLES) {
      signal?.throwIfAborted();
      yield chunk.length <= SLICE_SAMPLES ? chunk : chunk.subarray(i, Math.min(chunk.length, i + SLICE_SAMPLES));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/**
 * Pulls from `source` in the background (whenever the event loop has a turn) into a queue of at most
 * `maxSamples`, and hands the queue out in order. Errors of the source surface to the consumer; a consumer
 * that stops early closes the source (decodeMono then kills its ffmpeg).
 */
async function* prefetch(source: AsyncIterable<Float32Array>, maxSamples: number): AsyncGenerator<Float32Array> {
  const it = source[Symbol.asyncIterator]();
  const queue: Float32Array[] = [];
  let queued = 0;
  let finished = false;
  let failed = null as { error: unknown } | null;
  let stopped = false;
  // Whoever is waiting: the consumer for data, the pump for room in the queue.
  const wake: { consumer?: () => void; pump?: () => void } = {};
  const pump = (async () => {
    try {
      while (!stopped) {
        if (queued >= maxSamples) {
          await new Promise<void>((resolve) => (wake.pump = resolve));
          continue;
        }
        const r = await it.next();
        if (r.done) break;
        queue.push(r.value);
        queued += r.value.length;
        wake.consumer?.();
      }
    } catch (error) {
      failed = { error };
    } finally {
      finished = true;
      wake.consumer?.();
    }
  })();
  try {
    for (;;) {
      if (queue.length) {
        const chunk = queue.shift()!;
        queued -= chunk.length;
        wake.pump?.();
        yield chunk;
        continue;
      }
      if (failed) throw failed.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wake.consumer = resolve));
    }
  } finally {
    stopped = true;
    wake.pump?.();
    await pump;
    if (!failed) await it.return?.(undefined);
  }
}

/** Streams PCM through the peak picker. Only the peak list is kept, never the PCM. */
export async function extractPeaks(
  source: PcmSource,
  options: ExtractOptions = {},
): Promise<{ peaks: PeakList; durationSec: number; audibleSec: number }> {
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
  return fingerprintPcm(
    decodeForFingerprint(filePath, { signal: options.signal, timeoutMs: options.timeoutMs }),
    options,
  );
}
