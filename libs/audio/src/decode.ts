import { findFfmpeg } from './ffmpeg';
import { probeAudio } from './probe';
import { TOOL_INPUT, UndecodableAudioError, openInput, runTool, type ToolChild } from './tool-process';

export interface DecodeOptions {
  /** Output sample rate in Hz (ffmpeg's soxr-quality resampler is not assumed; the default one is used). */
  sampleRate: number;
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
}

/**
 * Decodes any file ffmpeg can read (every music format ingest accepts, and the audio track of videos)
 * to mono 32-bit float PCM at the requested rate, streaming: memory stays bounded by the chunk size
 * whatever the file's length, because ffmpeg is paused while the consumer is busy (pipe back-pressure).
 *
 * Mono is 0.5·L + 0.5·R (plain `-ac 1` in ffmpeg is 3 dB hotter than Essentia's reference).
 */
export async function* decodeMono(filePath: string | Buffer, options: DecodeOptions): AsyncGenerator<Float32Array> {
  const probe = await probeAudio(filePath, undefined, options.signal);
  const { ffmpeg } = findFfmpeg();
  const chunkSamples = options.chunkSamples ?? options.sampleRate;
  const filters = [monoFilter(probe.channels), ...(options.extraFilters ?? [])].filter(Boolean);

  const args = ['-nostdin', '-hide_banner', '-v', 'error'];
  if (options.startSec) args.push('-ss', String(options.startSec));
  args.push('-i', TOOL_INPUT);
  if (options.durationSec !== undefined) args.push('-t', String(options.durationSec));
  args.push('-map', `0:${probe.streamIndex}`, '-vn', '-sn', '-dn');
  if (filters.length) args.push('-af', filters.join(','));
  args.push('-ac', '1', '-ar', String(options.sampleRate), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1');

  const input = await openInput(filePath);
  let run: ToolChild | undefined;
  try {
    run = runTool(ffmpeg, args, { inputFd: input.fd, signal: options.signal, timeoutMs: options.timeoutMs });
    let pending: Buffer = Buffer.alloc(0);
    let total = 0;
    for await (const data of run.child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      const bytesPerChunk = chunkSamples * 4;
      while (pending.length >= bytesPerChunk) {
        yield toFloat32(pending.subarray(0, bytesPerChunk));
        total += chunkSamples;
        pending = pending.subarray(bytesPerChunk);
      }
    }
    const failure = await run.finished;
    if (failure) throw failure;
    const tailSamples = Math.floor(pending.length / 4);
    if (tailSamples > 0) {
      total += tailSamples;
      yield toFloat32(pending.subarray(0, tailSamples * 4));
    }
    if (total === 0) throw new UndecodableAudioError('no audio could be decoded');
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

function monoFilter(channels: number): string {
  if (channels <= 1) return '';
  if (channels === 2) return 'pan=mono|c0=0.5*c0+0.5*c1';
  return 'pan=mono|c0=0.5*FL+0.5*FR';
}

/** Copies into an aligned Float32Array (Buffer slices may start at odd offsets). */
function toFloat32(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  Buffer.from(out.buffer).set(bytes);
  return out;
}
