import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Finds the ffmpeg and ffprobe programs. A system ffmpeg is preferred (the fastest measured here);
 * FFMPEG_PATH / FFPROBE_PATH override. ffmpeg runs as a separate program, so its licence does not
 * reach Crateflow's code.
 */
export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

let cached: FfmpegPaths | undefined;

function works(bin: string): boolean {
  try {
    execFileSync(bin, ['-version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function firstWorking(candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c): c is string => !!c && (c.includes('/') ? existsSync(c) : true) && works(c));
}

export function findFfmpeg(): FfmpegPaths {
  if (cached) return cached;
  const ffmpeg = firstWorking([process.env.FFMPEG_PATH, 'ffmpeg', '/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg']);
  const ffprobe = firstWorking([process.env.FFPROBE_PATH, 'ffprobe', '/usr/bin/ffprobe', '/usr/local/bin/ffprobe']);
  if (!ffmpeg || !ffprobe) {
    throw new Error(
      'ffmpeg and ffprobe are needed to decode audio and were not found. Install them (Debian/Ubuntu: ' +
        '`apt-get install ffmpeg`, macOS: `brew install ffmpeg`) or set FFMPEG_PATH and FFPROBE_PATH.',
    );
  }
  cached = { ffmpeg, ffprobe };
  return cached;
}
