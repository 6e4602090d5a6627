import { execFileSync } from 'node:child_process';
import { decodeForFingerprint, extractPeaks } from '../src/fingerprint';
import { FRONT_END_THREAD_MIN_SEC, frontEndThreadsRunning, runFrontEnd, FrontEndState } from '../src/front-end';
import { identifyMix, MixProgress } from '../src/mix';
import { FINGERPRINT_SAMPLE_RATE, Strategy } from '../src/params';
import { PeakList } from '../src/peaks';
import { FingerprintIndex, LookupOptions } from '../src/store/fingerprint-index';
import { MixTimeline } from '../src/timeline';
import { LIBRARY } from './support/fixtures';
import { indexLibrary } from './support/library';
import { buildMix, BuiltMix, mulberry32, randomMix, scoreTimeline } from './support/mixes';

/** Runs the front-end to its end and returns its final state. */
async function frontEndOf(...args: Parameters<typeof runFrontEnd>): Promise<FrontEndState> {
  const it = runFrontEnd(...args);
  for (;;) {
    const step = await it.next();
    if (step.done) return step.value;
  }
}

/** Every column of two peak lists, compared value by value (a count of differences and the first one). */
function peakDifferences(a: PeakList, b: PeakList): { lengths: [number, number]; differing: number; first?: string } {
  let differing = 0;
  let first: string | undefined;
  for (const column of ['time', 'frame', 'bin', 'freq', 'score', 'level'] as const) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (Object.is(a[column][i], b[column][i])) continue;
      differing++;
      first ??= `${column}[${i}]: ${a[column][i]} vs ${b[column][i]}`;
    }
  }
  return { lengths: [a.length, b.length], differing, first };
}

/** Chunks of random sizes (1 sample to 3 s), to show the peaks do not depend on how the audio is cut. */
function* oddChunks(pcm: Float32Array, seed: number): Generator<Float32Array> {
  const rnd = mulberry32(seed);
  for (let i = 0; i < pcm.length;) {
    const n = rnd() < 0.1 ? 1 + Math.floor(rnd() * 300) : 1 + Math.floor(rnd() * 24_000);
    yield pcm.slice(i, Math.min(pcm.length, i + n));
    i += n;
  }
}

async function* asStream(chunks: Iterable<Float32Array>): AsyncGenerator<Float32Array> {
  for (const c of chunks) yield c;
}

/** ffmpeg/ffprobe processes this process has started and not yet reaped. */
function toolChildren(): string[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).toString();
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /ff(mpeg|probe)/.test(l));
  } catch {
    return []; // ps exits 1 when nothing matches
  }
}

/** Records every look-up the mix makes (strategy, hashes, options), passing it on unchanged. */
function recording(index: FingerprintIndex): { index: FingerprintIndex; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(index, {
    get(target, prop, receiver) {
      if (prop === 'lookup') {
        return async (strategy: Strategy, hashes: Int32Array, options?: LookupOptions) => {
          const result = await target.lookup(strategy, hashes, options);
          let sum = 0;
          for (let i = 0; i < hashes.length; i++) sum = (Math.imul(sum, 31) + hashes[i]) | 0;
          calls.push(`${strategy} ${hashes.length} hashes #${sum} ${JSON.stringify(options ?? {})}`);
          return result;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { index: proxy, calls };
}

describe('the front-end in a thread of its own', () => {
  it('gives the same peaks as the inline front-end on a real recording, however the audio is cut', async () => {
    const file = LIBRARY[0].file;
    const inline = await extractPeaks(decodeForFingerprint(file));
    const fromFile = await frontEndOf(decodeForFingerprint(file), { mode: 'thread' });
    expect(fromFile.threaded).toBe(true);
    expect(peakDifferences(fromFile.peaks, inline.peaks)).toEqual({
      lengths: [inline.peaks.length, inline.peaks.length],
      differing: 0,
    });
    expect(inline.peaks.length).toBeGreaterThan(1000);
    expect(fromFile.stats.samples / FINGERPRINT_SAMPLE_RATE).toBeCloseTo(inline.durationSec, 6);

    const pcm = new Float32Array(fromFile.stats.samples);
    let at = 0;
    for await (const chunk of decodeForFingerprint(file)) {
      pcm.set(chunk, at);
      at += chunk.length;
    }
    const cut = await frontEndOf(oddChunks(pcm, 7), { mode: 'thread' });
    const whole = await frontEndOf(pcm, { mode: 'thread' });
    expect(peakDifferences(cut.peaks, inline.peaks).differing).toBe(0);
    expect(peakDifferences(whole.peaks, inline.peaks).differing).toBe(0);
    expect(cut.stats).toEqual(fromFile.stats);
    expect(whole.stats).toEqual(fromFile.stats);
    expect(frontEndThreadsRunning()).toBe(0);
  }, 60_000);

  it('is used only for recordings of 3 minutes or more, with a core to spare (auto)', async () => {
    const excerpt = new Float32Array(12 * FINGERPRINT_SAMPLE_RATE).map((_, i) => Math.sin(i / 3) * 0.3);
    expect((await frontEndOf(excerpt, { cores: 8 })).threaded).toBe(false);
    expect((await frontEndOf(asStream(oddChunks(excerpt, 1)), { cores: 8 })).threaded).toBe(false);
    const long = new Float32Array(FRONT_END_THREAD_MIN_SEC * FINGERPRINT_SAMPLE_RATE).map((_, i) => Math.sin(i / 5));
    expect((await frontEndOf(long, { cores: 2 })).threaded).toBe(true);
    expect((await frontEndOf(long, { cores: 1 })).threaded).toBe(false);
    const streamed = await frontEndOf(asStream(oddChunks(long, 2)), { cores: 3 });
    expect(streamed.threaded).toBe(true);
    expect(streamed.stats.samples).toBe(long.length);
    // A stream is a file being decoded: on 2 cores ffmpeg and PostgreSQL leave no core for the thread.
    const onTwo = await frontEndOf(asStream(oddChunks(long, 2)), { cores: 2 });
    expect(onTwo.threaded).toBe(false);
    expect(onTwo.stats.samples).toBe(long.length);
    expect(frontEndThreadsRunning()).toBe(0);
  }, 60_000);

  it('surfaces an error of the thread as a rejection with a clear message, and ends the thread', async () => {
    const pcm = new Float32Array(FINGERPRINT_SAMPLE_RATE * 5);
    await expect(frontEndOf(pcm, { mode: 'thread', peakParams: { minBin: 1 } })).rejects.toThrow(
      /the fingerprint front-end thread failed: peak band too close to DC/,
    );
    expect(frontEndThreadsRunning()).toBe(0);
    const bad = [new Float32Array(100), [1, 2, 3] as unknown as Float32Array];
    await expect(frontEndOf(bad, { mode: 'thread' })).rejects.toThrow('PCM chunks must be Float32Array');
    expect(frontEndThreadsRunning()).toBe(0);
  }, 30_000);
});

describe('identifyMix with the front-end in a thread', () => {
  let index: FingerprintIndex;
  let mix: BuiltMix;

  beforeAll(async () => {
    index = await indexLibrary();
    const { specs, crossfades } = randomMix(1, 10); // ~6 minutes: over the threshold of 'auto'
    mix = await buildMix(specs, crossfades);
  }, 120_000);

  it('finds the same timeline from the same look-ups as inline, for any chunking', async () => {
    expect(mix.durationSec).toBeGreaterThan(FRONT_END_THREAD_MIN_SEC);
    const run = async (source: Parameters<typeof identifyMix>[1], frontEnd: 'inline' | 'thread' | 'auto') => {
      const r = recording(index);
      const progress: MixProgress[] = [];
      const timeline = await identifyMix(r.index, source, { frontEnd, onProgress: (p) => progress.push(p) });
      return { timeline, calls: r.calls, progress };
    };
    const inline = await run(mix.pcm, 'inline');
    const score = scoreTimeline(inline.timeline.entries, mix.truth, 2);
    expect(score.found).toBe(score.librarySegments); // a real mix, identified
    expect(score.librarySegments).toBeGreaterThan(5);
    expect(inline.calls.length).toBeGreaterThan(10);
    const variants: [string, Awaited<ReturnType<typeof run>>][] = [
      ['thread, PCM given', await run(mix.pcm, 'thread')],
      ['thread, odd chunks', await run(oddChunks(mix.pcm, 3), 'thread')],
      ['auto, a stream of odd chunks', await run(asStream(oddChunks(mix.pcm, 4)), 'auto')],
      ['inline, odd chunks', await run(oddChunks(mix.pcm, 5), 'inline')],
    ];
    const expected: MixTimeline = inline.timeline;
    for (const [name, v] of variants) {
      expect({ name, timeline: v.timeline }).toEqual({ name, timeline: expected });
      expect({ name, calls: v.calls }).toEqual({ name, calls: inline.calls });
      expect(v.progress.length).toBeGreaterThan(3);
      expect(v.progress[v.progress.length - 1].processedSec).toBeCloseTo(mix.durationSec, 3);
      for (let i = 1; i < v.progress.length; i++)
        expect(v.progress[i].processedSec).toBeGreaterThanOrEqual(v.progress[i - 1].processedSec);
    }
    expect(frontEndThreadsRunning()).toBe(0);
  }, 120_000);

  it('stops when aborted mid-way: the thread ends, ffmpeg is stopped', async () => {
    const controller = new AbortController();
    const run = identifyMix(index, mix.pcm, {
      frontEnd: 'thread',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.processedSec > 60) controller.abort(new Error('stop here'));
      },
    });
    await expect(run).rejects.toThrow('stop here');
    expect(frontEndThreadsRunning()).toBe(0);

    // From a file through ffmpeg (the service's way), aborted while it is being read.
    const streamed = new AbortController();
    const source = decodeForFingerprint(LIBRARY[0].file, { signal: streamed.signal });
    const fromFile = identifyMix(index, source, {
      frontEnd: 'thread',
      signal: streamed.signal,
      onProgress: (p) => {
        if (p.processedSec > 20) streamed.abort(new Error('cancelled on request'));
      },
    });
    await expect(fromFile).rejects.toThrow('cancelled on request');
    expect(frontEndThreadsRunning()).toBe(0);
    for (let i = 0; i < 50 && toolChildren().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(toolChildren()).toEqual([]);

    // Already aborted: rejected before a thread is started.
    await expect(identifyMix(index, mix.pcm, { frontEnd: 'thread', signal: AbortSignal.abort() })).rejects.toThrow();
    expect(frontEndThreadsRunning()).toBe(0);
  }, 60_000);
});
