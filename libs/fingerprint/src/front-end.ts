import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pcmChunks, PcmSource } from './fingerprint';
import { FINGERPRINT_SAMPLE_RATE, PeakPickerParams } from './params';
import { PeakColumns, PeakExtractionStats, PeakExtractor, PeakList } from './peaks';

/**
 * Where a long recording's front-end (FFT and peak picking, ~45 % of a mix identification's CPU in our process)
 * runs: 'inline' on the calling thread; 'thread' in a worker thread of its own, so that the calling thread
 * hashes, looks up and votes on earlier hops while the thread picks the peaks of later ones; 'auto' (the
 * default) the thread for recordings of at least FRONT_END_THREAD_MIN_SEC, inline for shorter ones, and inline
 * where there is no core to spare: a stream (a file ffmpeg decodes) on fewer than 3 cores, PCM in memory on one.
 * Measured on 2 cores with the decoder and PostgreSQL beside us, the thread made a file's identification slower
 * (a 60-minute 192 kbps MP3: 5.4–6.4 s wall against 5.0–5.5 inline; the 4 h archive MP3: 17.0–17.9 against
 * 15.3–16.3 s) and cost 1–2.5 CPU s more, while on PCM in memory it took the 60-minute mix from 4.7–5.1 to
 * 3.5 s. The peaks, and so everything after them, are the same either way.
 */
export type FrontEndMode = 'auto' | 'inline' | 'thread';

/**
 * Shortest recording given its own front-end thread in 'auto' mode: 3 minutes. A thread costs ~0.1–0.2 CPU s
 * to start (a fresh V8 isolate and @swc/core compiling peaks.ts and what it imports), about what the
 * front-end of 3 minutes of audio costs; an excerpt never pays it.
 */
export const FRONT_END_THREAD_MIN_SEC = 180;

/**
 * Audio handed to the thread ahead of the peaks it has sent back: five minutes (9.6 MB of floats), ~0.2 s of the
 * thread's work, so that it does not run dry while the calling thread is busy matching and cannot hand over more.
 */
const THREAD_AHEAD_SAMPLES = FINGERPRINT_SAMPLE_RATE * 300;
/** A Float32Array source is handed over in copies of this many samples (4 s, as decodeForFingerprint reads). */
const THREAD_SLICE_SAMPLES = FINGERPRINT_SAMPLE_RATE * 4;

const WORKER_SCRIPT = path.join(__dirname, 'front-end.worker.js');

/** What the front-end has produced so far; updated in place before every step the iteration yields. */
export interface FrontEndState {
  /** Every peak decided so far, in order. */
  readonly peaks: PeakList;
  /** Peaks below this frame are final (Number.MAX_SAFE_INTEGER once the input is finished). */
  finalFrame: number;
  /** Samples consumed, frames analysed (final once the iteration ends), silent frames, candidates. */
  stats: PeakExtractionStats;
  /** Whether the peaks come from a thread of their own. */
  threaded: boolean;
}

export interface FrontEndOptions {
  mode?: FrontEndMode;
  signal?: AbortSignal;
  peakParams?: Partial<PeakPickerParams>;
  /** Cores 'auto' assumes the machine has (default os.availableParallelism()). */
  cores?: number;
}

let threadsRunning = 0;
/** Front-end threads started and not yet ended (for tests: none may be left over). */
export function frontEndThreadsRunning(): number {
  return threadsRunning;
}

/**
 * Runs the front-end over `source`: yields `state` every time more peaks (or more final frames) may be
 * there, and ends when the whole input is analysed, `state.stats` then final. Leaving the iteration early
 * (an error, an abort) ends the thread and stops reading the source.
 */
export async function* runFrontEnd(
  source: PcmSource,
  options: FrontEndOptions = {},
): AsyncGenerator<FrontEndState, FrontEndState> {
  options.signal?.throwIfAborted(); // before a thread is started or a stream read
  const mode = options.mode ?? 'auto';
  const minSamples = FRONT_END_THREAD_MIN_SEC * FINGERPRINT_SAMPLE_RATE;
  let input: PcmSource = source;
  let useThread = mode === 'thread';
  const cores = options.cores ?? availableParallelism();
  if (mode === 'auto') {
    if (source instanceof Float32Array) useThread = source.length >= minSamples && cores >= 2;
    else if (cores < 3) useThread = false;
    else {
      // The length of a stream is not known: read up to the threshold first, then decide.
      const head = await readHead(source, minSamples, options.signal);
      useThread = !head.ended;
      input = head.rest;
    }
  }
  if (useThread) return yield* threadFrontEnd(input, options);
  const extractor = new PeakExtractor(options.peakParams);
  const state: FrontEndState = { peaks: extractor.peaks, finalFrame: 0, stats: extractor.stats, threaded: false };
  for await (const chunk of pcmChunks(input, options.signal)) {
    extractor.push(chunk);
    state.finalFrame = extractor.finalFrame;
    yield state;
  }
  extractor.finish();
  state.finalFrame = extractor.finalFrame;
  return state;
}

/**
 * Reads `source` until `minSamples` have come or it ends; returns whether it ended and a source that yields
 * everything read and then the rest (a stream is read once).
 */
async function readHead(
  source: Iterable<Float32Array> | AsyncIterable<Float32Array>,
  minSamples: number,
  signal?: AbortSignal,
): Promise<{ ended: boolean; rest: PcmSource }> {
  const it =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<Float32Array>)[Symbol.asyncIterator]()
      : (source as Iterable<Float32Array>)[Symbol.iterator]();
  const head: Float32Array[] = [];
  let samples = 0;
  let ended = false;
  try {
    while (samples < minSamples) {
      signal?.throwIfAborted();
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      if (!(r.value instanceof Float32Array)) throw new TypeError('PCM chunks must be Float32Array');
      head.push(r.value);
      samples += r.value.length;
    }
  } catch (err) {
    if (!ended) await it.return?.();
    throw err;
  }
  if (ended) return { ended, rest: head };
  async function* rest(): AsyncGenerator<Float32Array> {
    let done = false;
    try {
      yield* head.splice(0);
      for (;;) {
        const r = await it.next();
        if (r.done) {
          done = true;
          return;
        }
        yield r.value;
      }
    } finally {
      if (!done) await it.return?.(); // the consumer stopped early: close the source (decodeMono kills ffmpeg)
    }
  }
  return { ended, rest: rest() };
}

type ThreadMessage =
  | ({ type: 'peaks' | 'done'; count: number; finalFrame: number; stats: PeakExtractionStats } & PeakColumns)
  | { type: 'error'; message: string; stack?: string };

/**
 * The front-end in a worker thread (front-end.worker.js). The calling thread reads the source and hands it
 * over in copies (transferred, up to THREAD_AHEAD_SAMPLES ahead); the thread answers every piece with the
 * peaks decided since its last answer, as typed arrays (transferred), and how far they are final.
 */
async function* threadFrontEnd(
  source: PcmSource,
  options: FrontEndOptions,
): AsyncGenerator<FrontEndState, FrontEndState> {
  const signal = options.signal;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SCRIPT, { execArgv: [], workerData: { peakParams: options.peakParams ?? {} } });
  } catch (err) {
    if (!(source instanceof Float32Array)) await (source as Partial<AsyncGenerator>).return?.(undefined);
    throw new Error(`the fingerprint front-end thread could not start: ${(err as Error).message}`, { cause: err });
  }
  threadsRunning++;
  const state: FrontEndState = {
    peaks: new PeakList(),
    finalFrame: 0,
    stats: { frames: 0, samples: 0, silentFrames: 0, candidates: 0 },
    threaded: true,
  };
  const inbox: ThreadMessage[] = [];
  let failure = null as { error: unknown } | null;
  let finished = false;
  let stopped = false;
  const wake: { consumer?: () => void; feeder?: () => void } = {};
  const notify = (who: 'consumer' | 'feeder') => {
    const resolve = wake[who];
    wake[who] = undefined;
    resolve?.();
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    notify('consumer');
  };
  worker.on('message', (m: ThreadMessage) => {
    if (m.type === 'error') fail(new Error(`the fingerprint front-end thread failed: ${m.message}`));
    else {
      inbox.push(m);
      notify('consumer');
    }
  });
  worker.on('error', (err) =>
    fail(new Error(`the fingerprint front-end thread failed: ${err.message}`, { cause: err })),
  );
  worker.on('exit', (code) => {
    if (!finished)
      fail(new Error(`the fingerprint front-end thread exited (code ${code}) before the end of the audio`));
  });
  const onAbort = () => notify('consumer');
  signal?.addEventListener('abort', onAbort);

  let sent = 0;
  const post = (samples: Float32Array) => {
    const copy = samples.slice(); // the source may reuse its arrays: hand over a copy, moved, not cloned
    worker.postMessage({ type: 'pcm', samples: copy }, [copy.buffer]);
    sent += copy.length;
  };
  const feeder = (async () => {
    const chunks: Iterable<Float32Array> | AsyncIterable<Float32Array> =
      source instanceof Float32Array ? slices(source, THREAD_SLICE_SAMPLES) : source;
    for await (const chunk of chunks) {
      if (!(chunk instanceof Float32Array)) throw new TypeError('PCM chunks must be Float32Array');
      while (!stopped && sent - state.stats.samples >= THREAD_AHEAD_SAMPLES) {
        await new Promise<void>((resolve) => (wake.feeder = resolve));
      }
      if (stopped) return;
      signal?.throwIfAborted();
      post(chunk);
    }
    worker.postMessage({ type: 'end' });
  })();
  feeder.catch(fail);

  try {
    for (;;) {
      signal?.throwIfAborted();
      if (failure) throw failure.error;
      const m = inbox.shift();
      if (!m) {
        await new Promise<void>((resolve) => (wake.consumer = resolve));
        continue;
      }
      if (m.type === 'error') continue; // (handled as a failure when it arrived)
      state.peaks.appendColumns(m, m.count);
      state.finalFrame = m.finalFrame;
      state.stats = m.stats;
      notify('feeder');
      if (m.type === 'done') {
        finished = true;
        return state;
      }
      yield state;
    }
  } finally {
    finished = true;
    stopped = true;
    signal?.removeEventListener('abort', onAbort);
    notify('feeder');
    await worker.terminate();
    threadsRunning--;
    await feeder.catch(() => undefined); // ends at its next chunk; leaving its loop closes the source
  }
}

function* slices(pcm: Float32Array, size: number): Generator<Float32Array> {
  for (let i = 0; i < pcm.length; i += size) yield pcm.subarray(i, Math.min(pcm.length, i + size));
}
