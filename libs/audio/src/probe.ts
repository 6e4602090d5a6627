import { execFile } from 'node:child_process';
import { findFfmpeg } from './ffmpeg';

export interface AudioProbe {
  /** Seconds; null when the container does not say. */
  durationSec: number | null;
  sampleRate: number;
  channels: number;
  codec: string;
  /** Index of the audio stream ffmpeg will decode (video files carry other streams too). */
  streamIndex: number;
}

export class UndecodableAudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableAudioError';
  }
}

/** Reads the first audio stream's facts with ffprobe. Rejects with UndecodableAudioError when there is none. */
export function probeAudio(filePath: string | Buffer, timeoutMs = 30_000): Promise<AudioProbe> {
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
    pathArg(filePath),
  ];
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new UndecodableAudioError(firstLine(stderr) || err.message));
      try {
        const json = JSON.parse(stdout) as {
          streams?: {
            index: number;
            codec_name?: string;
            sample_rate?: string;
            channels?: number;
            duration?: string;
          }[];
          format?: { duration?: string };
        };
        const s = json.streams?.[0];
        if (!s || !s.sample_rate) return reject(new UndecodableAudioError('no audio stream found'));
        const duration = Number(s.duration ?? json.format?.duration);
        resolve({
          durationSec: Number.isFinite(duration) ? duration : null,
          sampleRate: Number(s.sample_rate),
          channels: s.channels ?? 1,
          codec: s.codec_name ?? 'unknown',
          streamIndex: s.index,
        });
      } catch (e) {
        reject(new UndecodableAudioError(`ffprobe answered something unreadable: ${(e as Error).message}`));
      }
    });
  });
}

/** ffmpeg takes paths as arguments; raw-byte (non-UTF-8) names are passed as their bytes via latin1-safe Buffer. */
export function pathArg(filePath: string | Buffer): string {
  // child_process encodes string arguments as UTF-8; a Buffer path that is not valid UTF-8 cannot be
  // passed losslessly as an argument, so it is read through a pipe instead (see decode.ts).
  return typeof filePath === 'string' ? filePath : filePath.toString('utf8');
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-1)[0] ?? ''
  );
}
