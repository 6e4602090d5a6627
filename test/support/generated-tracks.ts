import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';

export interface GeneratedTrack {
  file: string;
  artist: string;
  title: string;
}

export interface GenerateTracksOptions {
  /** Length of each track in seconds. */
  seconds?: number;
  /** Seed of the noise, so a run reproduces the same files. */
  seed?: number;
  ffmpeg?: string;
}

/**
 * Short, distinct MP3 tracks under `<Artist>/<Artist> - <Title>.mp3`, made by ONE ffmpeg process (starting
 * one per file costs about a second each on a busy machine): a long pink-noise-and-tone signal with a pulse,
 * cut into pieces by the segment muxer. Every piece is different audio, so no two are the same recording.
 * Untagged: the names carry artist and title. An existing complete set is reused (benchmarks rerun).
 */
export async function generateTracks(
  dir: string,
  count: number,
  options: GenerateTracksOptions = {},
): Promise<GeneratedTrack[]> {
  const seconds = options.seconds ?? 8;
  const ffmpeg = options.ffmpeg ?? process.env.FFMPEG_PATH ?? 'ffmpeg';
  const tracks: GeneratedTrack[] = [];
  for (let i = 0; i < count; i++) {
    const artist = `Generated Artist ${String(Math.floor(i / 10)).padStart(3, '0')}`;
    const title = `Track ${String(i).padStart(4, '0')}`;
    tracks.push({ file: path.join(dir, artist, `${artist} - ${title}.mp3`), artist, title });
  }
  if (tracks.every((t) => existsSync(t.file))) return tracks;

  const pieces = path.join(dir, '.pieces');
  rmSync(pieces, { recursive: true, force: true });
  mkdirSync(pieces, { recursive: true });
  const total = seconds * count + 1;
  await run(ffmpeg, [
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=${total}:seed=${options.seed ?? 7}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:sample_rate=44100:duration=${total}`,
    '-filter_complex',
    '[0:a][1:a]amix=inputs=2:normalize=0,tremolo=f=2.1333:d=0.7,volume=0.7[out]',
    '-map',
    '[out]',
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    '-f',
    'segment',
    '-segment_time',
    String(seconds),
    path.join(pieces, '%05d.mp3'),
  ]);
  const made = readdirSync(pieces)
    .filter((f) => f.endsWith('.mp3'))
    .sort();
  if (made.length < count) throw new Error(`ffmpeg made ${made.length} pieces, ${count} wanted`);
  tracks.forEach((t, i) => {
    mkdirSync(path.dirname(t.file), { recursive: true });
    renameSync(path.join(pieces, made[i]), t.file);
  });
  rmSync(pieces, { recursive: true, force: true });
  return tracks;
}

function run(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
}
