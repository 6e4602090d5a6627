import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Finds the ffmpeg and ffprobe programs. A system ffmpeg is preferred (the fastest measured here, and the one
 * the operator keeps up to date); FFMPEG_PATH / FFPROBE_PATH override. On a machine without one, the static
 * builds shipped in the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (GPL-3.0 binaries,
 * compatible with Crateflow's AGPL-3.0) serve, so a fresh `npm install` decodes every format, AAC, ALAC and
 * WMA included. ffmpeg runs as a separate program either way.
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

/** The binary an npm package ships for this platform, if the package is installed. */
function bundled(packageName: string): string | undefined {
  try {
    return (require(packageName) as { path?: string }).path;
  } catch {
    return undefined;
  }
}

/** Where ffmpeg and ffprobe are looked for, in order. */
export function ffmpegCandidates(env: NodeJS.ProcessEnv = process.env): {
  ffmpeg: (string | undefined)[];
  ffprobe: (string | undefined)[];
} {
  return {
    ffmpeg: [
      env.FFMPEG_PATH,
      'ffmpeg',
      '/usr/bin/ffmpeg',
      '/usr/local/bin/ffmpeg',
      bundled('@ffmpeg-installer/ffmpeg'),
    ],
    ffprobe: [
      env.FFPROBE_PATH,
      'ffprobe',
      '/usr/bin/ffprobe',
      '/usr/local/bin/ffprobe',
      bundled('@ffprobe-installer/ffprobe'),
    ],
  };
}

/** The npm-shipped programs alone (what a machine without ffmpeg uses). */
export function bundledFfmpeg(): Partial<FfmpegPaths> {
  return { ffmpeg: bundled('@ffmpeg-installer/ffmpeg'), ffprobe: bundled('@ffprobe-installer/ffprobe') };
}

export function findFfmpeg(): FfmpegPaths {
  if (cached) return cached;
  const candidates = ffmpegCandidates();
  const ffmpeg = firstWorking(candidates.ffmpeg);
  const ffprobe = firstWorking(candidates.ffprobe);
  if (!ffmpeg || !ffprobe) {
    throw new Error(
      'ffmpeg and ffprobe are needed to decode audio and were not found, not even the copies npm installs ' +
        '(@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe). Install them (Debian/Ubuntu: ' +
        '`apt-get install ffmpeg`, macOS: `brew install ffmpeg`) or set FFMPEG_PATH and FFPROBE_PATH.',
    );
  }
  cached = { ffmpeg, ffprobe };
  return cached;
}
