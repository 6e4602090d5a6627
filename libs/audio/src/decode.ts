import { findFfmpeg } from './ffmpeg';
import { probeAudio } from './probe';
import { TOOL_INPUT, UndecodableAudioError, lastLine, openInput, runTool, type ToolChild } from './tool-process';

export interface DecodeOptions {
  /** Output sample rate in Hz (ffmpeg's soxr-quality resampler is not assumed; the default one is used). */
  sampleRate: number;
  /**
   * What ffmpeg writes into the pipe: 32-bit floats (default) or 16-bit integers, converted to floats here
   * (v / 32768). 's16' halves the bytes through the pipe and lets ffmpeg's resampler work in integers; its
   * quantisation noise (~-101 dBFS) is far under any level a consumer that asks for it reads.
   */
  pcmFormat?: 'f32' | 's16';
  /**
   * Taps of ffmpeg's default resampler per phase (its `filter_size`, default 32). Fewer taps cost less and
   * widen the transition band just under the output's Nyquist frequency.
   */
  resamplerTaps?: number;
  /** Samples per yielded chunk (the last chunk may be shorter). Default: one second. */
  chunkSamples?: number;
  /** Start position in seconds. */
  startSec?: number;
  /** Decode at most this many seconds. */
  durationSec?: number;
  /** Extra ffmpeg audio filters applied after the mono mix (e.g. 'atempo=1.05'). */
  extraFilters?: string[];
  signal?: AbortSignal;
  /** Kill ffmpeg after this long (ms); the iteration then rejects. Default: none. */
  timeoutMs?: number;
  /**
   * Also measures EBU R128 loudness in the same ffmpeg run (its `ebur128` filter on a copy of the original
   * channels, beside the PCM output), so the file is read and decoded once. `onSummary` gets the tail of
   * ffmpeg's log, holding the filter's summary, after the last chunk. Whole files only (no startSec/durationSec).
   */
  ebur128?: { onSummary: (logTail: string) => void };
}

/**
 * Decodes any file ffmpeg can read (every music format ingest accepts, and the audio track of videos)
 * to mono 32-bit float PCM at the requested rate, streaming: memory stays bounded by the chunk size
 * whatever the file's length, because ffmpeg is paused while the consumer is busy (pipe back-pressure).
 *
 * Mono is 0.5·L + 0.5·R (plain `-ac 1` in ffmpeg is 3 dB hotter than Essentia's reference).
 */
export async function* decodeMono(filePath: string | Buffer, options: DecodeOptions): AsyncGenerator<Float32Array> {
  // Refused before ffprobe runs: a bad option needs no look at the file.
  const taps = options.resamplerTaps;
  if (taps !== undefined && (!Number.isInteger(taps) || taps < 1 || taps > 256)) {
    throw new RangeError(`resamplerTaps must be an integer from 1 to 256, not ${taps}`);
  }
  const probe = await probeAudio(filePath, undefined, options.signal);
  const { ffmpeg } = findFfmpeg();
  const chunkSamples = options.chunkSamples ?? options.sampleRate;
  const filters = [monoFilter(probe.channels), ...(options.extraFilters ?? [])].filter(Boolean);
  if (taps !== undefined) {
    // The last filter before the output, so its output rate is the one asked for and ffmpeg inserts no
    // resampler of its own after it.
    filters.push(`aresample=${options.sampleRate}:filter_size=${taps}`);
  }
  const s16 = options.pcmFormat === 's16';

  const loudness = options.ebur128;
  if (loudness && (options.startSec || options.durationSec !== undefined)) {
    throw new RangeError('loudness is measured over whole files only');
  }
  // The ebur128 summary is printed at level info; -nostats keeps the progress line out.
  const args = ['-nostdin', '-hide_banner', '-nostats', '-v', loudness ? 'info' : 'error'];
  if (options.startSec) args.push('-ss', String(options.startSec));
  args.push('-i', TOOL_INPUT);
  if (options.durationSec !== undefined) args.push('-t', String(options.durationSec));
  if (loudness) {
    // Sample peak is free; the 4× oversampled true peak doubled the filter's cost. framelog=verbose keeps the
    // 10-per-second frame lines out of the summary.
    const pcm = filters.length ? `[a]${filters.join(',')}[pcm]` : '[a]anull[pcm]';
    args.push(
      '-filter_complex',
      `[0:${probe.streamIndex}]asplit=2[a][b];${pcm};[b]ebur128=framelog=verbose:peak=sample,anullsink`,
      '-map',
      '[pcm]',
    );
  } else {
    args.push('-map', `0:${probe.streamIndex}`, '-vn', '-sn', '-dn');
    if (filters.length) args.push('-af', filters.join(','));
  }
  // -flush_packets 0: ffmpeg fills its 32 KB output buffer before writing instead of writing every packet
  // (~1.2 KB of PCM at 8 kHz): 27× fewer pipe reads, ~4× less of our CPU spent reading (issue 14).
  args.push('-ac', '1', '-ar', String(options.sampleRate), '-flush_packets', '0');
  args.push(...(s16 ? ['-f', 's16le', '-acodec', 'pcm_s16le'] : ['-f', 'f32le', '-acodec', 'pcm_f32le']), 'pipe:1');

  const input = await openInput(filePath);
  let run: ToolChild | undefined;
  try {
    run = runTool(ffmpeg, args, {
      inputFd: input.fd,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      failureLine: loudness ? problemLine : undefined,
    });
    // Each chunk is assembled in its own array as the pipe delivers, every byte copied once (16-bit samples:
    // then converted once into the Float32Array handed out).
    const bytesPerSample = s16 ? 2 : 4;
    const bytesPerChunk = chunkSamples * bytesPerSample;
    const staging = s16 ? new Int16Array(chunkSamples) : null;
    let chunk = new Float32Array(chunkSamples);
    let bytes = Buffer.from((staging ?? chunk).buffer);
    let filled = 0;
    let total = 0;
    for await (const data of run.child.stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < data.length) {
        const take = Math.min(bytesPerChunk - filled, data.length - at);
        data.copy(bytes, filled, at, at + take);
        filled += take;
        at += take;
        if (filled === bytesPerChunk) {
          if (staging) int16ToFloat(staging, chunk, chunkSamples);
          yield chunk;
          total += chunkSamples;
          chunk = new Float32Array(chunkSamples);
          if (!staging) bytes = Buffer.from(chunk.buffer);
          filled = 0;
        }
      }
    }
    const failure = await run.finished;
    if (failure) throw failure;
    const tailSamples = Math.floor(filled / bytesPerSample);
    if (tailSamples > 0) {
      total += tailSamples;
      if (staging) int16ToFloat(staging, chunk, tailSamples);
      yield chunk.slice(0, tailSamples);
    }
    if (total === 0) {
      const why = (loudness ? problemLine : lastLine)(run.stderr());
      throw new UndecodableAudioError(why || 'no audio could be decoded');
    }
    loudness?.onSummary(run.stderr().slice(-8192));
  } finally {
    run?.kill(); // the consumer stopped early, or failed
    await input.close();
  }
}

/** Decodes a whole file (or a part of it) into one array; for short files and tests only. */
export async function decodeMonoToArray(filePath: string | Buffer, options: DecodeOptions): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let length = 0;
  for await (const chunk of decodeMono(filePath, options)) {
    parts.push(chunk);
    length += chunk.length;
  }
  const out = new Float32Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The line of ffmpeg's log that says what went wrong: the last one, or with `-v info` (loudness measured
 * alongside) the last one that reads like an error rather than a stream description or a loudness summary.
 */
function problemLine(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const problems = lines.filter((l) => /error|invalid|fail|could not|cannot|no such|not found|unsupported/i.test(l));
  return problems.length ? problems[problems.length - 1] : lastLine(log);
}

/** 16-bit samples to floats in [-1, 1): a power-of-two scale, so every value is exact. */
function int16ToFloat(from: Int16Array, to: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) to[i] = from[i] * (1 / 32768);
}

function monoFilter(channels: number): string {
  if (channels <= 1) return '';
  if (channels === 2) return 'pan=mono|c0=0.5*c0+0.5*c1';
  return 'pan=mono|c0=0.5*FL+0.5*FR';
}
