import { findFfmpeg } from './ffmpeg';
import { TOOL_INPUT, UndecodableAudioError, openInput, runTool } from './tool-process';

export { UndecodableAudioError } from './tool-process';

export interface AudioProbe {
  /** Seconds; null when the container does not say. */
  durationSec: number | null;
  sampleRate: number;
  channels: number;
  codec: string;
  /** Index of the audio stream ffmpeg will decode (video files carry other streams too). */
  streamIndex: number;
}

/**
 * Reads the first audio stream's facts with ffprobe, given the file by its exact bytes (see tool-process).
 * Rejects with UndecodableAudioError when the input has no audio, and with ToolInterruptedError /
 * ToolTimeoutError when ffprobe did not finish (those are not verdicts).
 */
export async function probeAudio(
  filePath: string | Buffer,
  timeoutMs = 30_000,
  signal?: AbortSignal,
): Promise<AudioProbe> {
  const { ffprobe } = findFfmpeg();
  const args = [
    '-v',
    'error',
    '-select_streams',
    'a:0',
    '-show_entries',
    'stream=index,codec_name,sample_rate,channels,duration:format=duration',
    '-of',
    'json',
    '-i',
    TOOL_INPUT,
  ];
  const input = await openInput(filePath);
  try {
    const run = runTool(ffprobe, args, { inputFd: input.fd, timeoutMs, signal });
    let stdout = '';
    run.child.stdout!.setEncoding('utf8');
    run.child.stdout!.on('data', (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    const failure = await run.finished;
    if (failure) throw failure;
    let json: {
      streams?: { index: number; codec_name?: string; sample_rate?: string; channels?: number; duration?: string }[];
      format?: { duration?: string };
    };
    try {
      json = JSON.parse(stdout);
    } catch (e) {
      throw new UndecodableAudioError(`ffprobe answered something unreadable: ${(e as Error).message}`);
    }
    const s = json.streams?.[0];
    if (!s || !s.sample_rate) throw new UndecodableAudioError('no audio stream found');
    const duration = Number(s.duration ?? json.format?.duration);
    return {
      durationSec: Number.isFinite(duration) ? duration : null,
      sampleRate: Number(s.sample_rate),
      channels: s.channels ?? 1,
      codec: s.codec_name ?? 'unknown',
      streamIndex: s.index,
    };
  } finally {
    await input.close();
  }
}
