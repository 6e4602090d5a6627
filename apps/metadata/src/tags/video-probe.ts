import { TOOL_INPUT, ToolTimeoutError, UndecodableAudioError, findFfmpeg, runTool } from '@crateflow/audio';
import { MetadataReadError } from './errors';

/**
 * Stream facts of video files come from ffprobe: it knows every container (AVI and FLV included,
 * which music-metadata does not read) and reports the picture size and frame rate too. ffprobe runs
 * as a separate program with a time limit and a cap on its output.
 */
export interface ProbedStream {
  index: number;
  codecType: 'audio' | 'video' | 'other';
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
  bitsPerSample: number | null;
  bitrate: number | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  attachedPicture: boolean;
}

export interface ProbeResult {
  formatName: string | null;
  durationSec: number | null;
  bitrate: number | null;
  tags: { id: string; value: string }[];
  streams: ProbedStream[];
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, unknown> };
  streams?: {
    index: number;
    codec_type?: string;
    codec_name?: string;
    sample_rate?: string;
    channels?: number;
    bits_per_raw_sample?: string;
    bits_per_sample?: number;
    bit_rate?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    disposition?: { attached_pic?: number };
    tags?: Record<string, unknown>;
  }[];
}

const positive = (v: unknown): number | null => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
};

function frameRate(text: string | undefined): number | null {
  if (!text) return null;
  const [num, den] = text.split('/').map(Number);
  const rate = den ? num / den : num;
  return Number.isFinite(rate) && rate > 0 ? Math.round(rate * 1000) / 1000 : null;
}

/**
 * Probes the already opened file: its descriptor is handed to ffprobe as fd 3 and read through
 * /dev/fd/3, so names that are not valid UTF-8 work and the file probed is the one we opened.
 */
export async function probeMediaFile(fd: number, timeoutMs: number): Promise<ProbeResult> {
  const { ffprobe } = findFfmpeg();
  const args = ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', TOOL_INPUT];
  // Its own process group, supervised: an interrupted ffprobe is retried, never taken for a corrupt file.
  const run = runTool(ffprobe, args, { inputFd: fd, timeoutMs });
  const out: Buffer[] = [];
  let stderr = '';
  let outBytes = 0;
  let tooLarge = false;
  run.child.stdout!.on('data', (chunk: Buffer) => {
    outBytes += chunk.length;
    if (outBytes > MAX_PROBE_OUTPUT) {
      tooLarge = true;
      run.kill();
    } else out.push(chunk);
  });
  run.child.stderr!.on('data', (d: string) => {
    if (stderr.length < 65_536) stderr += d;
  });
  const failure = await run.finished;
  if (tooLarge)
    throw new MetadataReadError('too-large', 'tag or header too large: ffprobe described more than 4 MiB of tags');
  if (failure instanceof ToolTimeoutError)
    throw new MetadataReadError('timeout', `timed out: ffprobe took longer than ${(timeoutMs / 1000).toFixed(1)} s`);
  if (failure instanceof UndecodableAudioError) throw ffprobeError(stderr);
  if (failure) throw failure; // interrupted: not a fact about the file
  try {
    return toProbeResult(JSON.parse(Buffer.concat(out).toString('utf8')) as FfprobeJson);
  } catch (parseErr) {
    throw new MetadataReadError(
      'corrupt',
      `corrupt: ffprobe answered something unreadable (${(parseErr as Error).message})`,
    );
  }
}

const MAX_PROBE_OUTPUT = 4 << 20;

function ffprobeError(stderr: string): MetadataReadError {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? 'ffprobe could not read the file';
  // ffprobe prefixes messages with the file name; the reason is what follows the last ": ".
  const message = line.includes(': ') ? line.slice(line.lastIndexOf(': ') + 2) : line;
  if (/moov atom not found|end of file|truncat/i.test(stderr))
    return new MetadataReadError('truncated', `truncated: ${message}`);
  if (/Invalid data found/i.test(stderr))
    return new MetadataReadError('not-media', `not a readable video file: ${message}`);
  return new MetadataReadError('corrupt', `corrupt: ${message}`);
}

function toProbeResult(json: FfprobeJson): ProbeResult {
  const tags: { id: string; value: string }[] = [];
  const addTags = (source: Record<string, unknown> | undefined) => {
    for (const [id, value] of Object.entries(source ?? {})) if (typeof value === 'string') tags.push({ id, value });
  };
  addTags(json.format?.tags);
  const streams: ProbedStream[] = (json.streams ?? []).map((s) => {
    const type = s.codec_type === 'audio' || s.codec_type === 'video' ? s.codec_type : 'other';
    return {
      index: s.index,
      codecType: type,
      codec: s.codec_name ?? null,
      sampleRate: positive(s.sample_rate),
      channels: positive(s.channels),
      bitsPerSample: positive(s.bits_per_raw_sample) ?? positive(s.bits_per_sample),
      bitrate: positive(s.bit_rate),
      width: positive(s.width),
      height: positive(s.height),
      frameRate: type === 'video' ? frameRate(s.avg_frame_rate) : null,
      attachedPicture: s.disposition?.attached_pic === 1,
    };
  });
  // Matroska keeps tags on the streams; use the audio stream's when the container has none.
  if (tags.length === 0) addTags(json.streams?.find((s) => s.codec_type === 'audio')?.tags);
  return {
    formatName: json.format?.format_name ?? null,
    durationSec: positive(json.format?.duration),
    bitrate: positive(json.format?.bit_rate),
    tags,
    streams,
  };
}
